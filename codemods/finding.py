"""What a rule reports: a value the engine and the reports use without importing LibCST."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    """Something a rule wants the user to know about one place in the file."""

    rule: str
    line: int
    col: int
    message: str
    # "converted": a rewrite the user should review (e.g. a changed default);
    # "declined": left as it was, with the reason.
    kind: str = "declined"
    cell: int = 0  # in a notebook: the code cell (1-based, as Jupyter numbers them); line is in it
