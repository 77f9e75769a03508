"""G101 analysis, first step: a name bound to a second variable while the graph still
computes with the first.

TF1 layers are often written with the same local names, one name scope each::

    with tf.name_scope("hidden"):
        W = tf.Variable(tf.ones([2, 3]), name="W")
        h = tf.nn.relu(tf.matmul(x, W))
    with tf.name_scope("output"):
        W = tf.Variable(tf.ones([3, 1]), name="W")
        pred = tf.matmul(h, W)

TF1 built ``h`` from the first ``W`` once, and the graph kept it. Moved into a function,
``h`` would read whatever ``W`` names when it runs: the second variable. So the second
binding (and what reads it, up to the name's next binding) gets a name of its own
(``W_2``); its TF1 name (``name="W"``) stays. A name whose first variable nothing read
before the second is left as it was (the first is unreachable, as in TF1).
"""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst

from codemods.analysis.graph import assigned_names, expression_of, names_read, single_assignment
from codemods.analysis.names import FastVisitor
from codemods.graph.g101_session_to_function.model import CannotConvert, Graph

SCOPE_CALLS = ("name_scope", "device")


def rename_rebound_variables(graph: Graph) -> None:
    """Rewrites ``graph.body`` in place (statements without a renamed name stay the same objects)."""
    if not any(_binds_variable(graph, s) for s in _simple(graph.body)):
        return
    state = _State(graph)
    graph.body[:] = state.block(graph.body)


class _State:
    def __init__(self, graph: Graph) -> None:
        self.g = graph
        self.read: dict[str, bool] = {}  # a name bound to a variable -> read since
        self.renames: dict[str, str] = {}

    def block(self, statements: Sequence[cst.BaseStatement]) -> list[cst.BaseStatement]:
        return [self.statement(s) for s in statements]

    def statement(self, stmt: cst.BaseStatement) -> cst.BaseStatement:
        g = self.g
        if isinstance(stmt, cst.With) and all(
                isinstance(i.item, cst.Call) and g.sym(i.item.func) in SCOPE_CALLS and i.asname is None for i in stmt.items):
            items = [renamed(i, self.renames) for i in stmt.items]
            self._mark(set().union(*(names_read(i) for i in stmt.items)))
            body = self.block(stmt.body.body)
            if all(a is b for a, b in zip(items, stmt.items)) and all(a is b for a, b in zip(body, stmt.body.body)):
                return stmt
            return stmt.with_changes(items=items, body=stmt.body.with_changes(body=body))
        if isinstance(stmt, cst.SimpleStatementLine):
            expr = expression_of(stmt)
            if isinstance(expr, cst.Call) and g.sym(expr.func) == "reset_default_graph":
                self.read.clear()  # a new graph: its variables are new ones (graph.generation)
                self.renames.clear()
                return stmt
            assignment = single_assignment(stmt)
            if assignment is not None:
                names, value = assignment
                new_value = renamed(value, self.renames)
                self._mark(names_read(value))
                new = stmt if new_value is value else stmt.with_changes(
                    body=[stmt.body[0].with_changes(value=new_value)])
                if _binds_variable(g, stmt) and len(names) == 1:
                    name = names[0]
                    if self.read.get(name):
                        fresh = g.fresh(name)
                        self.renames[name] = fresh
                        g.rebound[fresh] = g.rebound.get(name, name)
                        g.report(stmt, (
                            f"`{name}` names a second variable while the graph still computes with the first: "
                            f"the second is `{fresh}` here (its TF1 name stays)"
                        ), kind="converted")
                        small = new.body[0]
                        assert isinstance(small, cst.Assign)
                        target = small.targets[0].with_changes(target=cst.Name(fresh))
                        new = new.with_changes(body=[small.with_changes(targets=[target])])
                    else:
                        self.renames.pop(name, None)
                    self.read[name] = False
                    return new
                for name in names:
                    self.renames.pop(name, None)
                    self.read.pop(name, None)
                return new
        bound = bound_in(stmt)
        clash = bound & set(self.renames)
        if clash:
            raise CannotConvert(stmt, f"`{sorted(clash)[0]}`, which names a second variable, is bound again here")
        self._mark(names_read(stmt))
        for name in bound:
            self.read.pop(name, None)
        return renamed(stmt, self.renames)

    def _mark(self, names: set[str]) -> None:
        for name in names:
            if name in self.read:
                self.read[name] = True


def _binds_variable(graph: Graph, stmt: cst.CSTNode) -> bool:
    assignment = single_assignment(stmt)
    return (assignment is not None and isinstance(assignment[1], cst.Call)
            and graph.sym(assignment[1].func) == "Variable")


def _simple(statements: Sequence[cst.BaseStatement]) -> list[cst.BaseStatement]:
    found: list[cst.BaseStatement] = []
    for stmt in statements:
        if isinstance(stmt, cst.With):
            found.extend(_simple(stmt.body.body))
        else:
            found.append(stmt)
    return found


def bound_in(node: cst.CSTNode) -> set[str]:
    """Every name a compound statement binds anywhere in it (targets, parameters, definitions)."""
    bound: set[str] = set()

    class _Collect(FastVisitor):
        def visit_AssignTarget(self, n: cst.AssignTarget) -> None:
            bound.update(assigned_names(n.target))

        def visit_AugAssign(self, n: cst.AugAssign) -> None:
            bound.update(assigned_names(n.target))

        def visit_For(self, n: cst.For) -> None:
            bound.update(assigned_names(n.target))

        def visit_CompFor(self, n: cst.CompFor) -> None:
            bound.update(assigned_names(n.target))

        def visit_AsName(self, n: cst.AsName) -> None:
            bound.update(assigned_names(n.name))

        def visit_Param(self, n: cst.Param) -> None:
            bound.add(n.name.value)

        def visit_FunctionDef(self, n: cst.FunctionDef) -> None:
            bound.add(n.name.value)

        def visit_ClassDef(self, n: cst.ClassDef) -> None:
            bound.add(n.name.value)

    node.visit(_Collect())
    return bound


class _Paths(FastVisitor):
    """The ids of the nodes on the way to each read of a renamed name."""

    def __init__(self, renames: dict[str, str]) -> None:
        self.renames = renames
        self.stack: list[int] = []
        self.needed: set[int] = set()

    def on_visit(self, node: cst.CSTNode) -> bool:
        if isinstance(node, cst.Name) and node.value in self.renames:
            self.needed.update(self.stack)
            self.needed.add(id(node))
        self.stack.append(id(node))
        if isinstance(node, cst.Attribute) or isinstance(node, cst.Arg) and node.keyword is not None:
            node.value.visit(self)  # `x.W`, `f(W=1)`: the attribute name, the keyword are no reads
            return False
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        self.stack.pop()


class _Renamer(cst.CSTTransformer):
    """The renamed names; nodes off their paths stay the same objects (their symbols
    are known by node)."""

    def __init__(self, renames: dict[str, str], needed: set[int]) -> None:
        self.renames = renames
        self.needed = needed

    def on_visit(self, node: cst.CSTNode) -> bool:
        return id(node) in self.needed

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.BaseExpression:
        if id(original_node) not in self.needed:
            return updated_node
        return cst.Name(self.renames[original_node.value])


def renamed(node, renames: dict[str, str]):
    """``node`` with the reads (and bindings) of ``renames``' names renamed."""
    if not renames or not names_read(node) & set(renames):
        return node
    paths = _Paths(renames)
    node.visit(paths)
    return node.visit(_Renamer(renames, paths.needed))
