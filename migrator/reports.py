"""What a run found, for people (text, Markdown) and for tools (JSON, SARIF, GitHub).

Every format prints columns 1-based (as editors, GitHub and SARIF count them); the
engine's findings hold them 0-based, as LibCST does.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING
from urllib.parse import quote

import codemods
from codemods import RULES
from migrator.engine import TODO_KINDS, FileResult, Status
from migrator.ruledocs import rule_url

if TYPE_CHECKING:  # the verify package is imported only by a run that verifies
    from migrator.verify.core import Verdict

FORMATS = ("text", "json", "sarif", "github", "markdown")
_RULES = {rule.code: rule for rule in RULES}


ERROR_CODE = "E000"  # a file that could not be read, parsed or written


# GitHub shows at most 10 annotations of a step; the rest go to the summary annotation.
GITHUB_ANNOTATIONS = 10
# Most important first: what --format github keeps when it must choose.
_IMPORTANCE = {"error": 0, "process-wide": 1, "declined": 2, "remaining": 3, "converted": 4}
_LABELS = {"error": "error", "declined": "not converted", "converted": "note"}


def unwritable(report_file: str) -> str | None:
    """Why a report could not be written to ``report_file`` (None: it can be)."""
    if os.path.isdir(report_file):
        return "it is a folder"
    folder = os.path.dirname(os.path.abspath(report_file))
    if not os.path.isdir(folder):
        return f"no such folder {os.path.dirname(report_file) or folder}"
    if os.path.exists(report_file) and not os.access(report_file, os.W_OK):
        return "permission denied"
    if not os.path.exists(report_file) and not os.access(folder, os.W_OK):
        return f"cannot create files in {os.path.dirname(report_file) or folder}"
    return None


def has_remaining(results: Sequence[FileResult]) -> bool:
    """Is TF 1 work left: a to-do finding, a declined rewrite or a file that failed?"""
    return any(
        r.status is Status.FAILED or any(f.kind == "declined" or f.kind in TODO_KINDS for f in r.findings)
        for r in results
    )


def _rows(results: Sequence[FileResult]):
    """(path, line, column 1-based, code, message, kind); line 0: the whole file.
    In a notebook, the message starts with the cell (``cell 3:``) and line is in it."""
    for result in results:
        if result.status is Status.FAILED:
            yield result.path, result.line, result.col + 1, ERROR_CODE, result.error or "failed", "error"
        for f in result.findings:
            message = f"cell {f.cell}: {f.message}" if f.cell else f.message
            yield result.path, f.line, f.col + 1, f.rule, message, f.kind


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


def _docs(code: str) -> str:
    return f" [{rule_url(code)}]" if code in _RULES else ""


def process_wide(results: Sequence[FileResult]) -> list[str]:
    """``path:line`` of every switch to TF 1 graph mode for the whole process."""
    return [f"{path}:{line}" for path, line, _, _, _, kind in _rows(results) if kind == "process-wide"]


def graph_mode_lines(results: Sequence[FileResult]) -> list[str]:
    """Which programs run in TF 1 graph mode and why, then the modules kept on
    tf.compat.v1 without switching the process (the report's first lines)."""
    lines = [
        f"graph mode: {r.path} runs in graph mode (tf.compat.v1.disable_v2_behavior()): {r.graph_mode}"
        for r in results if r.graph_switch
    ]
    lines += [
        f"graph mode: {r.path} stays on tf.compat.v1 without switching the process: {r.graph_mode}"
        for r in results if r.graph_mode and not r.graph_switch
    ]
    return lines


def text_lines(results: Sequence[FileResult]) -> list[str]:
    lines = graph_mode_lines(results)
    switches = process_wide(results)
    if switches:
        lines.append(
            f"warning: {len(switches)} call(s) switch the whole process to TF 1 graph mode, in every module "
            f"that imports them: {', '.join(switches)}"
        )
    for path, line, col, code, message, kind in _rows(results):
        where = f"{path}:{line}:{col}" if line else path
        lines.append(f"{where}: {code} {_LABELS.get(kind, kind)}: {message}{_docs(code)}")
    return lines


def summary_line(results: Sequence[FileResult], verb: str) -> str:
    c = counts(results)
    notebooks = sum(r.path.endswith(".ipynb") for r in results)
    scanned = f"{c['files']} files scanned" + (f" ({notebooks} notebooks)" if notebooks else "")
    text = f"{scanned}, {c['changed']} {verb}, {c['unchanged']} unchanged, {c['failed']} failed"
    if c["rules"]:
        text += "; rules: " + ", ".join(f"{code} x{n}" for code, n in c["rules"].items())
    return text


def _verdict_headline(verdict: Verdict) -> str:
    """One line: the verdict on the project's command (``--verify-with``)."""
    text = f"{verdict.status}: `{verdict.command}` run on the original (TF 1.15) and the migrated tree (TF 2)"
    if verdict.comparison is not None:
        text += f"; {verdict.comparison.numbers_compared} printed numbers compared, agreement {verdict.agreement}"
    return text


def render(results: Sequence[FileResult], fmt: str, verb: str = "changed", verdict: Verdict | None = None) -> str:
    """The report in ``fmt``; ``verdict``: the project's command run before and after."""
    if fmt == "text":
        lines = text_lines(results)
        text = "\n".join(lines) + ("\n" if lines else "")
        if verdict is not None:
            text += "verify: " + verdict.render()
        return text
    if fmt == "json":
        verification = {"verification": verdict.to_dict()} if verdict is not None else {}
        return json.dumps(
            {
                "summary": counts(results),
                "graph_mode_entry_points": [r.path for r in results if r.graph_switch],
                **verification,
                "files": [
                    {
                        "path": r.path,
                        "status": r.status.value,
                        "error": r.error,
                        "line": r.line or None,
                        "column": r.col + 1 if r.line else None,
                        "rules": dict(r.applied),
                        "graph_mode": r.graph_mode or None,
                        "switches_to_graph_mode": r.graph_switch,
                        "findings": [
                            {
                                "rule": f.rule, "line": f.line, "column": f.col + 1, "kind": f.kind,
                                "message": f.message, **({"cell": f.cell} if f.cell else {}),
                            }
                            for f in r.findings
                        ],
                    }
                    for r in results
                ],
            },
            indent=2,
        ) + "\n"
    if fmt == "github":
        return _github(results, verdict)
    if fmt == "sarif":
        return json.dumps(_sarif(results), indent=2) + "\n"
    if fmt == "markdown":
        return _markdown(results, verb, verdict)
    raise ValueError(f"unknown format {fmt!r}")


def _github(results: Sequence[FileResult], verdict: Verdict | None = None) -> str:
    rows = list(_rows(results))
    shown = rows
    # The verdict takes one of GitHub's annotations.
    room = GITHUB_ANNOTATIONS - (verdict is not None)
    if len(rows) > room:
        order = sorted(range(len(rows)), key=lambda i: (_IMPORTANCE.get(rows[i][5], 5), i))
        keep = sorted(order[:room])
        shown = [rows[i] for i in keep]
    out = []
    if verdict is not None:
        level = "notice" if verdict.equivalent else "error"
        out.append(f"::{level} title={_gh_property('migrator verify')}::{_gh_data(_verdict_headline(verdict))}")
    for path, line, col, code, message, kind in shown:
        level = "error" if kind == "error" else "warning" if kind in ("declined", "process-wide") else "notice"
        loc = f"file={_gh_property(path)},line={line},col={col}" if line else f"file={_gh_property(path)}"
        out.append(f"::{level} {loc},title={_gh_property('migrator ' + code)}::{_gh_data(message)}")
    if len(shown) < len(rows):
        by_kind = Counter(_LABELS.get(kind, kind) for *_, kind in rows)
        detail = ", ".join(f"{n} {label}" for label, n in sorted(by_kind.items()))
        out.append(
            f"::notice title=migrator::{len(rows)} findings ({detail}); the {len(shown)} most important are "
            f"annotated, the full list is in the report (--format markdown or --report-file)"
        )
    return "\n".join(out) + ("\n" if out else "")


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
        {
            "id": r.code,
            "name": r.slug,
            "shortDescription": {"text": r.summary},
            "fullDescription": {"text": (r.details or r.summary).strip()},
            "help": {"text": (r.details or r.summary).strip()},
            "helpUri": rule_url(r.code),
        }
        for r in codemods.PIPELINE  # the rule classes: SARIF carries each rule's details
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
        "runs": [
            {
                "tool": {"driver": {"name": "migrator", "version": _version(), "rules": rules}},
                "results": sarif_results,
            }
        ],
    }


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("migrator")
    except PackageNotFoundError:  # running from a source tree that is not installed
        return "0+unknown"


def _markdown(results: Sequence[FileResult], verb: str = "changed", verdict: Verdict | None = None) -> str:
    c = counts(results)
    out = [
        "## TensorFlow 2 migration",
        "",
        f"{c['files']} files scanned: **{c['changed']} {verb}**, {c['unchanged']} unchanged, {c['failed']} failed.",
        "",
    ]
    graph = graph_mode_lines(results)
    if graph:
        out += [f"- {line.removeprefix('graph mode: ')}" for line in graph] + [""]
    if verdict is not None:
        out += [f"**Verified**: {_verdict_headline(verdict)}.", ""]
        if not verdict.equivalent:
            out += ["```", verdict.render(width=100).rstrip(), "```", ""]
    switches = process_wide(results)
    if switches:
        out += [
            f"> **Warning:** {len(switches)} call(s) switch the whole process to TF 1 graph mode, in every "
            "module that imports them: " + ", ".join(f"`{s}`" for s in switches),
            "",
        ]
    if c["rules"]:
        out += ["| rule | summary | rewrites |", "| --- | --- | --- |"]
        for code, n in c["rules"].items():
            rule = _RULES.get(code)
            summary = (rule.summary if rule else "").replace("|", "\\|")
            name = f"[{code}]({rule_url(code)}) {rule.slug}" if rule else code
            out.append(f"| {name} | {summary} | {n} |")
        out.append("")
    by_file: dict[str, list] = {}
    for row in _rows(results):
        by_file.setdefault(row[0], []).append(row)
    if by_file:
        out += ["### Needs a look", ""]
        for path, rows in by_file.items():
            out += [f"#### `{path}`", ""]
            for _, line, col, code, message, kind in sorted(rows, key=lambda r: (r[1], r[2])):
                where = f"{line}:{col}" if line else "file"
                link = f"[{code}]({rule_url(code)})" if code in _RULES else code
                out.append(f"- line {where} {link} {_LABELS.get(kind, kind)}: {message}")
            out.append("")
    return "\n".join(out) + "\n"
