"""G101 feature: graph-building helpers that create raw ``tf.Variable``s at every call.

In TF1, ``h1 = neuron_layer(X, 300, "hidden1")`` creates the helper's variables once,
while the graph is built; called inside a ``tf.function`` the same helper would create
new variables at every trace. Such a helper becomes a ``tf.Module`` class whose
``__call__`` is the helper's body, with the statements that create its variables (and
those that only compute their initial values) moved under ``if not self.built:`` and
``tf.init_scope()``: each call site gets its own instance, created where the graph was
built, and the variables are created once, eagerly, on the instance's first call —
shapes may depend on the input tensor, as in the TF1 helper, and the calls of one
generated function create them in program order. ``self.W`` etc. keep the variables.

A variable may also come from a variable factory (``W = weight_variable(shape)``, a
function returning one new variable, ``Graph.variable_factory``; G102 has already made
``tf.get_variable`` wrappers create tf.Variables): the call moves under the guard like
``tf.Variable(...)`` would, and the factory runs eagerly there.

A variable made under ``if bias:`` (a test of a parameter) is made under the same test on
the first call; statements between the creations stay in place. A model function calling
helpers in loops or try blocks takes their instances from a list, in call order, made at
the first call; its variables are then known only as ``trainable_variables`` (``dynamic``).

Anything this cannot prove (a variable created in a loop, under another condition or in a
nested function, a variable read before all are created) raises ``CannotConvert``.

About 750 lines, one feature: finding the helpers and factories, moving their creations
under the guard and rewriting their call sites share the ``VariableHelper`` records; split, each
half would need the other's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

import libcst as cst

from codemods.analysis.graph import argument, assign_targets, assigned_names, calls_in, names_read, single_assignment
from codemods.analysis.names import FastVisitor
from codemods.graph.g101_session_to_function.analysis import statements_in
from codemods.graph.g101_session_to_function.feature import Feature
from codemods.graph.g101_session_to_function.model import INITIALIZERS as VARIABLE_INITIALIZERS
from codemods.graph.g101_session_to_function.model import CannotConvert, Function, Graph, Unit, Variable

# TF1 ops whose value depends on the op seed: their creation order matters to verify.
RANDOM_OPS = ("random_normal", "truncated_normal", "random_uniform", "random.", "random_gamma", "random_poisson",
              "random_shuffle", "random_crop", "multinomial", "initializers.", "glorot_", "he_", "lecun_",
              "orthogonal_initializer", "variance_scaling_initializer", "keras.initializers.")
ASSIGNS = ("assign", "assign_add", "assign_sub")
# Ops drawing a random mask each run (their op seed is taken when they are created, too).
DROPOUTS = ("nn.dropout", "layers.dropout", "contrib.layers.dropout")


@dataclass
class VariableHelper:
    """A helper function that creates ``tf.Variable``s, and the module class it becomes."""

    fn: cst.FunctionDef
    class_name: str
    variables: list[tuple[str, bool]]  # attribute names in creation order, trainable or not
    returned: dict[int, str] = field(default_factory=dict)  # returned tuple position -> variable
    random: bool = False  # its initial values draw random numbers
    class_def: cst.ClassDef | None = None
    # Calls of other helpers in its body (id -> the attribute holding their instance; "" for
    # a call in a loop, condition or try block: its instance is the next of a list, in call order).
    parts: dict[int, str] = field(default_factory=dict)
    # Which variables it has depends on its arguments (a variable made only when a test holds,
    # helpers called in loops): listed as the instance's trainable_variables.
    dynamic: bool = False


def is_random(symbol: str | None) -> bool:
    return bool(symbol) and any(symbol == r or (r.endswith(".") and symbol.startswith(r)) or symbol.startswith(r)
                                for r in RANDOM_OPS)


def camel(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in name.split("_") if part) or "Helper"


# tf.Module attributes a helper's own cannot take.
MODULE_ATTRIBUTES = {"name", "name_scope", "variables", "trainable_variables", "non_trainable_variables",
                     "submodules", "built", "with_name_scope"}


def analyse(
    fn: cst.FunctionDef, graph: Graph, class_name: str, helper_for: Callable[[str], VariableHelper | None],
) -> VariableHelper:
    """The module class for ``fn``, or ``CannotConvert``. Its variables are created by
    ``tf.Variable(...)`` or by calls of variable factories (``W = weight_variable(shape)``:
    a function returning one new variable, ``Graph.variable_factory``); calls of other
    helpers (``helper_for``: their analysis, or None for a function creating nothing)
    become instances of their classes, held by this one."""
    name = fn.name.value
    sym, tf = graph.sym, graph.tf

    def creates(call: cst.Call) -> bool:
        return sym(call.func) == "Variable" or (
            isinstance(call.func, cst.Name) and graph.variable_factory(call.func.value) is not None
        )

    for call in calls_in(fn):
        symbol = sym(call.func) or ""
        if symbol == "get_variable" or symbol.startswith("layers."):
            raise CannotConvert(call, f"`{name}` creates variables with `{graph.code(call.func)}`")
    parts = _parts(fn, graph, helper_for)
    if not any(creates(c) for c in calls_in(fn)):
        return _composite(fn, graph, class_name, parts, helper_for)
    repeated = next((c for c in calls_in(fn) if parts.get(id(c)) == ""), None)
    if repeated is not None:
        raise CannotConvert(repeated, (
            f"`{name}` calls `{graph.code(repeated.func)}`, which creates variables, in a loop, condition or nested "
            "block, and creates variables itself"
        ))
    if fn.decorators:
        raise CannotConvert(fn, f"`{name}` creates variables and is decorated")
    if any(p.name.value == "self" for p in fn.params.params):
        raise CannotConvert(fn, f"`{name}` creates variables and has a parameter named `self`")
    if fn.params.star_arg not in (cst.MaybeSentinel.DEFAULT, None) and not isinstance(fn.params.star_arg, cst.ParamStar):
        raise CannotConvert(fn, f"`{name}` creates variables and takes *args")
    # The block holding the variables: the body, or the body of one top-level `with`.
    outer = list(fn.body.body)
    holder: cst.With | None = None
    block = outer
    direct = [s for s in outer if isinstance(s, cst.SimpleStatementLine) and _creates_variable(s, creates)]
    if not direct:
        withs = [s for s in outer if isinstance(s, cst.With) and _creates_variable(s, creates)]
        if len(withs) != 1:
            raise CannotConvert(fn, f"`{name}` creates variables in a loop, condition or nested block")
        holder = withs[0]
        block = list(holder.body.body)
    var_positions: list[int] = []
    variables: list[tuple[str, bool]] = []
    # `if bias:` blocks creating variables: position -> the indices of their creating statements.
    conditional: dict[int, list[int]] = {}
    for position, stmt in enumerate(block):
        if not _creates_variable(stmt, creates):
            continue
        creations = [stmt]
        if isinstance(stmt, cst.If):
            conditional[position] = _conditional_creations(stmt, fn, graph, creates)
            creations = [stmt.body.body[i] for i in conditional[position]]
        for creation in creations:
            assignment = single_assignment(creation)
            value = assignment[1] if assignment else None
            if not (assignment and len(assignment[0]) == 1 and isinstance(value, cst.Call) and creates(value)
                    and isinstance(creation.body[0].targets[0].target, cst.Name)):
                raise CannotConvert(creation, f"`{name}` creates a variable other than by `name = tf.Variable(...)`")
            if sym(value.func) != "Variable":
                value = graph.variable_factory(value.func.value)
            flag = argument(value, 1, "trainable")
            variables.append((assignment[0][0], not (isinstance(flag, cst.Name) and flag.value == "False")))
        var_positions.append(position)
    var_names = {v for v, _ in variables}
    if len(var_names) != len(variables):
        raise CannotConvert(fn, f"`{name}` assigns one variable name twice")
    if var_names & MODULE_ATTRIBUTES:
        raise CannotConvert(fn, f"`{name}` names a variable `{sorted(var_names & MODULE_ATTRIBUTES)[0]}`, a tf.Module attribute")
    # Everything else that creates variables is out of reach.
    counted = sum(1 for c in calls_in(fn) if creates(c))
    if counted != len(variables):
        raise CannotConvert(fn, f"`{name}` creates variables in a loop, condition or nested block")
    last = var_positions[-1]
    calling = {position for position, stmt in enumerate(block) if any(id(c) in parts for c in calls_in(stmt))}
    if parts and (holder is not None or any(position < last for position in calling)):
        # Its own variables are created together, before the body runs on: calls of other
        # helpers must come after them, as in TF1's order.
        raise CannotConvert(fn, f"`{name}` calls other variable helpers before it has created its own variables")
    split = _Split(block, conditional)
    # Statements before the last variable whose names only the moved statements read
    # compute initial values: they move with the variables (their random ops run once).
    moved = set(var_positions)
    changed = True
    while changed:
        changed = False
        for position in range(last - 1, -1, -1):
            if position in moved or position in calling:
                continue
            assignment = single_assignment(block[position])
            if assignment is None:
                continue
            defined = set(assignment[0])
            read_by_moved = any(i != position and split.moved_reads(i, moved) & defined for i in range(len(block)))
            read_by_kept = any(i != position and split.kept_reads(i, moved) & defined for i in range(len(block)))
            if holder is not None and (
                names_read(holder.items[0]) & defined
                or any(s is not holder and names_read(s) & defined for s in outer)
            ):
                read_by_kept = True  # read outside the block: stays
            if read_by_moved and not read_by_kept:
                moved.add(position)
                changed = True
    # The statements creating the variables run together, on the first call, at the first
    # place where all they read is known; the statements between them stay where they were.
    first = min(moved)
    guard_at = first
    for position in range(first, last + 1):
        later = set().union(*(split.moved_reads(i, moved) for i in moved if i > position))
        if split.kept_binds(position, moved) & later:
            guard_at = position + 1
    moved_names = set().union(*(split.moved_binds(i, moved) for i in moved))
    for position in range(guard_at):
        if split.kept_reads(position, moved) & moved_names:
            raise CannotConvert(block[position], f"`{name}` uses its variables before it has created all of them")
    for position in range(first, last + 1):
        kept = split.kept(position, moved)
        if kept is not None and any(draws_random(graph, c) or graph.sym(c.func) in DROPOUTS for c in calls_in(kept)):
            raise CannotConvert(kept, (
                f"`{name}` draws random numbers between the creations of its variables: created together on "
                "the first call, their initial values would be drawn in another order"
            ))
    random = any(draws_random(graph, c) for i in moved for c in calls_in(split.moved(i, moved))) or any(
        part.random for part in _part_helpers(fn, parts, helper_for))
    # The returned tuple: which positions are the helper's variables.
    returns = [s for s in outer if _is_return(s)] + (
        [s for s in block if _is_return(s)] if holder is not None else []
    )
    returned: dict[int, str] = {}
    if len(returns) == 1:
        value = returns[0].body[0].value
        if isinstance(value, cst.Tuple):
            for i, element in enumerate(value.elements):
                if isinstance(element.value, cst.Name) and element.value.value in var_names:
                    returned[i] = element.value.value
    helper = VariableHelper(fn, class_name, variables + _part_variables(fn, parts, helper_for), returned, random)
    helper.parts = parts
    helper.dynamic = bool(conditional) or any(part.dynamic for part in _part_helpers(fn, parts, helper_for))
    helper.class_def = _class_def(helper, block, holder, moved, last, tf, sym, variables, helper_for, split, guard_at)
    return helper


class _Split:
    """A helper's block cut into what moves under the first-call guard (the statements
    creating variables and computing their initial values) and what stays: an `if` that
    creates variables moves those statements only (under the same test); the rest of it stays."""

    def __init__(self, block: list, conditional: dict[int, list[int]]) -> None:
        self.block = block
        self.conditional = conditional

    def moved(self, position: int, moved: set[int]) -> cst.CSTNode | None:
        """The part of statement ``position`` that moves (None: nothing)."""
        stmt = self.block[position]
        if position not in moved:
            return None
        if position not in self.conditional:
            return stmt
        inner = self.conditional[position]
        return stmt.with_changes(body=stmt.body.with_changes(body=[stmt.body.body[i] for i in inner]))

    def kept(self, position: int, moved: set[int]) -> cst.CSTNode | None:
        """The part of statement ``position`` that stays where it was (None: nothing)."""
        stmt = self.block[position]
        if position not in moved:
            return stmt
        if position not in self.conditional:
            return None
        inner = set(self.conditional[position])
        rest = [s for i, s in enumerate(stmt.body.body) if i not in inner]
        return stmt.with_changes(body=stmt.body.with_changes(body=rest)) if rest else None

    def moved_reads(self, position: int, moved: set[int]) -> set[str]:
        part = self.moved(position, moved)
        return names_read(part) if part is not None else set()

    def kept_reads(self, position: int, moved: set[int]) -> set[str]:
        part = self.kept(position, moved)
        if part is None:
            return set()
        if isinstance(part, cst.If) and position in moved:
            return names_read(part.body)  # its test is read by the moved part too, before
        return names_read(part)

    def moved_binds(self, position: int, moved: set[int]) -> set[str]:
        part = self.moved(position, moved)
        return _bound(part) if part is not None else set()

    def kept_binds(self, position: int, moved: set[int]) -> set[str]:
        part = self.kept(position, moved)
        return _bound(part) if part is not None else set()


def _bound(node: cst.CSTNode) -> set[str]:
    return {name for target in assign_targets(node) for name in assigned_names(target)}


def _conditional_creations(stmt: cst.If, fn: cst.FunctionDef, graph: Graph, creates: Callable[[cst.Call], bool]) -> list[int]:
    """The statements of ``if flag:`` that create variables, when the test reads only the
    helper's parameters (never rebound in it) and calls nothing: the same at every call of one
    instance (the call site passes the same flag), so its variables can be created on the first."""
    name = fn.name.value
    test = graph.code(stmt.test)
    if stmt.orelse is not None or not isinstance(stmt.body, cst.IndentedBlock) or not all(
        isinstance(s, cst.SimpleStatementLine) for s in stmt.body.body
    ):
        raise CannotConvert(stmt, f"`{name}` creates a variable in `if {test}:` with an else branch or a nested block")
    params = {p.name.value for p in [*fn.params.params, *fn.params.kwonly_params, *fn.params.posonly_params]}
    rebound = _bound(fn.body)
    if calls_in(stmt.test) or not names_read(stmt.test) <= params - rebound:
        raise CannotConvert(stmt, (
            f"`{name}` creates a variable under `if {test}:`, a test of something other than its parameters: "
            "it might not be the same at every call"
        ))
    inner = [i for i, s in enumerate(stmt.body.body) if _creates_variable(s, creates)]
    before = set().union(*(_bound(s) for s in stmt.body.body[: inner[-1]] if not _creates_variable(s, creates)))
    for i in inner:
        if names_read(stmt.body.body[i]) & before:
            raise CannotConvert(stmt.body.body[i], (
                f"`{name}` creates a variable under `if {test}:` from a value computed there: it could not be "
                "created on the first call"
            ))
    return inner

def _parts(fn: cst.FunctionDef, graph: Graph, helper_for) -> dict[int, str]:
    """The calls of other variable helpers in ``fn`` (id -> attribute for their instance):
    each runs once per call of ``fn`` (not in a loop, condition, comprehension or lambda)."""
    straight: set[int] = set()
    found: list[tuple[cst.Call, list[str]]] = []
    for stmt in straight_statements(fn.body.body):
        repeated = {id(c) for node in repeating_nodes(stmt) for c in calls_in(node)}
        assignment = single_assignment(stmt)
        for call in calls_in(stmt):
            if id(call) not in repeated:
                straight.add(id(call))
                found.append((call, assignment[0] if assignment and assignment[1] is call else []))
    taken = set(MODULE_ATTRIBUTES) | {n for s in statements_in(fn) for n in (single_assignment(s) or ([], None))[0]}
    parts: dict[int, str] = {}
    for call in calls_in(fn):
        callee = call.func.value if isinstance(call.func, cst.Name) else None
        if callee is None or callee == fn.name.value or helper_for(callee) is None:
            continue
        if id(call) not in straight:
            if any(id(call) == id(c) for node in _lambdas(fn) for c in calls_in(node)):
                raise CannotConvert(call, f"`{fn.name.value}` calls `{callee}`, which creates variables, in a lambda")
            parts[id(call)] = ""
            continue
        names = next(n for c, n in found if c is call)
        attr, n = instance_base(names, callee), 2
        base = attr
        while attr in taken:
            attr, n = f"{base}_{n}", n + 1
        taken.add(attr)
        parts[id(call)] = attr
    return parts


def straight_statements(block) -> list[cst.SimpleStatementLine]:
    """The statements of a body that run once per call: its own and those of its `with` blocks."""
    found: list[cst.SimpleStatementLine] = []
    for stmt in block:
        if isinstance(stmt, cst.SimpleStatementLine):
            found.append(stmt)
        elif isinstance(stmt, cst.With):
            found.extend(straight_statements(stmt.body.body))
    return found


def _part_helpers(fn: cst.FunctionDef, parts: dict[int, str], helper_for) -> list[VariableHelper]:
    return [helper_for(c.func.value) for c in calls_in(fn) if id(c) in parts]


def _part_variables(fn: cst.FunctionDef, parts: dict[int, str], helper_for) -> list[tuple[str, bool]]:
    """The variables of the helpers ``fn`` calls, as paths from its instance (``hidden_layer.W``)."""
    return [
        (f"{parts[id(c)]}.{path}", trainable)
        for c in calls_in(fn) if parts.get(id(c))
        for path, trainable in helper_for(c.func.value).variables
    ]


def _composite(fn: cst.FunctionDef, graph: Graph, class_name: str, parts: dict[int, str], helper_for) -> VariableHelper:
    """A function whose variables all come from the helpers it calls (a model function)."""
    if not parts:
        raise CannotConvert(fn, f"`{fn.name.value}` creates variables this rule cannot follow")
    if fn.decorators:
        raise CannotConvert(fn, f"`{fn.name.value}` creates variables and is decorated")
    if any(p.name.value == "self" for p in fn.params.params):
        raise CannotConvert(fn, f"`{fn.name.value}` creates variables and has a parameter named `self`")
    random = any(part.random for part in _part_helpers(fn, parts, helper_for))
    helper = VariableHelper(fn, class_name, _part_variables(fn, parts, helper_for), {}, random)
    helper.parts = parts
    helper.dynamic = "" in parts.values() or any(part.dynamic for part in _part_helpers(fn, parts, helper_for))
    helper.class_def = _class_def(helper, list(fn.body.body), None, set(), -1, graph.tf, graph.sym, [], helper_for)
    return helper


def _creates_variable(stmt: cst.CSTNode, creates: Callable[[cst.Call], bool]) -> bool:
    return any(creates(c) for c in calls_in(stmt))


# Initializers drawing no random numbers.
CONSTANT_INITIALIZERS = ("Zeros", "Ones", "Constant", "Identity", "zeros_initializer", "ones_initializer",
                         "constant_initializer", "zeros", "ones", "constant", "identity_initializer", "identity")


def draws_initializer(graph: Graph, call: cst.Call) -> bool:
    """A random initializer drawn (TF1's, Keras', get_variable's default glorot), directly
    or by a variable factory."""
    symbol = graph.sym(call.func) or ""
    if symbol == "get_variable" or (
        (symbol.startswith(("keras.initializers.", "initializers.")) or symbol.endswith("_initializer"))
        and not symbol.endswith(CONSTANT_INITIALIZERS) and symbol not in VARIABLE_INITIALIZERS
    ):
        return True
    return any(draws_initializer(graph, c) for c in _factory_calls(graph, call))


def _factory_calls(graph: Graph, call: cst.Call) -> list[cst.Call]:
    """The calls in the body of the variable factory ``call`` calls (none for other calls)."""
    if not isinstance(call.func, cst.Name) or graph.variable_factory(call.func.value) is None:
        return []
    factory = graph.user_functions.get(call.func.value) or graph.module_function(call.func.value)
    return calls_in(factory) if factory is not None else []


def _check_initializer_order(graph: Graph) -> None:
    """G102's layers draw their initial weights from Keras initializers when first called,
    inside a generated function; an initializer drawn after them at the graph's level
    (a variable factory, run eagerly where it stands, or a variable created beside them
    in a name scope, which stays where the block was) would come first."""
    layers = {v.name for v in graph.variables if v.kind == "layer"}

    def calls_layer(node: cst.CSTNode) -> bool:
        return any(isinstance(c.func, cst.Name) and c.func.value in layers for c in calls_in(node))

    first = min((u.index for u in graph.units if calls_layer(u.node)), default=None)
    if first is None:
        return
    units = {u.index for u in graph.units}
    for index, stmt in enumerate(graph.body):
        if isinstance(stmt, cst.With) and index in units and index >= first:
            lines = [s for s in statements_in(stmt) if isinstance(s, cst.SimpleStatementLine)]
            if index == first:
                lines = lines[next(i for i, line in enumerate(lines) if calls_layer(line)) + 1:]
        elif index <= first or index in units or isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
            continue
        else:
            lines = [stmt]
        for call in (c for line in lines for c in calls_in(line)):
            if draws_initializer(graph, call):
                raise CannotConvert(call, (
                    "an initial value drawn after a Keras layer's weights: the layer draws them on its first "
                    "call, so the order of initializer draws would change"
                ))


def draws_random(graph: Graph, call: cst.Call) -> bool:
    """A random op or initializer, or a call of a variable factory drawing one."""
    return is_random(graph.sym(call.func)) or any(is_random(graph.sym(c.func)) for c in _factory_calls(graph, call))


def _is_return(stmt) -> bool:
    return isinstance(stmt, cst.SimpleStatementLine) and isinstance(stmt.body[0], cst.Return)


def _class_def(helper: VariableHelper, block, holder, moved, last, tf, sym, own, helper_for,
               split: _Split | None = None, guard_at: int = 0) -> cst.ClassDef:
    """The ``tf.Module`` class: its own variables (``own``) created under ``if not
    self.built:`` on the first call (at ``guard_at`` in ``block``), the helpers it calls
    (``helper.parts``) made in ``__init__``."""
    fn = helper.fn
    mine = {v for v, _ in own}

    def on_self(stmt):
        assignment = single_assignment(stmt)
        if assignment and assignment[0][0] in mine:
            return stmt.with_changes(body=[stmt.body[0].with_changes(
                targets=[cst.AssignTarget(cst.parse_expression(f"self.{assignment[0][0]}"))])])
        return stmt

    optional: list[str] = []  # variables created only when a test holds
    if moved:
        assert split is not None
        creation = []
        for position in sorted(moved):
            # The first statement's comments go above the guard; the others' stay with them.
            comments = [] if position == min(moved) else [line for line in block[position].leading_lines if line.comment]
            stmt = split.moved(position, moved).with_changes(leading_lines=comments)
            if isinstance(stmt, cst.If):
                optional += [v for s in stmt.body.body for v in _bound(s) if v in mine]
                body = [on_self(s) for s in stmt.body.body]
                stmt = stmt.with_changes(body=stmt.body.with_changes(body=body))
            else:
                stmt = on_self(stmt)
            creation.append(stmt)
        names = [v for v, _ in own]
        bind = f"{', '.join(names)} = {', '.join('self.' + n for n in names)}\n"
        text = f"if not self.built:\n    with {tf}.init_scope():\n        pass\n    self.built = True\n{bind}"
        guard, binding = cst.parse_module(text).body
        inner = guard.body.body[0]
        inner = inner.with_changes(body=inner.body.with_changes(body=creation))
        guard = guard.with_changes(
            body=guard.body.with_changes(body=[inner, guard.body.body[1]]),
            leading_lines=block[min(moved)].leading_lines,
        )
        kept = [(i, split.kept(i, moved)) for i in range(last + 1)]
        new_block = (
            [s for i, s in kept if s is not None and i < guard_at] + [guard, binding]
            + [s for i, s in kept if s is not None and i >= guard_at] + block[last + 1:]
        )
    else:
        new_block = block
    if holder is None:
        body = new_block
    else:
        body = [holder.with_changes(body=holder.body.with_changes(body=new_block)) if s is holder else s
                for s in fn.body.body]
    if "" in helper.parts.values():
        # The calls in loops count from the first at each call.
        docstring = 1 if body and isinstance(body[0], cst.SimpleStatementLine) and isinstance(
            body[0].body[0], cst.Expr) and isinstance(body[0].body[0].value, cst.SimpleString) else 0
        body = [*body[:docstring], cst.parse_statement("self._calls = 0\n"), *body[docstring:]]
    params = fn.params.with_changes(params=[cst.Param(cst.Name("self")), *fn.params.params])
    call = fn.with_changes(
        name=cst.Name("__call__"), params=params, body=fn.body.with_changes(body=body), leading_lines=[],
    )
    classes = {id(c): helper_for(c.func.value).class_name for c in calls_in(fn) if id(c) in helper.parts}
    call = call.visit(_Assigns(sym, helper.parts, classes))
    if helper.parts:
        doc = f'"""`{fn.name.value}`, called once per instance; it holds an instance of each helper it calls."""'
    else:
        doc = f'"""`{fn.name.value}`, called once per instance; its variables are created on the first call."""'
    text = f"class {helper.class_name}({tf}.Module):\n    {doc}\n"
    if moved:
        text += "\n    built = False\n" + "".join(f"    {v} = None  # made only when its test holds\n" for v in optional)
    if helper.parts:
        made = "".join(f"        self.{attr} = {classes[key]}()\n" for key, attr in helper.parts.items() if attr)
        if "" in helper.parts.values():
            made += (
                "        # The helpers it calls in loops, conditions or try blocks: an instance per call, in call order.\n"
                "        self._repeated = []\n"
            )
        text += f"\n    def __init__(self):\n        super().__init__()\n{made}"
        if "" in helper.parts.values():
            text += _NEXT_INSTANCE
    skeleton = cst.parse_statement(text)
    call = call.with_changes(leading_lines=[cst.EmptyLine(indent=False)])
    return skeleton.with_changes(
        body=skeleton.body.with_changes(body=[*skeleton.body.body, call]), leading_lines=fn.leading_lines,
    )


_NEXT_INSTANCE = '''
    def _next_instance(self, make):
        """The instance for the next helper call made in a loop, condition or try block (made at its first call)."""
        if self._calls == len(self._repeated):
            self._repeated.append(make())
        instance = self._repeated[self._calls]
        self._calls += 1
        if type(instance) is not make:
            raise RuntimeError("the helpers are called in another order than at the first call")
        return instance
'''


class _Assigns(cst.CSTTransformer):
    """``tf.assign(v, x)`` -> ``v.assign(x)``: TF2 has the method only; the calls of
    other helpers (``parts``) -> their instances (``self.hidden_layer(x, ...)``)."""

    def __init__(self, sym, parts: dict[int, str], classes: dict[int, str]) -> None:
        self.sym = sym
        self.parts = parts
        self.classes = classes

    def leave_Call(self, original_node, updated_node):
        attr = self.parts.get(id(original_node))
        if attr is not None:
            func = f"self.{attr}" if attr else f"self._next_instance({self.classes[id(original_node)]})"
            return updated_node.with_changes(func=cst.parse_expression(func))
        symbol = self.sym(original_node.func)
        if symbol in ASSIGNS and len(updated_node.args) >= 2:
            ref, value = updated_node.args[0].value, updated_node.args[1].value
            return cst.Call(func=cst.Attribute(ref, cst.Name(symbol)), args=[cst.Arg(value)])
        return updated_node


class HelperCalls(cst.CSTTransformer):
    """``neuron_layer(X, ...)`` at a call site -> ``hidden1_layer(X, ...)``."""

    def __init__(self, instances: dict[int, str]) -> None:
        self.instances = instances

    def leave_Call(self, original_node, updated_node):
        instance = self.instances.get(id(original_node))
        if instance is not None:
            return updated_node.with_changes(func=cst.Name(instance))
        return updated_node


def _lambdas(node: cst.CSTNode) -> list[cst.Lambda]:
    """Lambdas: code in them may run later, elsewhere (in tf.map_fn, tf.cond)."""
    found: list[cst.Lambda] = []

    class _Collect(FastVisitor):
        def visit_Lambda(self, n: cst.Lambda) -> bool:
            found.append(n)
            return False

    node.visit(_Collect())
    return found


def repeating_nodes(node: cst.CSTNode) -> list[cst.CSTNode]:
    """Comprehensions and lambdas: code in them may run any number of times."""
    found: list[cst.CSTNode] = []

    class _Collect(FastVisitor):
        def on_visit(self, n: cst.CSTNode) -> bool:
            if isinstance(n, (cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp, cst.Lambda)):
                found.append(n)
                return False
            return True

    node.visit(_Collect())
    return found


def instance_base(names: list[str], helper: str) -> str:
    """``hidden1_layer`` for ``hidden1 = neuron_layer(...)``."""
    if names:
        return re.sub(r"^_+", "", names[0]) + "_layer" if names[0].strip("_") else f"{helper}_instance"
    return f"{helper}_instance"


class VariableHelpers(Feature):
    """Helpers creating ``tf.Variable``s at each call -> ``tf.Module`` classes, one
    instance per call site, created where the graph was built."""

    def __init__(self) -> None:
        self.helpers: dict[str, VariableHelper] = {}
        self.analysing: set[str] = set()  # helpers whose analysis is under way (a helper calling itself)

    def variable_function(self, graph: Graph, fn: cst.FunctionDef) -> bool:
        """Register ``fn`` as a helper that becomes a ``tf.Module`` class, or refuse."""
        name = fn.name.value
        if name in self.helpers:
            return True
        if name in self.analysing:
            raise CannotConvert(fn, f"`{name}` creates variables and calls itself")
        self.analysing.add(name)
        class_name = graph.fresh(camel(name))
        self.helpers[name] = analyse(fn, graph, class_name, lambda callee: self._helper_for(graph, callee))
        self.analysing.discard(name)
        # At its name: the node stays the tree's when a feature edited the body (summaries taken out).
        graph.report(fn.name, f"`{name}` creates variables at each call -> tf.Module class `{class_name}`, one instance per call", kind="converted")
        return True

    def _helper_for(self, graph: Graph, name: str) -> VariableHelper | None:
        """The helper ``name`` (analysed now if need be), or None: not a function that creates
        variables, or a variable factory (its calls are variables)."""
        fn = graph.user_functions.get(name) or graph.module_function(name)
        if fn is None or graph.variable_factory(name) is not None or not graph.creates_variables(name):
            return None
        self.variable_function(graph, fn)
        return self.helpers[name]

    def unit_added(self, graph: Graph, unit: Unit) -> None:
        """Each call of a variable helper in ``unit`` gets its instance, created where the graph was built."""
        for stmt in [unit.node] if isinstance(unit.node, cst.SimpleStatementLine) else statements_in(unit.node):
            if not isinstance(stmt, cst.SimpleStatementLine):
                continue
            repeated = {id(c) for node in repeating_nodes(stmt) for c in calls_in(node)}
            for call in calls_in(stmt):
                if not (isinstance(call.func, cst.Name) and call.func.value in self.helpers):
                    continue
                if id(call) in repeated:
                    raise CannotConvert(call, f"`{call.func.value}` creates variables and is called in a comprehension or lambda")
                helper = self.helpers[call.func.value]
                assignment = single_assignment(stmt)
                names = assignment[0] if assignment else []
                instance = graph.fresh(instance_base(names, call.func.value))
                graph.helper_instances[id(call)] = instance
                graph.edits.inserted.setdefault(unit.index, []).append(f"{instance} = {helper.class_name}()")
                graph.variables.append(Variable(unit.index, instance, "module"))
                graph.module_variables[instance] = None if helper.dynamic else helper.variables
                if assignment is not None and assignment[1] is call and helper.returned:
                    target = stmt.body[0].targets[0].target
                    if isinstance(target, (cst.Tuple, cst.List)):
                        for position, attr in helper.returned.items():
                            element = target.elements[position].value if position < len(target.elements) else None
                            if isinstance(element, cst.Name):
                                graph.aliases[element.value] = f"{instance}.{attr}"

    def check(self, graph: Graph) -> None:
        """Helpers are called only where the graph is built, and their random initial values
        are drawn in TF1's order: no other random initial value is drawn after theirs."""
        _check_initializer_order(graph)
        if not self.helpers:
            return
        inner = {key for helper in self.helpers.values() for key in helper.parts}
        for call in calls_in(graph.module):
            if isinstance(call.func, cst.Name) and call.func.value in self.helpers and id(call) not in graph.helper_instances and id(call) not in inner:
                raise CannotConvert(call, f"`{call.func.value}` creates variables and is called outside the graph's own statements")
        random_units = self._random_units(graph)
        if not random_units:
            return
        unit_indices = {u.index for u in graph.units}
        for index, stmt in enumerate(graph.body):
            if index <= random_units[0] or index in unit_indices or isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
                continue
            for call in calls_in(stmt):
                if draws_random(graph, call):
                    raise CannotConvert(call, (
                        "a random initial value drawn after a helper's variables: the helper's are drawn on "
                        "its first call, so the order of random draws would change"
                    ))

    def _random_units(self, graph: Graph) -> list[int]:
        found = []
        for unit in graph.units:
            for call in calls_in(unit.node):
                if id(call) in graph.helper_instances and self.helpers[call.func.value].random:
                    found.append(unit.index)
                    break
        return sorted(found)

    def check_plan(self, graph: Graph, functions: list[Function]) -> None:
        """Whichever generated function runs first creates helper variables: each function
        must call the random-initialised helpers in a prefix of their program order."""
        order = self._random_units(graph)
        if not order:
            return
        for fn in functions:
            used = sorted(u.index for u in fn.units if u.index in order)
            if used != order[: len(used)]:
                raise CannotConvert(fn.units[0].node if fn.units else graph.module, (
                    f"`{fn.name}` would create helper variables out of their program order"
                ))

    def replace_statement(self, graph: Graph, stmt: cst.BaseStatement) -> cst.BaseStatement | None:
        helper = next((h for h in self.helpers.values() if h.fn is stmt), None)
        return None if helper is None else helper.class_def

    def unit_code(self, graph: Graph, unit: Unit, node: cst.CSTNode) -> cst.CSTNode:
        if any(id(call) in graph.helper_instances for call in calls_in(unit.node)):
            return node.visit(HelperCalls(graph.helper_instances))
        return node

    def finish_module(self, graph: Graph, module: cst.Module) -> cst.Module:
        """Module-level helpers of a graph built in ``main()`` become their classes in place."""
        classes = {h.fn.name.value: h.class_def for h in self.helpers.values()}
        body = [
            classes[s.name.value] if isinstance(s, cst.FunctionDef) and s.name.value in classes else s for s in module.body
        ]
        return module.with_changes(body=body)
