"""What G101 did to a file, for the rules that run after it (typed, in the shared scratch).

Written by G101 only (``record_graph_outcome``); read by the API rules through
``graph_outcome`` (``tf_api.graph_fallback``), and by the engine (which modules run in
graph mode, and why, for the report and the project's entry scripts). It lives in the analysis layer because
the API rules may not import the graph rules.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class GraphOutcome:
    converted: bool = False  # the module's graph became eager code
    fallback: bool = False  # kept on tf.compat.v1 in graph mode, on purpose
    reason: str = ""  # why it was kept (the fallback's reason)
    switched: bool = False  # the module itself calls disable_v2_behavior() (not a library of its tree)


_KEY = "g101.outcome"


def graph_outcome(scratch: dict) -> GraphOutcome:
    """G101's outcome for this file (all False when G101 did not run or left it alone)."""
    return scratch.get(_KEY) or GraphOutcome()


def record_graph_outcome(
    scratch: dict, *, converted: bool = False, fallback: bool = False, reason: str = "", switched: bool = False
) -> None:
    scratch[_KEY] = GraphOutcome(converted=converted, fallback=fallback, reason=reason, switched=switched)
