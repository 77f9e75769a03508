"""One test module per rule: what its examples (tests/test_rule_examples.py) cannot say,
such as its findings and what it declines."""

from __future__ import annotations

import textwrap

from codemods.finding import Finding
from migrator.engine import migrate_source


def run(rule: type, source: str, path: str = "model.py") -> tuple[str, list[Finding]]:
    """``rule`` alone on ``source`` (dedented): the migrated text and the findings."""
    result = migrate_source(textwrap.dedent(source).encode(), path, [rule])
    assert result.error is None, result.error
    return result.new_bytes.decode(), result.findings


def messages(findings: list[Finding]) -> list[tuple[int, str, str]]:
    """(line, kind, message) of each finding."""
    return [(f.line, f.kind, f.message) for f in findings]
