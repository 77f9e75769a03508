"""TF1's graph collections the Keras layers replace: UPDATE_OPS (batch normalization's
moving statistics, which Keras layers update themselves) and REGULARIZATION_LOSSES (the
layers' ``losses``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from codemods.analysis.cst_tools import nodes_of
from codemods.analysis.graph import argument, calls_in, names_read, single_assignment
from codemods.graph.g102_layers_to_keras.syntax import is_name, plain_names, simple_statements

if TYPE_CHECKING:
    from codemods.graph.g102_layers_to_keras.converter import Converter


def _collection_key(converter: Converter, call: cst.BaseExpression, key: str) -> bool:
    """``tf.get_collection(tf.GraphKeys.<key>)`` (no scope)."""
    if not isinstance(call, cst.Call) or converter.rule.sym(call.func) != "get_collection" or len(call.args) != 1:
        return False
    return converter.rule.sym(call.args[0].value) == f"GraphKeys.{key}"


def regularization_call(converter: Converter, call: cst.Call) -> bool:
    symbol = converter.rule.sym(call.func)
    if symbol in ("losses.get_regularization_loss", "losses.get_regularization_losses"):
        return not call.args
    return _collection_key(converter, call, "REGULARIZATION_LOSSES")


class RegularizationLosses(cst.CSTTransformer):
    """TF1's REGULARIZATION_LOSSES collection -> the Keras layers' ``losses``, which
    compute the same penalties from the current weights."""

    def __init__(self, converter: Converter) -> None:
        self.c = converter

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call):
        if not regularization_call(self.c, original_node):
            return updated_node
        parts = ", ".join(f"*{name}.losses" for name in self.c.regularized)
        if self.c.rule.sym(original_node.func) == "losses.get_regularization_loss":
            if not parts:
                return cst.parse_expression(f"{self.c.tf}.constant(0.0)")  # as TF1 returned
            return cst.parse_expression(f"{self.c.tf}.add_n([{parts}])")
        return cst.parse_expression(f"[{parts}]")


class UpdateOps:
    """Where a program runs TF1's UPDATE_OPS: ``ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)``
    and ``with tf.control_dependencies(ops): train_op = opt.minimize(loss)``."""

    def __init__(self, converter: Converter) -> None:
        self.c = converter
        self.names: set[str] = set()  # variables holding the collection
        self.withs: set[int] = set()  # ids of the control_dependencies blocks
        self.assignments: set[int] = set()
        self.trains: set[str] = set()  # the train ops that run the updates
        self.error: str | None = None
        module = converter.module
        for stmt in simple_statements(module):
            assignment = single_assignment(stmt)
            if assignment and len(assignment[0]) == 1 and _collection_key(converter, assignment[1], "UPDATE_OPS"):
                self.names.add(assignment[0][0])
                self.assignments.add(id(stmt))
        uses = 0
        for node in _withs(module):
            item = node.items[0].item if len(node.items) == 1 else None
            if not (isinstance(item, cst.Call) and converter.rule.sym(item.func) == "control_dependencies" and item.args):
                continue
            deps = item.args[0].value
            if not ((isinstance(deps, cst.Name) and deps.value in self.names) or _collection_key(converter, deps, "UPDATE_OPS")):
                continue
            assignment = single_assignment(node.body.body[0]) if len(node.body.body) == 1 else None
            value = assignment[1] if assignment else None
            if not (isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute)
                    and value.func.attr.value in ("minimize", "apply_gradients") and len(assignment[0]) == 1):
                self.error = "UPDATE_OPS control a block other than one training op"
                continue
            self.withs.add(id(node))
            self.trains.add(assignment[0][0])
            uses += isinstance(deps, cst.Name)
        reads = sum(1 for n in plain_names(module) if n in self.names)
        if reads != uses + len(self.assignments):  # the assignments name it too
            self.error = "the UPDATE_OPS collection is used other than as the training op's control dependencies"

    def problem(self, flag: cst.BaseExpression) -> str | None:
        if self.error:
            return self.error
        if not self.trains:
            return "no training op runs UPDATE_OPS: TF1 never updated the moving statistics, Keras would"
        if not isinstance(flag, cst.Name):
            return "`training=` is neither a literal nor a placeholder"
        placeholder = None
        for stmt in simple_statements(self.c.module):
            assignment = single_assignment(stmt)
            if assignment and assignment[0] == [flag.value] and isinstance(assignment[1], cst.Call):
                placeholder = assignment[1]
        symbol = self.c.rule.sym(placeholder.func) if placeholder is not None else None
        if symbol == "placeholder_with_default":
            if not is_name(argument(placeholder, 0, "input"), "False"):
                return "`training=` defaults to something other than False"
        elif symbol != "placeholder":
            return "`training=` is neither a literal nor a placeholder"
        # Every run that feeds the flag with anything but False must run the training op:
        # Keras updates the moving statistics whenever the layer runs in training mode.
        feeds = {}  # id(dict) -> dict, for dicts that feed the flag something else than False
        for node in _dicts(self.c.module):
            for element in node.elements:
                if isinstance(element, cst.DictElement) and is_name(element.key, flag.value):
                    if not is_name(element.value, "False"):
                        feeds[id(node)] = node
        named = {}
        for stmt in simple_statements(self.c.module):
            assignment = single_assignment(stmt)
            if assignment and len(assignment[0]) == 1 and id(assignment[1]) in feeds:
                named[assignment[0][0]] = id(assignment[1])
        seen = set()
        for call in calls_in(self.c.module):
            if not (isinstance(call.func, cst.Attribute) and call.func.attr.value in ("run", "eval")):
                continue
            feed = argument(call, 1 if call.func.attr.value == "run" else 0, "feed_dict")
            key = id(feed) if feed is not None and id(feed) in feeds else (
                named.get(feed.value) if isinstance(feed, cst.Name) else None)
            if key is None:
                continue
            seen.add(key)
            fetches = argument(call, 0, "fetches") if call.func.attr.value == "run" else None
            if fetches is None or not names_read(fetches) & self.trains:
                return "batch normalization run in training mode without its UPDATE_OPS (Keras would update the moving statistics)"
        if set(feeds) - seen:
            return "the training flag is fed where the rule cannot follow"
        return None


class DropUpdateOps(cst.CSTTransformer):
    def __init__(self, update_ops: UpdateOps) -> None:
        self.u = update_ops

    def leave_SimpleStatementLine(self, original_node, updated_node):
        if id(original_node) in self.u.assignments:
            return cst.RemoveFromParent()
        return updated_node

    def leave_With(self, original_node: cst.With, updated_node: cst.With):
        if id(original_node) not in self.u.withs:
            return updated_node
        inner = updated_node.body.body[0]
        return inner.with_changes(leading_lines=[*updated_node.leading_lines, *inner.leading_lines])


def _withs(node: cst.CSTNode) -> list[cst.With]:
    return nodes_of(node, cst.With)


def _dicts(node: cst.CSTNode) -> list[cst.Dict]:
    return nodes_of(node, cst.Dict)
