"""Human-readable verdicts."""

from __future__ import annotations

import shutil
from typing import TYPE_CHECKING, Optional

if TYPE_CHECKING:  # pragma: no cover
    from migrator.verify.core import RunResult, Verdict


def _clip(text: Optional[str], width: int) -> str:
    text = "" if text is None else text
    return text if len(text) <= width else text[: max(0, width - 1)] + "…"


def _runtime_line(label: str, result: RunResult) -> str:
    versions = result.versions()
    where = result.runtime.description
    return "  %-6s %s  [%s%s, %.1f s]" % (
        label, result.program, versions + "; " if versions else "", where, result.seconds)


def render_verdict(verdict: Verdict, width: Optional[int] = None, max_differences: int = 10) -> str:
    width = width or max(80, min(200, shutil.get_terminal_size((120, 24)).columns))
    out = [verdict.status]
    out.append(_runtime_line("BEFORE", verdict.before))
    out.append(_runtime_line("AFTER", verdict.after))
    comparison = verdict.comparison
    if verdict.status in ("BEFORE FAILED", "AFTER FAILED"):
        failed = verdict.before if verdict.status == "BEFORE FAILED" else verdict.after
        out.append("")
        out.append("%s %s" % (verdict.status.split()[0], failed.failure()))
    elif comparison is not None:
        out.append(
            "  compared %d numbers in %d/%d records (%s, rtol %g, atol %g); max abs diff %.3g, max rel diff %.3g"
            % (comparison.numbers_compared, comparison.records_before, comparison.records_after,
               comparison.mode, comparison.rtol, comparison.atol, comparison.max_abs_error,
               comparison.max_rel_error)
        )
        strict = "yes" if verdict.strict and verdict.strict.equivalent else "no"
        loose = "yes" if verdict.loose and verdict.loose.equivalent else "no"
        out.append("  agreement: %s (strict, every number: %s; loose, final values: %s)" % (
            verdict.agreement, strict, loose))
        if comparison.differences:
            column = max(20, (width - 15) // 2)
            out.append("")
            out.append("  first disagreeing lines:")
            out.append("  %5s  %-*s | %5s  %s" % ("line", column, "BEFORE", "line", "AFTER"))
            for diff in comparison.differences[:max_differences]:
                out.append("  %5s  %-*s | %5s  %s" % (
                    diff.before_line or "", column, _clip(diff.before, column),
                    diff.after_line or "", _clip(diff.after, column)))
                out.append("         %s" % _clip(diff.reason, width - 10))
            hidden = len(comparison.differences) - max_differences
            if hidden > 0:
                out.append("  ... and %d more" % hidden)
    for note in verdict.notes:
        out.append("  note: " + note)
    return "\n".join(out) + "\n"
