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
from dataclasses import dataclass
from typing import Callable, Literal

import libcst as cst

from codemods.analysis.graph import argument, calls_in
from codemods.analysis.names import FastVisitor
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


@dataclass(frozen=True)
class NameTest:
    """How a variable list selects variables by their TF1 names: all of them, ``re.match``
    of a scope (``tf.trainable_variables(scope=...)``), ``v.name.startswith(text)``,
    ``text in v.name`` or ``text not in v.name``; ``unreadable`` for a selection this
    module cannot read."""

    kind: Literal["all", "match", "startswith", "contains", "excludes", "unreadable"]
    text: str = ""

    def __call__(self, name: str) -> bool:
        if self.kind == "all":
            return True
        if self.kind == "match":
            return re.match(self.text, name) is not None
        if self.kind == "startswith":
            return name.startswith(self.text)
        if self.kind == "contains":
            return self.text in name
        if self.kind == "excludes":
            return self.text not in name
        raise ValueError(name)

    def under(self, prefix: str) -> bool | None:
        """Whether it selects every variable named ``prefix...`` (True), none (False), or
        cannot tell without the rest of their names (None): the variables of a layer
        object G102 made from a function whose variable scope was ``prefix``."""
        literal = self.kind == "startswith" or (self.kind == "match" and re.escape(self.text) == self.text)
        if self.kind == "all" or (literal and prefix.startswith(self.text)):
            return True
        if literal:
            return None if self.text.startswith(prefix) else False
        if self.kind in ("contains", "excludes") and self.text in prefix:
            return self.kind == "contains"
        return None


def trainable_collection(node: cst.BaseExpression, sym: Callable) -> bool:
    """``tf.trainable_variables(...)`` or ``tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES, ...)``."""
    if not isinstance(node, cst.Call):
        return False
    symbol = sym(node.func)
    key = argument(node, 0, "key")
    return symbol == "trainable_variables" or (
        symbol == "get_collection" and key is not None and sym(key) == "GraphKeys.TRAINABLE_VARIABLES"
    )


def collection_scope(node: cst.Call, sym: Callable) -> cst.BaseExpression | None:
    """The ``scope=`` of a read of the trainable variables (None: every variable)."""
    return argument(node, 0, "scope") if sym(node.func) == "trainable_variables" else argument(node, 1, "scope")


def selection(node: cst.BaseExpression, sym: Callable, all_names: set[str]) -> NameTest | None:
    """How ``node`` selects variables by name, or None when ``node`` is not such a
    selection. ``all_names`` are names bound to the full list (``t_vars = tf.trainable_variables()``)."""
    if isinstance(node, cst.Call) and trainable_collection(node, sym):
        scope = collection_scope(node, sym)
        if scope is None or _is_none(scope):
            return NameTest("all")
        if isinstance(scope, cst.SimpleString):
            return NameTest("match", scope.evaluated_value)
        return NameTest("unreadable")
    if not isinstance(node, cst.ListComp) or node.for_in.inner_for_in is not None:
        return None
    source = node.for_in.iter
    whole = (trainable_collection(source, sym) and collection_scope(source, sym) is None) or (
        isinstance(source, cst.Name) and source.value in all_names
    )
    if not whole or not isinstance(node.for_in.target, cst.Name) or not isinstance(node.elt, cst.Name):
        return None
    var = node.for_in.target.value
    if node.elt.value != var or len(node.for_in.ifs) != 1:
        return NameTest("unreadable")
    return _condition(node.for_in.ifs[0].test, var)


def _is_none(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Name) and node.value == "None"


def _is_name_of(node, var: str) -> bool:
    return (isinstance(node, cst.Attribute) and node.attr.value == "name"
            and isinstance(node.value, cst.Name) and node.value.value == var)


def _condition(test: cst.BaseExpression, var: str) -> NameTest:
    # v.name.startswith("disc")
    if (isinstance(test, cst.Call) and isinstance(test.func, cst.Attribute) and test.func.attr.value == "startswith"
            and _is_name_of(test.func.value, var) and len(test.args) == 1 and isinstance(test.args[0].value, cst.SimpleString)):
        return NameTest("startswith", test.args[0].value.evaluated_value)
    # "d_" in v.name
    if (isinstance(test, cst.Comparison) and len(test.comparisons) == 1 and isinstance(test.left, cst.SimpleString)
            and _is_name_of(test.comparisons[0].comparator, var)):
        operator = test.comparisons[0].operator
        part = test.left.evaluated_value
        if isinstance(operator, cst.In):
            return NameTest("contains", part)
        if isinstance(operator, cst.NotIn):
            return NameTest("excludes", part)
    return NameTest("unreadable")


class ScopedVariables(Feature):
    """Variable lists selected by name: ``tf.trainable_variables(scope=...)``,
    ``tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES, scope=...)`` and comprehensions
    over ``v.name``, as ``var_list=`` or assigned to a name. ``layer_scopes``: the variable
    scope ("discriminator/") that names every variable of a G102 layer object."""

    def __init__(self, layer_scopes: dict[str, str]) -> None:
        self.layer_scopes = layer_scopes
        self.all_variable_lists: set[str] = set()  # `t_vars = tf.trainable_variables()`
        # `d_vars = <selection>` holding layer objects' variables, which exist only once
        # the layers have run: name -> the list's code, written where a training op reads it.
        self.lazy_lists: dict[str, str] = {}
        self.collections: dict[int, cst.Call] = {}  # get_collection reads of the trainable variables
        self.read: set[int] = set()  # the nodes (collection reads, lazy list names) converted

    def exempt_calls(self, graph: Graph) -> set[int]:
        """``tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES, ...)``: read here (``check``
        refuses one that is not a ``var_list=`` or a list assigned at the graph's level)."""
        for call in calls_in(graph.module):
            if graph.sym(call.func) == "get_collection" and trainable_collection(call, graph.sym):
                self.collections[id(call)] = call
        return set(self.collections)

    def var_list(self, graph: Graph, node: cst.BaseExpression, before: int) -> str | None:
        """``tf.trainable_variables(scope="gen")`` / ``[v for v in ... if v.name.startswith("d")]``
        -> the list of the trainable variables created before ``before`` that it selects."""
        if isinstance(node, cst.Name) and node.value in self.lazy_lists:
            self.read.add(id(node))
            return self.lazy_lists[node.value]
        test = selection(node, graph.sym, self.all_variable_lists)
        if test is None:
            return None
        self.read.update(id(call) for call in calls_in(node))
        self.read.update(id(name) for name in _reads(node))  # `t_vars` in `[v for v in t_vars if ...]`
        if test.kind == "unreadable":
            raise CannotConvert(node, "a variable list selected by a condition this rule cannot read")
        if test.kind == "all" and isinstance(node, cst.Call):
            return graph.trainable_list(before)  # every trainable variable, layer objects' too
        parts = []
        for index, name, kind in graph.variables:
            if index >= before or not graph.trainable.get(name, True):
                continue
            if kind == "layer" and name in self.layer_scopes:
                chosen = test.under(self.layer_scopes[name])
                if chosen is None:
                    raise CannotConvert(node, (
                        f"a variable list selected by name, and it selects some variables of `{name}` (variable "
                        f"scope `{self.layer_scopes[name]}`) or none, which only their full names tell"
                    ))
                if chosen:
                    parts.append(f"*{name}.trainable_variables")
                continue
            tf1_name = graph.variable_names.get(name) if kind == "var" else None
            if tf1_name is None:
                raise CannotConvert(node, f"a variable list selected by name, and the TF1 name of `{name}` is not known")
            if test(tf1_name):
                parts.append(name)
        if not parts:
            raise CannotConvert(node, "a variable list selected by name that selects no variable")
        return "[" + ", ".join(parts) + "]"

    def classify_value(self, graph: Graph, index: int, name: str, value: cst.BaseExpression) -> bool:
        """``t_vars = tf.trainable_variables()`` (a name for the whole list, read by selections)
        and ``g_vars = <selection>`` (a plain list of the selected variables, in place; the
        variables of layer objects exist only once they have run: such a list is written
        where the training ops read it)."""
        if isinstance(value, cst.Call) and trainable_collection(value, graph.sym) and (
            collection_scope(value, graph.sym) is None
        ):
            self.all_variable_lists.add(name)
            self.read.add(id(value))
            full = graph.trainable_list(index)
            if any(instance in full for instance in graph.module_variables):
                raise CannotConvert(value, "`tf.trainable_variables()` read where helper variables do not exist yet")
            if ".trainable_variables" in full:
                self.lazy_lists[name] = full
                graph.edits.removed.add(index)
                return True
            stmt = graph.body[index]
            graph.edits.rewritten[index] = stmt.with_changes(body=[stmt.body[0].with_changes(value=cst.parse_expression(full))])
            return True
        selected = self.var_list(graph, value, index)
        if selected is None:
            return False
        if ".trainable_variables" in selected:
            self.lazy_lists[name] = selected
            graph.edits.removed.add(index)
            return True
        stmt = graph.body[index]
        graph.edits.rewritten[index] = stmt.with_changes(body=[stmt.body[0].with_changes(value=cst.parse_expression(selected))])
        return True

    def check(self, graph: Graph) -> None:
        for key, call in self.collections.items():
            if key not in self.read:
                raise CannotConvert(call, (
                    "the trainable variables collection read other than as a var_list= or a list assigned at the "
                    "graph's level"
                ))
        for node in _reads(graph.module):
            if node.value in self.lazy_lists and id(node) not in self.read:
                raise CannotConvert(node, (
                    f"`{node.value}` lists variables of layer objects, which exist once the layers have run, and is "
                    "read other than as a var_list="
                ))


def _reads(node: cst.CSTNode) -> list[cst.Name]:
    """The names ``node`` reads (not those it assigns)."""
    found: list[cst.Name] = []

    class _Collect(FastVisitor):
        def visit_Name(self, node: cst.Name) -> None:
            found.append(node)

        def visit_AssignTarget(self, node: cst.AssignTarget) -> bool:
            return False

        def visit_Attribute(self, node: cst.Attribute) -> bool:
            node.value.visit(self)
            return False

    node.visit(_Collect())
    return found
