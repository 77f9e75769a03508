"""Why a lookup in TF1's graph (a collection, the default graph's operations or tensors)
that no feature converts has no eager form here: the detail of the refusal."""

from __future__ import annotations

import libcst as cst

from codemods.analysis.cst_tools import nodes_of
from codemods.analysis.graph import argument, calls_in
from codemods.graph.g101_session_to_function.model import Graph

_VARIABLE_KEYS = {"GLOBAL_VARIABLES", "VARIABLES", "MODEL_VARIABLES"}
_GRAPH_METHODS = {
    "get_operations": (
        "get_operations() lists the operations TF1 built (names such as `layer_conv1/Conv2D`, their types); "
        "eager code builds no graph to list"
    ),
    "get_operation_by_name": "get_operation_by_name() finds an operation by TF1's name; eager code builds none",
    "get_tensor_by_name": (
        "get_tensor_by_name() finds a tensor by TF1's op name (`layer_conv1/Conv2D:0`); eager code builds no graph "
        "to find it in"
    ),
}


def lookup_detail(graph: Graph, call: cst.Call, symbol: str) -> str | None:
    """What the refused ``tf.get_collection(...)`` / ``tf.get_default_graph()`` does
    that eager code cannot, or None."""
    if symbol == "get_collection":
        key = argument(call, 0, "key")
        name = key.attr.value if isinstance(key, cst.Attribute) else None
        if name in _VARIABLE_KEYS:
            return (
                f"the {name} collection lists every variable of TF1's graph, the optimizer slots minimize() made "
                "among them, and a printed one showed TF1's name, shape and dtype; Keras optimizers make their "
                "variables at the first step: no eager list holds the same variables"
            )
        if name == "TRAINABLE_VARIABLES":
            return (
                "the trainable variables are read here other than as a var_list= or a list assigned at the graph's "
                "level, which this rule converts"
            )
        return f"TF 2 has no graph collections (`{graph.code(key)}`)" if key is not None else None
    if symbol == "get_default_graph":
        methods = _methods_used(graph, call)
        found = [_GRAPH_METHODS[m] for m in methods if m in _GRAPH_METHODS]
        return "; ".join(found) if found else None
    return None


def _methods_used(graph: Graph, call: cst.Call) -> list[str]:
    """The methods called on the graph ``call`` returns: on the call itself, or on the
    name a statement of the same function binds to it."""
    scope: cst.CSTNode = next(
        (fn for fn in nodes_of(graph.module, cst.FunctionDef) if any(c is call for c in calls_in(fn))), graph.module
    )
    bound = {
        target.target.value
        for assign in nodes_of(scope, cst.Assign) if assign.value is call
        for target in assign.targets if isinstance(target.target, cst.Name)
    }
    methods = []
    for node in nodes_of(scope, cst.Attribute):
        value = node.value
        if value is call or (isinstance(value, cst.Name) and value.value in bound):
            methods.append(node.attr.value)
    return list(dict.fromkeys(methods))
