"""G101 feature: TF1 streaming metrics (``tf.metrics.accuracy``, ``mean``, ``root_mean_squared_error``).

``acc, acc_op = tf.metrics.accuracy(labels, predictions)`` (or one of the pair taken
with ``[0]`` / ``[1]``) at the graph's level made two local variables, a value tensor
reading them and an update op adding a batch and giving the running value after it.
Eager code holds the same state in a Keras metric object made where the call was
(``acc_metric = tf.keras.metrics.Accuracy()``); the value becomes ``acc_metric.result()``
and the update ``acc_metric.update_state(labels, predictions)`` then ``result()``, in the
functions of the runs that fetch them. The first run of
``tf.local_variables_initializer()`` (alone or in a ``tf.group`` of initializers) made
the metric start at zero, as the new object does.

A local-variables initializer run again (each epoch, a new session) set the metrics back
to zero: each of its runs becomes ``acc_metric.reset_state()`` per metric (a no-op on the
first run, the metric being new).

Declined, with the reason: other tf.metrics functions, weights and collections, the call
used otherwise, the value and the update read by one run (TF1 ran the read and the
update in no fixed order), a training op whose step function updates a metric also run
alone, and a local-variables initializer run again together with other initializers or
inside an expression.
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from codemods.analysis.cst_tools import bind_arguments
from codemods.analysis.graph import calls_in, expression_of, names_read, single_assignment, standalone_calls
from codemods.analysis.tf1_metrics import METRICS
from codemods.graph.g101_session_to_function.feature import Feature
from codemods.graph.g101_session_to_function.model import CannotConvert, Function, Graph, Unit

# Initializers covering local variables (a metric's total and count).
LOCAL_INITIALIZERS = {"local_variables_initializer", "initialize_local_variables"}
SUPPORTED = ", ".join(symbol[len("metrics."):] for symbol in METRICS)


@dataclass
class _Metric:
    index: int  # the statement of the graph's level making it
    call: cst.Call
    keras: str  # the Keras class
    name: cst.BaseExpression | None  # TF1's name= (the Keras metric's name)
    value: str | None  # the name bound to the value tensor
    update: str | None  # the name bound to the update op
    obj: str = ""  # the metric object's name


class StreamingMetrics(Feature):
    def __init__(self) -> None:
        self.metrics: dict[int, _Metric] = {}  # statement index -> its metric
        self.reasons: dict[int, str] = {}  # id of a tf.metrics call left on TF1 -> why
        self.units: dict[int, tuple[_Metric, bool]] = {}  # id of a unit -> (metric, is the update)
        self.local_runs: list[tuple[cst.Call, bool]] = []  # runs of a local-variables initializer, looped
        self.resets: set[int] = set()  # ids of those runs that become reset_state() calls
        self.op_runs: set[str] = set()  # training ops (and initializers) run with no value fetched

    # -- analysis ----------------------------------------------------------------------------
    def exempt_calls(self, graph: Graph) -> set[int]:
        found: set[int] = set()
        for index, stmt in enumerate(graph.body):
            assignment = single_assignment(stmt)
            if assignment is None:
                continue
            names, value = assignment
            metric = self._metric(graph, index, names, value)
            if metric is not None:
                self.metrics[index] = metric
                found.add(id(metric.call))
        for call in calls_in(graph.module):
            symbol = graph.sym(call.func) or ""
            if symbol.startswith("metrics.") and id(call) not in found and id(call) not in self.reasons:
                self.reasons[id(call)] = (
                    f"only `value, update_op = tf.metrics.X(...)` or `tf.metrics.X(...)[i]` assigned at the graph's "
                    f"level is converted, for X in {SUPPORTED}" if symbol in METRICS else
                    f"no Keras metric this rule knows accumulates the same value (it converts {SUPPORTED})"
                )
        return found

    def _metric(self, graph: Graph, index: int, names: list[str], value: cst.BaseExpression) -> _Metric | None:
        """``v, u = tf.metrics.X(...)`` or ``u = tf.metrics.X(...)[1]`` (``[0]``: the value)."""
        position: int | None = None
        if isinstance(value, cst.Subscript) and len(names) == 1 and len(value.slice) == 1:
            index_node = value.slice[0].slice
            if isinstance(index_node, cst.Index) and isinstance(index_node.value, cst.Integer):
                position = int(index_node.value.value)
            value = value.value
            if position not in (0, 1):
                return None
        elif len(names) != 2:
            return None
        if not isinstance(value, cst.Call) or graph.sym(value.func) not in METRICS:
            return None
        symbol = graph.sym(value.func)
        assert symbol is not None
        keras, params, updates = METRICS[symbol]
        bound = bind_arguments(value.args, params)
        if bound is None:
            self.reasons[id(value)] = f"`tf.{symbol}` called with arguments this rule cannot bind"
            return None
        known = {param for param, _ in updates} - {"weights"}
        for param in bound:
            if param not in known and param != "name":
                self.reasons[id(value)] = (
                    f"`tf.{symbol}({param}=...)` is not converted (weights are broadcast differently by Keras, "
                    "collections are TF1's graph)"
                )
                return None
        if any(param not in bound for param in known):
            self.reasons[id(value)] = f"`tf.{symbol}` called without all of {', '.join(sorted(known))}"
            return None
        name = bound["name"].value if "name" in bound else None
        if position is None:
            return _Metric(index, value, keras, name, names[0], names[1])
        return _Metric(index, value, keras, name, names[0] if position == 0 else None, names[0] if position else None)

    def declined_because(self, graph: Graph, call: cst.Call) -> str | None:
        return self.reasons.get(id(call))

    def classify_call(self, graph: Graph, index: int, names: list[str], call: cst.Call) -> bool:
        metric = self.metrics.get(index)
        return metric is not None and metric.call is call and self._add_units(graph, metric)

    def classify_value(self, graph: Graph, index: int, name: str, value: cst.BaseExpression) -> bool:
        metric = self.metrics.get(index)
        return metric is not None and isinstance(value, cst.Subscript) and value.value is metric.call and self._add_units(
            graph, metric
        )

    def _add_units(self, graph: Graph, metric: _Metric) -> bool:
        reads = {name for name in names_read(metric.call) if not graph.python_value(name, metric.index)}
        for name in reads:
            if name in graph.user_functions or graph.module_function(name) is not None:
                raise CannotConvert(metric.call, f"`{graph.code(metric.call.func)}` reads what function `{name}` computes")
        base = metric.value or metric.update
        assert base is not None
        metric.obj = graph.fresh(f"{base}_metric")
        stmt = graph.body[metric.index]
        for defined, update in ((metric.value, False), (metric.update, True)):
            if defined is None:
                continue
            unit = Unit(metric.index, stmt, [defined], reads if update else set())
            graph.units.append(unit)
            graph.unit_by_name[defined] = unit
            self.units[id(unit)] = (metric, update)
        graph.report(metric.call, (
            f"{graph.code(metric.call.func)} -> keras.metrics.{metric.keras} made once (update_state, then result); "
            "its first local-variables initializer run is its creation, a later one reset_state()"
        ), kind="converted")
        return True

    # -- sites and planning --------------------------------------------------------------------
    def claims_run(self, graph: Graph, call: cst.Call, looped: bool) -> list[cst.BaseExpression] | None:
        """Notes the runs of a local-variables initializer and the runs fetching only ops
        (they are planned as any other run)."""
        func = call.func
        if not self.metrics or not isinstance(func, cst.Attribute) or func.attr.value != "run":
            return None
        fetch = call.args[0].value if call.args else func.value
        if _resets_locals(graph, fetch):
            self.local_runs.append((call, looped))
        elements = [e.value for e in fetch.elements] if isinstance(fetch, (cst.List, cst.Tuple)) else [fetch]
        if all(isinstance(e, cst.Name) and graph.is_op(e) for e in elements):
            self.op_runs.update(cst.ensure_type(e, cst.Name).value for e in elements)
        return None

    def check_plan(self, graph: Graph, functions: list[Function]) -> None:
        if not self.units:
            return
        if any(looped for _, looped in self.local_runs) or len(self.local_runs) > 1:
            self._plan_resets(graph)
        metrics = {id(m): m for m, _ in self.units.values()}.values()
        for fn in functions:
            needed = {n for value in fn.values for n in names_read(cst.parse_expression(value))}
            for unit in fn.units:
                needed |= unit.reads | set(unit.defines)
            for metric in metrics:
                if metric.value in needed and metric.update in needed:
                    raise CannotConvert(metric.call, (
                        f"`{metric.value}` and `{metric.update}` are read by one run: TF1 read the metric's value and "
                        "updated it in no fixed order"
                    ))
                trains = {n for u in fn.trains for n in u.defines} & self.op_runs
                if metric.update in needed and trains:
                    raise CannotConvert(metric.call, (
                        f"`{sorted(trains)[0]}` is also run alone, and its runs share one step function, which would "
                        f"update `{metric.update}` there too"
                    ))

    def _plan_resets(self, graph: Graph) -> None:
        """The local-variables initializer runs again: TF1 set every metric made before
        it back to zero at each run, so each run becomes ``m.reset_state()`` per metric
        (a no-op on the first, the metric being new)."""
        standalone = standalone_calls(graph.body)
        for call, _ in self.local_runs:
            fetch = call.args[0].value if call.args else cst.ensure_type(call.func, cst.Attribute).value
            if not _only_locals(graph, fetch):
                raise CannotConvert(call, (
                    "the local-variables initializer runs again together with other initializers: TF1 set the "
                    "streaming metrics back to zero there (converted only for a run of the local one alone)"
                ))
            if id(call) not in standalone:
                raise CannotConvert(call, "the local-variables initializer runs again inside an expression")
            made = _made_at(graph, fetch, call)
            late = next((m for m in self.metrics.values() if m.obj and (made is None or m.index > made)), None)
            if late is not None:
                raise CannotConvert(call, (
                    f"`{graph.code(late.call.func)}` is made after the local-variables initializer it is reset by"
                ))
            self.resets.add(id(call))

    # -- emission ----------------------------------------------------------------------------
    def replace_statement(self, graph: Graph, stmt: cst.BaseStatement) -> cst.BaseStatement | None:
        metric = next((m for m in self.metrics.values() if m.obj and graph.body[m.index] is stmt), None)
        if metric is None:
            return None
        name = "" if metric.name is None else f"name={graph.code(metric.name)}"
        new = cst.parse_statement(f"{metric.obj} = {graph.tf}.keras.metrics.{metric.keras}({name})\n")
        assert isinstance(stmt, cst.SimpleStatementLine), "an assignment"
        return new.with_changes(leading_lines=stmt.leading_lines)

    def rewrite_statement(
        self, graph: Graph, original: cst.SimpleStatementLine, updated: cst.SimpleStatementLine
    ) -> cst.BaseStatement | cst.FlattenSentinel[cst.BaseStatement] | cst.RemovalSentinel | None:
        expr = expression_of(original)
        if not isinstance(expr, cst.Call) or id(expr) not in self.resets:
            return None
        metrics = sorted((m for m in self.metrics.values() if m.obj), key=lambda m: m.index)
        statements = [cst.parse_statement(f"{m.obj}.reset_state()\n") for m in metrics]
        statements[0] = statements[0].with_changes(leading_lines=updated.leading_lines)
        statements[-1] = statements[-1].with_changes(trailing_whitespace=updated.trailing_whitespace)
        return cst.FlattenSentinel(statements)

    def unit_code(self, graph: Graph, unit: Unit, node: cst.CSTNode) -> cst.CSTNode:
        entry = self.units.get(id(unit))
        if entry is None:
            return node
        metric, update = entry
        name = unit.defines[0]
        if not update:
            return cst.parse_statement(f"{name} = {metric.obj}.result()\n")
        assignment = single_assignment(node)
        value = assignment[1] if assignment is not None else None
        call = value.value if isinstance(value, cst.Subscript) else value
        assert isinstance(call, cst.Call), "the metric's statement"
        symbol = graph.sym(metric.call.func)
        assert symbol is not None
        _, params, updates = METRICS[symbol]
        bound = bind_arguments(call.args, params)
        assert bound is not None, "bound when analysed"
        args = ", ".join(
            (f"{keyword}=" if keyword else "") + graph.code(bound[param].value) for param, keyword in updates if param in bound
        )
        return cst.parse_module(f"{metric.obj}.update_state({args})\n{name} = {metric.obj}.result()\n")


def _only_locals(graph: Graph, expr: cst.BaseExpression) -> bool:
    """``expr`` runs local-variables initializers and nothing else."""
    if isinstance(expr, cst.Name):
        bindings = graph.init_ops.get(expr.value, [])
        return bool(bindings) and all(_only_locals(graph, call) for _, call in bindings)
    return isinstance(expr, cst.Call) and graph.sym(expr.func) in LOCAL_INITIALIZERS


def _made_at(graph: Graph, expr: cst.BaseExpression, call: cst.Call) -> int | None:
    """The statement of the graph's level creating the initializer op a run runs: its
    binding's (the latest, for a name) or the run's own."""
    if isinstance(expr, cst.Name):
        bindings = graph.init_ops.get(expr.value, [])
        return max(index for index, _ in bindings) if bindings else None
    return next((i for i, stmt in enumerate(graph.body) if any(c is call for c in calls_in(stmt))), None)


def _resets_locals(graph: Graph, expr: cst.BaseExpression) -> bool:
    """``expr`` runs a local-variables initializer: the call, a ``tf.group`` or list of
    initializers holding one, or a name the graph's level bound to such."""
    if isinstance(expr, (cst.List, cst.Tuple)):
        return any(_resets_locals(graph, e.value) for e in expr.elements)
    if isinstance(expr, cst.Name):
        return any(_resets_locals(graph, call) for _, call in graph.init_ops.get(expr.value, []))
    if not isinstance(expr, cst.Call):
        return False
    symbol = graph.sym(expr.func)
    if symbol == "group":
        return any(_resets_locals(graph, a.value) for a in expr.args)
    return symbol in LOCAL_INITIALIZERS
