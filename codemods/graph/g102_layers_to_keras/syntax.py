"""Reading TF1 calls: a call's arguments bound to its parameters, the plain names a node
reads, and ``Skip``, how every part of the rule leaves a construct on TF1."""

from __future__ import annotations

import libcst as cst

from codemods.analysis.cst_tools import nodes_of
from codemods.analysis.graph import ReadNamesVisitor
from codemods.analysis.names import walk


class Skip(Exception):
    """A layer call this rule leaves as it is (G101 then keeps the module on compat.v1)."""

    def __init__(self, node: cst.CSTNode, reason: str) -> None:
        super().__init__(reason)
        self.node = node
        self.reason = reason


def layers_in_block(block: cst.CSTNode) -> str:
    """Why layers made in ``block`` (a loop, a condition, another compound statement) stay on TF1."""
    if isinstance(block, (cst.For, cst.While)):
        return "layers created in a loop: TF1 made new weights at every iteration, one Keras object made before the loop would share them"
    if isinstance(block, cst.If):
        return "layers created in a condition: a Keras object made before it would exist even when the branch does not run"
    return "layers created in a loop or condition"


def bind(call: cst.Call, params: tuple[str, ...]) -> dict[str, cst.BaseExpression]:
    bound: dict[str, cst.BaseExpression] = {}
    position = 0
    for arg in call.args:
        if arg.star:
            raise Skip(call, "*args / **kwargs in a layer call")
        if arg.keyword is None:
            if position >= len(params):
                raise Skip(call, "more positional arguments than the layer takes")
            bound[params[position]] = arg.value
            position += 1
        else:
            if arg.keyword.value not in params:
                raise Skip(call, f"unknown layer argument `{arg.keyword.value}`")
            bound[arg.keyword.value] = arg.value
    return bound


def is_none(node: cst.BaseExpression | None) -> bool:
    return isinstance(node, cst.Name) and node.value == "None"


def is_name(node: cst.BaseExpression | None, value: str) -> bool:
    return isinstance(node, cst.Name) and node.value == value



def simple_statements(node: cst.CSTNode) -> list[cst.SimpleStatementLine]:
    return nodes_of(node, cst.SimpleStatementLine)


def is_reuse_call(expr: cst.BaseExpression | None, scope_object: str) -> bool:
    return (isinstance(expr, cst.Call) and not expr.args and isinstance(expr.func, cst.Attribute)
            and expr.func.attr.value == "reuse_variables" and is_name(expr.func.value, scope_object))



def plain_names(node: cst.CSTNode) -> list[str]:
    """Every plain name in ``node``, repeats included (not attribute names nor keywords:
    ``tf.nn.rnn_cell`` does not name a variable ``rnn_cell``)."""
    collector = _NameList()
    walk(node, collector)
    return collector.found


class _NameList(ReadNamesVisitor):
    """``plain_names``' collector: one class for all calls (G102 asks for the names of every
    statement; a class made per call cost more than the walk)."""

    def __init__(self) -> None:
        self.found: list[str] = []

    def visit_Name(self, node: cst.Name) -> None:
        self.found.append(node.value)
