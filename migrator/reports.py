"""What a run found, for people (text, Markdown) and for tools (JSON, SARIF, GitHub).

Every format prints columns 1-based (as editors, GitHub and SARIF count them); the
engine's findings hold them 0-based, as LibCST does.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from urllib.parse import quote

from codemods import RULES
from migrator.engine import FileResult, Status

FORMATS = ("text", "json", "sarif", "github", "markdown")
_RULES = {rule.code: rule for rule in RULES}


ERROR_CODE = "E000"  # a file that could not be read, parsed or written


def _rows(results: Sequence[FileResult]):
    """(path, line, column 1-based, code, message, kind); line 0: the whole file."""
    for result in results:
        if result.status is Status.FAILED:
            yield result.path, result.line, result.col + 1, ERROR_CODE, result.error or "failed", "error"
        for f in result.findings:
            yield result.path, f.line, f.col + 1, f.rule, f.message, f.kind


def counts(results: Sequence[FileResult]) -> dict:
    status = Counter(r.status.value for r in results)
    per_rule: Counter = Counter()
    declined: Counter = Counter()
    for r in results:
        per_rule.update(r.applied)
        declined.update(f.rule for f in r.findings if f.kind == "declined")
    return {
        "files": len(results),
        "changed": status[Status.CHANGED.value],
        "unchanged": status[Status.UNCHANGED.value] + status[Status.SKIPPED.value],
        "failed": status[Status.FAILED.value],
        "rules": dict(sorted(per_rule.items())),
        "declined": dict(sorted(declined.items())),
    }


def text_lines(results: Sequence[FileResult]) -> list[str]:
    lines = []
    for path, line, col, code, message, kind in _rows(results):
        where = f"{path}:{line}:{col}" if line else path
        label = {"error": "error", "declined": "not converted", "converted": "note"}.get(kind, kind)
        lines.append(f"{where}: {code} {label}: {message}")
    return lines


def summary_line(results: Sequence[FileResult], verb: str) -> str:
    c = counts(results)
    text = f"{c['files']} files scanned, {c['changed']} {verb}, {c['unchanged']} unchanged, {c['failed']} failed"
    if c["rules"]:
        text += "; rules: " + ", ".join(f"{code} x{n}" for code, n in c["rules"].items())
    return text


def render(results: Sequence[FileResult], fmt: str) -> str:
    if fmt == "text":
        return "\n".join(text_lines(results)) + ("\n" if results else "")
    if fmt == "json":
        return json.dumps(
            {
                "summary": counts(results),
                "files": [
                    {
                        "path": r.path,
                        "status": r.status.value,
                        "error": r.error,
                        "line": r.line or None,
                        "column": r.col + 1 if r.line else None,
                        "rules": dict(r.applied),
                        "findings": [
                            {"rule": f.rule, "line": f.line, "column": f.col + 1, "kind": f.kind, "message": f.message}
                            for f in r.findings
                        ],
                    }
                    for r in results
                ],
            },
            indent=2,
        ) + "\n"
    if fmt == "github":
        out = []
        for path, line, col, code, message, kind in _rows(results):
            level = "error" if kind == "error" else "warning" if kind == "declined" else "notice"
            loc = f"file={_gh_property(path)},line={line},col={col}" if line else f"file={_gh_property(path)}"
            out.append(f"::{level} {loc},title={_gh_property('migrator ' + code)}::{_gh_data(message)}")
        return "\n".join(out) + ("\n" if out else "")
    if fmt == "sarif":
        return json.dumps(_sarif(results), indent=2) + "\n"
    if fmt == "markdown":
        return _markdown(results)
    raise ValueError(f"unknown format {fmt!r}")


def _gh_data(text: str) -> str:
    """Escape a workflow command's message (GitHub's own escaping rules)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_property(text: str) -> str:
    return _gh_data(text).replace(":", "%3A").replace(",", "%2C")


def _sarif(results: Sequence[FileResult]) -> dict:
    sarif_results = []
    for path, line, col, code, message, kind in _rows(results):
        location = {"artifactLocation": {"uri": quote(path.replace("\\", "/"))}}
        if line:
            location["region"] = {"startLine": line, "startColumn": col}
        sarif_results.append(
            {
                "ruleId": code,
                "level": {"error": "error", "declined": "warning"}.get(kind, "note"),
                "message": {"text": message},
                "locations": [{"physicalLocation": location}],
            }
        )
    rules = [
        {"id": r.code, "name": r.slug, "shortDescription": {"text": r.summary}} for r in RULES
    ]
    rules.append(
        {
            "id": ERROR_CODE,
            "name": "unreadable-file",
            "shortDescription": {"text": "A file that could not be read, parsed or written; left unchanged."},
        }
    )
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{"tool": {"driver": {"name": "migrator", "rules": rules}}, "results": sarif_results}],
    }


def _markdown(results: Sequence[FileResult]) -> str:
    c = counts(results)
    out = [
        "## TensorFlow 2 migration",
        "",
        f"{c['files']} files scanned: **{c['changed']} changed**, {c['unchanged']} unchanged, {c['failed']} failed.",
        "",
    ]
    if c["rules"]:
        out += ["| rule | summary | files |", "| --- | --- | --- |"]
        for code, n in c["rules"].items():
            rule = _RULES.get(code)
            summary = (rule.summary if rule else "").replace("|", "\\|")
            out.append(f"| {code} {rule.slug if rule else ''} | {summary} | {n} |")
        out.append("")
    rows = list(_rows(results))
    if rows:
        out += ["### Needs a look", ""]
        for path, line, col, code, message, kind in rows:
            where = f"`{path}:{line}:{col}`" if line else f"`{path}`"
            out.append(f"- {where} {code}: {message}")
        out.append("")
    return "\n".join(out) + "\n"
