"""G101 feature, model classes: an ``input_signature`` for a method whose placeholders'
shapes name ``__init__``'s values (``[None, sequence_length]``).

A class-level decorator cannot read ``__init__``'s parameters, and a bare ``@tf.function``
traces again for every new batch shape (the last, smaller batch): each trace makes new
random ops, so dropout draws another stream than TF1's one op, and costs time. Such a
dimension becomes ``None`` when the method never reads a static shape computed from that
parameter (``relaxed_shape``, ``static_shape_read``); otherwise ``class_layout`` binds the
exact signature in ``__init__``.
"""

from __future__ import annotations

from collections.abc import Collection

import libcst as cst

from codemods.analysis.cst_tools import code, nodes_of
from codemods.analysis.graph import names_read
from codemods.analysis.names import dotted_name

# TensorFlow APIs whose result depends on a static shape they read (a layer builds its
# kernel from the last dimension, ``unstack`` counts, RNNs build their cells), or that take
# functions of their own: a value computed from a relaxed parameter must not reach them.
_SHAPE_READING = (
    "keras.", "layers.", "compat.", "contrib.", "estimator.", "feature_column.", "nest.", "nn.rnn_cell.",
    "unstack", "nn.static_rnn", "nn.dynamic_rnn", "nn.bidirectional_dynamic_rnn", "nn.static_bidirectional_rnn",
    "nn.raw_rnn", "nn.static_state_saving_rnn", "ensure_shape", "get_static_value", "TensorShape", "function",
    "py_function", "numpy_function", "map_fn", "vectorized_map", "scan", "foldl", "foldr", "while_loop",
    "switch_case", "case",
)
# Methods that do not read a static shape: the tape's, a variable's assignments (they check
# shapes for compatibility only), and a list growing (it then holds the value).
_PLAIN_METHODS = frozenset({"gradient", "watch", "assign", "assign_add", "assign_sub", "append", "extend", "insert"})
_GROWING = frozenset({"append", "extend", "insert"})


def relaxed_shape(shape: str, visible: Collection[str] = ("None",)) -> str | None:
    """``[None, n]`` -> ``[None, None]``: the dimensions of a list or tuple shape that read only
    ``visible`` names (``None``, constants of the module) kept, every other one ``None``; None
    when the shape is not such a literal."""
    expr = cst.parse_expression(shape)
    if not isinstance(expr, (cst.List, cst.Tuple)) or any(not isinstance(e, cst.Element) for e in expr.elements):
        return None
    dims = [code(e.value) if names_read(e.value) <= set(visible) else "None" for e in expr.elements]
    return f"[{', '.join(dims)}]"


def static_shape_read(body: cst.CSTNode, params: set[str], tf: str) -> str | None:
    """Where ``body`` may read the static shape of a value computed from ``params`` (the
    code that does), or None. Conservative: a value reaching a call other than a
    TensorFlow op that computes from values only counts as read."""
    tainted = _tainted(body, set(params))
    for node in nodes_of(body, (cst.Attribute, cst.Call, cst.For, cst.CompFor, cst.Assign)):
        if isinstance(node, cst.Attribute):
            if node.attr.value in ("shape", "get_shape") and _reads(node.value, tainted):
                return code(node)
        elif isinstance(node, cst.Call):
            if any(_reads(arg.value, tainted) for arg in node.args) and not _plain_call(node, tf):
                return code(node)
        elif isinstance(node, (cst.For, cst.CompFor)):
            if _reads(node.iter, tainted):  # iterating a tensor counts its first dimension
                return f"for ... in {code(node.iter)}"
        elif any(isinstance(t.target, (cst.Tuple, cst.List)) for t in node.targets):
            if not isinstance(node.value, (cst.Call, cst.Tuple, cst.List)) and _reads(node.value, tainted):
                return code(node).strip()
    return None


def _plain_call(call: cst.Call, tf: str) -> bool:
    name = dotted_name(call.func) or ""
    if name == "isinstance":
        return True
    if name == f"{tf}.cond":
        # Its branches are read here when they are lambdas (a batch norm's training switch).
        return all(isinstance(arg.value, cst.Lambda) for arg in call.args[1:3])
    if name.startswith(f"{tf}."):
        return not name[len(tf) + 1 :].startswith(_SHAPE_READING)
    return isinstance(call.func, cst.Attribute) and call.func.attr.value in _PLAIN_METHODS


def _reads(node: cst.CSTNode, tainted: set[str]) -> bool:
    """``node``'s value may be computed from a tainted name (or ``self.attr``). A gradient has
    the shape of its sources (``tape.gradient(loss, variables)``: the variables')."""
    if isinstance(node, (cst.Name, cst.Attribute)) and dotted_name(node) in tainted:
        return True
    if isinstance(node, cst.Attribute):
        return _reads(node.value, tainted)
    if isinstance(node, cst.Arg):
        return _reads(node.value, tainted)
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value == "gradient":
        return any(_reads(part, tainted) for part in [node.func.value, *(a.value for a in node.args[1:])])
    return any(_reads(child, tainted) for child in node.children)


def _tainted(body: cst.CSTNode, tainted: set[str]) -> set[str]:
    """``tainted`` and every name (or ``self.attr``) ``body`` binds from them, to a fixpoint."""
    flows: list[tuple[list[cst.CSTNode], cst.CSTNode]] = []
    for node in nodes_of(body, (cst.Assign, cst.AugAssign, cst.AnnAssign, cst.For, cst.CompFor, cst.WithItem, cst.Call)):
        if isinstance(node, cst.Assign):
            flows.append(([t.target for t in node.targets], node.value))
        elif isinstance(node, (cst.AugAssign, cst.AnnAssign)) and node.value is not None:
            flows.append(([node.target], node.value))
        elif isinstance(node, (cst.For, cst.CompFor)):
            flows.append(([node.target], node.iter))
        elif isinstance(node, cst.WithItem) and node.asname is not None:
            flows.append(([node.asname.name], node.item))
        elif isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value in _GROWING:
            flows.append(([node.func.value], node))
    changed = True
    while changed:
        changed = False
        for targets, value in flows:
            if not _reads(value, tainted):
                continue
            for target in targets:
                bound = _bound(target)
                if not bound <= tainted:
                    tainted |= bound
                    changed = True
    return tainted


def _bound(target: cst.CSTNode) -> set[str]:
    """The names a target binds or changes (``d[k] = v`` changes ``d``; ``self.h = v`` binds ``self.h``)."""
    if isinstance(target, (cst.Tuple, cst.List)):
        return set().union(*(_bound(e.value) for e in target.elements)) if target.elements else set()
    if isinstance(target, cst.StarredElement):
        return _bound(target.value)
    while isinstance(target, cst.Subscript):
        target = target.value
    name = dotted_name(target) if isinstance(target, (cst.Name, cst.Attribute)) else None
    return {name} if name else set()
