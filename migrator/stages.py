"""Rules run one after the other over a module, each change a stage.

Used by the engine for each file (``engine._migrate_source``) and for the modules
converted together (``together``): a stage per rule that changed the module, each rule's
findings kept with the stage they point into, so they can be placed at lines of the
input and of the result.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

from codemods import RuleSpec

if TYPE_CHECKING:
    import libcst as cst

    from codemods.finding import Finding
    from migrator.engine import RuleEntry


class RuleFailure(Exception):
    """A rule raised (a bug, or code nested too deeply for it): the file stays as it was."""

    def __init__(self, code: str, error: BaseException) -> None:
        super().__init__(code)
        self.code = code
        self.error = error


def apply_rules(
    stages: list[cst.Module], stage_rules: list[str], staged: list[tuple[int, list[Finding]]],
    rules: Sequence[RuleEntry], path: str, scratch: dict[str, object], timings: dict[str, float],
) -> None:
    """Run ``rules`` in order on ``stages[-1]``: each rule that changes the module adds a
    stage (and its code to ``stage_rules``), each finding is kept with the stage it points
    into (``staged``); ``RuleFailure`` when a rule raises."""
    from libcst.codemod import CodemodContext, SkipFile

    clock = time.perf_counter()
    for entry in rules:
        rule_class = entry.load() if isinstance(entry, RuleSpec) else entry
        rule = rule_class(CodemodContext(filename=path, scratch=scratch))
        before = stages[-1]
        try:
            after = rule.run(before)
        except SkipFile:
            after = before
        except Exception as exc:  # noqa: BLE001 - a rule bug (or RecursionError) must not lose the file
            raise RuleFailure(rule.code, exc) from exc
        rule_findings = rule.findings()
        if rule_findings:
            staged.append((len(stages) - 1, rule_findings))
        if after is not before and not after.deep_equals(before):
            stages.append(after)
            stage_rules.append(rule.code)
        now = time.perf_counter()
        timings[rule.code] = now - clock
        clock = now
