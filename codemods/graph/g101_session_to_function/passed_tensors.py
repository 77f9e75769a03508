"""Graph tensors given to a helper that runs them (``plot_conv_weights(weights_conv1)``
with ``w = session.run(weights)`` in its body, ``plot_conv_layer(layer_conv1, image)``
with ``session.run(layer, feed_dict={x: [image]})``).

A parameter of a function of the graph's block that the body uses only as the whole
fetch of runs (``sess.run(p, feed_dict=...)``, ``p.eval(...)``), each feeding the same
placeholders, is run-only (``run_parameters``). A graph tensor given for it becomes the
generated function computing it (a variable, its ``read_value``), and each run of the
parameter calls what it was given with the run's feed values as keywords, its value as
NumPy: the value TF1 computed at that run. Sites read these facts; plan and emit use
``graph.edits.parameter_runs`` / ``graph.edits.passed_tensors``.
"""

from __future__ import annotations

import libcst as cst

from codemods.analysis.cst_tools import nodes_of
from codemods.analysis.graph import argument, calls_in
from codemods.graph.g101_session_to_function.model import Graph


def run_parameters(graph: Graph, fn: cst.FunctionDef) -> dict[str, tuple[str, ...]]:
    """The run-only parameters of ``fn`` and the placeholders their runs feed (in the
    graph's order). A parameter whose runs feed different placeholders, or anything but
    placeholders, is left out."""
    params = [p.name.value for p in (*fn.params.posonly_params, *fn.params.params, *fn.params.kwonly_params)]
    fetches: dict[str, list[cst.Name]] = {}
    feeds: dict[str, set[tuple[str, ...]]] = {}
    for call in calls_in(fn):
        run = parameter_run(graph, fn, call)
        if run is None:
            continue
        fetch, feed = run
        fetches.setdefault(fetch.value, []).append(fetch)
        keys = _feed_keys(graph, fn, feed)
        feeds.setdefault(fetch.value, set()).add(keys if keys is not None else ("<not placeholders>",))
    uses = _name_uses(fn, set(fetches))
    order = list(graph.placeholders)
    found: dict[str, tuple[str, ...]] = {}
    for param in params:
        fed = feeds.get(param, set())
        if len(fed) != 1 or uses.get(param, 0) != len(fetches[param]):
            continue
        keys = next(iter(fed))
        if all(key in graph.placeholders for key in keys):
            found[param] = tuple(sorted(keys, key=order.index))
    return found


def parameter_run(
    graph: Graph, fn: cst.FunctionDef, call: cst.Call
) -> tuple[cst.Name, cst.BaseExpression | None] | None:
    """``sess.run(p, feed_dict=...)`` / ``p.eval(feed_dict=...)`` of a parameter ``p`` of
    ``fn``: the fetched name and the feed (None: none)."""
    func = call.func
    if not isinstance(func, cst.Attribute) or func.attr.value not in ("run", "eval"):
        return None
    params = {p.name.value for p in (*fn.params.posonly_params, *fn.params.params, *fn.params.kwonly_params)}
    receiver = func.value
    if func.attr.value == "run" and isinstance(receiver, cst.Name) and receiver.value in graph.session_names():
        fetch = argument(call, 0, "fetches")
        feed = argument(call, 1, "feed_dict")
    elif func.attr.value == "eval" and isinstance(receiver, cst.Name):
        fetch, feed = receiver, argument(call, 0, "feed_dict")
    else:
        return None
    if not isinstance(fetch, cst.Name) or fetch.value not in params:
        return None
    return fetch, feed


def _feed_keys(graph: Graph, fn: cst.FunctionDef, feed: cst.BaseExpression | None) -> tuple[str, ...] | None:
    """The names a feed dict feeds: a literal, or a name the function binds once to one."""
    if feed is None:
        return ()
    if isinstance(feed, cst.Name):
        bound = [
            small.value for stmt in nodes_of(fn.body, cst.SimpleStatementLine) for small in stmt.body
            if isinstance(small, cst.Assign) and len(small.targets) == 1
            and isinstance(small.targets[0].target, cst.Name) and small.targets[0].target.value == feed.value
        ]
        if len(bound) != 1:
            return None
        feed = bound[0]
    if not isinstance(feed, cst.Dict):
        return None
    keys = []
    for element in feed.elements:
        if not isinstance(element, cst.DictElement) or not isinstance(element.key, cst.Name):
            return None
        keys.append(element.key.value)
    return tuple(keys)


def _name_uses(fn: cst.FunctionDef, names: set[str]) -> dict[str, int]:
    """How often each of ``names`` occurs in ``fn``'s body (reads and bindings alike)."""
    counts: dict[str, int] = {}
    for node in nodes_of(fn.body, cst.Name):
        if node.value in names:
            counts[node.value] = counts.get(node.value, 0) + 1
    return counts


def bound_parameter(fn: cst.FunctionDef, call: cst.Call, arg: cst.Arg) -> str | None:
    """The parameter of ``fn`` that ``arg`` of ``call`` binds (None: a star argument)."""
    if arg.star:
        return None
    if arg.keyword is not None:
        return arg.keyword.value
    positional = [a for a in call.args if a.keyword is None]
    if any(a.star for a in positional):
        return None
    params = [*fn.params.posonly_params, *fn.params.params]
    position = positional.index(arg)
    return params[position].name.value if position < len(params) else None
