"""G101 feature: TensorBoard summaries of a TF1 graph -> TF2 summary writers.

The TF1 pattern::

    tf.summary.scalar("loss", cost)
    tf.summary.histogram("weights", W)
    merged = tf.summary.merge_all()
    writer = tf.summary.FileWriter(logs_path, graph=tf.get_default_graph())
    _, c, summary = sess.run([train_op, cost, merged], feed_dict=...)
    writer.add_summary(summary, step)

becomes::

    writer = tf.summary.create_file_writer(logs_path)
    # the generated function returns `merged = {"loss": cost, "weights": tf.identity(W)}`
    c, summary = train_step(...)
    with writer.as_default(step=step):
        tf.summary.scalar("loss", summary["loss"])
        tf.summary.histogram("weights", summary["weights"])

so the same tags get the same values at the same steps. ``merge_all()`` becomes a dict
of the summarised tensors (computed in the run that fetched it, before its training
update, as TF1 did), the fetched NumPy dict is written where TF1 called
``add_summary``. A TF2 histogram buckets values differently from a TF1 one (30 equal
buckets instead of TF1's exponential ones). ``graph=`` / ``sess.graph`` is dropped:
TF2 writers write no graph that way. Everything else (``merge`` of a subset, images,
``add_graph``, summaries in scopes or blocks, summary values used otherwise) raises
``CannotConvert`` with the reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import libcst as cst

from codemods.analysis.graph import argument, assigned_names, calls_in, expression_of, names_read, single_assignment
from codemods.graph.g101_session_to_function.feature import Feature
from codemods.graph.g101_session_to_function.model import CannotConvert, Graph

KINDS = {"summary.scalar": "tensor", "summary.histogram": "values"}  # op -> name of its value argument
WRITER_ARGUMENTS = {"logdir", "graph", "max_queue", "flush_secs", "graph_def", "filename_suffix"}
# Tags TF1 keeps as they are (op names at the top of the graph; no scope prefix, no `_1`).
TAG = re.compile(r"^[A-Za-z0-9.][A-Za-z0-9_.\-]*$")
# A TF1 summary's tag is its op's name, made unique against every top-level name already
# in the graph, case-insensitively: `tf.Variable(..., name="Weights")` turns the tag
# "weights" into "weights_1". Default names of common ops (lower case), besides the
# names the program gives with string literals.
DEFAULT_NAMES = {
    "variable", "placeholder", "const", "matmul", "add", "sub", "mul", "truediv", "div", "neg", "pow",
    "mean", "sum", "max", "min", "prod", "square", "sqrt", "log", "exp", "abs", "softmax", "relu", "sigmoid",
    "tanh", "equal", "argmax", "argmin", "cast", "zeros", "ones", "fill", "reshape", "concat", "identity",
    "truncated_normal", "random_normal", "random_uniform", "logistic_loss", "dropout", "conv2d", "maxpool",
    "biasadd", "gradients", "gradientdescent", "adam", "adagrad", "rmsprop", "momentum", "ftrl", "adadelta",
    "beta1_power", "beta2_power", "init", "less", "greater", "cond", "while", "l2loss", "transpose", "squeeze",
    "expanddims", "gather", "onehot", "shape", "range", "tile", "slice", "stridedslice", "assign", "global_step",
    "softmax_cross_entropy_with_logits", "sparse_softmax_cross_entropy_with_logits", "sigmoid_cross_entropy_with_logits",
    "clip_by_value", "clip_by_global_norm", "maximum", "minimum", "floordiv", "mod", "logicalnot", "logicaland",
}


@dataclass
class Summary:
    index: int
    op: str  # scalar | histogram
    tag: str
    value: cst.BaseExpression
    call: cst.Call


@dataclass
class Summaries:
    merged: str
    merged_index: int
    items: list[Summary]
    writers: set[str] = field(default_factory=set)
    values: set[str] = field(default_factory=set)  # Python names holding a fetched merge


def prepare(graph: Graph, statements: set[int]) -> tuple[set[int], Summaries | None]:
    """Read the module's summaries before the graph is classified.

    Summary statements go (``graph.edits.removed``), writers are rewritten in place
    (``graph.edits.rewritten``); both are added to ``statements``, left out of the
    classification. Returns the ids of the calls handled here, which are not unsupported
    graph constructs any more, and the summaries."""
    symbol = graph.sym
    calls = [c for c in calls_in(graph.module) if (symbol(c.func) or "").startswith("summary.")]
    if not calls:
        return set(), None
    handled: set[int] = set()
    items: list[Summary] = []
    merged = None
    writers: dict[str, int] = {}
    names_in_use = _names_in_use(graph)
    for index, stmt in enumerate(graph.body):
        assignment = single_assignment(stmt)
        value = assignment[1] if assignment is not None else expression_of(stmt)
        if not isinstance(value, cst.Call):
            continue
        name = symbol(value.func)
        if name in KINDS:
            if merged is not None:
                raise CannotConvert(value, "a summary created after merge_all(), which does not merge it")
            if assignment is not None and any(n in names_read(graph.module) for n in assignment[0]):
                raise CannotConvert(value, "a summary op used by name (run alone or merged with merge([...]))")
            items.append(_summary(index, name, value, graph, items))
            if items[-1].tag.lower() in names_in_use:
                raise CannotConvert(value, f"summary tag `{items[-1].tag}`: TF1 would rename it (`{items[-1].tag}_1`), "
                                   "the graph already has an op or scope of that name")
            graph.edits.removed.add(index)
            statements.add(index)
            handled.add(id(value))
        elif name == "summary.merge_all" and assignment is not None and len(assignment[0]) == 1 and not value.args:
            if merged is not None:
                raise CannotConvert(value, "merge_all() called more than once")
            merged = (assignment[0][0], index)
            handled.add(id(value))
        elif name == "summary.FileWriter" and assignment is not None and len(assignment[0]) == 1:
            writers[assignment[0][0]] = index
            graph.edits.rewritten[index] = _writer(graph, stmt, value)
            graph.body[index] = graph.edits.rewritten[index]
            statements.add(index)
            handled.update(id(c) for c in calls_in(value))
    if merged is None:
        raise CannotConvert(calls[0], "summaries without merge_all(): summary ops run one by one")
    for call in calls:
        if id(call) not in handled and graph.sym(call.func) == "summary.FileWriter":
            raise CannotConvert(call, "a FileWriter created inside a loop, function or block, or not assigned to a name")
        if id(call) not in handled:
            raise CannotConvert(call, (
                f"`{graph.code(call.func)}` is not a scalar or histogram summary of the graph's top level, "
                "merged by merge_all() and written by a FileWriter's add_summary"
            ))
    summaries = Summaries(merged[0], merged[1], items, set(writers))
    _check_rebound(graph, summaries)
    _trace(graph, summaries)
    for item in items:
        graph.report(item.call, (
            f"tf.summary.{item.op} `{item.tag}` -> written with the step given to add_summary"
            + (" (TF2 histograms use 30 equal buckets, TF1 exponential ones)" if item.op == "histogram" else "")
        ), kind="converted")
    return handled, summaries


def _names_in_use(graph: Graph) -> set[str]:
    """Top-level graph names (lower case) a summary tag could collide with: literal
    ``name=`` arguments and name scopes of the module, and the default op names."""
    found = set(DEFAULT_NAMES)
    for call in calls_in(graph.module):
        symbol = graph.sym(call.func) or ""
        if symbol.startswith("summary."):
            continue
        nodes = [a.value for a in call.args if a.keyword is not None and a.keyword.value in ("name", "scope", "name_or_scope")]
        if symbol in ("name_scope", "variable_scope") and call.args:
            nodes.append(call.args[0].value)
        for node in nodes:
            if isinstance(node, cst.SimpleString):
                found.add(node.evaluated_value.split("/")[0].lower())
    return found


def _summary(index, name, call, graph: Graph, items) -> Summary:
    value_keyword = KINDS[name]
    if any(a.keyword is not None and a.keyword.value not in ("name", value_keyword) for a in call.args) or len(call.args) > 2:
        raise CannotConvert(call, "a summary with collections or family arguments")
    tag = argument(call, 0, "name")
    value = argument(call, 1, value_keyword)
    if not isinstance(tag, cst.SimpleString) or value is None:
        raise CannotConvert(call, "a summary whose tag is not a string literal")
    text = tag.evaluated_value
    if not TAG.match(text) or any(item.tag == text for item in items):
        raise CannotConvert(call, f"summary tag `{text}`: TF1 would rename it (scope, invalid characters or a repeated name)")
    return Summary(index, name.split(".")[-1], text, value, call)


def _writer(graph: Graph, stmt, call) -> cst.BaseStatement:
    """``tf.summary.FileWriter(logdir, graph)`` -> ``tf.summary.create_file_writer(logdir)``."""
    keywords = {a.keyword.value for a in call.args if a.keyword is not None}
    if keywords - WRITER_ARGUMENTS or len(call.args) > 2 and any(a.keyword is None for a in call.args[2:]):
        raise CannotConvert(call, "a FileWriter with arguments this rule does not map")
    logdir = argument(call, 0, "logdir")
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
    new = cst.parse_expression(f"{graph.tf}.summary.create_file_writer({', '.join(parts)})")
    return stmt.with_changes(body=[stmt.body[0].with_changes(value=new)])


def _check_rebound(graph: Graph, summaries: Summaries) -> None:
    """The merged dict reads each tensor where merge_all() is: it must be the one summarised."""
    for item in summaries.items:
        for stmt in graph.body[item.index + 1:summaries.merged_index]:
            assignment = single_assignment(stmt)
            if assignment is not None and set(assignment[0]) & names_read(item.value):
                raise CannotConvert(item.call, "a summarised tensor's name is rebound before merge_all()")


def _run_fetch(call) -> cst.BaseExpression | None:
    if isinstance(call, cst.Call) and isinstance(call.func, cst.Attribute):
        if call.func.attr.value == "run":
            return argument(call, 0, "fetches")
        if call.func.attr.value == "eval":
            return call.func.value
    return None


def _trace(graph: Graph, summaries: Summaries) -> None:
    """Names holding a fetched merge, read only by add_summary; writers used only by
    add_summary, flush and close."""
    merged = summaries.merged
    bound: dict[str, int] = {}
    for node in _nodes(graph.module, (cst.Assign, cst.AugAssign, cst.For, cst.AnnAssign)):
        targets = [t.target for t in node.targets] if isinstance(node, cst.Assign) else [node.target]
        for target in targets:
            for name in assigned_names(target):
                bound[name] = bound.get(name, 0) + 1
        if not isinstance(node, cst.Assign) or len(node.targets) != 1:
            continue
        fetch, target = _run_fetch(node.value), node.targets[0].target
        if isinstance(fetch, cst.Name) and fetch.value == merged and isinstance(target, cst.Name):
            summaries.values.add(target.value)
        elif isinstance(fetch, (cst.List, cst.Tuple)) and isinstance(target, (cst.List, cst.Tuple)):
            for element, fetched in zip(target.elements, fetch.elements):
                if isinstance(fetched.value, cst.Name) and fetched.value.value == merged:
                    if not isinstance(element.value, cst.Name):
                        raise CannotConvert(node, "a fetched merge_all() kept in something other than a name")
                    summaries.values.add(element.value.value)
    uses: dict[str, int] = {}
    attributes = {id(a.attr) for a in _nodes(graph.module, (cst.Attribute,))}  # `tf.summary`
    for node in _nodes(graph.module, (cst.Name,)):
        if id(node) not in attributes:
            uses[node.value] = uses.get(node.value, 0) + 1
    allowed = {name: bound.get(name, 0) for name in summaries.values | summaries.writers}
    for call in calls_in(graph.module):
        func = call.func
        if not (isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and func.value.value in summaries.writers):
            continue
        method = func.attr.value
        if method == "add_summary":
            value, step = argument(call, 0, "summary"), argument(call, 1, "global_step")
            if not (isinstance(value, cst.Name) and value.value in summaries.values) or step is None:
                raise CannotConvert(call, "add_summary of a value not fetched from merge_all(), or without a step")
            allowed[value.value] += 1
        elif method not in ("flush", "close"):
            raise CannotConvert(call, f"FileWriter.{method} has no TF2 equivalent this rule can prove")
        allowed[func.value.value] += 1
    for name in summaries.values:
        if bound.get(name) != sum(1 for n in _nodes(graph.module, (cst.Assign,)) if _binds_merge(n, name, merged)):
            raise CannotConvert(graph.module, f"`{name}` holds a fetched merge_all() and is also assigned otherwise")
    for name, count in allowed.items():
        if uses.get(name, 0) != count:
            kind = "a summary writer" if name in summaries.writers else "a fetched merge_all()"
            raise CannotConvert(graph.body[summaries.merged_index], f"`{name}`, {kind}, is used other than by add_summary, flush or close")


def _binds_merge(node: cst.Assign, name: str, merged: str) -> bool:
    fetch = _run_fetch(node.value)
    target = node.targets[0].target
    if isinstance(fetch, cst.Name):
        return fetch.value == merged and isinstance(target, cst.Name) and target.value == name
    if isinstance(fetch, (cst.List, cst.Tuple)) and isinstance(target, (cst.List, cst.Tuple)):
        return any(
            isinstance(e.value, cst.Name) and e.value.value == name and isinstance(f.value, cst.Name) and f.value.value == merged
            for e, f in zip(target.elements, fetch.elements)
        )
    return False


def _nodes(tree: cst.CSTNode, types: tuple) -> list:
    found = []

    class _Collect(cst.CSTVisitor):
        def on_visit(self, node) -> bool:
            if isinstance(node, types):
                found.append(node)
            return True

    tree.visit(_Collect())
    return found


def build_merged(graph: Graph, summaries: Summaries) -> None:
    """After classification: the merge_all() unit computes the dict of summarised tensors."""
    unit = graph.unit_by_name.get(summaries.merged)
    if unit is None or unit.index != summaries.merged_index:
        raise RuntimeError("merge_all() was not classified as a graph unit")
    pairs = []
    for item in summaries.items:
        code = graph.code(item.value)
        if graph.is_variable(item.value):
            code = f"{graph.tf}.identity({graph.variable_code(item.value)})"  # read before the update
        pairs.append(f'"{item.tag}": {code}')
    stmt = graph.body[unit.index]
    new = stmt.with_changes(body=[stmt.body[0].with_changes(value=cst.parse_expression("{" + ", ".join(pairs) + "}"))])
    graph.body[unit.index] = new
    unit.node = new
    unit.reads = names_read(new.body[0].value)


def write_statement(graph: Graph, summaries: Summaries, stmt: cst.SimpleStatementLine) -> cst.BaseStatement | None:
    """``writer.add_summary(summary, step)`` -> the merged summaries written at ``step``."""
    call = expression_of(stmt)
    if not (isinstance(call, cst.Call) and isinstance(call.func, cst.Attribute) and call.func.attr.value == "add_summary"):
        return None
    writer = call.func.value
    if not (isinstance(writer, cst.Name) and writer.value in summaries.writers):
        return None
    value = graph.code(argument(call, 0, "summary"))
    step = graph.code(argument(call, 1, "global_step"))
    tf, indent = graph.tf, graph.module.default_indent
    lines = [f"with {writer.value}.as_default(step={step}):\n"]
    for item in summaries.items:
        lines.append(f'{indent}{tf}.summary.{item.op}("{item.tag}", {value}["{item.tag}"])\n')
    new = cst.parse_statement("".join(lines), config=graph.module.config_for_parsing)
    return new.with_changes(leading_lines=stmt.leading_lines)


class TensorBoardSummaries(Feature):
    """Scalar and histogram summaries, ``merge_all`` and ``FileWriter`` -> TF2 summary writers."""

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
            build_merged(graph, self.summaries)

    def rewrite_statement(self, graph: Graph, original: cst.SimpleStatementLine, updated: cst.SimpleStatementLine):
        if self.summaries is None:
            return None
        return write_statement(graph, self.summaries, original)  # writer.add_summary(...)
