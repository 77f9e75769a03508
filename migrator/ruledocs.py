"""`migrator rules`: every rule's documentation, built from the rule classes."""

from __future__ import annotations

import json

import codemods  # its PIPELINE (every rule module) is imported only when documentation is rendered


def _indent(text: str, prefix: str = "    ") -> str:
    return "".join(prefix + line if line.strip() else line for line in text.splitlines(keepends=True))


# Where each rule's documentation is: docs/rules.md (``migrator rules --format markdown``,
# kept up to date by the tests) has an anchor per rule code.
DOCS_PAGE = "docs/rules.md"


def rule_url(code: str) -> str:
    return f"{DOCS_PAGE}#{code.lower()}"


def render_rules(fmt: str, code: str | None = None) -> str:
    """All rules' documentation, or one rule's (``code``); ValueError for an unknown one."""
    if code is None:
        pipeline = codemods.PIPELINE
    else:  # one rule: only its module is imported
        spec = codemods.registered(code.upper())
        if spec is None:
            known = ", ".join(r.code for r in codemods.RULES)
            raise ValueError(f"unknown rule code {code!r}; the rules are: {known}")
        pipeline = (spec.load(),)
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
                for r in pipeline
            ],
            indent=2,
        ) + "\n"
    if fmt == "markdown":
        out = ["# migrator rules", ""]
        for r in pipeline:
            out += [f'<a id="{r.code.lower()}"></a>', "", f"## {r.code} {r.slug}", "", r.summary, ""]
            if r.details:
                out += [r.details.strip(), ""]
            for e in r.examples:
                out += ["```python", e.before.rstrip(), "```", ""]
                out += (["becomes", "", "```python", e.after.rstrip(), "```", ""] if e.after is not None else ["is left unchanged.", ""])
        return "\n".join(out)
    if fmt == "text":
        out = []
        for r in pipeline:
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
