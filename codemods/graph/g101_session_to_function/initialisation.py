"""Stage 3b, initialisation: what each initializer run does to the eager variables.

TF1 variables hold nothing until an initializer runs, and each later run of an
initializer (the same session again, a new session, a loop) sets them back to their
initial value; eager variables get theirs when created. So the first run covering a
variable is its creation and disappears, and a later one becomes assignments of the
initial value (``Initialisation.assignments``).

TF 1.15 evaluates the initial value's op again: a random initial value gives the next
draw of that op's sequence within one session, and a new session starts every sequence
over. A random initial value set back within its session is therefore held by a
``@tf.function`` (one op, traced once): the variable is created from its first call and
set back by the next ones, the same draws as TF1. When its first initialisation is itself
a run that runs again (in a loop, in a function called again), the function is traced at
the creation (its op seed) and the variable created with zeros of its output's shape and
dtype, unread before that run (TF1's was uninitialised): every run draws. One only set back at the start of new
sessions gets its first draw again: the value it was created with, kept right after its
creation (``initial_w = tf.identity(w)``). A deterministic initial value is evaluated
again (its code when it reads nothing but ``tf``, else the same kind of function, which
captures what it read when the graph was built, as TF1's graph did).

``plan_initialisation`` follows the program's events in order, each loop body twice
(the second round sees what the first left). A reset is *live* when the program runs
something before a restore sets the state again. It declines (``CannotConvert``) what
eager code cannot reproduce: a random initial value drawn again both within its session
and in a new one, after a draw the converted code skipped, optimizer slots TF1 resets and Keras keeps,
variables not created by a ``tf.Variable`` statement, an initializer whose variables
cannot be read.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

import libcst as cst

from codemods.analysis.graph import argument, calls_in, names_read, single_assignment, standalone_calls
from codemods.graph.g101_session_to_function.model import (
    CannotConvert,
    Event,
    Graph,
    Initialisation,
    InitialValue,
    Site,
    Sites,
    Unit,
    Variable,
)

# Initializers covering every variable of their graph created before them.
GLOBAL_INITIALIZERS = {"global_variables_initializer", "initialize_all_variables"}
LIST_INITIALIZERS = {"variables_initializer", "initialize_variables"}
# Optimizers with no state an initializer resets (Keras' step count only feeds schedules).
STATELESS_OPTIMIZERS = {"train.GradientDescentOptimizer"}
ASSIGNS = ("assign", "assign_add", "assign_sub")


def is_random(symbol: str | None) -> bool:
    """A TF op drawing from a random sequence (seeded per op, started over per session)."""
    if not symbol:
        return False
    if "initializer" in symbol:  # initializer objects called for values: all but the constant ones draw
        return not re.search(r"zeros|ones|constant|identity", symbol)
    return bool(re.search(r"random|truncated_normal|multinomial|categorical|dropout", symbol))


class _Optimizer(NamedTuple):
    """An optimizer whose slots an initializer covers: its name and creating statement."""

    name: str
    statement: int


_Key = Variable | _Optimizer


class _Cover(NamedTuple):
    variables: list[Variable]
    optimizers: dict[_Optimizer, Unit]  # each with its first training op
    certain: bool  # False: a variable list this stage cannot read (all variables assumed)


@dataclass
class _Reset:
    """One run of an initializer setting one variable (or optimizer) back."""

    site: Site
    key: _Key
    needed: bool  # the state differs from the initial value (changed, or a new random draw)
    new_session: bool  # the first initialisation of a session after one in another


@dataclass
class _Walk:
    """The state of one pass over the events."""

    session: int = 0
    initialised: dict[_Key, int] = field(default_factory=dict)  # -> session of its latest initialisation
    changed: set[_Key] = field(default_factory=set)  # changed by a run since its latest initialisation
    pending: list[_Reset] = field(default_factory=list)  # resets nothing has used or restored yet
    live: list[_Reset] = field(default_factory=list)
    # Random initial values whose function's next draw is not TF1's next one, and why.
    out_of_step: dict[Variable, str] = field(default_factory=dict)


def plan_initialisation(graph: Graph, sites: Sites, assignable: bool = True) -> Initialisation:
    """What each initializer run becomes; ``assignable``: the layout can write assignments
    and initial-value functions (the module's or ``main()``'s level)."""
    planner = _Planner(graph, sites)
    needed = planner.needed()
    if needed and not assignable:
        first = next(iter(needed.values()))[0]
        raise CannotConvert(first.site.call, "variables of a model class initialised again")
    return planner.initialisation(needed)


class _Planner:
    def __init__(self, graph: Graph, sites: Sites) -> None:
        self.g = graph
        self.sites = sites
        self.covers: dict[int, _Cover] = {}
        self.slices: dict[int, list[Unit]] = {}
        self.values: dict[Variable, InitialValue | None] = {}
        self.first_draw: set[Variable] = set()
        self.undrawn: set[Variable] = set()
        self.standalone = standalone_calls(graph.body)

    # -- the two passes -------------------------------------------------------------------
    def needed(self) -> dict[int, list[_Reset]]:
        """The live resets that change something, by initializer run (first pass), checked
        against what the emitted assignments draw (second pass)."""
        walk = _Walk()
        for event in _rounds(self.sites.events, self.sites.functions):
            self._step(walk, event, None)
        # Resets still pending at the end: nothing runs after them, nothing can tell.
        by_site: dict[int, list[_Reset]] = {}
        for reset in walk.live:
            if reset.needed and isinstance(reset.key, Variable):
                entries = by_site.setdefault(id(reset.site.call), [])
                if all(r.key != reset.key for r in entries):
                    entries.append(reset)
            elif reset.needed:
                self._optimizer_reset(reset)
        self._first_draws(walk.live)
        emitted = {(call, r.key) for call, resets in by_site.items() for r in resets}
        check = _Walk()
        for event in _rounds(self.sites.events, self.sites.functions):
            self._step(check, event, emitted)
        return by_site

    def _first_draws(self, live: list[_Reset]) -> None:
        """Random initial values only drawn again as the first initialisation of a new
        session: TF1 started the op's sequence over, its first draw again each time, the
        value the eager variable was created with (kept in ``first_draw``)."""
        kinds: dict[Variable, set[bool]] = {}
        for reset in live:
            if reset.needed and isinstance(reset.key, Variable) and self._random(reset.key):
                kinds.setdefault(reset.key, set()).add(reset.new_session)
        for variable, seen in kinds.items():
            if seen == {True, False}:
                site = next(r.site for r in live if r.key == variable and r.new_session)
                raise CannotConvert(site.call, (
                    f"`{variable.name}` is initialised again both in its session and in a new one: TF1 continues the "
                    "random sequence of its initial value in one and starts it over in the other"
                ))
            if seen == {True}:
                self.first_draw.add(variable)

    def _step(self, walk: _Walk, event: Event, emitted: set[tuple[int, _Key]] | None) -> None:
        if event.kind == "session":
            walk.session += 1
            for key in walk.initialised:
                if isinstance(key, Variable) and self._random(key):
                    walk.out_of_step.setdefault(key, "a new session: TF1 starts the random sequence of its initial value over")
            return
        if event.kind == "restore":
            restore = event.restore
            assert restore is not None
            walk.pending = [
                r for r in walk.pending
                if not (r.key.name in (restore.variables if isinstance(r.key, Variable) else restore.optimizers))
            ]
            return
        site = event.site
        if event.kind == "call" or site is None or not site.init:
            trains = self._trains(site) if site is not None else None
            for reset in list(walk.pending):
                if isinstance(reset.key, Variable) or trains is None or reset.key in trains:
                    walk.live.append(reset)
                    walk.pending.remove(reset)
            if site is None or self._changes_state(site):
                walk.changed |= {k for k in walk.initialised if isinstance(k, Variable)}
            walk.changed |= trains or set()
            return
        cover = self._cover(site)
        keys: list[_Key] = [*cover.variables, *cover.optimizers]
        for key in keys:
            again = key in walk.initialised
            if emitted is not None and isinstance(key, Variable) and self._random(key) and key not in self.first_draw:
                self._check_draw(walk, site, key, again, (id(site.call), key) in emitted)
            if again:
                if not cover.certain:
                    raise CannotConvert(site.call, f"cannot tell which variables `{self.g.code(site.call)}` initialises again")
                needed = key in walk.changed or (isinstance(key, Variable) and self._random(key))
                walk.pending.append(_Reset(site, key, needed, walk.initialised[key] != walk.session))
            walk.initialised[key] = walk.session
            walk.changed.discard(key)

    def _check_draw(self, walk: _Walk, site: Site, variable: Variable, again: bool, emitted: bool) -> None:
        """The emitted ``v.assign(initial_v())`` must draw what TF1's initializer drew."""
        name = variable.name
        if not again:
            if emitted:
                # Its first draw is this run's: the variable is created without drawing.
                self.undrawn.add(variable)
            return
        if not emitted:
            walk.out_of_step.setdefault(variable, "an initializer run whose reset a restore overwrote")
            return
        reason = walk.out_of_step.get(variable)
        if reason is not None:
            raise CannotConvert(site.call, f"`{name}` is initialised again with a random initial value after {reason}")

    # -- what runs do ---------------------------------------------------------------------
    def _slice(self, site: Site) -> list[Unit]:
        """The units a run evaluates (by name, through what each reads)."""
        found = self.slices.get(id(site.call))
        if found is None:
            fetch = _fetch(site)
            found, todo, seen = [], list(names_read(fetch)), set()
            while todo:
                name = todo.pop()
                unit = self.g.unit_by_name.get(name)
                if name in seen or unit is None:
                    continue
                seen.add(name)
                found.append(unit)
                todo.extend(unit.reads)
            self.slices[id(site.call)] = found
        return found

    def _changes_state(self, site: Site) -> bool:
        """The run trains or assigns a variable."""
        for unit in self._slice(site):
            if unit.kind in ("train", "apply"):
                return True
            for call in calls_in(unit.node):
                method = call.func.attr.value if isinstance(call.func, cst.Attribute) else None
                if method in ASSIGNS or self.g.sym(call.func) in ASSIGNS:
                    return True
        return False

    def _trains(self, site: Site) -> set[_Key]:
        return {_optimizer(unit) for unit in self._slice(site) if unit.kind in ("train", "apply")}

    # -- what an initializer covers ---------------------------------------------------------
    def _cover(self, site: Site) -> _Cover:
        cover = self.covers.get(id(site.call))
        if cover is None:
            fetch = _fetch(site)
            elements = [e.value for e in fetch.elements] if isinstance(fetch, (cst.List, cst.Tuple)) else [fetch]
            variables: dict[Variable, None] = {}
            optimizers: dict[_Optimizer, Unit] = {}
            certain = True
            for element in elements:
                part = self._cover_of(element, site.statement)
                variables.update(dict.fromkeys(part.variables))
                for key, unit in part.optimizers.items():
                    optimizers.setdefault(key, unit)
                certain = certain and part.certain
            cover = self.covers[id(site.call)] = _Cover(list(variables), optimizers, certain)
        return cover

    def _cover_of(self, element: cst.BaseExpression, statement: int) -> _Cover:
        g = self.g
        if isinstance(element, cst.Attribute) and element.attr.value == "initializer" and isinstance(element.value, cst.Name):
            return _Cover(self._named([element.value.value], statement), {}, True)
        if isinstance(element, cst.Name):
            bindings = g.init_ops.get(element.value, [])
            earlier = [b for b in bindings if b[0] < statement]
            if not (earlier or bindings):
                return _Cover([], {}, True)
            statement, element = (earlier or bindings)[-1]
        if not isinstance(element, cst.Call):
            return _Cover([], {}, True)
        symbol = g.sym(element.func)
        if symbol == "group":  # `tf.group(tf.global_variables_initializer(), tf.local_variables_initializer())`
            parts = [self._cover_of(a.value, statement) for a in element.args]
            variables = dict.fromkeys(v for part in parts for v in part.variables)
            merged: dict[_Optimizer, Unit] = {}
            for part in parts:
                for key, unit in part.optimizers.items():
                    merged.setdefault(key, unit)
            return _Cover(list(variables), merged, all(part.certain for part in parts))
        if symbol in LIST_INITIALIZERS:
            listed = argument(element, 0, "var_list")
            listed_elements = listed.elements if isinstance(listed, (cst.List, cst.Tuple)) else None
            if listed_elements is not None and all(isinstance(e.value, cst.Name) for e in listed_elements):
                names = [cst.ensure_type(e.value, cst.Name).value for e in listed_elements]
                return _Cover(self._named(names, statement), {}, True)
            if not (isinstance(listed, cst.Call) and g.sym(listed.func) == "global_variables" and not listed.args):
                return _Cover(g.graph_variables(statement), {}, False)
        elif symbol not in GLOBAL_INITIALIZERS:
            return _Cover([], {}, True)  # local variables, tables: none of this rule's variables
        generation = g.generation(statement)
        optimizers: dict[_Optimizer, Unit] = {}
        for unit in g.units:
            # TF1's minimize / apply_gradients created the slots an initializer made after it covers.
            if unit.kind in ("train", "apply") and unit.index < statement and g.generation(unit.index) == generation:
                optimizers.setdefault(_optimizer(unit), unit)
        return _Cover(g.graph_variables(statement), optimizers, True)

    def _named(self, names: list[str], statement: int) -> list[Variable]:
        """The variables ``names`` meant at ``statement`` (the latest binding before it)."""
        found = []
        for name in names:
            bindings = [v for v in self.g.variables if v.name == name]
            earlier = [v for v in bindings if v.statement < statement]
            if earlier or bindings:
                found.append((earlier or bindings)[-1])
        return found

    # -- initial values -----------------------------------------------------------------------
    def _random(self, variable: Variable) -> bool:
        value = self._initial_value(variable)
        return value is not None and value.value is not None and any(
            is_random(self.g.sym(call.func)) for call in calls_in(value.value)
        )

    def _initial_value(self, variable: Variable) -> InitialValue | None:
        """How ``variable``'s initial value is evaluated again (``code``, or a function
        still to be named when ``value`` is set); None when it cannot be."""
        if variable in self.values:
            return self.values[variable]
        g = self.g
        found: InitialValue | None = None
        if variable.kind == "global_step":
            found = InitialValue(variable.name, variable.statement, "0")
        elif variable.kind == "var" and variable.statement not in g.edits.rewritten:
            assignment = single_assignment(g.body[variable.statement])
            call = assignment[1] if assignment is not None and assignment[0] == [variable.name] else None
            value = argument(call, 0, "initial_value") if isinstance(call, cst.Call) and g.sym(call.func) == "Variable" else None
            if value is not None and not names_read(value) & g.graph_names():
                if names_read(value) <= {g.tf} and not any(is_random(g.sym(c.func)) for c in calls_in(value)):
                    found = InitialValue(variable.name, variable.statement, g.code(value))
                else:
                    found = InitialValue(variable.name, variable.statement, "", value=value)
        self.values[variable] = found
        return found

    def _optimizer_reset(self, reset: _Reset) -> None:
        key = reset.key
        assert isinstance(key, _Optimizer)
        unit = self._cover(reset.site).optimizers[key]
        ctor: cst.BaseExpression | None = None
        if unit.optimizer_statement is not None:
            assignment = single_assignment(self.g.body[key.statement])
            ctor = assignment[1] if assignment is not None else None
        elif unit.call is not None and isinstance(unit.call.func, cst.Attribute):
            ctor = unit.call.func.value
        symbol = self.g.sym(ctor.func) if isinstance(ctor, cst.Call) else None
        rate = argument(ctor, 0, "learning_rate") if isinstance(ctor, cst.Call) else None
        if symbol not in STATELESS_OPTIMIZERS or (isinstance(rate, cst.Name) and rate.value in self.g.schedules):
            raise CannotConvert(reset.site.call, (
                f"the initializer run again resets the state of optimizer `{key.name}` (its slots and steps); "
                "the Keras optimizer would keep it"
            ))

    # -- the result ---------------------------------------------------------------------------
    def initialisation(self, needed: dict[int, list[_Reset]]) -> Initialisation:
        result = Initialisation()
        for call_id, resets in needed.items():
            site = resets[0].site
            if call_id not in self.standalone:
                raise CannotConvert(site.call, "an initializer run inside an expression sets variables back")
            lines = []
            for reset in sorted(resets, key=lambda r: (r.key.statement, r.key.name)):
                variable = reset.key
                assert isinstance(variable, Variable)
                value = self._initial_value(variable)
                if value is None:
                    raise CannotConvert(site.call, (
                        f"`{variable.name}` is initialised again, and it is not created by a `tf.Variable(...)` "
                        "statement of the graph's level: its initial value cannot be evaluated again"
                    ))
                if value.value is not None and value.function is None:
                    value.function = self.g.fresh(f"initial_{variable.name}")
                    value.first_draw = variable in self.first_draw
                    value.undrawn = variable in self.undrawn
                    value.code = value.function if value.first_draw else f"{value.function}()"
                    result.initial_values.setdefault(variable.statement, []).append(value)
                lines.append(f"{variable.name}.assign({value.code})")
            result.assignments[call_id] = lines
        return result


def _fetch(site: Site) -> cst.BaseExpression:
    """What a run evaluates: its fetch, or the receiver of ``op.run()``."""
    return site.fetch if site.fetch is not None else cst.ensure_type(site.call.func, cst.Attribute).value


def _optimizer(unit: Unit) -> _Optimizer:
    assert unit.optimizer is not None
    return _Optimizer(unit.optimizer, unit.optimizer_statement if unit.optimizer_statement is not None else unit.index)


def _rounds(
    events: Sequence[Event], functions: dict[str, list[Event]], depth: int = 0, calling: tuple[str, ...] = ()
) -> Iterator[Event]:
    """The events in program order, each loop body twice, a user function's events where
    it is called (a recursive call: an opaque run)."""
    i = 0
    while i < len(events):
        event = events[i]
        if len(event.loops) <= depth:
            if event.kind == "call" and event.function is not None:
                if event.function in calling:
                    yield Event("call")
                elif event.function in functions:
                    yield from _rounds(functions[event.function], functions, 0, (*calling, event.function))
            else:
                yield event
            i += 1
            continue
        loop = event.loops[depth]
        j = i
        while j < len(events) and len(events[j].loops) > depth and events[j].loops[depth] == loop:
            j += 1
        for _ in range(2):
            yield from _rounds(events[i:j], functions, depth + 1, calling)
        i = j


