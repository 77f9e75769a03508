"""G101 feature: TensorBoard summaries of a TF1 graph -> TF2 summary writers.

The TF1 patterns::

    with tf.name_scope("train"):
        tf.summary.scalar("loss", cost)              # merged by merge_all()
    acc_summary = tf.summary.scalar("accuracy", acc)  # run by name
    tf.summary.histogram("weights", W)
    merged = tf.summary.merge_all()
    writer = tf.summary.FileWriter(logs_path, graph=tf.get_default_graph())
    _, summary = sess.run([train_op, merged], feed_dict=...)
    writer.add_summary(summary, step)
    writer.add_summary(sess.run(acc_summary, feed_dict=...), step)

become::

    writer = tf.summary.create_file_writer(logs_path)
    # the generated functions compute
    #   merged = {"train/loss": cost, "accuracy": acc, "weights": tf.identity(W)}
    #   acc_summary = {"accuracy": acc}

    @tf.function(reduce_retracing=True)
    def write_merged(writer, values, step):
        with writer.as_default(step=step):
            tf.summary.scalar("train/loss", values["train/loss"])
            ...

    summary = train_step(...)
    write_merged(writer, summary, tf.constant(step, tf.int64))

so the same tags get the same values at the same steps. A summary op becomes the dict
of its tag and value, ``merge([...])`` the union of its inputs, ``merge_all(key)`` the
dict of the summaries created before it in that collection; they are computed in the
run that fetches them (before its training update, as TF1 did) and written where TF1
called ``add_summary`` (step 0 without a step, as TF1's events had), by a function
per set of summaries (TF2's summary ops run one by one eagerly would cost more than the
training step: a histogram is tens of ops). Tags are TF1's:
name scopes and the ``_1`` suffixes TF1's unique op names gave (``op_names``); where
they cannot be told statically the finding says so. A TF2 histogram buckets values
differently (30 equal buckets instead of TF1's exponential ones); TF2 writes a
summary's images under one tag (TF1: ``tag/image/0``, ...) and clips float pixels to
[0, 1] where TF1 rescaled them. ``graph=`` / ``sess.graph`` / ``add_graph`` are dropped:
TF2 writers write no graph that way. A name bound to summaries again after
``reset_default_graph()`` (a notebook's cells) is the new graph's: runs and writes of a
statement of each graph use its own, ``merge_all`` collects that graph's. The projector's
``visualize_embeddings(writer, config)`` (config file into the writer's log directory)
becomes ``visualize_embeddings(logdir, config)`` with the FileWriter's directory, when it
still names it there; an embedding the projector would read by ``tensor_name`` from a
``tf.train.Saver`` checkpoint is declined (``tf.train.Checkpoint`` keys by object path). A variable helper's summary of one of its own
variables (``W = weight_variable(shape)`` + ``tf.summary.histogram("W", W)`` in
``fc_layer``) is a summary of each call, tagged in that call's scope (``FC1/W``), whose
value is the variable of the call's instance (``tf.identity(fc1_layer.W)``); its
statement leaves the helper. Other summaries created in a loop, a condition or a function
the graph calls, audio/text summaries and summary values used otherwise raise
``CannotConvert`` with the reason.

About 1100 lines, one feature: reading the summary ops (``_Reader``), checking their
names and runs, and writing the TF 2 writer calls share ``SummaryOp`` / ``SummaryValue``
and the tags replayed by ``op_names``; the ``Feature`` hooks call them in that order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import cast

import libcst as cst

from codemods.analysis.graph import (
    ReadNamesVisitor,
    argument,
    assigned_names,
    calls_in,
    expression_of,
    names_read,
    returned_variable,
    single_assignment,
)
from codemods.analysis.names import FastVisitor
from codemods.graph.g101_session_to_function.feature import Feature
from codemods.graph.g101_session_to_function.model import CannotConvert, Graph
from codemods.graph.g101_session_to_function.op_names import SCOPES, OpNames, Tag
from codemods.graph.g101_session_to_function.summary_loops import SummaryLoop, check_uses, find_loops, loop_units
from codemods.graph.g101_session_to_function.variable_helpers import straight_statements

# summary op -> (its name in TF2's tf.summary, the keyword of its value argument)
KINDS = {"summary.scalar": "tensor", "summary.histogram": "values", "summary.image": "tensor"}
WRITER_ARGUMENTS = {"logdir", "graph", "max_queue", "flush_secs", "graph_def", "filename_suffix", "session"}
WRITER_METHODS = {"add_summary", "flush", "close", "add_graph"}
# TF1's projector writes its config file into the writer's log directory; TensorBoard's
# (TF 2) takes the directory itself.
VISUALIZE_EMBEDDINGS = "contrib.tensorboard.plugins.projector.visualize_embeddings"
DEFAULT_COLLECTION = "summaries"  # tf.GraphKeys.SUMMARIES


@dataclass
class SummaryOp:
    call: cst.Call
    kind: str  # scalar | histogram | image
    tag: Tag
    value: cst.BaseExpression
    index: int  # the statement of the graph's block holding it
    collections: tuple[str, ...]
    max_outputs: cst.BaseExpression | None = None
    kept: bool = False  # part of a summary value some name holds
    # In a variable helper the graph calls (``fc_layer``): the call it belongs to, and a
    # name that call defines (what the summary dict reads until the helper's instance is known).
    site: cst.Call | None = None
    stand_in: cst.Name | None = None


@dataclass
class SummaryValue:
    """A graph name computing summaries: a summary op, a merge or merge_all, at the
    graph's level (``stmt`` is its statement, inside name-scope blocks or not)."""

    name: str
    index: int
    stmt: cst.SimpleStatementLine
    ops: list[SummaryOp]
    merge_of: list[str] = field(default_factory=list)  # merge([a, b]): the names merged
    loops: list[str] = field(default_factory=list)  # lists of summaries made in a loop it merges itself
    all_loops: list[str] = field(default_factory=list)  # and through the merges it merges
    loop_writes: list[tuple[str, str]] = field(default_factory=list)  # (the loop's key, a kind in it)
    # merge_all(): functions of other modules the graph called before it (their
    # summaries, if any, were in TF1's collection too).
    imported_calls: list[str] = field(default_factory=list)


@dataclass
class Summaries:
    ops: list[SummaryOp] = field(default_factory=list)
    named: dict[str, SummaryValue] = field(default_factory=dict)  # while reading: each name's latest
    bindings: list[SummaryValue] = field(default_factory=list)  # every one (a name once per graph)
    resets: list[int] = field(default_factory=list)  # statements calling reset_default_graph()
    # A call of a statement of the graph's block (not in a function it defines) -> its graph.
    call_generations: dict[int, int] = field(default_factory=dict)
    writers: set[str] = field(default_factory=set)
    writer_calls: dict[int, cst.BaseExpression] = field(default_factory=dict)  # FileWriter call -> TF2 call
    logdirs: dict[str, cst.BaseExpression | None] = field(default_factory=dict)  # writer -> its logdir (None: bound twice)
    projector_calls: dict[int, cst.BaseExpression] = field(default_factory=dict)  # visualize_embeddings -> logdir
    values: dict[str, SummaryValue] = field(default_factory=dict)  # Python names holding fetched summaries
    writes: dict[int, SummaryValue] = field(default_factory=dict)  # add_summary call -> what it writes
    write_functions: dict[tuple[tuple[str, str, str], ...], str] = field(default_factory=dict)  # its writer
    loops: dict[str, SummaryLoop] = field(default_factory=dict)  # list name -> the loop filling it

    def generation(self, index: int) -> int:
        """Which graph statement ``index`` of the graph's block builds (a new one after each reset)."""
        return sum(1 for reset in self.resets if reset < index)


def prepare(graph: Graph, statements: set[int]) -> tuple[set[int], Summaries | None]:
    """Read the module's summaries before the graph is classified.

    Summary statements are rewritten in ``graph.body`` (a summary op or merge bound to a
    name becomes the dict it computes; one that is only merged goes); writers are
    rewritten in place. Statements that went whole, and writers, are added to
    ``statements`` (not classified). Returns the ids of the calls handled here, which
    are not unsupported graph constructs any more, and the summaries."""
    calls = [c for c in calls_in(graph.module) if (graph.sym(c.func) or "").startswith("summary.")]
    if not calls:
        return set(), None
    functions = {s.name.value: s for s in graph.module.body if isinstance(s, cst.FunctionDef)}
    functions.update({s.name.value: s for s in graph.body if isinstance(s, cst.FunctionDef)})
    names = OpNames(graph.sym, functions)
    names.replay(graph.body)
    reader = _Reader(graph, names, _imported_calls(graph, names.tensors), _helper_summaries(graph, functions))
    reader.summaries.resets = [
        index for index, stmt in enumerate(graph.body)
        if isinstance(call := expression_of(stmt), cst.Call) and graph.sym(call.func) == "reset_default_graph"
    ]
    if reader.summaries.resets:
        reader.summaries.call_generations = {
            id(call): reader.summaries.generation(index) for index, stmt in enumerate(graph.body)
            if not isinstance(stmt, (cst.FunctionDef, cst.ClassDef)) for call in calls_in(stmt)
        }
    loops = find_loops(graph)
    for index, loop in loops.items():
        # The list and its loop compute summaries: units of their own (not classified).
        reader.summaries.loops[loop.name] = loop
        reader.handled.update(id(op.call) for op in loop.ops)
        graph.body[index] = loop.init if index == loop.start else loop.loop
        statements.add(index)
        if index == loop.index:
            for unit in loop_units(loop):
                graph.units.append(unit)
                graph.unit_by_name[loop.name] = unit
    for index, stmt in enumerate(graph.body):
        if index in loops:
            continue
        new = reader.statement(index, stmt)
        if new is stmt:
            continue
        if new is None:
            graph.edits.removed.add(index)
            statements.add(index)
        else:
            graph.body[index] = new
    summaries = reader.summaries
    reader.check_sites()
    _writers(graph, summaries, statements, reader.handled)
    for call in calls:
        if id(call) not in reader.handled:
            raise CannotConvert(call, _unhandled(graph, call, functions))
    _check_names(graph, summaries)
    _check_loops(graph, summaries)
    _check_rebound(graph, summaries)
    _trace(graph, summaries)
    _write_functions(graph, summaries)
    _report(graph, summaries)
    return reader.handled, summaries


class _Reader:
    """The summary statements of the graph's block and of the name-scope blocks in it."""

    def __init__(
        self, graph: Graph, names: OpNames, imported_calls: dict[int, list[str]], helpers: dict[str, list[cst.Call]]
    ) -> None:
        self.g = graph
        self.names = names
        self.imported_calls = imported_calls  # statement -> functions of other modules it calls
        self.helpers = helpers  # function -> the summaries of its own variables
        self.sites: set[int] = set()  # the calls of those functions read
        self.summaries = Summaries()
        self.handled: set[int] = set()

    def statement(self, index: int, stmt: cst.BaseStatement) -> cst.BaseStatement | None:
        """``stmt`` rewritten (None: it goes; ``stmt`` itself: nothing to do)."""
        if isinstance(stmt, cst.With) and all(self._scope(item.item) for item in stmt.items):
            body = [new for inner in stmt.body.body if (new := self.statement(index, inner)) is not None]
            if not body:
                return None
            if all(a is b for a, b in zip(body, stmt.body.body)) and len(body) == len(stmt.body.body):
                return stmt
            return stmt.with_changes(body=stmt.body.with_changes(body=body))
        if not isinstance(stmt, cst.SimpleStatementLine):
            return stmt
        assignment = single_assignment(stmt)
        for call in calls_in(stmt):
            if isinstance(call.func, cst.Name) and call.func.value in self.helpers and assignment is not None:
                self._site(index, call, cst.Name(assignment[0][0]))
        value = assignment[1] if assignment is not None else expression_of(stmt)
        if not isinstance(value, cst.Call):
            return stmt
        symbol = self.g.sym(value.func)
        target = assignment[0][0] if assignment is not None and len(assignment[0]) == 1 else None
        if assignment is not None and target is None and symbol in (*KINDS, "summary.merge", "summary.merge_all"):
            raise CannotConvert(value, "a summary unpacked into several names")
        if symbol in KINDS:
            op = self._op(index, symbol, value)
            if target is None:
                return None
            return self._bind(SummaryValue(target, index, stmt, [op]), stmt)
        if symbol == "summary.merge" and target is not None:
            return self._merge(index, target, value, stmt)
        if symbol == "summary.merge_all":
            return self._merge_all(index, target, value, stmt)
        return stmt

    def _scope(self, item: cst.BaseExpression) -> bool:
        return isinstance(item, cst.Call) and self.g.sym(item.func) in SCOPES

    def _site(self, index: int, call: cst.Call, stand_in: cst.Name) -> None:
        """``fc1 = fc_layer(x, 100, "hidden")``: the summaries ``fc_layer`` creates, tagged
        for this call (``hidden/W``)."""
        assert isinstance(call.func, cst.Name)
        for summary in self.helpers[call.func.value]:
            op = self._op(index, self.g.sym(summary.func) or "", summary, site=call)
            op.stand_in = stand_in
        self.sites.add(id(call))

    def check_sites(self) -> None:
        """Every call of a function holding summaries was read (its tags are known)."""
        for stmt in self.g.body:
            for call in calls_in(stmt):
                if isinstance(call.func, cst.Name) and call.func.value in self.helpers and id(call) not in self.sites:
                    raise CannotConvert(call, (
                        f"`{call.func.value}()` writes summaries of its variables and is called other than by "
                        "`name = ...` at the graph's level (in a loop, a condition or another function)"
                    ))

    def _op(self, index: int, symbol: str, call: cst.Call, site: cst.Call | None = None) -> SummaryOp:
        value_keyword = KINDS[symbol]
        allowed = {"name", value_keyword, "collections", "family"} | ({"max_outputs"} if symbol == "summary.image" else set())
        if any(a.keyword is not None and a.keyword.value not in allowed for a in call.args) or any(a.star for a in call.args):
            raise CannotConvert(call, "a summary with arguments this rule does not map")
        value = argument(call, 1, value_keyword)
        tag = self.names.tags.get(id(call)) if site is None else self.names.site_tags.get((id(site), id(call)))
        if value is None or tag is None:
            raise CannotConvert(call, "a summary whose name (or family) is not a string literal")
        collections = (DEFAULT_COLLECTION,)
        node = argument(call, 3 if symbol == "summary.image" else 2, "collections")
        if node is not None:
            collections = self._collections(node)
        max_outputs = argument(call, 2, "max_outputs") if symbol == "summary.image" else None
        op = SummaryOp(call, symbol.split(".")[1], tag, value, index, collections, max_outputs, site=site)
        self.summaries.ops.append(op)
        self.handled.add(id(call))
        return op

    def _collections(self, node: cst.BaseExpression) -> tuple[str, ...]:
        if isinstance(node, (cst.List, cst.Tuple)):
            return tuple(self._collection(e.value) for e in node.elements)
        raise CannotConvert(node, "summary collections that are not a list of names")

    def _collection(self, node: cst.BaseExpression) -> str:
        if isinstance(node, cst.SimpleString) and isinstance(node.evaluated_value, str):
            return node.evaluated_value
        if self.g.sym(node) == "GraphKeys.SUMMARIES":
            return DEFAULT_COLLECTION
        raise CannotConvert(node, "a summary collection that is not a string literal")

    def _merge(self, index: int, target: str, call: cst.Call, stmt) -> cst.SimpleStatementLine:
        inputs = argument(call, 0, "inputs")
        extra = [a for a in call.args if a.value is not inputs]
        parts = self._merge_inputs(inputs) if inputs is not None else None
        if any(a.keyword is None or a.keyword.value != "name" for a in extra) or not parts:
            raise CannotConvert(call, (
                "merge() of something other than a list of summary ops (or a list a loop filled with them, "
                "`+` such lists)"
            ))
        ops: list[SummaryOp] = []
        merged: list[str] = []
        loops: list[str] = []
        for node in parts:
            if isinstance(node, cst.Name) and node.value in self.summaries.loops:
                if self.summaries.loops[node.value].index > index:
                    raise CannotConvert(node, f"merge() of `{node.value}` before the loop filling it")
                loops.append(node.value)
                continue
            if not (isinstance(node, cst.Name) and node.value in self.summaries.named):
                raise CannotConvert(node, "merge() of something that is not a summary op or merge at the graph's level")
            if self.summaries.generation(self.summaries.named[node.value].index) != self.summaries.generation(index):
                raise CannotConvert(node, f"merge() of `{node.value}`, a summary of the graph before reset_default_graph()")
            merged.append(node.value)
            ops.extend(self.summaries.named[node.value].ops)
            loops.extend(self.summaries.named[node.value].all_loops)
        self.handled.add(id(call))
        if len(set(loops)) != len(loops):
            raise CannotConvert(call, "merge() of the summaries of one loop twice")
        inherited = {loop for name in merged for loop in self.summaries.named[name].all_loops}
        value = SummaryValue(target, index, stmt, ops, merged, [n for n in loops if n not in inherited], loops)
        value.loop_writes = [(self.summaries.loops[n].key, kind) for n in loops for kind in self.summaries.loops[n].kinds]
        return self._bind(value, stmt)

    def _merge_inputs(self, node: cst.BaseExpression) -> list[cst.BaseExpression] | None:
        """The elements merged: ``[a, b]``, a loop's list ``L``, or ``L + [a, b]``."""
        if isinstance(node, (cst.List, cst.Tuple)):
            return [e.value for e in node.elements if not isinstance(e, cst.StarredElement)] if node.elements and not any(
                isinstance(e, cst.StarredElement) for e in node.elements) else None
        if isinstance(node, cst.Name) and node.value in self.summaries.loops:
            return [node]
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
            left, right = self._merge_inputs(node.left), self._merge_inputs(node.right)
            return left + right if left and right else None
        return None

    def _merge_all(self, index: int, target: str | None, call: cst.Call, stmt) -> cst.SimpleStatementLine | None:
        key = argument(call, 0, "key")
        if any(a.keyword is not None and a.keyword.value not in ("key", "scope", "name") for a in call.args):
            raise CannotConvert(call, "merge_all() with arguments this rule does not map")
        if argument(call, 1, "scope") is not None:
            raise CannotConvert(call, "merge_all() of a scope")
        collection = DEFAULT_COLLECTION if key is None else self._collection(key)
        # The collection of the graph being built: reset_default_graph() emptied it.
        generation = self.summaries.generation(index)
        ops = [op for op in self.summaries.ops
               if collection in op.collections and self.summaries.generation(op.index) == generation]
        loops = [loop.name for loop in self.summaries.loops.values()
                 if loop.index < index and self.summaries.generation(loop.index) == generation]
        if loops and collection == DEFAULT_COLLECTION:
            raise CannotConvert(call, f"merge_all() after a loop creating summaries (`{loops[0]}`): merge its list instead")
        self.handled.add(id(call))
        if target is None:
            return None
        if not ops:
            # TF1's merge_all of an empty collection is None: nothing to run or write.
            if _reads(self.g.module, target):
                raise CannotConvert(call, f"merge_all() of the empty collection `{collection}` (None in TF1) is used")
            return None
        imported = [name for i in sorted(self.imported_calls) if i <= index for name in self.imported_calls[i]]
        return self._bind(SummaryValue(target, index, stmt, ops, imported_calls=list(dict.fromkeys(imported))), stmt)

    def _bind(self, value: SummaryValue, stmt: cst.SimpleStatementLine) -> cst.SimpleStatementLine:
        known = self.summaries.named.get(value.name)
        if known is not None and self.summaries.generation(known.index) == self.summaries.generation(value.index):
            raise CannotConvert(stmt, f"`{value.name}` names more than one summary op or merge")
        tags = [op.tag.text for op in value.ops]
        if len(set(tags)) != len(tags):
            raise CannotConvert(stmt, f"`{value.name}` merges two summaries tagged `{_first_repeat(tags)}`")
        for op in value.ops:
            op.kept = True
        self.summaries.named[value.name] = value
        self.summaries.bindings.append(value)
        new = stmt.with_changes(body=[stmt.body[0].with_changes(value=_dict_of(self.g, value, variables=False))])
        value.stmt = new
        return new


def _imported_calls(graph: Graph, tensors: set[str]) -> dict[int, list[str]]:
    """Functions imported from modules other than TensorFlow that the graph's statements
    call with a tensor: ``from ops import fc_layer`` ... ``fc_layer(x, 100, "hidden")``."""
    imported: set[str] = set()
    for stmt in graph.module.body:
        if not isinstance(stmt, cst.SimpleStatementLine):
            continue
        for small in stmt.body:
            if isinstance(small, cst.ImportFrom) and not isinstance(small.names, cst.ImportStar):
                origin = graph.code(small.module) if small.module is not None else ""
                if not small.relative and origin.split(".")[0] == "tensorflow":
                    continue
                imported.update(str(a.evaluated_alias or a.evaluated_name) for a in small.names)
            elif isinstance(small, cst.Import):
                imported.update(str(a.evaluated_alias or a.evaluated_name).split(".")[0]
                                for a in small.names if a.evaluated_name.split(".")[0] != "tensorflow")
    found: dict[int, list[str]] = {}
    for index, stmt in enumerate(graph.body):
        for call in calls_in(stmt):
            root = call.func
            while isinstance(root, cst.Attribute):
                root = root.value
            if isinstance(root, cst.Name) and root.value in imported and names_read(call) & tensors:
                found.setdefault(index, []).append(graph.code(call.func))
    return found


def _helper_summaries(graph: Graph, functions: dict[str, cst.FunctionDef]) -> dict[str, list[cst.Call]]:
    """Functions of the graph's block that summarise their own variables
    (``W = weight_variable(shape)`` + ``tf.summary.histogram("W", W)``): each call's
    variables belong to the instance G101 makes of it, whose attributes the summary dicts
    read. Their summary statements are removed from them in ``graph.body``."""
    found: dict[str, list[cst.Call]] = {}
    for index, fn in enumerate(graph.body):
        if not isinstance(fn, cst.FunctionDef):
            continue
        summaries = [c for c in calls_in(fn) if graph.sym(c.func) in KINDS]
        if not summaries or not all(_summarises_own_variable(graph, fn, c, functions) for c in summaries):
            continue
        stripped = _without_statements(fn, {id(c) for c in summaries})
        if not _has_empty_block(stripped):
            graph.body[index] = stripped
            found[fn.name.value] = summaries
    return found


def _summarises_own_variable(graph: Graph, fn: cst.FunctionDef, call: cst.Call, functions) -> bool:
    """``call`` is a statement of ``fn`` run once per call (not in a loop or condition)
    summarising a name ``fn`` binds once, to ``tf.Variable(...)`` or a variable factory's call."""
    if not any(expression_of(s) is call for s in straight_statements(fn.body.body)):
        return False
    value = argument(call, 1, KINDS[graph.sym(call.func) or ""])
    if not isinstance(value, cst.Name):
        return False
    bindings = [node for node in _nodes(fn, (cst.Assign, cst.AugAssign, cst.AnnAssign, cst.For))
                if value.value in {n for t in _binding_targets(node) for n in assigned_names(t)}]
    if len(bindings) != 1 or not isinstance(bindings[0], cst.Assign) or not isinstance(bindings[0].value, cst.Call):
        return False
    creation = bindings[0].value
    if graph.sym(creation.func) == "Variable":
        return True
    factory = functions.get(creation.func.value) if isinstance(creation.func, cst.Name) else None
    return factory is not None and returned_variable(factory, lambda c: graph.sym(c.func) == "Variable") is not None


def _binding_targets(node: cst.CSTNode) -> list[cst.BaseExpression]:
    return [t.target for t in node.targets] if isinstance(node, cst.Assign) else [node.target]


def _without_statements(node, calls: set[int]):
    """``node`` (a function, or a ``with`` in it) without the statements that are only one
    of ``calls``; the nodes it keeps stay the same objects (the notes' positions)."""
    body = [
        _without_statements(s, calls) if isinstance(s, cst.With) else s
        for s in node.body.body if id(expression_of(s)) not in calls
    ]
    return node.with_changes(body=node.body.with_changes(body=body))


def _has_empty_block(node: cst.CSTNode) -> bool:
    return any(not block.body for block in _nodes(node, (cst.IndentedBlock,)))


def _first_repeat(tags: list[str]) -> str:
    return next(t for i, t in enumerate(tags) if t in tags[:i])


def _dict_of(graph: Graph, value: SummaryValue, variables: bool) -> cst.Dict:
    """``{"tag": value, ...}`` (``{**a, **b}`` for a merge of names); with ``variables``,
    variables are read through ``tf.identity``: their value before the step's update."""
    if value.merge_of or value.loops:
        return cst.Dict([
            *(cst.StarredDictElement(cst.Name(name)) for name in value.merge_of),
            *(cst.DictElement(cst.SimpleString(_quoted(f"<{name}>")), cst.Name(name)) for name in value.loops),
        ])
    elements = []
    for op in value.ops:
        node = op.value
        if op.stand_in is not None:
            node = _helper_variable(graph, op) if variables else op.stand_in
        elif variables and graph.is_variable(node):
            node = cst.parse_expression(f"{graph.tf}.identity({graph.variable_code(node)})")
        if op.kind == "image":  # TF1 encoded the first max_outputs images only
            code = graph.code(node)
            if not isinstance(node, (cst.Name, cst.Attribute, cst.Call, cst.Subscript)):
                code = f"({code})"
            count = graph.code(op.max_outputs) if op.max_outputs is not None else "3"
            node = cst.parse_expression(f"{code}[:{count}]")
        elements.append(cst.DictElement(cst.SimpleString(_quoted(op.tag.text)), node))
    return cst.Dict(elements)


def _helper_variable(graph: Graph, op: SummaryOp) -> cst.BaseExpression:
    """``tf.identity(fc1_layer.W)``: the summarised variable of the helper's instance for this call."""
    assert op.site is not None and isinstance(op.value, cst.Name)
    instance = graph.helper_instances.get(id(op.site))
    attributes = {attribute for attribute, _ in graph.module_variables.get(instance or "", [])}
    if instance is None or op.value.value not in attributes:
        raise CannotConvert(op.call, f"`{graph.code(op.call.func)}` summarises `{op.value.value}`, which is not a variable "
                                     "of the module class its function becomes")
    return cst.parse_expression(f"{graph.tf}.identity({instance}.{op.value.value})")


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _unhandled(graph: Graph, call: cst.Call, functions: dict[str, cst.FunctionDef]) -> str:
    code = graph.code(call.func)
    symbol = graph.sym(call.func) or ""
    if symbol == "summary.FileWriter":
        return "a FileWriter not assigned to a name (or used as a context manager)"
    if symbol in KINDS or symbol == "summary.merge":
        holder = next((name for name, fn in functions.items() if any(c is call for c in calls_in(fn))), None)
        if holder is not None:
            return (f"`{code}` inside `{holder}()`, a function the graph calls: the value it summarises is "
                    "local to the function, no run can return it")
        return f"`{code}` created in a loop, a condition or a block other than a name scope"
    return f"`{code}` has no TF2 summary writer form this rule can prove"


def _writers(graph: Graph, summaries: Summaries, statements: set[int], handled: set[int]) -> None:
    """``w = tf.summary.FileWriter(logdir, graph)`` -> ``w = tf.summary.create_file_writer(logdir)``,
    wherever the graph's block creates one (in a loop too)."""
    top = {id(stmt): index for index, stmt in enumerate(graph.body)}
    for stmt in _simple_statements(graph.body):
        assignment = single_assignment(stmt)
        value = assignment[1] if assignment is not None else expression_of(stmt)
        if not (isinstance(value, cst.Call) and graph.sym(value.func) == "summary.FileWriter"):
            continue
        if assignment is not None:
            small = stmt.body[0]
            if not (isinstance(small, cst.Assign) and isinstance(small.targets[0].target, cst.Name)):
                continue  # not `name = FileWriter(...)`: declined as not assigned to a name
            name = assignment[0][0]
            summaries.logdirs[name] = argument(value, 0, "logdir") if name not in summaries.writers else None
            summaries.writers.add(name)
        new_call = _writer_call(graph, value)
        summaries.writer_calls[id(value)] = new_call
        handled.update(id(c) for c in calls_in(value))
        index = top.get(id(stmt))
        if index is not None:
            small = stmt.body[0]
            new = stmt.with_changes(body=[small.with_changes(value=new_call)])
            graph.edits.rewritten[index] = new
            graph.body[index] = new
            statements.add(index)


def _simple_statements(statements) -> list[cst.SimpleStatementLine]:
    found: list[cst.SimpleStatementLine] = []

    class _Collect(FastVisitor):
        def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
            found.append(node)

    for stmt in statements:
        stmt.visit(_Collect())
    return found


def _writer_call(graph: Graph, call: cst.Call) -> cst.BaseExpression:
    """``tf.summary.FileWriter(logdir, graph)`` -> ``tf.summary.create_file_writer(logdir)``."""
    keywords = {a.keyword.value for a in call.args if a.keyword is not None}
    if keywords - WRITER_ARGUMENTS or len(call.args) > 2 and any(a.keyword is None for a in call.args[2:]):
        raise CannotConvert(call, "a FileWriter with arguments this rule does not map")
    if argument(call, 99, "session") is not None:
        raise CannotConvert(call, "a FileWriter writing through a session's summary ops")
    logdir = argument(call, 0, "logdir")
    if logdir is None:
        raise CannotConvert(call, "a FileWriter without a log directory")
    parts = [graph.code(logdir)]
    for keyword, new in (("max_queue", "max_queue"), ("filename_suffix", "filename_suffix")):
        node = argument(call, 99, keyword)
        if node is not None:
            parts.append(f"{new}={graph.code(node)}")
    flush = argument(call, 99, "flush_secs")
    if flush is not None:
        parts.append(f"flush_millis={graph.code(flush)} * 1000")
    if argument(call, 1, "graph") is not None or argument(call, 99, "graph_def") is not None:
        graph.report(call, "FileWriter's graph dropped: a TF2 summary writer writes no graph this way", kind="converted")
    return cst.parse_expression(f"{graph.tf}.summary.create_file_writer({', '.join(parts)})")


def _check_names(graph: Graph, summaries: Summaries) -> None:
    """A summary op or merge bound to a name is fetched by runs or merged, nothing else."""
    allowed: set[int] = set()
    for call in calls_in(graph.module):
        func = call.func
        fetch = None
        if isinstance(func, cst.Attribute) and func.attr.value == "run":
            fetch = argument(call, 0, "fetches")
        elif isinstance(func, cst.Attribute) and func.attr.value == "eval":
            fetch = func.value
        elif graph.sym(func) == "summary.merge":
            allowed.update(id(n) for n in _merged_names(argument(call, 0, "inputs")))
            continue
        if fetch is not None:
            elements = [e.value for e in fetch.elements] if isinstance(fetch, (cst.List, cst.Tuple)) else [fetch]
            allowed.update(id(e) for e in elements if isinstance(e, cst.Name))
    for name in summaries.named:
        for node in _name_uses(graph.module, name):
            if id(node) not in allowed:
                raise CannotConvert(node, f"summary `{name}` is used other than by a run or a merge")


def _merged_names(node: cst.BaseExpression | None) -> list[cst.Name]:
    """The names a merge's inputs list: ``[a, b]``, ``L``, ``L + [a, b]``."""
    if isinstance(node, cst.Name):
        return [node]
    if isinstance(node, (cst.List, cst.Tuple)):
        return [e.value for e in node.elements if isinstance(e.value, cst.Name)]
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
        return _merged_names(node.left) + _merged_names(node.right)
    return []


def _check_loops(graph: Graph, summaries: Summaries) -> None:
    """A list a loop fills with summaries is read by its loop's appends and by merges only."""
    merges = {id(n) for c in calls_in(graph.module) if graph.sym(c.func) == "summary.merge"
              for n in _merged_names(argument(c, 0, "inputs"))}
    for loop in summaries.loops.values():
        check_uses(graph, loop, _name_uses(graph.module, loop.name), merges)


def _name_uses(tree: cst.CSTNode, name: str) -> list[cst.Name]:
    """The Name nodes reading ``name`` (not attribute names, keywords or binding targets)."""
    targets: set[int] = set()
    found: list[cst.Name] = []

    class _Collect(ReadNamesVisitor):
        def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
            targets.update(id(n) for n in _target_names(node.target))

        def visit_For(self, node: cst.For) -> None:
            targets.update(id(n) for n in _target_names(node.target))

        def visit_AugAssign(self, node: cst.AugAssign) -> None:
            targets.update(id(n) for n in _target_names(node.target))

        def visit_Name(self, node: cst.Name) -> None:
            if node.value == name and id(node) not in targets:
                found.append(node)

    tree.visit(_Collect())
    return found


def _target_names(target: cst.BaseExpression) -> list[cst.Name]:
    if isinstance(target, cst.Name):
        return [target]
    if isinstance(target, (cst.Tuple, cst.List)):
        return [n for e in target.elements for n in _target_names(e.value)]
    if isinstance(target, cst.StarredElement):
        return _target_names(target.value)
    return []


def _reads(tree: cst.CSTNode, name: str) -> bool:
    return bool(_name_uses(tree, name))


def _check_rebound(graph: Graph, summaries: Summaries) -> None:
    """A merge reads each summarised tensor where the merge is: it must be the one summarised."""
    for value in summaries.bindings:
        if value.merge_of:
            continue
        for op in value.ops:
            if op.site is not None:
                continue  # the helper's own variable, read from its instance
            for stmt in graph.body[op.index + 1:value.index]:
                assignment = single_assignment(stmt)
                if assignment is not None and set(assignment[0]) & names_read(op.value):
                    raise CannotConvert(op.call, "a summarised tensor's name is rebound before the merge that reads it")


def _run_fetch(call) -> cst.BaseExpression | None:
    if isinstance(call, cst.Call) and isinstance(call.func, cst.Attribute):
        if call.func.attr.value == "run":
            return argument(call, 0, "fetches")
        if call.func.attr.value == "eval":
            return call.func.value
    return None


def _fetched(summaries: Summaries, fetch: cst.BaseExpression | None, run: cst.CSTNode) -> SummaryValue | None:
    """What the run ``run`` fetches as ``fetch``: a name bound in several graphs (one per
    reset_default_graph()) is the binding of the graph of the run's statement."""
    if not (isinstance(fetch, cst.Name) and fetch.value in summaries.named):
        return None
    values = [value for value in summaries.bindings if value.name == fetch.value]
    if len(values) == 1:
        return values[0]
    generation = summaries.call_generations.get(id(run))
    found = [value for value in values if summaries.generation(value.index) == generation]
    if not found:
        raise CannotConvert(fetch, (
            f"`{fetch.value}` names summaries of several graphs (reset_default_graph()) and is run other than by "
            "a statement of one of them"
        ))
    return found[0]


def _signature(graph: Graph, value: SummaryValue) -> tuple[tuple[str, str, str], ...]:
    """What writing ``value`` writes: (kind, tag, max_outputs) of each summary."""
    ops = tuple((op.kind, op.tag.text, graph.code(op.max_outputs) if op.max_outputs is not None else "")
                for op in value.ops)
    return ops + tuple((f"*{kind}", key, "") for key, kind in value.loop_writes)


def _trace(graph: Graph, summaries: Summaries) -> None:
    """Names holding fetched summaries, read only by add_summary; writers used only by
    add_summary, flush, close and add_graph."""
    bound: dict[str, int] = {}
    fetched_bindings: dict[str, int] = {}

    scopes = _Scopes()
    graph.module.visit(scopes)
    # (function binding it, or 0; name) -> what it holds, by the graph of the statement
    # binding it (None: no statement of the graph's block; reset_default_graph() starts a graph)
    holding: dict[tuple[int, str], dict[int | None, SummaryValue]] = {}

    def hold(name: str, value: SummaryValue, node: cst.Assign) -> None:
        # A name of one function (`summaries` in train_step and in dev_step) is its own.
        key = (scopes.of[id(node)][0], name)
        generation = summaries.call_generations.get(id(node.value))
        known = holding.get(key, {}).get(generation)
        if known is not None and _signature(graph, known) != _signature(graph, value):
            raise CannotConvert(node, f"`{name}` holds different summaries at different places")
        holding.setdefault(key, {})[generation] = value
        summaries.values[name] = value
        fetched_bindings[name] = fetched_bindings.get(name, 0) + 1

    def held_at(call: cst.Call, name: str) -> SummaryValue | None:
        held = next((holding[(scope, name)] for scope in scopes.of[id(call)] if (scope, name) in holding), None)
        if held is None:
            return None
        generation = summaries.call_generations.get(id(call))
        if generation in held:
            return held[generation]
        if len({_signature(graph, value) for value in held.values()}) == 1:
            return next(iter(held.values()))
        raise CannotConvert(call, f"`{name}` holds different summaries in different graphs (reset_default_graph()), "
                                  "written other than by a statement of one of them")

    for node in _nodes(graph.module, (cst.Assign, cst.AugAssign, cst.For, cst.AnnAssign)):
        targets = [t.target for t in node.targets] if isinstance(node, cst.Assign) else [node.target]
        for target in targets:
            for name in assigned_names(target):
                bound[name] = bound.get(name, 0) + 1
        if not isinstance(node, cst.Assign) or len(node.targets) != 1:
            continue
        fetch, target = _run_fetch(node.value), node.targets[0].target
        held = _fetched(summaries, fetch, node.value)
        if held is not None:
            if not isinstance(target, cst.Name):
                raise CannotConvert(node, "fetched summaries kept in something other than a name")
            hold(target.value, held, node)
        elif isinstance(fetch, (cst.List, cst.Tuple)) and isinstance(target, (cst.List, cst.Tuple)):
            for element, fetched in zip(target.elements, fetch.elements):
                held = _fetched(summaries, fetched.value, node.value)
                if held is None:
                    continue
                if not isinstance(element.value, cst.Name):
                    raise CannotConvert(node, "fetched summaries kept in something other than a name")
                hold(element.value.value, held, node)
    for name, count in fetched_bindings.items():
        if bound.get(name) != count:
            raise CannotConvert(graph.module, f"`{name}` holds fetched summaries and is also assigned otherwise")
    passed = _writer_parameters(graph, summaries)
    uses: dict[str, int] = {}
    for name in summaries.values.keys() | summaries.writers:
        uses[name] = len(_name_uses(graph.module, name))
    allowed = dict.fromkeys(summaries.values.keys() | summaries.writers, 0)
    for name, count in passed.items():
        allowed[name] += count
    statement_of = {id(c): stmt for stmt in _simple_statements(graph.module.body) for c in calls_in(stmt)}
    for call in calls_in(graph.module):
        writer = argument(call, 0, "summary_writer")
        if graph.sym(call.func) == VISUALIZE_EMBEDDINGS and isinstance(writer, cst.Name) and writer.value in summaries.writers:
            if expression_of(statement_of[id(call)]) is not call:
                raise CannotConvert(call, "projector.visualize_embeddings used as a value")
            _check_projector_checkpoint(graph, call)
            summaries.projector_calls[id(call)] = _logdir(graph, summaries, writer.value, scopes, call)
            allowed[writer.value] += 1
    for call in calls_in(graph.module):
        func = call.func
        if not (isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and func.value.value in summaries.writers):
            continue
        method = func.attr.value
        if method not in WRITER_METHODS:
            raise CannotConvert(call, f"FileWriter.{method} has no TF2 equivalent this rule can prove")
        if method == "add_summary":
            value = argument(call, 0, "summary")
            if isinstance(value, cst.Name) and held_at(call, value.value) is not None:
                summaries.writes[id(call)] = cast(SummaryValue, held_at(call, value.value))
                allowed[value.value] += 1
            elif (run := _fetched(summaries, _run_fetch(value), value)) is not None:
                summaries.writes[id(call)] = run
            else:
                raise CannotConvert(call, "add_summary of a value not fetched from a summary op or merge")
            if expression_of(statement_of[id(call)]) is not call:
                raise CannotConvert(call, "add_summary used as a value")
        elif method == "add_graph" and expression_of(statement_of[id(call)]) is not call:
            raise CannotConvert(call, "add_graph used as a value")
        allowed[func.value.value] += 1
    for name, count in allowed.items():
        if uses.get(name, 0) != count:
            kind = "a summary writer" if name in summaries.writers else "fetched summaries"
            raise CannotConvert(graph.module, f"`{name}`, {kind}, is used other than by add_summary, flush or close")


def _logdir(graph: Graph, summaries: Summaries, writer: str, scopes: _Scopes, call: cst.Call) -> cst.BaseExpression:
    """The log directory of ``writer`` where ``call`` (the projector's visualize_embeddings)
    reads it: the FileWriter's ``logdir`` when it names the same directory there (literals,
    and names bound once, at the module's level)."""
    logdir = summaries.logdirs.get(writer)
    if logdir is None:
        raise CannotConvert(call, (
            f"projector.visualize_embeddings of `{writer}`, a summary writer bound more than once or a parameter: "
            "which log directory it writes to cannot be told (TF2's takes the directory, not the writer)"
        ))
    counts, local = _bindings(graph.module)
    unstable = sorted(n for n in names_read(logdir) if counts.get(n) != 1 or n in local)
    if unstable or not _plain_path(logdir) or scopes.of[id(call)] != [0]:
        raise CannotConvert(call, (
            f"projector.visualize_embeddings of `{writer}`, whose log directory `{graph.code(logdir)}` may name "
            "another directory here (TF2's takes the directory, not the writer)"
        ))
    return logdir


def _check_projector_checkpoint(graph: Graph, call: cst.Call) -> None:
    """An embedding the projector finds by ``tensor_name`` in a checkpoint TF1's Saver wrote
    (keyed by variable name, listed in the ``checkpoint`` state file): G101's
    tf.train.Checkpoint keys it by object path and writes no state file."""
    named = next((n for n in _nodes(graph.module, (cst.Assign,)) for t in n.targets
                  if isinstance(t.target, cst.Attribute) and t.target.attr.value == "tensor_name"), None)
    saver = next((c for c in calls_in(graph.module) if graph.sym(c.func) == "train.Saver"), None)
    if named is not None and saver is not None:
        raise CannotConvert(call, (
            f"the projector reads an embedding by `{graph.code(named.targets[0].target)}` (the TF1 variable name) from "
            "the tf.train.Saver checkpoint, which TF2's tf.train.Checkpoint keys by object path "
            "(`<attribute>/.ATTRIBUTES/VARIABLE_VALUE`) without the `checkpoint` file the projector looks for"
        ))


def _bindings(tree: cst.CSTNode) -> tuple[dict[str, int], set[str]]:
    """How many times each name is bound in ``tree``, and the names functions bind."""
    counts: dict[str, int] = {}
    local: set[str] = set()
    depth = [0]

    class _Collect(FastVisitor):
        def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
            depth[0] += 1
            local.update(p.name.value for p in (*node.params.params, *node.params.kwonly_params))

        def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
            depth[0] -= 1

        def on_visit(self, node: cst.CSTNode) -> bool:
            targets: list[cst.BaseExpression] = []
            if isinstance(node, cst.Assign):
                targets = [t.target for t in node.targets]
            elif isinstance(node, (cst.AugAssign, cst.AnnAssign, cst.For, cst.CompFor)):
                targets = [node.target]
            elif isinstance(node, cst.AsName):
                targets = [node.name]
            for target in targets:
                for name in assigned_names(target):
                    counts[name] = counts.get(name, 0) + 1
                    if depth[0]:
                        local.add(name)
            return super().on_visit(node)

    tree.visit(_Collect())
    return counts, local


def _plain_path(node: cst.BaseExpression) -> bool:
    """A path of string literals and names joined by ``+``."""
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString, cst.Name)):
        return True
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
        return _plain_path(node.left) and _plain_path(node.right)
    return False


def _writer_parameters(graph: Graph, summaries: Summaries) -> dict[str, int]:
    """``dev_step(x, y, writer=dev_summary_writer)`` of ``def dev_step(x_batch, y_batch,
    writer=None)`` of the graph's block: its parameter is a writer too, when the function
    only writes with it and tests it (``if writer:``; a TF2 writer is true like TF1's).
    The parameters are added to the writers; returns the uses of each writer name this
    allows (the arguments passed, the parameter itself, its tests)."""
    functions = {s.name.value: s for s in graph.body if isinstance(s, cst.FunctionDef)}
    allowed: dict[str, int] = {}
    found: dict[str, cst.FunctionDef] = {}
    for call in calls_in(graph.module):
        fn = functions.get(call.func.value) if isinstance(call.func, cst.Name) else None
        if fn is None:
            continue
        params = fn.params.params
        for position, arg in enumerate(call.args):
            if not (isinstance(arg.value, cst.Name) and arg.value.value in summaries.writers) or arg.star:
                continue
            names = [p.name.value for p in params]
            name = arg.keyword.value if arg.keyword is not None else names[position] if position < len(names) else None
            param = next((p for p in params if p.name.value == name), None)
            if param is None or param.default is not None and not (
                    isinstance(param.default, cst.Name) and param.default.value == "None"):
                raise CannotConvert(call, f"summary writer `{arg.value.value}` passed to `{fn.name.value}` other than "
                                          "to a parameter without a default (or None)")
            allowed[arg.value.value] = allowed.get(arg.value.value, 0) + 1
            found[param.name.value] = fn
    for name, fn in found.items():
        summaries.writers.add(name)
        tests = 0
        for node in _nodes(fn, (cst.If, cst.While, cst.IfExp, cst.BooleanOperation, cst.UnaryOperation)):
            test = getattr(node, "test", None) or (node.expression if isinstance(node, cst.UnaryOperation) else None)
            if isinstance(test, cst.Name) and test.value == name:
                tests += 1
        outside = len(_name_uses(graph.module, name)) - len(_name_uses(fn, name))
        if outside:
            raise CannotConvert(fn, f"`{name}`, a parameter of `{fn.name.value}` given a summary writer, names "
                                    "something else elsewhere in the module")
        allowed[name] = allowed.get(name, 0) + 1 + tests  # the parameter, its tests
    return allowed


class _Scopes(FastVisitor):
    """The functions around each assignment and call, innermost first (0: the module)."""

    def __init__(self) -> None:
        self.stack: list[int] = [0]
        self.of: dict[int, list[int]] = {}

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.stack.append(id(node))

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.stack.pop()

    def on_visit(self, node: cst.CSTNode) -> bool:
        if isinstance(node, (cst.Assign, cst.Call)):
            self.of[id(node)] = self.stack[::-1]
        return super().on_visit(node)


def _nodes(tree: cst.CSTNode, types: tuple) -> list:
    found = []

    class _Collect(FastVisitor):
        def on_visit(self, node) -> bool:
            if isinstance(node, types):
                found.append(node)
            return True

    tree.visit(_Collect())
    return found


def _write_functions(graph: Graph, summaries: Summaries) -> None:
    """One ``@tf.function`` per set of summaries written, defined before the statement of
    the graph's block that first writes it: TF1 computed the summary protos in its graph;
    TF2's summary ops run eagerly cost far more than the step itself (a histogram, tens of
    ops), once per add_summary."""
    first: dict[int, int] = {}  # add_summary call -> statement of the graph's block holding it
    for index, stmt in enumerate(graph.body):
        for call in calls_in(stmt):
            if id(call) in summaries.writes:
                first.setdefault(id(call), index)
    for call_id, value in summaries.writes.items():
        if call_id not in first:
            raise CannotConvert(graph.module, "add_summary outside the block that builds and runs the graph")
    tf, indent = graph.tf, graph.module.default_indent
    for call_id in sorted(summaries.writes, key=lambda c: first[c]):
        value = summaries.writes[call_id]
        signature = _signature(graph, value)
        if signature in summaries.write_functions:
            continue
        name = graph.fresh(f"write_{value.name}")
        summaries.write_functions[signature] = name
        lines = [f"@{tf}.function(reduce_retracing=True)\n", f"def {name}(writer, values, step):\n",
                 f"{indent}with writer.as_default(step=step):\n"]
        for kind, tag, max_outputs in signature:
            if kind.startswith("*"):  # the summaries a loop made, by tag
                lines.append(f"{indent * 2}for tag, value in values[{_quoted(tag)}][{_quoted(kind[1:])}].items():\n")
                lines.append(f"{indent * 3}{tf}.summary.{kind[1:]}(tag, value)\n")
                continue
            extra = f", max_outputs={max_outputs}" if max_outputs else ""
            lines.append(f"{indent * 2}{tf}.summary.{kind}({_quoted(tag)}, values[{_quoted(tag)}]{extra})\n")
        graph.edits.inserted.setdefault(first[call_id], []).append("".join(lines).rstrip("\n"))


def _report(graph: Graph, summaries: Summaries) -> None:
    for loop in summaries.loops.values():
        kinds = " and ".join(f"tf.summary.{kind}" for kind in loop.kinds)
        graph.report(loop.ops[0].call, (
            f"{kinds} made in a loop into `{loop.name}` -> a dict of their values by TF1's tag (the variable's name "
            "with `:` as `_`), written with the step given to add_summary; TF1 added a suffix to a tag another op "
            "of the graph had taken (`_1`), which is not told here"
        ), kind="converted")
    for value in summaries.bindings:
        if value.imported_calls:
            called = ", ".join(f"`{name}()`" for name in value.imported_calls)
            graph.report(value.stmt.body[0], (
                f"merge_all() `{value.name}` holds the summaries this module creates; {called} from another module "
                "may create summaries too, which TF1 merged and which are not written here"
            ), kind="converted")
    for op in summaries.ops:
        tag = op.tag.text
        if not op.kept:
            graph.report(op.call, f"tf.summary.{op.kind} `{tag}` is never merged nor run: removed", kind="converted")
            continue
        note = f"tf.summary.{op.kind} `{tag}` -> written with the step given to add_summary"
        if op.kind == "histogram":
            note += " (TF2 histograms use 30 equal buckets, TF1 exponential ones)"
        if op.kind == "image":
            note += (f" (TF2 writes the images under the one tag `{tag}`, TF1 under `{tag}/image/0`, ...; "
                     "TF2 clips float pixels to [0, 1], TF1 rescaled them by their range)")
        if not op.tag.scope_known:
            note += "; TF1 prefixed the tag with a name scope that is not a literal"
        elif not op.tag.certain:
            note += f"; TF1 may have given it a suffix (`{tag}_1`): an op name in its scope could not be told"
        graph.report(op.call, note, kind="converted")


def build_values(graph: Graph, summaries: Summaries) -> None:
    """After classification: variables in the summary dicts are read through
    ``tf.identity`` (before the step's update, as TF1's summary read them)."""
    for value in summaries.bindings:
        if value.merge_of or not any(op.site is not None or graph.is_variable(op.value) for op in value.ops):
            continue
        unit = next((u for u in graph.units if u.index == value.index and value.name in u.defines), None)
        if unit is None:
            raise CannotConvert(value.stmt, f"summary `{value.name}` summarises no tensor of the graph")
        old = value.stmt
        new = old.with_changes(body=[old.body[0].with_changes(value=_dict_of(graph, value, variables=True))])
        unit.node = new if unit.node is old else unit.node.visit(_Replace(old, new))
        if graph.body[unit.index] is old:
            graph.body[unit.index] = new
        unit.reads = unit.reads | names_read(new.body[0].value)  # not the name it binds (a graph's earlier one)
        value.stmt = new


class _Replace(cst.CSTTransformer):
    def __init__(self, old: cst.CSTNode, new: cst.CSTNode) -> None:
        self.old, self.new = old, new

    def leave_SimpleStatementLine(self, original_node, updated_node):
        return self.new if original_node is self.old else updated_node


def write_statement(
    graph: Graph, summaries: Summaries, original: cst.SimpleStatementLine, updated: cst.SimpleStatementLine
) -> cst.BaseStatement | cst.RemovalSentinel | None:
    """``writer.add_summary(summary, step)`` -> its write function called with ``step``;
    ``writer.add_graph(...)`` goes."""
    call = expression_of(original)
    logdir = summaries.projector_calls.get(id(call))
    if isinstance(call, cst.Call) and logdir is not None:
        graph.report(call, (
            f"projector.visualize_embeddings given the writer's log directory `{graph.code(logdir)}`: TensorBoard's "
            "takes the directory (a TF2 writer has no get_logdir); the same projector_config.pbtxt"
        ), kind="converted")
        new = expression_of(updated)
        assert isinstance(new, cst.Call) and len(new.args) == len(call.args)
        writer_arg = argument(call, 0, "summary_writer")
        args = [
            arg.with_changes(value=logdir, keyword=cst.Name("logdir") if arg.keyword else None)
            if old.value is writer_arg else arg
            for old, arg in zip(call.args, new.args)
        ]
        return updated.with_changes(body=[updated.body[0].with_changes(value=new.with_changes(args=args))])
    if not (isinstance(call, cst.Call) and isinstance(call.func, cst.Attribute)):
        return None
    writer = call.func.value
    if not (isinstance(writer, cst.Name) and writer.value in summaries.writers):
        return None
    if call.func.attr.value == "add_graph":
        graph.report(call, "add_graph dropped: a TF2 summary writer writes no graph this way", kind="converted")
        return cst.RemovalSentinel.REMOVE
    value = summaries.writes.get(id(call))
    if value is None:
        return None
    new_call = expression_of(updated)
    assert isinstance(new_call, cst.Call)
    values = graph.code(argument(new_call, 0, "summary"))  # a name, or the run itself
    step_node = argument(new_call, 1, "global_step")
    step = graph.code(step_node) if step_node is not None else "0"  # TF1's event without a step: step 0
    write = summaries.write_functions[_signature(graph, value)]
    # The step goes in as a tensor: a Python int would trace the function again at each step.
    code = f"{write}({writer.value}, {values}, {graph.tf}.constant({step}, {graph.tf}.int64))"
    return updated.with_changes(body=[updated.body[0].with_changes(value=cst.parse_expression(code))])


class TensorBoardSummaries(Feature):
    """Scalar, histogram and image summaries, merges and ``FileWriter`` -> TF2 summary writers."""

    def __init__(self) -> None:
        self.summaries: Summaries | None = None
        self.statements: set[int] = set()  # summary and writer statements, not classified

    def exempt_calls(self, graph: Graph) -> set[int]:
        handled, self.summaries = prepare(graph, self.statements)
        return handled

    def owns_statement(self, graph: Graph, index: int) -> bool:
        return index in self.statements

    def check(self, graph: Graph) -> None:
        if self.summaries is not None:
            build_values(graph, self.summaries)

    def rewrite_call(self, graph: Graph, call: cst.Call) -> cst.BaseExpression | None:
        if self.summaries is None:
            return None
        return self.summaries.writer_calls.get(id(call))  # a FileWriter created in a loop or block

    def rewrite_statement(self, graph: Graph, original: cst.SimpleStatementLine, updated: cst.SimpleStatementLine):
        if self.summaries is None:
            return None
        return write_statement(graph, self.summaries, original, updated)
