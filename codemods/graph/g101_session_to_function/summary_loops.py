"""G101 summaries: summary ops created in a loop at the graph's level and listed for a merge.

The TF1 pattern (gradient histograms, one per trained variable)::

    grad_summaries = []
    for g, v in grads_and_vars:
        if g is not None:
            grad_hist_summary = tf.summary.histogram("{}/grad/hist".format(v.name), g)
            sparsity_summary = tf.summary.scalar("{}/grad/sparsity".format(v.name), tf.nn.zero_fraction(g))
            grad_summaries.append(grad_hist_summary)
            grad_summaries.append(sparsity_summary)
    grad_summaries_merged = tf.summary.merge(grad_summaries)

becomes, in the generated function that computes the merge::

    grad_summaries = {"histogram": {}, "scalar": {}}
    for g, v in grads_and_vars:
        if g is not None:
            grad_summaries["histogram"]["{}/grad/hist".format(v.name.replace(":", "_"))] = g
            grad_summaries["scalar"]["{}/grad/sparsity".format(v.name.replace(":", "_"))] = tf.nn.zero_fraction(g)
    grad_summaries_merged = {"<grad_summaries>": grad_summaries}

the list's summaries by kind and tag; the write function writes each kind's dict. TF1's
tag was the name with the characters an op name may not have replaced by ``_``
(``embedding/W:0`` -> ``embedding/W_0``): a name built from a variable's ``.name`` has only
``:``; the loop's iterable must be ``compute_gradients``' pairs, whose ``.name`` of the
variable TF2 gives alike (the conversion keeps variables' names and scopes). Anything
else in such a loop is declined with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst

from codemods.analysis.graph import argument, assigned_names, calls_in, expression_of, names_read, single_assignment
from codemods.graph.g101_session_to_function.model import CannotConvert, Graph, Unit
from codemods.graph.g101_session_to_function.op_names import SUMMARY_OPS, clean_tag

KINDS = {"summary.scalar": "tensor", "summary.histogram": "values"}


@dataclass
class LoopOp:
    call: cst.Call
    kind: str  # scalar | histogram
    value: cst.BaseExpression


@dataclass
class SummaryLoop:
    """A list (``name``) filled with summary ops by a loop of the graph's block."""

    name: str
    start: int  # the statement `name = []`
    index: int  # the loop
    ops: list[LoopOp] = field(default_factory=list)
    original: cst.For | None = None
    init: cst.SimpleStatementLine | None = None  # `name = {"histogram": {}, ...}`
    loop: cst.For | None = None  # the loop, rewritten

    @property
    def kinds(self) -> list[str]:
        return list(dict.fromkeys(op.kind for op in self.ops))

    @property
    def key(self) -> str:
        # `<` is no character of a TF1 tag (clean_tag): no tag of a merge can be this key.
        return f"<{self.name}>"


def find_loops(graph: Graph) -> dict[int, SummaryLoop]:
    """The loops of the graph's block creating summary ops, by their statement (and by the
    statement creating their list); ``CannotConvert`` for such a loop this cannot prove."""
    found: dict[int, SummaryLoop] = {}
    for index, stmt in enumerate(graph.body):
        if not isinstance(stmt, cst.For):
            continue
        summaries = [c for c in calls_in(stmt) if graph.sym(c.func) in SUMMARY_OPS]
        if not summaries or any(graph.runs_graph(c) for c in calls_in(stmt)):
            continue  # a loop running the graph: its summary ops are declined by the summaries' checks
        loop = _read_loop(graph, index, stmt, summaries)
        found[loop.index] = loop
        found[loop.start] = loop
    return found


def _read_loop(graph: Graph, index: int, stmt: cst.For, summaries: list[cst.Call]) -> SummaryLoop:
    for call in summaries:
        if graph.sym(call.func) not in KINDS:
            raise CannotConvert(call, f"`{graph.code(call.func)}` in a loop: only scalar and histogram summaries "
                                      "listed for a merge are converted there")
    appended = {id(c): c for c in calls_in(stmt) if _append_of(c) is not None}
    lists = {_append_of(c) for c in appended.values()}
    if len(lists) != 1:
        raise CannotConvert(stmt, "summaries created in a loop other than into one list (`summaries.append(s)`) "
                                  "that a merge reads")
    name = lists.pop()
    assert name is not None
    start = _list_start(graph, index, name)
    iterable = _gradient_pairs(graph, index, stmt)
    targets = assigned_names(stmt.target)
    loop = SummaryLoop(name, start, index)
    ops_by_name: dict[str, LoopOp] = {}
    body = _body(graph, stmt, loop, ops_by_name, iterable, targets)
    used = {c.args[0].value.value for c in appended.values() if isinstance(c.args[0].value, cst.Name)}
    if set(ops_by_name) - used:
        raise CannotConvert(stmt, f"summary `{sorted(set(ops_by_name) - used)[0]}` created in a loop and not "
                                  f"appended to `{name}`")
    kinds = ", ".join(f'"{kind}": {{}}' for kind in loop.kinds)
    old = graph.body[start]
    assert isinstance(old, cst.SimpleStatementLine)
    small = old.body[0]
    assert isinstance(small, cst.Assign)
    loop.init = old.with_changes(body=[small.with_changes(value=cst.parse_expression(f"{{{kinds}}}"))])
    loop.original = stmt
    loop.loop = stmt.with_changes(body=stmt.body.with_changes(body=body))
    return loop


def _append_of(call: cst.Call) -> str | None:
    func = call.func
    if isinstance(func, cst.Attribute) and func.attr.value == "append" and isinstance(func.value, cst.Name):
        return func.value.value
    return None


def _list_start(graph: Graph, index: int, name: str) -> int:
    """The statement ``name = []`` binding the list last before the loop."""
    for earlier in range(index - 1, -1, -1):
        stmt = graph.body[earlier]
        assignment = single_assignment(stmt)
        if assignment is not None and name in assignment[0]:
            value = assignment[1]
            if assignment[0] == [name] and isinstance(value, cst.List) and not value.elements:
                return earlier
            break
        if name in names_read(stmt):
            break
    raise CannotConvert(graph.body[index], f"`{name}`, the list of a loop's summaries, is not made empty by "
                                           "`name = []` right before it")


def _gradient_pairs(graph: Graph, index: int, stmt: cst.For) -> str:
    """The loop iterates over ``compute_gradients``' (gradient, variable) pairs."""
    iterable = stmt.iter
    if isinstance(iterable, cst.Name):
        for earlier in range(index - 1, -1, -1):
            assignment = single_assignment(graph.body[earlier])
            if assignment is None or iterable.value not in assignment[0]:
                continue
            value = assignment[1]
            if assignment[0] == [iterable.value] and isinstance(value, cst.Call) and isinstance(
                    value.func, cst.Attribute) and value.func.attr.value == "compute_gradients":
                targets = stmt.target
                if isinstance(targets, cst.Tuple) and len(targets.elements) == 2 and all(
                        isinstance(e.value, cst.Name) for e in targets.elements):
                    return iterable.value
            break
    raise CannotConvert(stmt, "summaries created in a loop over something other than `for g, v in grads_and_vars` "
                              "(compute_gradients' pairs)")


def _body(graph, node, loop: SummaryLoop, ops: dict[str, LoopOp], iterable: str, targets: list[str]) -> list:
    """The statements of a loop (or an ``if`` in it) rewritten: summary ops stored in the
    list's dict under their TF1 tags, appends dropped."""
    new: list[cst.BaseStatement] = []
    for stmt in node.body.body:
        if isinstance(stmt, cst.If):
            if stmt.orelse is not None or calls_in(stmt.test) or names_read(stmt.test) - {*targets, "None", "True", "False"}:
                raise CannotConvert(stmt, "a condition in a loop creating summaries other than on the loop's values "
                                          "(`if g is not None:`)")
            inner = _body(graph, stmt, loop, ops, iterable, targets)
            if inner:
                new.append(stmt.with_changes(body=stmt.body.with_changes(body=inner)))
            continue
        expr = expression_of(stmt)
        if isinstance(expr, cst.Call) and _append_of(expr) == loop.name:
            added = expr.args[0].value if len(expr.args) == 1 else None
            if not (isinstance(added, cst.Name) and added.value in ops):
                raise CannotConvert(expr, f"`{loop.name}.append` of something other than a summary made in the loop")
            continue
        assignment = single_assignment(stmt)
        value = assignment[1] if assignment is not None else None
        if not (assignment is not None and len(assignment[0]) == 1 and isinstance(value, cst.Call)
                and graph.sym(value.func) in KINDS):
            raise CannotConvert(stmt, "a loop creating summaries does more than create them and list them")
        op = _op(graph, value, targets)
        ops[assignment[0][0]] = op
        loop.ops.append(op)
        tag = _tag_code(graph, argument(value, 0, "name"), targets)
        value_code = graph.code(op.value)
        if isinstance(op.value, cst.Name) and op.value.value in targets:
            # A gradient may be IndexedSlices (an embedding's): TF1's summary op made it dense.
            value_code = f"{graph.tf}.convert_to_tensor({value_code})"
        line = f"{loop.name}[\"{op.kind}\"][{tag}] = {value_code}"
        new.append(stmt.with_changes(body=[cst.parse_statement(line).body[0]]))
    return new


def _op(graph: Graph, call: cst.Call, targets: list[str]) -> LoopOp:
    symbol = graph.sym(call.func) or ""
    keyword = KINDS[symbol]
    if any(a.star or (a.keyword is not None and a.keyword.value not in ("name", keyword)) for a in call.args):
        raise CannotConvert(call, "a summary in a loop with arguments this rule does not map (collections, family)")
    value = argument(call, 1, keyword)
    if value is None:
        raise CannotConvert(call, "a summary without a value")
    return LoopOp(call, symbol.split(".")[1], value)


def _tag_code(graph: Graph, name: cst.BaseExpression | None, targets: list[str]) -> str:
    """TF1's tag of a name ``"{}/grad/hist".format(v.name)``: each literal part cleaned
    as TF1 did, the variable's name with ``:`` as ``_``."""
    variable = targets[1]
    if (isinstance(name, cst.Call) and isinstance(name.func, cst.Attribute) and name.func.attr.value == "format"
            and isinstance(name.func.value, cst.SimpleString) and name.args
            and all(not a.star and a.keyword is None and _variable_name(a.value, variable) for a in name.args)):
        text = name.func.value.evaluated_value
        if isinstance(text, str) and text.count("{}") == len(name.args) and "{" not in text.replace("{}", ""):
            parts = text.split("{}")
            cleaned = [clean_tag(parts[0]) if parts[0] else ""] + [_clean_inner(p) for p in parts[1:]]
            literal = "{}".join(cleaned).replace("\\", "\\\\").replace('"', '\\"')
            args = ", ".join(f"{variable}.name.replace(\":\", \"_\")" for _ in name.args)
            return f"\"{literal}\".format({args})"
    raise CannotConvert(name if name is not None else graph.module, (
        "a summary in a loop whose name is not `\"...{}...\".format(v.name)` of the loop's variable: its TF1 tag "
        "cannot be told"
    ))


def _clean_inner(part: str) -> str:
    return clean_tag("x" + part)[1:]  # not at the tag's start: its leading `/` stays


def _variable_name(node: cst.BaseExpression, variable: str) -> bool:
    return (isinstance(node, cst.Attribute) and node.attr.value == "name" and isinstance(node.value, cst.Name)
            and node.value.value == variable)


def loop_units(loop: SummaryLoop) -> tuple[Unit, Unit]:
    """The units of the list's creation and of the loop (each moves into the functions
    computing a merge of the list)."""
    assert loop.init is not None and loop.loop is not None
    init = Unit(loop.start, loop.init, [loop.name], set())
    body = Unit(loop.index, loop.loop, [loop.name], names_read(loop.loop) - set(assigned_names(loop.loop.target)))
    return init, body


def check_uses(graph: Graph, loop: SummaryLoop, uses: list[cst.Name], merges: set[int]) -> None:
    """The list is read only by its loop's appends and by merges (``merges``: name ids)."""
    assert loop.original is not None
    appends = {id(c.func.value) for c in calls_in(loop.original) if _append_of(c) == loop.name}
    for node in uses:
        if id(node) not in appends and id(node) not in merges:
            raise CannotConvert(node, f"`{loop.name}`, a list of summaries made in a loop, is used other than by "
                                      "a merge")
