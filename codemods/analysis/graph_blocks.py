"""Explicit graph blocks: ``with graph.as_default():`` opened for eager code.

Production code and tutorials build the graph in a graph of their own::

    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.float32, [None, 4])
        ...
    with tf.Session(graph=graph, config=session_conf) as sess:
        ...

or ``with tf.Graph().as_default():`` around building and running. TF1 put the block's
ops in that graph instead of the default one; eager code has no graph to put them in, so
the block's statements move to the block's level (dedented), ``graph=`` goes from the
sessions, and ``graph = tf.Graph()`` / ``graph.finalize()`` go. ``with sess.as_default():``
of a session (which only made it the default session for ``t.eval()``) is opened too.

That is faithful when the graph object serves only those purposes and is the only
graph the code builds in: one ``tf.Graph()``, no op built in TF1's default graph beside
it (outside its blocks and the blocks of a session running it, which TF1 also built in
it). Otherwise ``unwrap_graph_blocks`` says why (``declined``) and changes nothing.
Shared by G102 (layers built in the block) and G101 (the graph it converts); nodes that
do not change keep their identity, so the rules' positions and symbols still apply.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import libcst as cst

from codemods.analysis.graph import argument, assigned_names, calls_in, single_assignment
from codemods.analysis.names import FastVisitor, transform, walk

Sym = Callable[[cst.BaseExpression], "str | None"]
SESSIONS = {"Session", "InteractiveSession"}
# TF1 calls that do not build ops in the default graph: sessions and their configuration,
# settings, data loading and files.
NOT_OPS = {
    "Session", "InteractiveSession", "ConfigProto", "GPUOptions", "GraphOptions", "OptimizerOptions", "RunOptions",
    "RunMetadata", "reset_default_graph", "set_random_seed", "random.set_random_seed", "summary.FileWriter",
    "train.global_step", "train.latest_checkpoint", "train.get_checkpoint_state", "train.checkpoint_exists",
    "test.is_built_with_cuda", "test.is_gpu_available", "disable_v2_behavior", "disable_eager_execution",
}
NOT_OPS_PREFIXES = (
    "app.", "flags.", "logging.", "gfile.", "io.gfile.", "examples.", "compat.as_", "keras.datasets.",
    "contrib.learn.preprocessing.", "contrib.learn.datasets.",
)


@dataclass
class Unwrapped:
    """The module with its graph blocks opened (the same object when there are none),
    the ``with`` statements opened (nodes of the module given) with what was done, or
    why nothing was."""

    module: cst.Module
    opened: list[tuple[cst.With, str]] = field(default_factory=list)
    declined: tuple[cst.CSTNode, str] | None = None


def unwrap_graph_blocks(module: cst.Module, sym: Sym) -> Unwrapped:
    graph_calls = [call for call in calls_in(module) if sym(call.func) == "Graph"]
    if not graph_calls:
        return Unwrapped(module)
    reader = _Reader(module, sym)
    why = reader.read(graph_calls)
    if why is not None:
        return Unwrapped(module, declined=why)
    opener = _Opener(reader)
    return Unwrapped(cst.ensure_type(transform(module, opener), cst.Module), reader.opened)


class _Reader:
    """Finds what to change (by node id) and checks the graph serves nothing else."""

    def __init__(self, module: cst.Module, sym: Sym) -> None:
        self.module = module
        self.sym = sym
        self.code = module.code_for_node
        self.names: set[str] = set()  # names bound to the graph
        self.sessions: set[str] = set()  # names bound to sessions
        self.removed: set[int] = set()  # `graph = tf.Graph()`, `graph.finalize()`
        self.blocks: dict[int, list[int]] = {}  # `with` statement -> positions of its items opened
        self.graph_blocks: set[int] = set()  # those that make the graph the default one
        self.graph_call: cst.Call | None = None
        self.graph_args: dict[int, int] = {}  # Session call -> position of its graph= argument
        self.opened: list[tuple[cst.With, str]] = []
        self.allowed: set[int] = set()  # Name nodes used as the graph is allowed to be

    def read(self, graph_calls: list[cst.Call]) -> tuple[cst.CSTNode, str] | None:
        if len(graph_calls) > 1:
            return graph_calls[1], (
                f"the program builds {len(graph_calls)} graphs (`tf.Graph()`): eager code has one set of variables, "
                "so this rule does not merge them"
            )
        statements = _statements(self.module)
        graph_call = self.graph_call = graph_calls[0]
        anonymous: cst.With | None = None
        for stmt in statements:
            assignment = single_assignment(stmt)
            if assignment is not None and assignment[1] is graph_call and len(assignment[0]) == 1:
                self.names.add(assignment[0][0])
                self.removed.add(id(stmt))
            if assignment is not None and isinstance(assignment[1], cst.Call) and self.sym(assignment[1].func) in SESSIONS:
                self.sessions.update(assignment[0])
            if isinstance(stmt, cst.With):
                for item in stmt.items:
                    if _as_default(item.item) is graph_call:
                        anonymous = stmt
                        if item.asname is not None:
                            names = assigned_names(item.asname.name)
                            if len(names) != 1 or not isinstance(item.asname.name, cst.Name):
                                return stmt, "`tf.Graph().as_default()` bound to something other than a name"
                            self.names.add(names[0])
                    if isinstance(item.item, cst.Call) and self.sym(item.item.func) in SESSIONS and item.asname is not None:
                        self.sessions.update(assigned_names(item.asname.name))
        if not self.names and anonymous is None:
            return graph_call, "`tf.Graph()` is used other than as `graph = tf.Graph()` or `with tf.Graph().as_default():`"
        bindings = [s for s in statements if set((single_assignment(s) or ([], None))[0]) & self.names]
        if len(bindings) > 1:
            name = sorted(self.names)[0]
            return graph_call, f"`{name}` is bound again after `{name} = tf.Graph()`"
        for stmt in statements:
            why = self._statement(stmt)
            if why is not None:
                return why
        why = self._other_uses()
        return why if why is not None else self._default_graph_ops()

    def _statement(self, stmt: cst.CSTNode) -> tuple[cst.CSTNode, str] | None:
        if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 and isinstance(stmt.body[0], cst.Expr):
            value = stmt.body[0].value
            if (isinstance(value, cst.Call) and not value.args and isinstance(value.func, cst.Attribute)
                    and value.func.attr.value == "finalize" and self._graph_name(value.func.value)):
                self.removed.add(id(stmt))
                self.allowed.add(id(value.func.value))
        if isinstance(stmt, cst.With):
            graph_items = []
            for position, item in enumerate(stmt.items):
                target = _as_default(item.item)
                if target is None:
                    continue
                if target is self.graph_call or self._graph_name(target):
                    if item.asname is not None and isinstance(target, cst.Name):
                        return stmt, f"`{self.code(item)}` binds the graph to a second name"
                    graph_items.append(position)
                    self.graph_blocks.add(id(stmt))
                    if isinstance(target, cst.Name):
                        self.allowed.add(id(target))
                elif isinstance(target, cst.Name) and target.value in self.sessions and item.asname is None:
                    graph_items.append(position)  # `with sess.as_default():`
            if graph_items:
                self.blocks[id(stmt)] = graph_items
                item = self.code(stmt.items[graph_items[0]].item)
                self.opened.append((stmt, f"`with {item}:` opened: " + (
                    "eager code builds no graph (its sessions lose graph=)" if id(stmt) in self.graph_blocks
                    else "eager code has no default session"
                )))
        for call in calls_in(stmt) if isinstance(stmt, cst.SimpleStatementLine) else _header_calls(stmt):
            symbol = self.sym(call.func)
            if symbol in SESSIONS:
                for position, arg in enumerate(call.args):
                    if arg.keyword is not None and arg.keyword.value == "graph" and self._graph_name(arg.value):
                        self.graph_args[id(call)] = position
                        self.allowed.add(id(arg.value))
            # The graph a summary writer shows in TensorBoard: G101 drops it with the writer's
            # graph argument and add_graph (a module kept on TF1 keeps its graph).
            shown = argument(call, 1, "graph") if symbol == "summary.FileWriter" else (
                call.args[0].value if isinstance(call.func, cst.Attribute) and call.func.attr.value == "add_graph"
                and len(call.args) == 1 else None
            )
            if shown is not None and self._graph_name(shown):
                self.allowed.add(id(shown))
        return None

    def _graph_name(self, node: cst.BaseExpression) -> bool:
        return isinstance(node, cst.Name) and node.value in self.names

    def _other_uses(self) -> tuple[cst.CSTNode, str] | None:
        """A use of the graph other than building in it, running it or finalizing it."""
        finder = _Uses(self.names, self.allowed)
        walk(self.module, finder)
        if finder.found is None:
            return None
        node, name = finder.found
        return node, (
            f"`{self.code(node)}` reads the graph object `{name}` (eager code has no graph object): only "
            f"`with {name}.as_default():`, `tf.Session(graph={name})`, `{name}.finalize()` and a summary writer's "
            "graph are converted"
        )

    def _default_graph_ops(self) -> tuple[cst.CSTNode, str] | None:
        """An op built beside the graph's blocks went to TF1's default graph: a second graph."""
        finder = _Outside(self)
        walk(self.module, finder)
        for call in finder.calls:
            symbol = self.sym(call.func)
            if symbol is None or symbol in NOT_OPS or symbol.startswith(NOT_OPS_PREFIXES):
                continue
            return call, (
                f"`{self.code(call.func)}` outside the `as_default()` block builds in TF1's default graph, "
                "not in the graph the block builds: eager code would mix the two graphs"
            )
        return None


class _Outside(FastVisitor):
    """The calls TF1 ran with its default graph as the default: not in a graph block, a
    session block running the graph (``with tf.Session(graph=graph):`` makes it the
    default inside), or a function or class without a graph block."""

    def __init__(self, reader: _Reader) -> None:
        self.r = reader
        self.calls: list[cst.Call] = []
        self.holding = {id(n) for n in _holding(reader.module, reader.graph_blocks)}

    def on_visit(self, node: cst.CSTNode) -> bool:
        if isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            return id(node) in self.holding
        if id(node) in self.r.removed or id(node) in self.r.graph_blocks:
            return False
        if isinstance(node, cst.With) and any(
            isinstance(item.item, cst.Call) and id(item.item) in self.r.graph_args for item in node.items
        ):
            return False
        if isinstance(node, cst.Call):
            self.calls.append(node)
        return True


class _Uses(FastVisitor):
    """The first load of a graph name not among ``allowed`` (function parameters of that
    name hide it in their function)."""

    def __init__(self, names: set[str], allowed: set[int]) -> None:
        self.names = names
        self.allowed = allowed
        self.found: tuple[cst.CSTNode, str] | None = None
        self.hidden: list[set[str]] = []

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.hidden.append({p.name.value for p in (*node.params.params, *node.params.kwonly_params)})

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.hidden.pop()

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        if isinstance(node.value, cst.Name) and self._graph(node.value):
            self.found = self.found or (node, node.value.value)
        else:
            walk(node.value, self)  # not the attribute's name (`sess.graph`)
        return False

    def visit_Name(self, node: cst.Name) -> None:
        if self._graph(node):
            self.found = self.found or (node, node.value)

    def visit_AssignTarget(self, node: cst.AssignTarget) -> bool:
        return not (isinstance(node.target, cst.Name) and node.target.value in self.names)

    def visit_AsName(self, node: cst.AsName) -> bool:
        return False

    def visit_Param(self, node: cst.Param) -> bool:
        if node.default is not None:
            walk(node.default, self)
        return False

    def visit_Arg(self, node: cst.Arg) -> bool:
        walk(node.value, self)
        return False

    def _graph(self, node: cst.BaseExpression) -> bool:
        return (isinstance(node, cst.Name) and node.value in self.names and id(node) not in self.allowed
                and not any(node.value in hidden for hidden in self.hidden))


class _Opener(cst.CSTTransformer):
    """Opens the blocks, drops the statements and ``graph=`` arguments the reader found;
    only the nodes around them are rebuilt."""

    def __init__(self, reader: _Reader) -> None:
        self.r = reader
        targets = {*reader.removed, *reader.blocks, *reader.graph_args}
        self.around: set[int] = set()
        _Ancestors(targets, self.around).walk(reader.module)
        self.around |= {*reader.blocks, *reader.graph_args}
        self.open: set[int] = set()  # updated `with` statements whose body replaces them

    def on_visit(self, node: cst.CSTNode) -> bool:
        return id(node) in self.around

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.Call:
        position = self.r.graph_args.get(id(original_node))
        if position is None:
            return updated_node
        args = [a for i, a in enumerate(updated_node.args) if i != position]
        if args and position == len(updated_node.args) - 1:
            args[-1] = args[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        return updated_node.with_changes(args=args)

    def leave_With(self, original_node: cst.With, updated_node: cst.With) -> cst.With:
        positions = self.r.blocks.get(id(original_node))
        if positions is None:
            return updated_node
        items = [item for i, item in enumerate(updated_node.items) if i not in positions]
        if not items:
            self.open.add(id(updated_node))
            return updated_node
        items[-1] = items[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        return updated_node.with_changes(items=items)

    def leave_IndentedBlock(self, original_node: cst.IndentedBlock, updated_node: cst.IndentedBlock) -> cst.IndentedBlock:
        body, footer = self._body(updated_node.body, list(updated_node.footer))
        return updated_node.with_changes(body=body, footer=footer)

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        body, footer = self._body(updated_node.body, list(updated_node.footer))
        return updated_node.with_changes(body=body, footer=footer)

    def _body(
        self, statements: Sequence[cst.BaseStatement], footer: list[cst.EmptyLine]
    ) -> tuple[list[cst.BaseStatement], list[cst.EmptyLine]]:
        """The statements with the opened blocks' statements in their place; comments of a
        dropped statement and of a block's end go with the statement after them."""
        out: list[cst.BaseStatement] = []
        carried: list[cst.EmptyLine] = []
        for stmt in statements:
            if id(stmt) in self.r.removed:
                carried += stmt.leading_lines
                continue
            if id(stmt) in self.open:
                block = cst.ensure_type(stmt.body, cst.IndentedBlock)
                inner, inner_footer = self._body(block.body, list(block.footer))
                lines = [*carried, *stmt.leading_lines]
                carried = [line for line in inner_footer if line.comment is not None]
                if inner:
                    inner[0] = inner[0].with_changes(leading_lines=[*lines, *inner[0].leading_lines])
                    out.extend(inner)
                else:
                    carried = lines + carried
                continue
            if carried:
                stmt = stmt.with_changes(leading_lines=[*carried, *stmt.leading_lines])
                carried = []
            out.append(stmt)
        if not out:
            out.append(cst.SimpleStatementLine([cst.Pass()], leading_lines=carried))
            carried = []
        return out, [*carried, *footer]


class _Ancestors(FastVisitor):
    """Collects the ids of ``targets`` and of every node around one."""

    def __init__(self, targets: set[int], found: set[int]) -> None:
        self.targets = targets
        self.found = found
        self.stack: list[int] = []

    def walk(self, node: cst.CSTNode) -> None:
        walk(node, self)

    def on_visit(self, node: cst.CSTNode) -> bool:
        self.stack.append(id(node))
        if id(node) in self.targets:
            self.found.update(self.stack[:-1])  # a target itself is rebuilt only when something in it is
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        self.stack.pop()


def _as_default(item: cst.BaseExpression) -> cst.BaseExpression | None:
    """``x`` of ``x.as_default()``."""
    if isinstance(item, cst.Call) and not item.args and isinstance(item.func, cst.Attribute):
        if item.func.attr.value == "as_default":
            return item.func.value
    return None


def _statements(module: cst.Module) -> list[cst.CSTNode]:
    """Every statement of the module, at any depth, in order."""
    found: list[cst.CSTNode] = []

    class _Collect(FastVisitor):
        def on_visit(self, node: cst.CSTNode) -> bool:
            if isinstance(node, (cst.SimpleStatementLine, cst.BaseCompoundStatement)):
                found.append(node)
            return True

    walk(module, _Collect())
    return found


def _header_calls(stmt: cst.CSTNode) -> list[cst.Call]:
    """The calls of a compound statement outside its bodies (a `with`'s items, a test)."""
    if isinstance(stmt, cst.With):
        return [c for item in stmt.items for c in calls_in(item)]
    if isinstance(stmt, (cst.If, cst.While)):
        return calls_in(stmt.test)
    if isinstance(stmt, cst.For):
        return calls_in(stmt.iter)
    return []




def _holding(module: cst.Module, blocks: set[int]) -> list[cst.CSTNode]:
    """The functions and classes around a graph block."""
    found: list[cst.CSTNode] = []
    stack: list[cst.CSTNode] = []

    class _Walk(FastVisitor):
        def on_visit(self, node: cst.CSTNode) -> bool:
            if isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
                stack.append(node)
            if id(node) in blocks:
                found.extend(stack)
            return True

        def on_leave(self, original_node: cst.CSTNode) -> None:
            if isinstance(original_node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
                stack.pop()

    walk(module, _Walk())
    return found
