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
from codemods.analysis.names import FastVisitor
from codemods.graph.g101_session_to_function.model import CannotConvert, Graph, Unit, Variable
from codemods.graph.g101_session_to_function.rebinding import bound_in, renamed

# Calls a condition or a loop's iterable may make: same result at every trace.
PURE_CALLS = {"range", "len", "enumerate", "zip", "reversed", "sorted", "list", "tuple", "min", "max", "abs", "int",
              "float", "str", "bool"}
# Tensor methods that read what the graph knows statically.
STATIC_QUERIES = {"get_shape", "as_list", "num_elements"}
# Symbols a block must not create: state and graph plumbing this rule converts only at the graph's level.
STATE = ("Variable", "placeholder", "placeholder_with_default", "Session", "InteractiveSession", "train.")
EXITS = {"exit", "quit", "sys.exit"}
SCOPE_CALLS = ("name_scope", "device")

BuildsOps = Callable[[cst.CSTNode], bool]


def block_unit(graph: Graph, index: int, stmt: cst.If | cst.For, builds_ops: BuildsOps) -> Unit | None:
    """The unit of a graph-building block; None when the block builds no graph (it is
    left to the run-site checks); ``CannotConvert`` when it builds graph unfaithfully."""
    if any(isinstance(c.func, cst.Attribute) and c.func.attr.value in ("run", "eval") for c in calls_in(stmt)):
        return None  # runs the graph: a loop of the program, not a part of the graph
    reader = _Block(graph, builds_ops)
    if not (builds_ops(stmt) or reader.reads_graph(stmt)):
        return None
    if isinstance(stmt, cst.For) and any(graph.sym(c.func) == "Variable" for c in calls_in(stmt)):
        stmt = split_variables(graph, index, stmt, builds_ops)
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
        elif isinstance(stmt, cst.With) and _scope_block(self.g, stmt):
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
        appended = _append(stmt)
        if appended is not None and (appended in self.g.unit_by_name or appended in self.graph_names):
            # `pooled_outputs.append(pooled)` to a list of tensors the graph made (`pooled_outputs = []`).
            self.graph_names.append(appended)
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


def _scope_block(graph: Graph, stmt: cst.With) -> bool:
    """``with tf.name_scope(...):`` / ``with tf.device(...):`` (several of them in one statement)."""
    return all(isinstance(i.item, cst.Call) and graph.sym(i.item.func) in SCOPE_CALLS and i.asname is None
               for i in stmt.items)


def _append(stmt: cst.CSTNode) -> str | None:
    """``name`` of a statement ``name.append(value)``."""
    expr = expression_of(stmt)
    if (isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute) and expr.func.attr.value == "append"
            and isinstance(expr.func.value, cst.Name) and len(expr.args) == 1 and expr.args[0].keyword is None):
        return expr.func.value.value
    return None


def appended_in_loop(graph: Graph, index: int, name: str, builds_ops: BuildsOps) -> bool:
    """The statement after ``index`` of the graph's block is a loop building graph ops that
    appends to ``name``, and runs no session."""
    if index + 1 >= len(graph.body) or not isinstance(graph.body[index + 1], cst.For):
        return False
    loop = graph.body[index + 1]
    if not builds_ops(loop) or any(graph.runs_graph(c) for c in calls_in(loop)):
        return False
    found = False

    class _Find(FastVisitor):
        def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
            nonlocal found
            found = found or _append(node) == name

    graph.body[index + 1].visit(_Find())
    return found


def split_variables(graph: Graph, index: int, stmt: cst.For, builds_ops: BuildsOps) -> cst.For:
    """A loop creating variables and computing with them (a conv layer per filter size)::

        for i, filter_size in enumerate(filter_sizes):
            with tf.name_scope("conv-maxpool-%s" % filter_size):
                filter_shape = [filter_size, embedding_size, 1, num_filters]
                W = tf.Variable(tf.truncated_normal(filter_shape, stddev=0.1), name="W")
                conv = tf.nn.conv2d(x, W, strides=[1, 1, 1, 1], padding="VALID")
                pooled_outputs.append(conv)

    stays where it was for its variables, each kept in a list (``W_per_filter_size``, the
    graph's state, created once, in the same scopes and order), and returns the loop of
    its tensors, which reads them from the lists::

        for (i, filter_size), W in zip(enumerate(filter_sizes), W_per_filter_size):
            with tf.name_scope("conv-maxpool-%s" % filter_size):
                conv = tf.nn.conv2d(x, W, strides=[1, 1, 1, 1], padding="VALID")
                pooled_outputs.append(conv)
    """
    if stmt.orelse is not None or stmt.asynchronous is not None:
        raise CannotConvert(stmt, "a loop with `else` (or `async`) that creates variables")
    targets = assigned_names(stmt.target)
    variables: list[str] = []
    tensors: set[str] = set()  # names the loop's tensor statements define

    def read(body: Sequence[cst.BaseStatement]) -> None:
        for inner in body:
            if isinstance(inner, cst.With) and _scope_block(graph, inner):
                read(cst.ensure_type(inner.body, cst.IndentedBlock).body)
                continue
            assignment = single_assignment(inner)
            value = assignment[1] if assignment is not None else None
            if assignment is not None and isinstance(value, cst.Call) and graph.sym(value.func) == "Variable":
                if len(assignment[0]) != 1 or assignment[0][0] in variables or assignment[0][0] in targets:
                    raise CannotConvert(inner, "a loop binding one name to two of its variables")
                if names_read(value) & tensors:
                    raise CannotConvert(inner, "a variable created in a loop from a tensor the loop computes")
                variables.append(assignment[0][0])
            elif any(graph.sym(c.func) == "Variable" for c in calls_in(inner)):
                raise CannotConvert(inner, "variables created inside a loop other than by `name = tf.Variable(...)` "
                                           "in it or in its name scopes")
            elif assignment is not None and (builds_ops(assignment[1]) or names_read(assignment[1]) & (tensors | set(variables))):
                tensors.update(assignment[0])

    read(cst.ensure_type(stmt.body, cst.IndentedBlock).body)
    rebound = sorted(tensors & {v.name for v in graph.variables})
    if rebound:
        # `Y_pred = tf.add(..., Y_pred)` over the variable `Y_pred`: in a function the name
        # would be a local read before it is bound.
        raise CannotConvert(stmt, f"`{rebound[0]}`, a variable, is bound to a tensor by a loop creating variables")
    # A name the program binds elsewhere too (the output layer's `W`) would be the
    # generated function's loop variable there: the loop's own gets a name of its own.
    elsewhere = set().union(*(bound_in(s) for i, s in enumerate(graph.body) if i != index))
    own = {name: graph.fresh(name) for name in variables if name in elsewhere}
    original, named = stmt, list(variables)
    if own:
        stmt = cst.ensure_type(renamed(stmt, own), cst.For)
        variables = [own.get(name, name) for name in variables]
    suffix = targets[-1] if targets else "iteration"
    lists = {name: graph.fresh(f"{name.split('_')[0] or name}_per_{suffix}") for name in variables}

    def python(inner: cst.BaseStatement) -> bool:
        assignment = single_assignment(inner)
        return assignment is not None and not builds_ops(assignment[1]) and not names_read(assignment[1]) & (
            tensors | set(variables))

    def part(body: Sequence[cst.BaseStatement], of_variables: bool, needed: set[str]) -> list[cst.BaseStatement]:
        kept: list[cst.BaseStatement] = []
        for inner in body:
            if isinstance(inner, cst.With) and _scope_block(graph, inner):
                inner_body = part(cst.ensure_type(inner.body, cst.IndentedBlock).body, of_variables, needed)
                if any(not python(s) for s in _flat(inner_body)):
                    kept.append(inner.with_changes(body=inner.body.with_changes(body=inner_body)))
                continue
            assignment = single_assignment(inner)
            bound = assignment[0] if assignment is not None else []
            value = assignment[1] if assignment is not None else None
            creates = bool(bound) and bound[0] in lists and isinstance(value, cst.Call) and graph.sym(value.func) == "Variable"
            if python(inner):
                if set(bound) & needed:
                    kept.append(inner)
            elif creates and of_variables:
                name = bound[0]
                kept += [inner, cst.parse_statement(f"{lists[name]}.append({name})\n")]
            elif not creates and not of_variables:
                kept.append(inner)
        return kept

    body = cst.ensure_type(stmt.body, cst.IndentedBlock).body
    creations = [s for s in _flat(body) if (a := single_assignment(s)) is not None and a[0][0] in lists]
    variables_part = part(body, True, set().union(*(names_read(s) for s in creations)))
    rest = [s for s in _flat(body) if not python(s) and s not in creations]
    tensors_part = part(body, False, set().union(*(names_read(s) for s in rest)) if rest else set())
    loop = stmt.with_changes(body=stmt.body.with_changes(body=variables_part))
    graph.edits.rewritten[index] = loop
    graph.edits.inserted.setdefault(index, []).extend(f"{lists[name]} = []" for name in variables)
    for name in variables:
        graph.variables.append(Variable(index, lists[name], "list"))
        graph.trainable[lists[name]] = True
    target = graph.code(stmt.target)
    if isinstance(stmt.target, cst.Tuple):
        target = f"({target})"
    code = (f"for {target}, {', '.join(variables)} in zip({graph.code(stmt.iter)}, "
            f"{', '.join(lists[name] for name in variables)}):\n    pass\n")
    header = cst.ensure_type(cst.parse_statement(code), cst.For)
    graph.report(original, (
        f"variables {', '.join(f'`{name}`' for name in named)} created in a loop -> kept in "
        f"{', '.join(f'`{lists[name]}`' for name in variables)} where the loop was (created once, in the same scopes), "
        "the loop's tensors computed from them in the generated functions"
        + (f" (as {', '.join(f'`{new}`' for new in own.values())} there: the names are bound elsewhere too)" if own else "")
    ), kind="converted")
    return stmt.with_changes(target=header.target, iter=header.iter, body=stmt.body.with_changes(body=tensors_part))


def _flat_scopes(graph: Graph, body: Sequence[cst.BaseStatement]) -> list[cst.CSTNode]:
    """The statements in order, scope blocks read as their items then their statements
    (``W = ...`` in ``with tf.name_scope("output"):`` binds ``W`` before what follows reads it)."""
    found: list[cst.CSTNode] = []
    for inner in body:
        if isinstance(inner, cst.With) and _scope_block(graph, inner):
            found.extend(item.item for item in inner.items)
            found.extend(_flat_scopes(graph, cst.ensure_type(inner.body, cst.IndentedBlock).body))
        else:
            found.append(inner)
    return found


def _flat(body: Sequence[cst.BaseStatement]) -> list[cst.BaseStatement]:
    """The statements of a body and of the scope blocks in it."""
    found: list[cst.BaseStatement] = []
    for inner in body:
        if isinstance(inner, cst.With):
            found.extend(_flat(cst.ensure_type(inner.body, cst.IndentedBlock).body))
        else:
            found.append(inner)
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
    for later in _flat_scopes(graph, graph.body[index + 1:]):
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
