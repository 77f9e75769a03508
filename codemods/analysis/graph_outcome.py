"""What G101 did to a file, for the rules that run after it (typed, in the shared scratch).

Written by G101 only (``record_graph_outcome``); read by the API rules through
``graph_outcome`` (``tf_api.graph_fallback``). It lives in the analysis layer because
the API rules may not import the graph rules.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class GraphOutcome:
    converted: bool = False  # the module's graph became eager code
    fallback: bool = False  # kept on tf.compat.v1 with v2 behaviour disabled, on purpose


_KEY = "g101.outcome"


def graph_outcome(scratch: dict) -> GraphOutcome:
    """G101's outcome for this file (all False when G101 did not run or left it alone)."""
    return scratch.get(_KEY) or GraphOutcome()


def record_graph_outcome(scratch: dict, *, converted: bool = False, fallback: bool = False) -> None:
    scratch[_KEY] = GraphOutcome(converted=converted, fallback=fallback)
