"""G101's graph model: the typed values its stages hand to each other.

``Graph`` is what analysis learnt about the block that builds the graph (placeholders,
variables, optimizers, the statements that define tensors: ``Unit``), the decisions
it took about single statements (``Edits``), and the queries later stages ask of it.
``Site`` is one place the program runs the graph; ``Function`` one generated
``@tf.function``; ``Planned`` how a site calls it. ``CannotConvert`` is the one way any
stage declines: the rule then keeps the module on ``tf.compat.v1``.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal, NamedTuple

import libcst as cst

from codemods.analysis.graph import calls_in, names_read, returned_variable, single_assignment

# What a unit computes: a tensor, a training step (minimize / apply_gradients),
# compute_gradients, or tf.gradients.
UnitKind = Literal["tensor", "train", "apply", "compute", "gradients"]
# How a variable is held: a tf.Variable, a dict or list of them, an object whose
# trainable_variables exist once it has been called (a Keras layer object of G102, the
# tf.Module a build function became), a tf.Module instance of a variable helper, the
# global step.
VariableKind = Literal["var", "dict", "list", "layer", "module", "global_step"]
# What a run fetches: one value, a list, a tuple, a dict, or only ops (no value).
Shape = Literal["single", "list", "tuple", "dict", "op"]
NoteKind = Literal["converted", "declined"]
# What a read outside the runs takes of a computed tensor: TF1 knew its shape and dtype while
# building, and `print(t)` printed the symbolic tensor itself (name, shape, dtype).
StaticRead = Literal["shape", "dtype", "tensor"]

# TF1 initializer functions (their runs disappear: eager variables are initialised when created).
INITIALIZERS = {
    "global_variables_initializer", "initialize_all_variables", "local_variables_initializer",
    "variables_initializer", "initialize_variables", "tables_initializer", "initialize_local_variables",
}
GLOBAL_STEP_CALLS = {"train.get_global_step", "train.get_or_create_global_step"}
# Why a graph built by imported functions is not converted, as far as one module tells
# (the rule says more from the project's facts).
READ_ALONE = "this module is read alone"
# Modules whose functions build no part of the program's graph: TensorFlow, Keras, NumPy, the standard library.
_NOT_THE_PROGRAMS = frozenset({"tensorflow", "keras", "numpy", *sys.stdlib_module_names})
# TF1 calls that build an Operation, not a tensor: sess.run gave None for it, and a
# tf.function may not return it.
OPERATIONS = {"group", "no_op"}


class CannotConvert(Exception):
    """Raised with the node and reason that force the compat.v1 fallback."""

    def __init__(self, node: cst.CSTNode, reason: str) -> None:
        super().__init__(reason)
        self.node = node
        self.reason = reason


class NothingToDo(Exception):
    """The module runs no session: G101 leaves it to the other rules."""


@dataclass
class Placeholder:
    name: str
    index: int
    dtype: str | None
    shape: str
    default: str | None
    # A computed tensor fed in its place (TF1 replaced it by the value): the dtype the
    # value is converted to in the function, as TF1 converted it.
    converted: str | None = None


@dataclass
class Unit:
    """A statement of the graph's block that builds part of the graph."""

    index: int
    node: cst.CSTNode  # the statement (a `with` block reduced to its tensors, a nested def)
    defines: list[str]
    reads: set[str]
    kind: UnitKind = "tensor"
    call: cst.Call | None = None  # the minimize/apply/compute/gradients call
    optimizer: str | None = None
    optimizer_statement: int | None = None  # the statement creating that optimizer, if one does
    var_list: str | None = None
    global_step: str | None = None
    structured: bool = False  # its one name may hold a tuple or dict of tensors (a dataset element)


class Variable(NamedTuple):
    statement: int  # index of the statement that creates it
    name: str
    kind: VariableKind


@dataclass
class Site:
    """One place the program runs the graph: ``sess.run``, ``t.eval()``, ``op.run()``."""

    call: cst.Call
    fetch: cst.BaseExpression | None
    feed: dict[str, cst.BaseExpression]
    init: bool = False
    statement: int = 0  # index of the graph block's statement holding the site


class ParameterRun(NamedTuple):
    """A helper's run of its parameter (``w = session.run(weights)`` in ``def
    plot_conv_weights(weights)``): the parameter and the run's feed (placeholder -> value)."""

    param: str
    feed: dict[str, cst.BaseExpression]


class PassedTensor(NamedTuple):
    """A graph tensor given to such a helper (``plot_conv_weights(weights=weights_conv1)``):
    its name, the statement of the call, and the placeholders the helper's runs feed."""

    name: str
    statement: int
    fed: tuple[str, ...]


class Restore(NamedTuple):
    """What a restore (``saver.restore(sess, path)``) sets: variables and optimizer slots."""

    variables: frozenset[str]
    optimizers: frozenset[str]


EventKind = Literal["run", "session", "restore", "call"]


@dataclass
class Event:
    """Something the program does to the graph's state, in program order: a run
    (``site``), a new session, a restore, a call of a user function (its events happen
    there; a bare "call" is an opaque run of a function this stage did not read)."""

    kind: EventKind
    site: Site | None = None
    restore: Restore | None = None
    loops: tuple[int, ...] = ()  # ids of the for/while loops around it, outermost first
    function: str | None = None  # the user function a "call" calls


@dataclass
class Sites:
    """The run sites, in program order, and every event around them."""

    sites: list[Site]
    events: list[Event] = field(default_factory=list)
    # The events of each user function's body, which happen where it is called.
    functions: dict[str, list[Event]] = field(default_factory=dict)


@dataclass
class Function:
    """A generated ``@tf.function``: the backward slice of what its runs fetch."""

    name: str
    params: list[Placeholder]
    units: list[Unit]
    values: list[str]
    shape: Shape
    keys: list[str] = field(default_factory=list)
    train: Unit | None = None
    position: int = 0  # defined after this statement of the graph's block
    structured: bool = False  # some value is itself a list, tuple or dict of tensors
    # Every training op the run executes (`train` is the first): GAN scripts run the
    # generator's and the discriminator's in one `sess.run`.
    trains: list[Unit] = field(default_factory=list)
    # Values that read a variable itself (`sess.run([train_op, W])`): TF1 returned the
    # variable's buffer after the run, updated by the training op.
    variable_reads: set[str] = field(default_factory=set)


class Planned(NamedTuple):
    """How one run site reads its function: its shape ("op": the run fetches no value);
    or how a static read (``h.shape``) reads the function's traced output."""

    function: Function
    shape: Shape
    static: StaticRead | None = None
    passed: bool = False  # a graph tensor given to a helper that runs it: the function itself


# The plan: run call id -> its function.
Plan = dict[int, Planned]


@dataclass
class InitialValue:
    """The initial value of a variable an initializer sets back."""

    variable: str
    statement: int  # index of the statement creating it
    code: str  # what evaluates it again: the initial value's own code, or `initial_w()`
    # A random initial value (or one reading names) is held by a @tf.function returning
    # `value`: the variable is created from its first call. With `first_draw`, `function`
    # names the variable's first value instead, kept right after its creation.
    value: cst.BaseExpression | None = None
    function: str | None = None
    first_draw: bool = False
    # First drawn by an initializer run that runs again (a loop): the variable is created
    # from the function's traced output shape and dtype, drawing nothing; each run draws.
    undrawn: bool = False


@dataclass
class Initialisation:
    """What each initializer run does to eager variables: the first run of a variable's
    initializer is its creation; a later run sets it back (``assignments``)."""

    assignments: dict[int, list[str]] = field(default_factory=dict)  # run call id -> statements
    initial_values: dict[int, list[InitialValue]] = field(default_factory=dict)  # statement -> made functions


class Note(NamedTuple):
    """A report for the rule to make once the conversion succeeded."""

    node: cst.CSTNode
    message: str
    kind: NoteKind


@dataclass
class Edits:
    """What analysis decided about single statements of the graph's block, by index."""

    removed: set[int] = field(default_factory=set)  # statements that go (placeholders, sessions, ...)
    rewritten: dict[int, cst.BaseStatement] = field(default_factory=dict)  # replaced in place
    inserted: dict[int, list[str]] = field(default_factory=dict)  # statements (code) created before it
    inline_steps: dict[int, str] = field(default_factory=dict)  # global step created before a training op
    built_optimizers: set[str] = field(default_factory=set)  # optimizers a feature builds (a Saver's)
    site_feeds: dict[int, cst.BaseExpression] = field(default_factory=dict)  # run call id -> its feed dict
    feed_assignments: set[int] = field(default_factory=set)  # dict literals of inlined feed variables
    # `x.shape` / `x.get_shape()` / `x.dtype` of a placeholder outside the runs (node id) -> its code.
    static_reads: dict[int, str] = field(default_factory=dict)
    # `h.shape` / `h.get_shape()` / `h.dtype` of a computed tensor outside the runs (node
    # id) -> the tensor, what is read and the statement: the output of a traced function.
    traced_reads: dict[int, tuple[str, StaticRead, int]] = field(default_factory=dict)
    # A helper's runs of its parameter (call id), and the graph tensors given to it (argument node id).
    parameter_runs: dict[int, ParameterRun] = field(default_factory=dict)
    passed_tensors: dict[int, PassedTensor] = field(default_factory=dict)


class Graph:
    """The graph the module builds, as analysis reads it, and the names it generates.

    Built by ``scope.find_scope`` (where the graph is built, which names are sessions)
    and filled by ``analysis.analyse``; read by the later stages and the features."""

    def __init__(
        self,
        module: cst.Module,
        owner: cst.FunctionDef | cst.If | None,
        body: list[cst.BaseStatement],
        sessions: set[str],
        tf: str,
        sym: Callable[[cst.BaseExpression], str | None],
    ) -> None:
        self.module = module
        # The block that builds the graph: the module (None), or one top-level
        # `def main():` / `if __name__ == "__main__":` body.
        self.owner = owner
        self.body = body  # its statements, session blocks opened
        self.sessions = sessions  # names bound to sessions
        self.session_blocks: set[int] = set()  # first statements of the opened `with tf.Session()` blocks
        self.tf = tf  # the module's name for tensorflow
        self.sym = sym  # TF1 symbol of an expression (`train.AdamOptimizer`), or None
        self.code: Callable[[cst.CSTNode], str] = module.code_for_node
        self.placeholders: dict[str, Placeholder] = {}  # the latest of each name
        self.placeholder_bindings: dict[str, list[Placeholder]] = {}  # every one, in program order
        self.units: list[Unit] = []
        self.unit_by_name: dict[str, Unit] = {}
        self.variables: list[Variable] = []
        self.trainable: dict[str, bool] = {}
        self.optimizers: dict[str, int] = {}  # optimizer name -> statement creating it
        self.optimizer_calls: dict[str, cst.Call] = {}
        # Every statement creating an optimizer: a name rebound to a new optimizer (a graph
        # built again after reset_default_graph) names the latest one in `optimizers`.
        self.optimizer_statements: dict[int, str] = {}
        self.inline_optimizers: dict[int, str] = {}  # unit index -> new optimizer name
        self.inits: set[str] = set()  # names of initializer ops
        self.init_ops: dict[str, list[tuple[int, cst.Call]]] = {}  # initializer name -> (statement, call) per binding
        self.resets: list[int] = []
        # Statements binding a graph name or variable to a plain Python value (`[[b]] = sess.run(b)`).
        self.python_bindings: dict[str, list[int]] = {}  # statements calling reset_default_graph(): a new graph after each
        self.schedules: dict[str, str] = {}  # schedule name -> the global step it read
        self.user_functions: dict[str, cst.FunctionDef] = {}
        self.session_params: dict[str, tuple[int, str]] = {}  # function -> (position, param)
        # TF1 names of variables (None: not known statically), for scoped variable lists.
        self.variable_names: dict[str, str | None] = {}
        # helper instance -> (attribute, trainable); None: its trainable_variables (they depend on its arguments)
        self.module_variables: dict[str, list[tuple[str, bool]] | None] = {}
        self.aliases: dict[str, str] = {}  # graph name bound to a returned variable -> `inst.attr`
        self.helper_instances: dict[int, str] = {}  # call of a variable helper at the graph's level -> its instance
        # A second variable bound to a name the graph still computes with the first (rebinding.py):
        # its new name -> the name it had.
        self.rebound: dict[str, str] = {}
        self.edits = Edits()
        self.notes: list[Note] = []
        self.generated: set[str] = set()

    # -- reports and names ----------------------------------------------------------------
    def report(self, node: cst.CSTNode, message: str, kind: NoteKind = "declined") -> None:
        self.notes.append(Note(node, message, kind))

    @functools.cached_property
    def taken(self) -> set[str]:
        """Every name the module mentions (only needed once something is generated)."""
        return set(names_read(self.module))

    def fresh(self, base: str) -> str:
        """A new name; names of graph objects the conversion removes may be reused."""
        freed = set(self.placeholders) | set(self.unit_by_name) | self.inits | self.sessions
        name = base
        n = 2
        while name in self.generated or (name in self.taken and name not in freed):
            name = f"{base}_{n}"
            n += 1
        self.generated.add(name)
        return name

    # -- queries ---------------------------------------------------------------------------
    def graph_names(self) -> set[str]:
        return set(self.placeholders) | set(self.unit_by_name)

    def session_names(self) -> set[str]:
        """Sessions, and the parameters of user functions that receive one."""
        return self.sessions | {p for _, p in self.session_params.values()}

    def add_placeholder(self, placeholder: Placeholder) -> None:
        self.placeholders[placeholder.name] = placeholder
        self.placeholder_bindings.setdefault(placeholder.name, []).append(placeholder)

    def placeholder(self, name: str, before: int) -> Placeholder | None:
        """The placeholder ``name`` is bound to before statement ``before`` (or by it: a
        name-scope block binds placeholders with the tensors that read them)."""
        return next((p for p in reversed(self.placeholder_bindings.get(name, [])) if p.index <= before), None)

    def python_value(self, name: str, before: int) -> bool:
        """``name`` holds a plain Python value at statement ``before``: its latest binding
        before it is a Python assignment (``[[b]] = sess.run(b)``), not a graph object."""
        python = [i for i in self.python_bindings.get(name, []) if i < before]
        if not python:
            return False
        graph = [u.index for u in self.units if name in u.defines and u.index < before]
        graph += [v.statement for v in self.variables if v.name == name and v.statement < before]
        graph += [p.index for p in self.placeholder_bindings.get(name, []) if p.index < before]
        return max(python) > max(graph, default=-1)

    def definition(self, name: str, before: int) -> Unit | None:
        """The unit whose definition of ``name`` is the latest before statement ``before``."""
        return next((u for u in reversed(self.units) if u.index < before and name in u.defines), None)

    def generation(self, index: int) -> int:
        """Which graph statement ``index`` builds: ``reset_default_graph()`` starts a new one."""
        return sum(1 for reset in self.resets if reset < index)

    def global_step(self) -> str | None:
        return next((v.name for v in self.variables if v.kind == "global_step"), None)

    def is_variable(self, expr: cst.BaseExpression) -> bool:
        names = {v.name for v in self.variables}
        if isinstance(expr, cst.Name):
            return expr.value in names or expr.value in self.aliases
        if isinstance(expr, cst.Call) and not expr.args and self.sym(expr.func) in GLOBAL_STEP_CALLS:
            return self.global_step() is not None
        if isinstance(expr, cst.Subscript) and isinstance(expr.value, cst.Name):
            return expr.value.value in names
        return False

    def variable_code(self, expr: cst.BaseExpression) -> str:
        """How converted code names a variable: ``inst.attr`` for a helper's returned
        variable, the global step's name for ``tf.train.get_global_step()``."""
        if isinstance(expr, cst.Name) and expr.value in self.aliases:
            return self.aliases[expr.value]
        if isinstance(expr, cst.Call) and self.sym(expr.func) in GLOBAL_STEP_CALLS:
            step = self.global_step()
            assert step is not None, "is_variable() held"
            return step
        return self.code(expr)

    def is_init(self, expr: cst.BaseExpression) -> bool:
        """Initializer ops (or a list of them): eager variables are initialised when created."""
        if isinstance(expr, (cst.List, cst.Tuple)):
            return bool(expr.elements) and all(self.is_init(e.value) for e in expr.elements)
        if isinstance(expr, cst.Name):
            return expr.value in self.inits
        if isinstance(expr, cst.Attribute) and expr.attr.value == "initializer":
            return self.is_variable(expr.value)
        if isinstance(expr, cst.Call) and self.sym(expr.func) == "group":
            # `tf.group(tf.global_variables_initializer(), tf.local_variables_initializer())`
            return bool(expr.args) and all(a.keyword is None and not a.star and self.is_init(a.value) for a in expr.args)
        return isinstance(expr, cst.Call) and self.sym(expr.func) in INITIALIZERS

    def _unit_at(self, name: str, before: int | None) -> Unit | None:
        """The unit defining ``name`` as statement ``before`` reads it (None: the latest)."""
        if before is None:
            return self.unit_by_name.get(name)
        return self.definition(name, before) or self.unit_by_name.get(name)

    def is_op(self, expr: cst.BaseExpression, before: int | None = None) -> bool:
        """A fetched training op or initializer: run for its effect, no value (as
        statement ``before`` reads the name: `step` may be bound again to another op)."""
        if not isinstance(expr, cst.Name):
            return False
        unit = self._unit_at(expr.value, before)
        return expr.value in self.inits or (unit is not None and unit.kind in ("train", "apply"))

    def gives_no_value(self, expr: cst.BaseExpression, before: int | None = None) -> bool:
        """A fetch run for its effect only: a training op, an initializer, or an
        Operation the graph named (``step = tf.group(v.assign(x))``)."""
        if self.is_op(expr, before):
            return True
        if not isinstance(expr, cst.Name):
            return False
        unit = self._unit_at(expr.value, before)
        assignment = single_assignment(unit.node) if unit is not None and unit.kind == "tensor" else None
        return (
            assignment is not None and assignment[0] == [expr.value] and isinstance(assignment[1], cst.Call)
            and self.sym(assignment[1].func) in OPERATIONS
        )

    def runs_graph(self, call: cst.Call) -> bool:
        """``sess.run(...)``, ``t.eval(...)`` or ``op.run(...)``."""
        func = call.func
        if not isinstance(func, cst.Attribute) or func.attr.value not in ("run", "eval"):
            return False
        receiver = func.value
        return isinstance(receiver, cst.Name) and (
            receiver.value in self.sessions or receiver.value in self.graph_names() or self.is_variable(receiver)
        )

    def trainable_list(self, before: int) -> str:
        """The code of the list of trainable variables created before statement ``before``."""
        parts: list[str] = []
        for index, name, kind in self.graph_variables(before):
            if not self.trainable.get(name, True):
                continue
            if kind == "module":
                listed = self.module_variables[name]
                if listed is None:  # which variables it made depends on its arguments
                    parts.append(f"*{name}.trainable_variables")
                else:
                    parts.extend(f"{name}.{attr}" for attr, trainable in listed if trainable)
                continue
            parts.append({
                "var": name, "dict": f"*{name}.values()", "list": f"*{name}", "layer": f"*{name}.trainable_variables",
            }.get(kind, name))
        if not parts:
            reason = "no trainable variables are created before this training op"
            imported = self._imported_graph_functions(before)
            if imported:
                reason += f" (the graph calls {imported}, imported: {READ_ALONE})"
            raise CannotConvert(self.body[min(before, len(self.body) - 1)], reason)
        return "[" + ", ".join(parts) + "]"

    def variable_factory(self, name: str) -> cst.Call | None:
        """The ``tf.Variable(...)`` call of a user function that returns one new variable
        (``return tf.Variable(...)``, or ``v = tf.Variable(...)`` + ``return v``, after plain
        assignments computing its initial value): each call creates one variable."""
        fn = self.user_functions.get(name) or self.module_function(name)
        if fn is None:
            return None
        return returned_variable(fn, lambda call: self.sym(call.func) == "Variable")

    def creates_variables(self, name: str, seen: frozenset[str] = frozenset()) -> bool:
        """The user function ``name`` creates variables, itself or through the functions it calls."""
        fn = self.user_functions.get(name) or self.module_function(name)
        if fn is None or name in seen:
            return False
        for call in calls_in(fn):
            symbol = self.sym(call.func) or ""
            if symbol in ("Variable", "get_variable") or symbol.startswith("layers."):
                return True
            if isinstance(call.func, cst.Name) and self.creates_variables(call.func.value, seen | {name}):
                return True
        return False

    def _imported_graph_functions(self, before: int) -> str:
        """``fc_layer`` (from ``ops``) for a graph built by functions of another module of
        the program, which may create its variables: named for the report."""
        imported: dict[str, str] = {}  # name -> the module it comes from ("*": a star import)
        modules: dict[str, str] = {}  # name bound to a module of the program -> that module
        for stmt in self.module.body:
            small = stmt.body[0] if isinstance(stmt, cst.SimpleStatementLine) else None
            if isinstance(small, cst.Import):
                for alias in small.names:
                    module = self.code(alias.name)
                    bound = alias.asname.name if alias.asname is not None else alias.name
                    if isinstance(bound, cst.Name) and module.split(".")[0] not in _NOT_THE_PROGRAMS:
                        modules[bound.value] = module
            if not isinstance(small, cst.ImportFrom):
                continue
            module = "." * len(small.relative) + (self.code(small.module) if small.module is not None else "")
            if module.split(".")[0] in _NOT_THE_PROGRAMS:
                continue
            if isinstance(small.names, cst.ImportStar):
                imported["*"] = module
                continue
            for alias in small.names:
                bound = alias.asname.name if alias.asname is not None else alias.name
                if isinstance(bound, cst.Name):
                    imported[bound.value] = module
        # The graph's calls, and those of the module's own functions it calls (a model
        # function `residual_network(x)` calling `conv2d` from `libs.connections`).
        calls = [c for unit in self.units if unit.index < before for c in calls_in(unit.node)]
        seen: set[str] = set()
        for call in calls:
            if not isinstance(call.func, cst.Name) or call.func.value in seen:
                continue
            name = call.func.value
            fn = self.user_functions.get(name) or self.module_function(name)
            if fn is not None:
                seen.add(name)
                calls.extend(calls_in(fn))
        called = [c.func.value for c in calls if isinstance(c.func, cst.Name) and c.func.value in imported]
        if called:
            return f"`{called[0]}` from `{imported[called[0]]}`"
        through = [
            c.func for c in calls
            if isinstance(c.func, cst.Attribute) and isinstance(c.func.value, cst.Name) and c.func.value.value in modules
        ]
        if through:
            return f"`{self.code(through[0])}` of module `{modules[self.code(through[0].value)]}`"
        return f"functions from `{imported['*']}` (a star import)" if "*" in imported else ""
    def graph_variables(self, before: int) -> list[Variable]:
        """The variables of the graph statement ``before`` builds, created before it. A
        variable whose name a later one of the same graph took is unreachable: refused
        when the graph computes with it, else left out (TF1 gave it no gradient)."""
        generation = self.generation(before)
        mine = [v for v in self.variables if v.statement < before and self.generation(v.statement) == generation]
        latest = {v.name: v for v in mine}
        for variable in mine:
            if latest[variable.name] is variable:
                continue
            later = latest[variable.name].statement
            if any(variable.statement < u.index < later and variable.name in u.reads for u in self.units):
                raise CannotConvert(self.body[later], (
                    f"`{variable.name}` names a second variable of the same graph while the graph still "
                    "computes with the first"
                ))
        return [v for v in mine if latest[v.name] is v]

    def module_function(self, name: str) -> cst.FunctionDef | None:
        """A module-level function called from the graph built in ``main()``."""
        if self.owner is None:
            return None
        return next((s for s in self.module.body if isinstance(s, cst.FunctionDef) and s.name.value == name), None)

