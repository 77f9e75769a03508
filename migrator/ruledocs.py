"""`migrator rules`: every rule's documentation, built from the rule classes."""

from __future__ import annotations

import json

from codemods import PIPELINE


def _indent(text: str, prefix: str = "    ") -> str:
    return "".join(prefix + line if line.strip() else line for line in text.splitlines(keepends=True))


def render_rules(fmt: str) -> str:
    if fmt == "json":
        return json.dumps(
            [
                {
                    "code": r.code,
                    "slug": r.slug,
                    "summary": r.summary,
                    "details": r.details,
                    "examples": [{"before": e.before, "after": e.after} for e in r.examples],
                }
                for r in PIPELINE
            ],
            indent=2,
        ) + "\n"
    if fmt == "markdown":
        out = ["# migrator rules", ""]
        for r in PIPELINE:
            out += [f"## {r.code} {r.slug}", "", r.summary, ""]
            if r.details:
                out += [r.details.strip(), ""]
            for e in r.examples:
                out += ["```python", e.before.rstrip(), "```", ""]
                out += (["becomes", "", "```python", e.after.rstrip(), "```", ""] if e.after is not None else ["is left unchanged.", ""])
        return "\n".join(out)
    if fmt == "text":
        out = []
        for r in PIPELINE:
            out.append(f"{r.code}  {r.slug}: {r.summary}")
            if r.details:
                out.append(_indent(r.details.strip()))
            for e in r.examples:
                out.append("  before:")
                out.append(_indent(e.before.rstrip()))
                if e.after is None:
                    out.append("  left unchanged")
                else:
                    out.append("  after:")
                    out.append(_indent(e.after.rstrip()))
            out.append("")
        return "\n".join(out)
    raise ValueError(f"unknown format {fmt!r} (text, json, markdown)")
