"""Every rule's own examples (the ones `migrator rules` prints) are its first tests."""

from __future__ import annotations

import ast

import pytest

from codemods import PIPELINE
from migrator.engine import Status, migrate_source

CASES = [
    pytest.param(rule, index, example, id=f"{rule.code}-{index}")
    for rule in PIPELINE
    for index, example in enumerate(rule.examples)
]


def test_every_rule_is_documented() -> None:
    codes = [rule.code for rule in PIPELINE]
    assert len(codes) == len(set(codes)), "rule codes must be unique"
    for rule in PIPELINE:
        assert rule.slug and rule.summary and rule.triggers, rule
        changes = any(e.after is not None for e in rule.examples)
        assert changes == rule.changes_code, f"{rule.code}: examples it changes only for a rule that changes code"
        assert any(e.after is None for e in rule.examples), f"{rule.code} has no example it must leave alone"


@pytest.mark.parametrize(("rule", "index", "example"), CASES)
def test_example(rule, index, example) -> None:
    result = migrate_source(example.before.encode(), f"example_{rule.code}.py", [rule])
    assert result.status is not Status.FAILED, result.error
    expected = example.before if example.after is None else example.after
    assert result.new_bytes.decode() == expected
    ast.parse(expected)
    again = migrate_source(result.new_bytes, f"example_{rule.code}.py", [rule])
    assert again.new_bytes == result.new_bytes, "not idempotent"
