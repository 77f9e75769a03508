"""Stage 2 (analysis), blocks: an ``if`` / ``for`` at the graph's level that builds graph ops.

TF1 scripts choose or repeat parts of the graph with plain Python::

    if regression_type == "LASSO":
        loss = tf.add(tf.reduce_mean(tf.square(y - pred)), lasso_term)
    elif regression_type == "Ridge":
        loss = tf.add(tf.reduce_mean(tf.square(y - pred)), ridge_term)
    else:
        print("Invalid regression_type", file=sys.stderr)

    total = base_loss
    for weight in [W1, W2]:
        total = total + 0.01 * tf.nn.l2_loss(weight)

Python ran the block once, while the graph was built; the ops it made ran at each
``sess.run``. The block becomes one ``Unit``: it moves, whole, into each generated
function that needs what it defines, and a ``tf.function`` runs it once per trace,
which builds the same ops. That is faithful when the block only builds ops: its
conditions and loops read no tensor (autograph would turn them into graph control
flow) and call nothing that could differ between runs (``range``, ``len`` and the
like only); its statements are assignments, and a statement with another effect
(``print``) stands only in a branch that dies (it raises, exits, or leaves a name the
graph needs undefined, so TF1 failed right after it too). A condition may read tensors:
TF1 only ran when it gave a Python value (a static shape, a list of variables), which a
trace computes alike. Variables, placeholders,
optimizers, training ops and sessions inside it are declined, and so is a plain
Python name it sets that the program reads after it (the name now lives inside the
generated functions).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import libcst as cst

from codemods.analysis.graph import assigned_names, calls_in, expression_of, names_read, single_assignment
from codemods.graph.g101_session_to_function.model import CannotConvert, Graph, Unit

# Calls a condition or a loop's iterable may make: same result at every trace.
PURE_CALLS = {"range", "len", "enumerate", "zip", "reversed", "sorted", "list", "tuple", "min", "max", "abs", "int",
              "float", "str", "bool"}
# Tensor methods that read what the graph knows statically.
STATIC_QUERIES = {"get_shape", "as_list", "num_elements"}
# Symbols a block must not create: state and graph plumbing this rule converts only at the graph's level.
STATE = ("Variable", "placeholder", "placeholder_with_default", "Session", "InteractiveSession", "train.")
EXITS = {"exit", "quit", "sys.exit"}

BuildsOps = Callable[[cst.CSTNode], bool]


def block_unit(graph: Graph, index: int, stmt: cst.If | cst.For, builds_ops: BuildsOps) -> Unit | None:
    """The unit of a graph-building block; None when the block builds no graph (it is
    left to the run-site checks); ``CannotConvert`` when it builds graph unfaithfully."""
    if any(isinstance(c.func, cst.Attribute) and c.func.attr.value in ("run", "eval") for c in calls_in(stmt)):
        return None  # runs the graph: a loop of the program, not a part of the graph
    reader = _Block(graph, builds_ops)
    if not (builds_ops(stmt) or reader.reads_graph(stmt)):
        return None
    for call in calls_in(stmt):
        symbol = graph.sym(call.func) or ""
        if symbol.startswith(STATE) or (isinstance(call.func, cst.Attribute) and call.func.attr.value in (
                "minimize", "apply_gradients", "compute_gradients")):
            kind = "variables" if symbol == "Variable" else f"`{graph.code(call.func)}`"
            raise CannotConvert(call, f"{kind} created inside a loop or condition that builds the graph")
    reader.statement(stmt)
    defines = list(dict.fromkeys(reader.graph_names))
    _check_later_reads(graph, index, stmt, set(reader.python_names + reader.loop_targets) - set(defines))
    return Unit(index, stmt, defines, names_read(stmt) - set(reader.loop_targets))


class _Block:
    """Reads a block statement by statement: the graph names and the plain Python names
    it binds, refusing what a trace would not repeat faithfully."""

    def __init__(self, graph: Graph, builds_ops: BuildsOps) -> None:
        self.g = graph
        self.builds_ops = builds_ops
        self.graph_names: list[str] = []
        self.python_names: list[str] = []
        self.loop_targets: list[str] = []

    def reads_graph(self, node: cst.CSTNode) -> bool:
        names = names_read(node)
        if isinstance(node, cst.For):
            # `for i, x in enumerate(preds)`: the body's `x` is the loop's value, not the placeholder.
            names = (names - set(assigned_names(node.target))) | names_read(node.iter)
        return bool(names & (self.g.graph_names() | {v.name for v in self.g.variables}))

    def statement(self, stmt: cst.CSTNode, fatal: bool = False) -> None:
        if isinstance(stmt, cst.If):
            branch_of: cst.If | cst.Else | None = stmt
            while isinstance(branch_of, cst.If):  # the `if` and each `elif`
                self._control(branch_of.test)
                branch_of = branch_of.orelse
            branches = _branches(stmt)
            bound = [self._binds(branch) for branch in branches]
            needed = set().union(*bound)
            for branch, names in zip(branches, bound):
                dies = fatal or _exits(branch) or bool(needed - names)
                for inner in branch:
                    self.statement(inner, dies)
        elif isinstance(stmt, cst.For):
            if stmt.orelse is not None or stmt.asynchronous is not None:
                raise CannotConvert(stmt, "a loop with `else` (or `async`) that builds the graph")
            self._control(stmt.iter)
            self.loop_targets += assigned_names(stmt.target)
            for inner in cst.ensure_type(stmt.body, cst.IndentedBlock).body:
                self.statement(inner, fatal)
        elif isinstance(stmt, cst.SimpleStatementLine):
            self._simple(stmt, fatal)
        else:
            raise CannotConvert(stmt, "a statement other than an assignment, `if` or `for` in a block that builds the graph")

    def _simple(self, stmt: cst.SimpleStatementLine, fatal: bool) -> None:
        assignment = single_assignment(stmt)
        if assignment is not None:
            names, value = assignment
            graph_valued = self.builds_ops(value) or self.reads_graph(value) or bool(names_read(value) & set(self.graph_names))
            (self.graph_names if graph_valued else self.python_names).extend(names)
            return
        small = stmt.body[0] if len(stmt.body) == 1 else None
        if isinstance(small, cst.AugAssign) and isinstance(small.target, cst.Name):
            # `total += tf.nn.l2_loss(w)`: graph-valued when either side is.
            name = small.target.value
            graph_valued = name in self.graph_names or self.builds_ops(small.value) or self.reads_graph(stmt)
            (self.graph_names if graph_valued else self.python_names).append(name)
            return
        if all(isinstance(small, (cst.Pass, cst.Raise)) for small in stmt.body):
            return
        if not fatal:
            raise CannotConvert(stmt, (
                "a block that builds the graph does more than assign: a generated function would do it again at "
                "each trace"
            ))

    def _control(self, node: cst.BaseExpression) -> None:
        """A condition or iterable: the same at every trace. TF1 could only have used
        Python values there (a tensor in an `if` or a `for` raised), which a trace
        computes alike: a list of variables, a static shape."""
        for call in calls_in(node):
            func = call.func
            static = isinstance(func, cst.Attribute) and func.attr.value in STATIC_QUERIES
            if not (static or (isinstance(func, cst.Name) and func.value in PURE_CALLS)):
                raise CannotConvert(call, (
                    f"`{self.g.code(call.func)}(...)` decides how the graph is built: a generated function would "
                    "call it again at each trace"
                ))

    def _binds(self, branch: Sequence[cst.BaseStatement]) -> set[str]:
        found: set[str] = set()
        for stmt in branch:
            assignment = single_assignment(stmt)
            if assignment is not None and (self.builds_ops(assignment[1]) or self.reads_graph(assignment[1])):
                found.update(assignment[0])
        return found


def _branches(stmt: cst.If) -> list[Sequence[cst.BaseStatement]]:
    """The statements of each branch of an ``if`` / ``elif`` / ``else`` chain; an
    ``if`` without ``else`` has an empty one."""
    branches: list[Sequence[cst.BaseStatement]] = []
    node: cst.If | cst.Else | None = stmt
    while node is not None:
        branches.append(cst.ensure_type(node.body, cst.IndentedBlock).body)
        if isinstance(node, cst.Else):
            break
        node = node.orelse
        if node is None:
            branches.append([])
    return branches


def _exits(branch: Sequence[cst.BaseStatement]) -> bool:
    """The branch ends by raising or exiting the program."""
    if not branch or not isinstance(branch[-1], cst.SimpleStatementLine):
        return False
    last = branch[-1].body[-1]
    if isinstance(last, cst.Raise):
        return True
    expr = expression_of(branch[-1])
    if not isinstance(expr, cst.Call):
        return False
    func = expr.func
    name = func.value if isinstance(func, cst.Name) else (
        f"{func.value.value}.{func.attr.value}" if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) else "")
    return name in EXITS


def _check_later_reads(graph: Graph, index: int, stmt: cst.CSTNode, names: set[str]) -> None:
    """Plain Python names the block binds live in the generated functions now: the
    program must not read them after the block (before binding them again)."""
    pending = set(names)
    for later in graph.body[index + 1:]:
        if not pending:
            return
        read = names_read(later) & pending
        if read:
            rebound = set(_bound_first(later))
            if read - rebound:
                name = sorted(read - rebound)[0]
                raise CannotConvert(stmt, f"`{name}` is set while building the graph and read by the program after it")
        pending -= set(_bound_first(later))


def _bound_first(stmt: cst.CSTNode) -> list[str]:
    """Names a statement binds before reading anything: assignment and loop targets."""
    assignment = single_assignment(stmt)
    if assignment is not None:
        return assignment[0] if not names_read(assignment[1]) & set(assignment[0]) else []
    if isinstance(stmt, cst.For):
        return assigned_names(stmt.target)
    return []
