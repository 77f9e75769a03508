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
from keyword import iskeyword

import libcst as cst

from codemods.analysis.graph import assigned_names, calls_in, expression_of, names_read, single_assignment
from codemods.analysis.names import FastVisitor
from codemods.graph.g101_session_to_function.model import CannotConvert, Graph

SCOPE_CALLS = ("name_scope", "device")


def alias_accumulated_variables(graph: Graph) -> None:
    """A variable a loop creating variables accumulates into::

        Y_pred = tf.Variable(tf.random_normal([1]), name='bias')
        for pow_i in range(1, 5):
            W = tf.Variable(tf.random_normal([1]), name='weight_%d' % pow_i)
            Y_pred = tf.add(tf.multiply(tf.pow(X, pow_i), W), Y_pred)

    TF1 built the sum once, starting from the variable. The variable gets a name of its
    own (its TF1 name if that is free: ``bias``) and ``Y_pred = bias`` follows it, so the
    loop's tensors start from it in each generated function (its TF1 name stays)."""
    index = 0
    while index < len(graph.body):
        stmt = graph.body[index]
        assignment = single_assignment(stmt) if _binds_variable(graph, stmt) else None
        loop = _accumulating_loop(graph, index, assignment[0][0]) if assignment and len(assignment[0]) == 1 else None
        if assignment is None or loop is None:
            index += 1
            continue
        name = assignment[0][0]
        value = assignment[1]
        assert isinstance(value, cst.Call)
        label = next((a.value for a in value.args if a.keyword is not None and a.keyword.value == "name"), None)
        base = label.evaluated_value if isinstance(label, cst.SimpleString) else None
        fresh = graph.fresh(base if isinstance(base, str) and base.isidentifier() and not iskeyword(base)
                            else f"{name}_variable")
        small = stmt.body[0]
        assert isinstance(stmt, cst.SimpleStatementLine) and isinstance(small, cst.Assign)
        graph.body[index] = stmt.with_changes(body=[small.with_changes(targets=[small.targets[0].with_changes(
            target=cst.Name(fresh))])])
        graph.body.insert(index + 1, cst.parse_statement(f"{name} = {fresh}\n"))
        graph.session_blocks = {i + 1 if i > index else i for i in graph.session_blocks}
        graph.report(loop, (
            f"`{name}`, a variable the loop sums into, is `{fresh}` here and `{name} = {fresh}` starts the sum "
            "(its TF1 name stays)"
        ), kind="converted")
        index += 2


def _accumulating_loop(graph: Graph, index: int, name: str) -> cst.For | None:
    """The first statement after ``index`` touching ``name``, when it is a loop creating
    variables that rebinds ``name`` to a tensor computed from it."""
    for later in graph.body[index + 1:]:
        if name not in names_read(later) and name not in bound_in(later):
            continue
        if not (isinstance(later, cst.For) and later.orelse is None
                and any(graph.sym(c.func) == "Variable" for c in calls_in(later))):
            return None
        rebinds = [a for s in _simple(cst.ensure_type(later.body, cst.IndentedBlock).body) if (a := single_assignment(s)) is not None and name in a[0]]
        if not rebinds or any(a[0] != [name] or name not in names_read(a[1]) for a in rebinds):
            return None
        return None if name in assigned_names(later.target) else later
    return None


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
