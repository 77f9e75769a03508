"""G101 feature: ``tf.train.Saver`` -> ``tf.train.Checkpoint``.

TF1's ``saver = tf.train.Saver()`` captures the global variables that exist when it is
created: the model's variables and the slots of the optimizers whose ``minimize`` ran
before it. The converted program creates ``tf.train.Checkpoint(W=W, ...,
optimizer=optimizer)`` over the same objects, and builds each Keras optimizer right
before it (Keras creates slots on the first step; TF1's ``minimize`` had created them,
so a checkpoint written before training holds them too).

* ``saver.save(sess, path)`` -> ``saver.write(path)``: that exact prefix, returned;
  ``global_step=step`` -> ``saver.write("%s-%d" % (path, step))``, TF1's file name.
* ``saver.restore(sess, path)`` -> ``saver.read(path).assert_existing_objects_matched()``:
  TF1 failed on a saved variable missing from the file; so does this. TF1's restore
  returned None, and so does a restore whose value is kept.

An initializer run again (a new session) before a restore resets nothing the restore
does not set again: ``restored_state`` tells the initialisation stage what it sets.

``tf.train.get_checkpoint_state`` / ``latest_checkpoint`` (TF 2 has both) read the
``checkpoint`` state file that TF1's ``save`` kept up to date and ``Checkpoint.write``
does not. In a module that reads it (the "restore if a checkpoint exists, else
initialise" block), each save goes through ``tf.train.CheckpointManager``, which
writes TF1's file names and the state file, and deletes the checkpoints past the
Saver's ``max_to_keep`` (default 5) as TF1 did::

    saver.save(sess, "./model/dnn.ckpt", global_step=step)
    -> tf.train.CheckpointManager(saver, "./model", max_to_keep=5,
                                  checkpoint_name="dnn.ckpt").save(checkpoint_number=step)

It returns TF1's path ``./model/dnn.ckpt-<step>``. The path must show its folder (a
string literal, or ``folder + "/name"``) and the save its step (TF1 without a step
named the file ``path`` itself; the manager always numbers it): otherwise declined.
``tf.train.checkpoint_exists(p)`` (gone from TF 2) -> what TF1 tested,
``bool(tf.io.gfile.glob(p + ".index") or tf.io.gfile.glob(p))``. The reads themselves
are plain Python, so an ``if`` around a restore and an initializer run is left to the
run sites (the initializer run disappears; the restore is a ``read``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst

from codemods.analysis.graph import ReadNamesVisitor, argument, calls_in, names_read, single_assignment
from codemods.graph.g101_session_to_function.feature import Feature
from codemods.graph.g101_session_to_function.model import CannotConvert, Graph, Restore

# Saver options that only decide which old checkpoint files TF1 deleted (or how it named
# its ops): Checkpoint.write deletes nothing and the program cannot tell.
DROPPED_OPTIONS = {"max_to_keep", "keep_checkpoint_every_n_hours", "name", "sharded", "save_relative_paths"}
SAVE_KEYWORDS = {"sess", "save_path", "global_step", "write_meta_graph"}
RESTORE_KEYWORDS = {"sess", "save_path"}
# Calls that read the `checkpoint` state file TF1's Saver.save wrote (TF 2 has them,
# but for checkpoint_exists) and that write it (declined).
STATE_READS = {"train.latest_checkpoint", "train.get_checkpoint_state", "train.checkpoint_exists"}
STATE_WRITES = {"train.update_checkpoint_state", "train.generate_checkpoint_state_proto"}
# Attributes of tf.train.Checkpoint that a dependency name must not shadow.
RESERVED = {"save_counter", "save", "restore", "read", "write", "root", "sync"}


@dataclass
class Saver:
    name: str
    index: int
    call: cst.Call
    variables: list[str] = field(default_factory=list)
    optimizers: list[str] = field(default_factory=list)
    # CheckpointManager's arguments for TF1's deletion of old checkpoints (code), or
    # why the Saver's cannot be written so.
    keep: list[str] = field(default_factory=lambda: ["max_to_keep=5"])
    keep_problem: str | None = None


def exempt_calls(graph: Graph) -> set[int]:
    """``tf.train.Saver(...)`` assigned at the graph's level (and the calls in its
    arguments): converted here, or refused with a precise reason by ``classify``; the
    state file reads, plain Python (file reads) in TF 2."""
    found = {id(call) for call in calls_in(graph.module) if graph.sym(call.func) in STATE_READS}
    for stmt in graph.body:
        assignment = single_assignment(stmt)
        if assignment is not None and isinstance(assignment[1], cst.Call):
            if graph.sym(assignment[1].func) == "train.Saver":
                found.update(id(call) for call in calls_in(assignment[1]))
    return found


def classify(graph: Graph, savers: dict[str, Saver], index: int, names: list[str], call: cst.Call) -> bool:
    """``saver = tf.train.Saver(...)`` -> ``saver = tf.train.Checkpoint(...)`` in place.
    ``path = saver.save(sess, ...)`` is plain Python (rewritten by ``rewrite_call``)."""
    if _saver_call(savers, call) is not None or graph.sym(call.func) in STATE_READS:
        return True  # `ckpt = tf.train.get_checkpoint_state(folder)`: a Python value
    if graph.sym(call.func) != "train.Saver":
        return False
    if len(names) != 1:
        raise CannotConvert(call, "a tf.train.Saver not bound to one name")
    var_list = None
    saver = Saver(names[0], index, call)
    for position, arg in enumerate(call.args):
        keyword = arg.keyword.value if arg.keyword is not None else None
        if keyword == "var_list" or (keyword is None and position == 0 and not arg.star):
            var_list = arg.value
        elif keyword not in DROPPED_OPTIONS:
            raise CannotConvert(call, f"tf.train.Saver option `{keyword or position}` has no tf.train.Checkpoint equivalent")
        elif keyword == "max_to_keep":
            value = arg.value
            if isinstance(value, cst.Integer) or (isinstance(value, cst.Name) and value.value == "None"):
                # TF1 kept every checkpoint for None or 0; the manager refuses 0.
                kept = "None" if graph.code(value) in ("0", "None") else graph.code(value)
                saver.keep[0] = f"max_to_keep={kept}"
            else:
                saver.keep_problem = "a Saver whose max_to_keep is not a number literal (0 kept all; the manager refuses it)"
        elif keyword == "keep_checkpoint_every_n_hours":
            saver.keep.append(f"keep_checkpoint_every_n_hours={graph.code(arg.value)}")
    before = [(i, name, kind) for i, name, kind in graph.variables if i < index]
    if var_list is None or _is_call(graph, var_list, "global_variables"):
        saver.variables = [name for _, name, _ in before]
        for unit in graph.units:
            if unit.kind in ("train", "apply") and unit.index < index and unit.optimizer not in saver.optimizers:
                saver.optimizers.append(unit.optimizer)
    elif _is_call(graph, var_list, "trainable_variables"):
        saver.variables = [name for _, name, _ in before if graph.trainable.get(name, True)]
    else:
        saver.variables = _listed(graph, var_list, {name for _, name, _ in before})
    kinds = {name: kind for _, name, kind in before}
    lazy = [name for name in saver.variables if kinds.get(name) in ("layer", "module")]
    if lazy:
        raise CannotConvert(call, (
            f"tf.train.Saver over `{lazy[0]}`, whose variables Keras creates on its first call: "
            "they would be missing from a checkpoint written before it"
        ))
    taken = set(saver.variables) | set(saver.optimizers)
    if taken & RESERVED:
        raise CannotConvert(call, f"a variable named `{sorted(taken & RESERVED)[0]}` clashes with tf.train.Checkpoint's own attribute")
    builds = _optimizer_builds(graph, saver)
    parts = [f"{name}={name}" for name in [*saver.variables, *saver.optimizers]]
    if not parts:
        raise CannotConvert(call, "a tf.train.Saver created before any variable")
    text = f"{graph.tf}.train.Checkpoint({', '.join(parts)})"
    if len(text) > 88:
        indent = graph.module.default_indent
        text = f"{graph.tf}.train.Checkpoint(\n" + "".join(f"{indent}{p},\n" for p in parts) + ")"
    stmt = graph.body[index]
    lines = stmt.leading_lines
    if builds:
        comments = "".join(graph.module.code_for_node(line) for line in lines)
        graph.edits.inserted.setdefault(index, []).append(comments.lstrip("\r\n") + builds.rstrip("\n"))
        lines = []
    graph.edits.rewritten[index] = stmt.with_changes(
        leading_lines=lines, body=[stmt.body[0].with_changes(value=cst.parse_expression(text))]
    )
    savers[saver.name] = saver
    held = ", ".join([*saver.variables, *saver.optimizers])
    graph.report(call, f"tf.train.Saver -> tf.train.Checkpoint over {held}", kind="converted")
    return True


def _is_call(graph: Graph, node, symbol: str) -> bool:
    return isinstance(node, cst.Call) and not node.args and graph.sym(node.func) == symbol


def _listed(graph: Graph, node, known: set[str]) -> list[str]:
    """``[W, b]`` / ``{"w": W, "b": b}``: variables created before the Saver."""
    if isinstance(node, (cst.List, cst.Tuple)):
        values = [e.value for e in node.elements]
    elif isinstance(node, cst.Dict):
        values = [e.value for e in node.elements if isinstance(e, cst.DictElement)]
        if len(values) != len(node.elements):
            raise CannotConvert(node, "a tf.train.Saver var_list dict with ** unpacking")
    else:
        raise CannotConvert(node, "a tf.train.Saver var_list this rule cannot read")
    names = []
    for value in values:
        if not (isinstance(value, cst.Name) and value.value in known):
            raise CannotConvert(value, "a tf.train.Saver var_list entry that is not a variable created before it")
        names.append(value.value)
    return list(dict.fromkeys(names))


def _optimizer_builds(graph: Graph, saver: Saver) -> str:
    """``optimizer.build([...])`` for each optimizer the Saver holds."""
    lines = []
    for optimizer in saver.optimizers:
        lists = set()
        for unit in graph.units:
            if unit.optimizer != optimizer:
                continue
            if unit.kind == "train":
                lists.add(unit.var_list or graph.trainable_list(unit.index))
            elif unit.kind == "compute":
                lists.add(unit.var_list or graph.trainable_list(unit.index))
        if len(lists) != 1:
            raise CannotConvert(saver.call, f"cannot tell which variables `{optimizer}` trains, to save its slots")
        variables = lists.pop()
        if ".trainable_variables" in variables or any(f"{inst}." in variables for inst in graph.module_variables):
            raise CannotConvert(saver.call, f"`{optimizer}` trains variables created on their first call; its slots cannot be saved before")
        lines.append(f"{optimizer}.build({variables})\n")
        graph.edits.built_optimizers.add(optimizer)
    if not lines:
        return ""
    return (
        "# TF1's minimize() had created the optimizer slots its Saver holds; Keras creates\n"
        "# them on the first step: build them now, as a checkpoint written before training has them.\n"
        + "".join(lines)
    )


# -- uses of the saver ------------------------------------------------------------------
def _saver_call(savers: dict[str, Saver], call: cst.Call) -> tuple[Saver, str] | None:
    func = call.func
    if (
        isinstance(func, cst.Attribute)
        and isinstance(func.value, cst.Name)
        and func.value.value in savers
        and func.attr.value in ("save", "restore")
    ):
        return savers[func.value.value], func.attr.value
    return None


def _check_arguments(graph: Graph, call: cst.Call, method: str) -> None:
    allowed = SAVE_KEYWORDS if method == "save" else RESTORE_KEYWORDS
    positional = 3 if method == "save" else 2
    for position, arg in enumerate(call.args):
        if arg.star or (arg.keyword is None and position >= positional):
            raise CannotConvert(call, f"`saver.{method}` with arguments tf.train.Checkpoint has no equivalent for")
        if arg.keyword is not None and arg.keyword.value not in allowed:
            raise CannotConvert(call, f"`saver.{method}(..., {arg.keyword.value}=...)` has no tf.train.Checkpoint equivalent")
    session = argument(call, 0, "sess")
    sessions = graph.session_names()
    if not (isinstance(session, cst.Name) and session.value in sessions):
        raise CannotConvert(call, f"`saver.{method}` with a session this rule does not know")
    path = argument(call, 1, "save_path")
    if path is None:
        raise CannotConvert(call, f"`saver.{method}` without a path")
    step = argument(call, 2, "global_step")
    for node in (path, step):
        if node is None or (isinstance(node, cst.Name) and graph.is_variable(node)):
            continue
        if names_read(node) & graph.graph_names() or any(graph.runs_graph(c) for c in calls_in(node)):
            raise CannotConvert(node, f"`saver.{method}` with an argument computed by the graph")


class _Uses(ReadNamesVisitor):
    """Every mention of a saver name that is not a checked save/restore receiver."""

    def __init__(self, graph: Graph, savers: dict[str, Saver]) -> None:
        self.g = graph
        self.savers = savers
        self.allowed: set[int] = set()
        self.stray: list[cst.Name] = []
        self.saves: list[cst.Call] = []

    def visit_Call(self, node: cst.Call) -> None:
        found = _saver_call(self.savers, node)
        if found is not None:
            _check_arguments(self.g, node, found[1])
            self.allowed.add(id(node.func.value))
            if found[1] == "save":
                self.saves.append(node)

    def visit_Name(self, node: cst.Name) -> None:
        if node.value in self.savers and id(node) not in self.allowed:
            self.stray.append(node)


def check(graph: Graph, savers: dict[str, Saver]) -> bool:
    """Refuse what this module cannot make faithful (called after classification).
    True when the module reads the ``checkpoint`` state file: its saves must keep it."""
    reads = False
    for call in calls_in(graph.module):
        symbol = graph.sym(call.func)
        if symbol in STATE_WRITES:
            raise CannotConvert(call, f"`{graph.code(call.func)}` writes the `checkpoint` state file itself")
        if symbol in STATE_READS:
            reads = True
            if symbol == "train.checkpoint_exists":
                prefix = argument(call, 0, "checkpoint_prefix")
                if prefix is None or len(call.args) != 1 or calls_in(prefix):
                    raise CannotConvert(call, "`tf.train.checkpoint_exists` of a computed prefix (its TF 2 test reads it twice)")
    if not savers:
        return reads
    uses = _Uses(graph, savers)
    targets = {id(graph.body[s.index].body[0].targets[0].target) for s in savers.values()}
    for stmt in graph.body:
        if not isinstance(stmt, cst.ClassDef):
            stmt.visit(uses)
    for node in uses.stray:
        if id(node) not in targets:
            raise CannotConvert(node, f"`{node.value}` (a tf.train.Saver) used other than by save(sess, path) / restore(sess, path)")
    if reads:
        for call in uses.saves:
            saver = _saver_call(savers, call)
            assert saver is not None
            if saver[0].keep_problem is not None:
                raise CannotConvert(saver[0].call, f"the module reads the `checkpoint` state file: {saver[0].keep_problem}")
            _manager_parts(graph, call)
    return reads


def _manager_parts(graph: Graph, call: cst.Call) -> tuple[str, str]:
    """The folder and the file name of ``saver.save(sess, path, global_step=step)``
    (``CheckpointManager``'s directory and checkpoint_name), as code."""
    why = "the module reads the `checkpoint` state file, which tf.train.CheckpointManager keeps"
    if argument(call, 2, "global_step") is None:
        raise CannotConvert(call, f"`saver.save` without global_step: {why}, but it numbers every file (TF1's was `path`)")
    path = argument(call, 1, "save_path")
    if isinstance(path, cst.SimpleString) and not path.prefix and "\\" not in path.value:
        text, quote = path.evaluated_value, path.quote
        if isinstance(text, str) and "/" in text.strip("/") and quote not in text:
            folder, name = text.rsplit("/", 1)
            return f"{quote}{folder or '/'}{quote}", f"{quote}{name}{quote}"
    if isinstance(path, cst.BinaryOperation) and isinstance(path.operator, cst.Add) and isinstance(path.right, cst.SimpleString):
        right = path.right
        text = right.evaluated_value
        if not right.prefix and "\\" not in right.value and isinstance(text, str) and text.startswith("/") and "/" not in text[1:] and text[1:]:
            return graph.code(path.left), f"{right.quote}{text[1:]}{right.quote}"
    raise CannotConvert(call, f"`saver.save` to a path whose folder this rule cannot tell: {why} in one folder")


# -- the rewrite -------------------------------------------------------------------------
def rewrite_call(graph: Graph, savers: dict[str, Saver], original: cst.Call, state: bool) -> cst.BaseExpression | None:
    """``saver.save(sess, path[, global_step=s])`` -> ``saver.write(path[-s])`` (through a
    ``CheckpointManager`` when the module reads the state file, ``state``);
    ``saver.restore(sess, path)`` -> ``saver.read(path).assert_existing_objects_matched()``;
    ``tf.train.checkpoint_exists(p)`` -> TF1's test."""
    if graph.sym(original.func) == "train.checkpoint_exists":
        prefix = graph.code(argument(original, 0, "checkpoint_prefix"))
        return cst.parse_expression(f'bool({graph.tf}.io.gfile.glob({prefix} + ".index") or {graph.tf}.io.gfile.glob({prefix}))')
    found = _saver_call(savers, original)
    if found is None:
        return None
    saver, method = found
    path = graph.code(argument(original, 1, "save_path"))
    if method == "restore":
        return cst.parse_expression(f"{saver.name}.read({path}).assert_existing_objects_matched()")
    step = argument(original, 2, "global_step")
    if step is not None:
        value = f"{graph.variable_code(step)}.numpy()" if graph.is_variable(step) else graph.code(step)
        if state:
            folder, name = _manager_parts(graph, original)
            keep = ", ".join(saver.keep)
            graph.report(
                original, "saver.save -> tf.train.CheckpointManager(...).save: TF 1's file name and `checkpoint` "
                "state file; unlike TF 1's Saver, the manager also deletes the checkpoints an earlier run listed "
                "there once more than max_to_keep are listed", kind="converted")
            return cst.parse_expression(
                f"{graph.tf}.train.CheckpointManager({saver.name}, {folder}, {keep}, checkpoint_name={name})"
                f".save(checkpoint_number={value})"
            )
        path = f'"%s-%d" % ({path}, {value})'
    return cst.parse_expression(f"{saver.name}.write({path})")


def restore_statement(savers: dict[str, Saver], original: cst.SimpleStatementLine, updated: cst.SimpleStatementLine):
    """``load_path = saver.restore(sess, path)``: TF1 returned None."""
    assignment = single_assignment(original)
    if assignment is None or not isinstance(assignment[1], cst.Call):
        return None
    found = _saver_call(savers, assignment[1])
    if found is None or found[1] != "restore":
        return None
    value = updated.body[0].value
    read = updated.with_changes(body=[cst.Expr(value)])
    keep = cst.SimpleStatementLine(body=[updated.body[0].with_changes(value=cst.Name("None"))])
    return cst.FlattenSentinel([read, keep])


class Checkpoints(Feature):
    """``tf.train.Saver`` at the graph's level -> ``tf.train.Checkpoint``."""

    def __init__(self) -> None:
        self.savers: dict[str, Saver] = {}
        self.state = False  # the module reads the `checkpoint` state file

    def exempt_calls(self, graph: Graph) -> set[int]:
        return exempt_calls(graph)

    def classify_call(self, graph: Graph, index: int, names: list[str], call: cst.Call) -> bool:
        return classify(graph, self.savers, index, names, call)

    def check(self, graph: Graph) -> None:
        self.state = check(graph, self.savers)

    def restored_state(self, graph: Graph, call: cst.Call) -> Restore | None:
        found = _saver_call(self.savers, call)
        if found is None or found[1] != "restore":
            return None
        saver = found[0]
        return Restore(frozenset(saver.variables), frozenset(saver.optimizers))

    def rewrite_call(self, graph: Graph, call: cst.Call) -> cst.BaseExpression | None:
        return rewrite_call(graph, self.savers, call, self.state)

    def rewrite_statement(self, graph: Graph, original: cst.SimpleStatementLine, updated: cst.SimpleStatementLine):
        return restore_statement(self.savers, original, updated)
