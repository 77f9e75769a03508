"""Stage 4, plan: from the graph and its run sites to the functions to generate.

Pure decisions, no code generation: which ``Function`` each run site calls (runs of
one training op share one when they fetch the same values), its parameters (the fed
placeholders), its units (the backward slice of what it fetches, in program order),
its values and their shape, its name, and after which statement it is defined
(``Function.position``). ``plan`` returns ``Plan``: run call id -> ``Planned``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import libcst as cst

from codemods.analysis.graph import calls_in, names_read, returns_several, single_assignment
from codemods.analysis.names import FastVisitor
from codemods.graph.g101_session_to_function.feature import Feature
from codemods.graph.g101_session_to_function.initialisation import is_random
from codemods.graph.g101_session_to_function.model import (
    CannotConvert,
    Function,
    Graph,
    PassedTensor,
    Placeholder,
    Plan,
    Planned,
    Shape,
    Site,
    Sites,
    Unit,
)

TRAIN_OP_NAMES = {
    "optimizer", "train_op", "train_step", "train", "training_op", "opt_op", "trainer", "optimize", "minimize",
    "train_opt", "update",
}
# A run site's fetch, read for planning: its elements, shape, dict keys, training ops
# it runs and the code of the values it fetches.
_Prepared = tuple[Site, list[cst.BaseExpression], Shape, list[str], "tuple[object, ...] | None", tuple[str, ...]]


def plan(graph: Graph, sites: Sites, features: Sequence[Feature]) -> Plan:
    """Decide the generated function of every run site, and how the site reads it."""
    by_key: dict[tuple[object, ...], Function] = {}
    planned: Plan = {}
    prepared: list[_Prepared] = []
    for site in sites.sites:
        if site.init or site.fetch is None:
            continue
        elements, shape, keys = fetch_elements(graph, site.fetch)
        if all(graph.is_variable(e) for e in elements):
            continue  # plain variable reads need no function
        trains = tuple(dict.fromkeys(
            e.value for e in elements if isinstance(e, cst.Name) and graph.is_op(e, site.statement) and e.value not in graph.inits
        ))
        values = tuple(graph.code(e) for e in elements if not graph.gives_no_value(e, site.statement))
        # Runs of different graphs (reset_default_graph between them) share nothing.
        generation = graph.generation(site.statement)
        prepared.append((site, elements, shape, keys, (generation, *trains) if trains else None, values))
    # Runs of one training op share one function when they fetch the same values
    # (or none): `sess.run(train_op)` and `_, c = sess.run([train_op, cost])`.
    value_sets: dict[tuple[object, ...], set[tuple[str, ...]]] = {}
    for _, _, _, _, train, values in prepared:
        if train is not None and values:
            value_sets.setdefault(train, set()).add(values)
    for site, elements, shape, keys, train, values in prepared:
        key: tuple[object, ...]
        # Computed tensors the run feeds (TF1 replaced them by the values): parameters.
        tensors = tuple(sorted(fed for fed in site.feed if fed not in graph.placeholders))
        if train is not None and len(value_sets.get(train, ())) == 1:
            key = ("train", train, tensors)
            if not values:
                template = next(p for p in prepared if p[4] == train and p[5])
                elements, shape, keys = template[1], template[2], template[3]
        else:
            key = (graph.generation(site.statement), shape, tuple(keys), _bindings(graph, elements, site.statement), tensors)
        fn = by_key.get(key)
        if fn is None:
            fn = _make_function(graph, site.call, site.statement, elements, shape, keys, _FedTensors(graph, features, tensors))
            by_key[key] = fn
        for p in fn.params:
            if p.name not in site.feed and p.default is None:
                raise CannotConvert(site.call, f"placeholder `{p.name}` is needed but not fed")
        for fed in tensors:
            if fed not in {p.name for p in fn.params} and graph.definition(fed, site.statement) is None:
                raise CannotConvert(site.call, f"feeding `{fed}`, which is not a placeholder")
        planned[id(site.call)] = Planned(fn, "op" if not values else fn.shape)
    uses: list[tuple[int, cst.CSTNode, Function]] = [
        (p[0].statement, p[0].call, planned[id(p[0].call)].function) for p in prepared
    ]
    for node_id, passed in graph.edits.passed_tensors.items():
        node = _traced_node(graph, node_id)
        given = _passed_function(graph, node, passed, by_key)
        what = f"`{given.name}`" if given is not None else f"`{graph.edits.static_reads[node_id]}`"
        kind = "graph tensor" if given is not None else "variable"
        graph.report(node, f"{kind} `{passed.name}` given to a helper that runs it: it is given {what} and calls it", kind="converted")
        if given is not None:  # None: a variable, given its read_value
            planned[node_id] = Planned(given, "single", passed=True)
            uses.append((passed.statement, node, given))
    for node_id, (name, read, statement) in graph.edits.traced_reads.items():
        node = _traced_node(graph, node_id)
        key = (graph.generation(statement), "single", (), _bindings(graph, [cst.Name(name)], statement), ())
        fn = by_key.get(key) or by_key.setdefault(
            key, _make_function(graph, node, statement, [cst.Name(name)], "single", [])
        )
        _check_traced(graph, node, name, fn)
        planned[node_id] = Planned(fn, "single", read)
        uses.append((statement, node, fn))
    _check_globals(graph, uses)
    _place(uses)
    functions = [entry.function for entry in planned.values()]
    for feature in features:
        feature.check_plan(graph, functions)
    return planned


def _passed_function(
    graph: Graph, node: cst.CSTNode, passed: PassedTensor, by_key: dict[tuple[object, ...], Function]
) -> Function | None:
    """The function computing a graph tensor given to a helper that runs it, taking the
    placeholders the helper's runs feed (by keyword); None for a variable (its read_value)."""
    element = cst.Name(passed.name)
    if graph.is_variable(element):
        kind = next((v.kind for v in reversed(graph.variables) if v.name == passed.name), "var")
        if passed.name not in graph.aliases and kind not in ("var", "global_step"):
            raise CannotConvert(node, f"`{passed.name}`, a {kind} of variables, is given to a helper that runs it")
        if passed.fed:
            raise CannotConvert(node, (
                f"variable `{passed.name}` is given to a helper whose run of it feeds placeholders"
            ))
        graph.edits.static_reads[id(node)] = f"{graph.variable_code(element)}.read_value"
        return None
    key = ("passed", graph.generation(passed.statement), _bindings(graph, [element], passed.statement), passed.fed)
    fn = by_key.get(key)
    if fn is not None:
        return fn
    fn = _make_function(graph, node, passed.statement, [element], "single", [])
    if fn.trains or not fn.values or fn.structured:
        raise CannotConvert(node, (
            f"`{passed.name}`, given to a helper that runs it, is a training op or a structure of tensors"
        ))
    names = {p.name for p in fn.params}
    unfed = next((p.name for p in fn.params if p.name not in passed.fed), None)
    if unfed is not None:
        raise CannotConvert(node, (
            f"`{passed.name}` needs placeholder `{unfed}`, which the helper's run of it does not feed"
        ))
    for name in passed.fed:
        placeholder = graph.placeholder(name, passed.statement)
        if placeholder is None:
            raise CannotConvert(node, f"the helper running `{passed.name}` feeds `{name}`, not a placeholder there")
        if name not in names:
            fn.params.append(placeholder)  # fed, unused: TF1 accepted it; the helper passes it
    order = {name: position for position, name in enumerate(graph.placeholders)}
    fn.params.sort(key=lambda p: (p.index, order.get(p.name, -1)))
    by_key[key] = fn
    return fn


def _bindings(graph: Graph, elements: list[cst.BaseExpression], statement: int) -> tuple[object, ...]:
    """What the fetched expressions are at ``statement``: their code, and the statement
    defining each name they read then (`t` names another tensor once bound again)."""
    reads = sorted({name for e in elements for name in names_read(e)})
    defined = []
    for name in reads:
        unit = graph.definition(name, statement)
        defined.append(None if unit is None or graph.python_value(name, statement) else unit.index)
    return (*(graph.code(e) for e in elements), *defined)


def _traced_node(graph: Graph, node_id: int) -> cst.CSTNode:
    """The node of a traced read (sites recorded it by id)."""
    return next(n for n in _nodes(graph.module) if id(n) == node_id)


def _nodes(node: cst.CSTNode) -> list[cst.CSTNode]:
    found: list[cst.CSTNode] = []

    class _Collect(FastVisitor):
        def on_visit(self, n: cst.CSTNode) -> bool:
            if isinstance(n, (cst.Attribute, cst.Call, cst.Name)):
                found.append(n)
            return True

    node.visit(_Collect())
    return found


def _check_traced(graph: Graph, node: cst.CSTNode, name: str, fn: Function) -> None:
    """A function traced for its output's static shape builds its ops once more: none may
    draw random numbers (the op seeds of later ones would move) or build a layer's
    variables early; every placeholder it takes must declare its dtype."""
    for unit in fn.units:
        random = next((c for c in calls_in(unit.node) if is_random(graph.sym(c.func))), None)
        if random is not None:
            raise CannotConvert(node, (
                f"reads the static shape of `{name}`, computed with `{graph.code(random.func)}`: tracing it "
                "for the shape would create the random op once more"
            ))
    objects = {v.name for v in graph.variables if v.kind in ("layer", "module")}
    built = next((n for u in fn.units for n in sorted(u.reads & objects)), None)
    if built is not None:
        raise CannotConvert(node, f"reads the static shape of `{name}`, computed by `{built}`, whose variables its first call makes")
    untyped = next((p.name for p in fn.params if p.dtype is None), None)
    if untyped is not None:
        raise CannotConvert(node, f"reads the static shape of `{name}`, computed from placeholder `{untyped}` of unknown dtype")


def _check_globals(graph: Graph, uses: list[tuple[int, cst.CSTNode, Function]]) -> None:
    """A generated function reads the graph's variables and tensors as globals when it is
    traced: none may hold a Python value by then (``b = sess.run(b)`` before the run). A
    function with a fixed signature already run before that keeps its trace."""
    first_run: dict[int, int] = {}
    for statement, _, fn in uses:
        first_run[id(fn)] = min(first_run.get(id(fn), statement), statement)
    for statement, node, fn in uses:
        inside = {name for unit in fn.units for name in unit.defines} | {p.name for p in fn.params}
        traced_once = all(p.dtype for p in fn.params)
        for unit in fn.units:
            for name in sorted(unit.reads - inside):
                if not graph.python_value(name, statement) or graph.python_value(name, unit.index):
                    continue
                bound = max(i for i in graph.python_bindings[name] if i < statement)
                if not (traced_once and first_run[id(fn)] < bound):
                    raise CannotConvert(node, (
                        f"`{name}` holds a Python value when this run's function is first traced "
                        "(TF1's graph kept the object)"
                    ))


def _place(uses: list[tuple[int, cst.CSTNode, Function]]) -> None:
    """Define the generated functions together where the graph is complete when every
    run comes after that; else each right before the statement that first runs it."""
    first_use: dict[int, int] = {}
    for statement, _, fn in uses:
        first_use[id(fn)] = min(first_use.get(id(fn), statement), statement)
    for statement, node, fn in uses:
        if statement <= fn.position:
            raise CannotConvert(node, "the graph is run before it is fully built")
    together = max(fn.position for _, _, fn in uses) if uses else -1
    if together >= 0 and all(statement > together for statement, _, _ in uses):
        # The whole graph is built before anything runs: all functions go there.
        for _, _, fn in uses:
            fn.position = together
        return
    # Otherwise (or when every fetch is built inside its run: `sess.run(tf.add(2, 3))`,
    # nothing before it) each function goes right before the statement that first runs it.
    for _, node, fn in uses:
        fn.position = max(fn.position, first_use[id(fn)] - 1)
        if fn.position < 0:
            raise CannotConvert(node, "the block's first statement runs the graph")


def fetch_elements(graph: Graph, fetch: cst.BaseExpression) -> tuple[list[cst.BaseExpression], Shape, list[str]]:
    """The fetched expressions, the fetch's shape and its dict keys (code)."""
    if isinstance(fetch, (cst.List, cst.Tuple)):
        elements = [e.value for e in fetch.elements]
        if any(isinstance(e, (cst.List, cst.Tuple, cst.Dict)) for e in elements):
            raise CannotConvert(fetch, "nested fetch structures")
        return elements, "list" if isinstance(fetch, cst.List) else "tuple", []
    if isinstance(fetch, cst.Dict):
        keys, values = [], []
        for element in fetch.elements:
            if not isinstance(element, cst.DictElement):
                raise CannotConvert(fetch, "a fetch dict with ** unpacking")
            keys.append(graph.code(element.key))
            values.append(element.value)
        return values, "dict", keys
    return [fetch], "single", []


def _structured(graph: Graph, expr: cst.BaseExpression) -> bool:
    """A fetch whose value is a list, tuple or dict of tensors, not one tensor."""
    if isinstance(expr, (cst.List, cst.Tuple, cst.Dict, cst.ListComp, cst.DictComp)):
        return True
    if isinstance(expr, cst.Call):
        return returns_several(graph.sym(expr.func), expr)  # `tf.self_adjoint_eig(m)`: (e, v)
    unit = graph.unit_by_name.get(expr.value) if isinstance(expr, cst.Name) else None
    if unit is None:
        return False
    if unit.structured:
        return True
    assert isinstance(expr, cst.Name)
    assignment = _assignment_of(unit.node, expr.value)
    if assignment is None or len(assignment[0]) != 1:
        return False  # `dW, db = tf.gradients(...)` unpacks the list
    value = assignment[1]
    return (unit.kind in ("gradients", "compute") and value is unit.call) or _structured(graph, value)


def _assignment_of(node: cst.CSTNode, name: str) -> tuple[list[str], cst.BaseExpression] | None:
    """The statement of ``node`` that last binds ``name`` (a name-scope block's too)."""
    if isinstance(node, cst.With) and isinstance(node.body, cst.IndentedBlock):
        found = [_assignment_of(inner, name) for inner in node.body.body]
        return next((a for a in reversed(found) if a is not None), None)
    assignment = single_assignment(node)
    return assignment if assignment is not None and name in assignment[0] else None


class _FedTensors:
    """The computed tensors a run feeds, and how each becomes a parameter (the features say)."""

    def __init__(self, graph: Graph, features: Sequence[Feature], names: tuple[str, ...]) -> None:
        self.graph, self.features, self.names = graph, features, names

    def parameter(self, node: cst.CSTNode, name: str, unit: Unit, statement: int) -> Placeholder:
        for feature in self.features:
            dtype = feature.fed_tensor(self.graph, unit, name, statement)
            if dtype is not None:
                return Placeholder(name, unit.index, None, "None", None, converted=dtype)
        raise CannotConvert(node, (
            f"feeding `{name}`, which is not a placeholder: TF1 replaced the tensor the graph computes by the fed "
            "value, converted to its dtype, which this rule cannot tell"
        ))


def _make_function(
    graph: Graph, node: cst.CSTNode, statement: int, elements: list[cst.BaseExpression], shape: Shape, keys: list[str],
    tensors: _FedTensors | None = None,
) -> Function:
    needed: dict[int, Unit] = {}
    pending: set[str] = set()
    values: list[str] = []
    value_keys: list[str] = []  # the keys of a dict fetch, without those of ops
    structured = False
    trains: list[Unit] = []
    variable_reads: set[str] = set()
    for position, element in enumerate(elements):
        if isinstance(element, cst.Name) and graph.is_op(element, statement):
            if element.value in graph.inits:
                continue
            unit = graph.definition(element.value, statement) or graph.unit_by_name[element.value]
            if unit not in trains:
                trains.append(unit)
            pending |= {element.value}
            continue
        if isinstance(element, cst.Name) and graph.gives_no_value(element, statement):
            pending |= {element.value}  # an Operation: its statements run, nothing returned
            continue
        if keys:
            value_keys.append(keys[position])
        if isinstance(element, cst.Name) and element.value in graph.schedules:
            values.append(f"{element.value}({graph.schedules[element.value]})")
        else:
            pending |= names_read(element)
            structured = structured or _structured(graph, element)
            code = graph.code(element)
            if graph.is_variable(element):
                code = f"{graph.tf}.identity({graph.variable_code(element)})"
                variable_reads.add(code)
            values.append(code)
    # A name read by a unit is the one its latest earlier definition gave it
    # (`h = tf.matmul(x, W)` then `h = tf.nn.relu(h)` keeps both, in order).
    # The fetch itself reads what was defined before the statement that runs it
    # (`a = tf.constant(2)` ... run ... `a = tf.placeholder(tf.int16)`).
    fed: dict[str, Placeholder] = {}
    todo = [(name, statement) for name in pending]
    visited: set[tuple[str, int]] = set()
    python: set[str] = set()  # names read as Python values (globals of the function)
    while todo:
        name, before = todo.pop()
        if (name, before) in visited:
            continue
        visited.add((name, before))
        if graph.python_value(name, before):
            python.add(name)  # bound to a Python value by then (`t = np.array(...)`): read as a global
            continue
        definition = graph.definition(name, before)
        if tensors is not None and name in tensors.names and definition is not None:
            fed[name] = tensors.parameter(node, name, definition, statement)
            continue
        placeholder = graph.placeholder(name, before)
        # `b = tf.placeholder(...)` ... `b = tf.Variable(...)`: reads after it take the variable.
        variable = max((v.statement for v in graph.variables if v.name == name and v.statement < before), default=-1)
        if placeholder is not None and variable > placeholder.index:
            continue
        if placeholder is not None and (
            definition is None or definition.index < placeholder.index
        ):
            fed[name] = placeholder
        elif definition is not None and definition.index not in needed:
            needed[definition.index] = definition
            # A function defined at the graph's level reads its globals when it is called:
            # those defined before the statement that calls it, after the def too.
            called = before if isinstance(definition.node, cst.FunctionDef) else definition.index
            todo.extend((read, called) for read in definition.reads)
    units = [needed[i] for i in sorted(needed)]
    for unit in units:  # Python values the units read where they stand (their reads leave them out)
        assignment = single_assignment(unit.node)
        reads = names_read(assignment[1]) if assignment is not None else names_read(unit.node) - set(unit.defines)
        python |= {n for n in reads if graph.python_value(n, unit.index)}
    clash = sorted(python & {n for unit in units for n in unit.defines})
    if clash:
        # `t = np.array(...)`, `t1 = tf.transpose(t)`, `t = tf.transpose(t1)`: one function
        # would read the global `t` and bind a local `t`.
        raise CannotConvert(node, f"`{clash[0]}` is read as a Python value and defined as a tensor by the same run")
    for name, param in fed.items():
        if param.converted is not None and param.index in needed:
            raise CannotConvert(node, (
                f"feeding `{name}` while the run still computes the rest of its statement "
                f"(`{', '.join(needed[param.index].defines)}`): TF1 ran it for the tensors not fed"
            ))
    for unit in units:
        if unit.kind in ("train", "apply") and unit not in trains:
            raise CannotConvert(node, f"the fetched value depends on training op `{unit.defines[0]}`")
    order = {name: position for position, name in enumerate(graph.placeholders)}  # one statement may hold several
    params = sorted(fed.values(), key=lambda p: (p.index, order.get(p.name, -1), _defined_at(graph, p)))
    train = trains[0] if trains else None
    name = _function_name(graph, trains, elements)
    fn = Function(name, params, units, values, "op" if not values else shape, value_keys, train)
    fn.structured = structured
    fn.trains = trains
    fn.variable_reads = variable_reads
    deps = [u.index for u in units] + [p.index for p in params]
    deps += [t.optimizer_statement for t in trains if t.optimizer_statement is not None]
    fn.position = max(deps) if deps else -1
    return fn


def _defined_at(graph: Graph, param: Placeholder) -> int:
    """A fed tensor's place among the names its statement defines (0 for a placeholder)."""
    unit = graph.unit_by_name.get(param.name) if param.converted is not None else None
    return unit.defines.index(param.name) if unit is not None and param.name in unit.defines else 0


def _function_name(graph: Graph, trains: list[Unit], elements: list[cst.BaseExpression]) -> str:
    if len(trains) > 1:
        parts = [re.sub(r"^train_|_(op|step)$", "", t.defines[0]) for t in trains]
        return graph.fresh("train_" + "_and_".join(dict.fromkeys(parts)))
    if trains:
        op = trains[0].defines[0]
        base = "train_step" if op in TRAIN_OP_NAMES else f"train_{re.sub(r'^train_|_(op|step)$', '', op)}"
        return graph.fresh(base)
    words = []
    for element in elements[:3]:
        if isinstance(element, cst.Name):
            words.append(element.value)
        elif isinstance(element, cst.Subscript) and isinstance(element.value, cst.Name):
            words.append(element.value.value)
        else:
            words.append("value")
    return graph.fresh("compute_" + "_and_".join(dict.fromkeys(words)))
