"""The README's rule table names every rule of the pipeline, in pipeline order."""

from __future__ import annotations

from pathlib import Path

from codemods import PIPELINE

README = Path(__file__).resolve().parent.parent / "README.md"


def test_rule_table_lists_the_pipeline_in_order() -> None:
    rows = [line for line in README.read_text().splitlines() if line.startswith("| ") and " | " in line[2:]]
    listed = [row.split("|")[1].strip() for row in rows[2:]]
    assert listed == [f"{rule.code} {rule.slug}" for rule in PIPELINE]
