"""G101 feature: ``tf.trainable_variables(scope=...)`` and name-filtered variable lists.

A GAN trains its generator and its discriminator on separate variable lists, selected
by name: ``tf.trainable_variables(scope="generator")`` (TF1: ``re.match(scope,
v.name)``), ``[v for v in tf.trainable_variables() if v.name.startswith("disc")]`` or
``... if "d_" in v.name``. The TF1 name of every variable is known statically when it
is created by ``tf.Variable(..., name="literal")`` at the graph's level, inside
``with tf.name_scope("literal"):`` blocks or not; the selection then becomes the plain
Python list of those variables, in creation order. Variables whose names cannot be
told (G102 layer objects, helper modules, a name that is not a literal) refuse.
"""

from __future__ import annotations

import re
from typing import Callable

import libcst as cst

from codemods.analysis.graph import argument
from codemods.graph.g101_session_to_function.feature import Feature
from codemods.graph.g101_session_to_function.model import CannotConvert, Graph


def variable_name(call: cst.Call, scope: str | None) -> str | None:
    """The TF1 name of ``tf.Variable(...)`` created under ``scope`` ("a/b/" or "")."""
    if scope is None:
        return None
    node = argument(call, 99, "name")
    if node is None:
        return f"{scope}Variable:0"
    if isinstance(node, cst.SimpleString):
        return f"{scope}{node.evaluated_value}:0"
    return None


def scope_prefix(item: cst.BaseExpression) -> str | None:
    """``"train/"`` for ``tf.name_scope("train")``; None when the name is not a literal."""
    if isinstance(item, cst.Call) and item.args and isinstance(item.args[0].value, cst.SimpleString):
        return item.args[0].value.evaluated_value.rstrip("/") + "/"
    return None


def selection(node: cst.BaseExpression, sym: Callable, all_names: set[str]) -> Callable[[str], bool] | None:
    """How ``node`` selects variables by name: a predicate over TF1 names, or None when
    ``node`` is not such a selection. ``all_names`` are names bound to the full list
    (``t_vars = tf.trainable_variables()``)."""
    if isinstance(node, cst.Call) and sym(node.func) == "trainable_variables":
        scope = argument(node, 0, "scope")
        if scope is None:
            return lambda name: True
        if isinstance(scope, cst.SimpleString):
            pattern = scope.evaluated_value
            return lambda name: re.match(pattern, name) is not None
        return _refused
    if not isinstance(node, cst.ListComp) or node.for_in.inner_for_in is not None:
        return None
    source = node.for_in.iter
    whole = (isinstance(source, cst.Call) and sym(source.func) == "trainable_variables" and not source.args) or (
        isinstance(source, cst.Name) and source.value in all_names
    )
    if not whole or not isinstance(node.for_in.target, cst.Name) or not isinstance(node.elt, cst.Name):
        return None
    var = node.for_in.target.value
    if node.elt.value != var or len(node.for_in.ifs) != 1:
        return _refused
    return _condition(node.for_in.ifs[0].test, var)


def _refused(name: str) -> bool:  # a selection this module cannot read
    raise ValueError(name)


def _is_name_of(node, var: str) -> bool:
    return (isinstance(node, cst.Attribute) and node.attr.value == "name"
            and isinstance(node.value, cst.Name) and node.value.value == var)


def _condition(test: cst.BaseExpression, var: str) -> Callable[[str], bool]:
    # v.name.startswith("disc")
    if (isinstance(test, cst.Call) and isinstance(test.func, cst.Attribute) and test.func.attr.value == "startswith"
            and _is_name_of(test.func.value, var) and len(test.args) == 1 and isinstance(test.args[0].value, cst.SimpleString)):
        prefix = test.args[0].value.evaluated_value
        return lambda name: name.startswith(prefix)
    # "d_" in v.name
    if (isinstance(test, cst.Comparison) and len(test.comparisons) == 1 and isinstance(test.left, cst.SimpleString)
            and _is_name_of(test.comparisons[0].comparator, var)):
        operator = test.comparisons[0].operator
        part = test.left.evaluated_value
        if isinstance(operator, cst.In):
            return lambda name: part in name
        if isinstance(operator, cst.NotIn):
            return lambda name: part not in name
    return _refused


class ScopedVariables(Feature):
    """Variable lists selected by name: ``tf.trainable_variables(scope=...)`` and
    comprehensions over ``v.name``, as ``var_list=`` or assigned to a name."""

    def __init__(self) -> None:
        self.all_variable_lists: set[str] = set()  # `t_vars = tf.trainable_variables()`

    def var_list(self, graph: Graph, node: cst.BaseExpression, before: int) -> str | None:
        """``tf.trainable_variables(scope="gen")`` / ``[v for v in ... if v.name.startswith("d")]``
        -> the list of the trainable variables created before ``before`` that it selects."""
        predicate = selection(node, graph.sym, self.all_variable_lists)
        if predicate is None:
            return None
        parts = []
        for index, name, kind in graph.variables:
            if index >= before or not graph.trainable.get(name, True):
                continue
            tf1_name = graph.variable_names.get(name) if kind == "var" else None
            if tf1_name is None:
                raise CannotConvert(node, f"a variable list selected by name, and the TF1 name of `{name}` is not known")
            try:
                if predicate(tf1_name):
                    parts.append(name)
            except ValueError:
                raise CannotConvert(node, "a variable list selected by a condition this rule cannot read") from None
        if not parts:
            raise CannotConvert(node, "a variable list selected by name that selects no variable")
        return "[" + ", ".join(parts) + "]"

    def classify_value(self, graph: Graph, index: int, name: str, value: cst.BaseExpression) -> bool:
        """``t_vars = tf.trainable_variables()`` (a name for the whole list, read by selections)
        and ``g_vars = <selection>`` (a plain list of the selected variables, in place)."""
        if isinstance(value, cst.Call) and graph.sym(value.func) == "trainable_variables" and not value.args:
            self.all_variable_lists.add(name)
            full = graph.trainable_list(index)
            if any(instance in full for instance in graph.module_variables):
                raise CannotConvert(value, "`tf.trainable_variables()` read where helper variables do not exist yet")
            stmt = graph.body[index]
            graph.edits.rewritten[index] = stmt.with_changes(body=[stmt.body[0].with_changes(value=cst.parse_expression(full))])
            return True
        selected = self.var_list(graph, value, index)
        if selected is None:
            return False
        stmt = graph.body[index]
        graph.edits.rewritten[index] = stmt.with_changes(body=[stmt.body[0].with_changes(value=cst.parse_expression(selected))])
        return True
