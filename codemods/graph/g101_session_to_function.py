"""G101: TF1 graph/Session code -> eager TF2 with ``tf.function`` and ``GradientTape``.

The module's top-level graph is read statement by statement (placeholders, variables,
tensor definitions, optimizer steps, sessions). Every ``sess.run`` / ``.eval()`` /
``.run()`` site becomes a call of a generated ``@tf.function`` holding the backward
slice of what it fetches; ``minimize`` / ``compute_gradients`` / ``tf.gradients`` are
recorded under a ``tf.GradientTape``; TF1 optimizers become Keras optimizers with their
TF1 hyperparameters written out. A module whose graph cannot be proven convertible
keeps running on ``tensorflow.compat.v1`` with v2 behaviour disabled, and the report
says why.
"""

from __future__ import annotations

import functools
import re
import textwrap
from dataclasses import dataclass, field

import libcst as cst

from codemods.analysis.graph import (
    ReadNamesVisitor,
    argument,
    assigned_names,
    call_parts,
    calls_in,
    expression_of,
    names_read,
    single_assignment,
    tf1_symbol,
)
from codemods.analysis.optimizers import OPTIMIZERS, keras_arguments
from codemods.base import Example, Rule
from codemods.graph import g101_checkpoints as checkpoints
from codemods.graph import g101_scoped_variables as scoped
from codemods.graph import g101_summaries as summaries
from codemods.graph import g101_variable_helpers as helpers
from codemods.graph.g102_layers_to_keras import (
    CLASSES_KEY,
    LAYER_OBJECTS_KEY,
    ORIGINAL_KEY,
    WEIGHTED,
)

SESSIONS = {"Session", "InteractiveSession"}
INITIALIZERS = {
    "global_variables_initializer", "initialize_all_variables", "local_variables_initializer",
    "variables_initializer", "initialize_variables", "tables_initializer", "initialize_local_variables",
}
# Module-level calls that configure TensorFlow rather than build the graph.
CONFIGURATION = {
    "set_random_seed", "random.set_random_seed", "reset_default_graph", "logging.set_verbosity",
    "disable_v2_behavior", "disable_eager_execution", "enable_eager_execution", "app.run",
}
# TensorFlow-package calls that load data or handle files: plain Python, not graph ops.
NOT_GRAPH = ("examples.", "gfile.", "io.gfile.", "app.flags", "flags.", "logging.", "compat.as_")
DISABLING_CALLS = {"disable_v2_behavior", "disable_eager_execution"}
# Graph-era constructs this rule cannot prove: the module falls back to compat.v1.
UNSUPPORTED = (
    "get_default_graph", "Graph", "add_to_collection", "get_collection", "train.Saver",
    "summary.", "train.start_queue_runners", "train.Coordinator", "contrib.", "get_variable",
    "variable_scope", "layers.", "nn.rnn_cell", "nn.dynamic_rnn", "nn.static_rnn",
    "train.string_input_producer", "py_func", "data.", "train.batch", "train.shuffle_batch",
    "global_variables", "train.get_global_step",  # resolved when fetched by a run (_global_step_fetches)
    "estimator.", "keras.", "losses.get_regularization", "get_local_variable", "make_template",
    "import_graph_def", "train.import_meta_graph", "saved_model.", "train.MonitoredSession",
    "train.MonitoredTrainingSession", "Print",
)
# TF1 decayed learning rates -> Keras schedules: (Keras class, TF1 parameters in order;
# None marks global_step, which Keras replaces by the optimizer's step count).
SCHEDULES = {
    "train.exponential_decay": ("ExponentialDecay", ("learning_rate", None, "decay_steps", "decay_rate", "staircase")),
    "train.inverse_time_decay": ("InverseTimeDecay", ("learning_rate", None, "decay_steps", "decay_rate", "staircase")),
    "train.polynomial_decay": (
        "PolynomialDecay", ("learning_rate", None, "decay_steps", "end_learning_rate", "power", "cycle"),
    ),
    "train.piecewise_constant": ("PiecewiseConstantDecay", (None, "boundaries", "values")),
}
GLOBAL_STEP_CALLS = {"train.get_global_step", "train.get_or_create_global_step"}
ASSIGNS = {"assign": "assign", "assign_add": "assign_add", "assign_sub": "assign_sub"}
DTYPE_STRINGS = {"float": "float32", "double": "float64", "int": "int32", "long": "int64"}
TRAIN_OP_NAMES = {"optimizer", "train_op", "train_step", "train", "training_op", "opt_op", "trainer", "optimize", "minimize", "train_opt", "update"}




class CannotConvert(Exception):
    """Raised with the node and reason that force the compat.v1 fallback."""

    def __init__(self, node: cst.CSTNode, reason: str) -> None:
        super().__init__(reason)
        self.node = node
        self.reason = reason


@dataclass
class Placeholder:
    name: str
    index: int
    dtype: str | None
    shape: str
    default: str | None


@dataclass
class Unit:
    """A top-level statement that builds part of the graph."""

    index: int
    node: cst.BaseStatement
    defines: list[str]
    reads: set[str]
    kind: str = "tensor"  # tensor | train | apply | compute | gradients
    call: cst.Call | None = None  # the minimize/apply/compute/gradients call
    optimizer: str | None = None
    var_list: str | None = None
    global_step: str | None = None


@dataclass
class Site:
    call: cst.Call
    fetch: cst.BaseExpression | None
    feed: dict[str, cst.BaseExpression]
    init: bool = False
    statement: int = 0  # index of the top-level statement holding the site


@dataclass
class Function:
    name: str
    params: list[Placeholder]
    units: list[Unit]
    values: list[str]
    shape: str  # single | list | tuple | dict | op
    keys: list[str] = field(default_factory=list)
    train: Unit | None = None
    position: int = 0
    structured: bool = False  # some value is itself a list, tuple or dict of tensors
    # Every training op the run executes (`train` is the first): GAN scripts run the
    # generator's and the discriminator's in one `sess.run`.
    trains: list[Unit] = field(default_factory=list)


class GraphToEager(Rule):
    code = "G101"
    slug = "session-to-function"
    summary = "TF1 placeholders, Sessions and optimizer steps become tf.function, GradientTape and Keras optimizers."
    # Nothing is converted unless the module runs a session (Session, InteractiveSession).
    triggers = ("Session",)
    details = (
        "Each sess.run/eval/run site calls a generated @tf.function holding the backward slice of its "
        "fetches; placeholders become its typed parameters (input_signature), initializer runs disappear, "
        "the session block is flattened, results are NumPy again. minimize / compute_gradients / "
        "apply_gradients / tf.gradients become GradientTape code; TF1 optimizers become Keras optimizers "
        "with TF1 hyperparameters written out (Adam epsilon 1e-8, Adagrad without epsilon); RMSProp's "
        "mean-square slots are set to 1.0 before the first step, where TF1 started them. "
        "tf.train.Saver at the graph's level becomes tf.train.Checkpoint over the variables and optimizers "
        "created before it (save -> write, TF1's path-<global_step>; restore -> read, failing on a missing "
        "variable); readers of the `checkpoint` state file are declined. tf.summary.scalar/histogram + "
        "merge_all + FileWriter become values the step returns, written by tf.summary.create_file_writer "
        "with the same tags and steps (TF2 histograms bucket differently). Several training ops in one run "
        "share one forward pass. Variables initialised again (a new session, a loop) are declined unless "
        "nothing could tell. Modules the analysis cannot prove keep running on tensorflow.compat.v1 with "
        "v2 behaviour disabled; the report names the construct."
    )
    examples = (
        Example(
            before=textwrap.dedent(
                """\
                import tensorflow as tf

                x = tf.placeholder(tf.float32, [None])
                w = tf.Variable(2.0)
                y = x * w
                with tf.Session() as sess:
                    sess.run(tf.global_variables_initializer())
                    print(sess.run(y, feed_dict={x: [1.0, 2.0]}))
                """
            ),
            after=textwrap.dedent(
                """\
                import tensorflow as tf

                w = tf.Variable(2.0)


                @tf.function(input_signature=[tf.TensorSpec([None], tf.float32)])
                def compute_y(x):
                    y = x * w
                    return y


                print(compute_y([1.0, 2.0]).numpy())
                """
            ),
        ),
        Example(
            before=textwrap.dedent(
                """\
                import tensorflow as tf

                x = tf.constant([1.0, 2.0])
                print(tf.reduce_sum(x))
                """
            ),
        ),
    )

    def rewrite(self, tree: cst.Module) -> cst.Module:
        tf_alias = self.resolver.alias_for("tensorflow") or self.resolver.alias_for("tensorflow.compat.v1")
        if tf_alias is None:
            return tree
        reported = len(self._reports)
        try:
            from codemods.graph import g101_model_classes as model_classes

            converted = model_classes.convert(self, tree, tf_alias) or _Converter(self, tree, tf_alias).convert()
            self.context.scratch["graph.converted"] = True
            return converted
        except CannotConvert as exc:
            del self._reports[reported:]  # what the abandoned conversion noted did not happen
            return self._fall_back(tree, tf_alias, exc)
        except _NothingToDo:
            return _before_layers(self, tree)

    def _fall_back(self, tree: cst.Module, alias: str, exc: CannotConvert) -> cst.Module:
        self.context.scratch["graph.fallback"] = True
        self.report(exc.node, f"kept on tf.compat.v1 with v2 behaviour disabled: {exc.reason}")
        return _install_fallback(_before_layers(self, tree), alias)  # G103 then homes what TF 2.21 lacks

    def sym(self, expr: cst.BaseExpression) -> str | None:
        return tf1_symbol(self.qualified_name(expr))


class _NothingToDo(Exception):
    pass


# -- G102 hooks: Keras layer objects that G102 created from TF1 functional layers ------
def _before_layers(rule: GraphToEager, tree: cst.Module) -> cst.Module:
    """The tree as it was before G102 (Keras 3 layers do not run in TF1 graph mode)."""
    return rule.context.scratch.pop(ORIGINAL_KEY, tree)


def _layer_object_call(converter: _Converter, call: cst.BaseExpression) -> bool:
    """``tf.keras.layers.Dense(...)`` assigned at the graph's level to a G102 object."""
    if not isinstance(call, cst.Call):
        return False
    symbol = converter.rule.sym(call.func) or ""
    classes = converter.rule.context.scratch.get(CLASSES_KEY, set())
    if not symbol.startswith("keras.layers.") and not (isinstance(call.func, cst.Name) and call.func.value in classes):
        return False
    objects = converter.rule.context.scratch.get(LAYER_OBJECTS_KEY, set())
    for stmt in converter.body:
        assignment = single_assignment(stmt)
        if assignment is not None and assignment[1] is call:
            return len(assignment[0]) == 1 and assignment[0][0] in objects
    return False


def _g102_calls(converter: _Converter) -> set[int]:
    """Calls G102 wrote: its layer constructors (and their arguments) and the bodies of
    its layer classes, which run as Keras code, not as TF1 graph building."""
    classes = converter.rule.context.scratch.get(CLASSES_KEY, set())
    found: set[int] = set()
    for stmt in converter.module.body:
        if isinstance(stmt, cst.ClassDef) and stmt.name.value in classes:
            found.update(id(c) for c in calls_in(stmt))
    for stmt in converter.body:
        assignment = single_assignment(stmt)
        if assignment is not None and _layer_object_call(converter, assignment[1]):
            found.update(id(c) for c in calls_in(assignment[1]))
    return found


def _is_layer_class(converter: _Converter, stmt) -> bool:
    """A G102 layer class: Keras code whose parameters may share placeholders' names."""
    return isinstance(stmt, cst.ClassDef) and stmt.name.value in converter.rule.context.scratch.get(CLASSES_KEY, set())


def _add_layer_object(converter: _Converter, index: int, name: str, call: cst.Call) -> None:
    """A layer object is state created once; its trainable_variables are trained."""
    converter.variables.append((index, name, "layer"))
    symbol = converter.rule.sym(call.func)
    weighted = symbol is None or symbol[len("keras.layers."):] in WEIGHTED  # None: a G102 layer class
    flag = next((a.value for a in call.args if a.keyword is not None and a.keyword.value == "trainable"), None)
    converter.trainable[name] = weighted and not (isinstance(flag, cst.Name) and flag.value == "False")


# -- helpers that create tf.Variables at each call (g101_variable_helpers) --------------
def _module_function(converter: _Converter, name: str) -> cst.FunctionDef | None:
    """A module-level function called from the graph built in ``main()``."""
    if converter.owner is None:
        return None
    return next((s for s in converter.module.body if isinstance(s, cst.FunctionDef) and s.name.value == name), None)


def _variable_helper(converter: _Converter, fn: cst.FunctionDef) -> None:
    """Register ``fn`` as a helper that becomes a ``tf.Module`` class, or refuse."""
    name = fn.name.value
    if name in converter.helpers:
        return
    class_name = converter._fresh(helpers.camel(name))
    converter.helpers[name] = helpers.analyse(fn, converter.rule.sym, converter.tf, class_name, CannotConvert)
    converter.rule.report(fn, f"`{name}` creates variables at each call -> tf.Module class `{class_name}`, one instance per call", kind="converted")


def _add_helper_instances(converter: _Converter, unit: Unit) -> None:
    """Each call of a variable helper in ``unit`` gets its instance, created where the graph was built."""
    for stmt in [unit.node] if isinstance(unit.node, cst.SimpleStatementLine) else _statements_in(unit.node):
        if not isinstance(stmt, cst.SimpleStatementLine):
            continue
        repeated = {id(c) for node in helpers.repeating_nodes(stmt) for c in calls_in(node)}
        for call in calls_in(stmt):
            if not (isinstance(call.func, cst.Name) and call.func.value in converter.helpers):
                continue
            if id(call) in repeated:
                raise CannotConvert(call, f"`{call.func.value}` creates variables and is called in a comprehension or lambda")
            helper = converter.helpers[call.func.value]
            assignment = single_assignment(stmt)
            names = assignment[0] if assignment else []
            instance = converter._fresh(helpers.instance_base(names, call.func.value))
            converter.helper_calls[id(call)] = instance
            converter.instances.setdefault(unit.index, []).append(f"{instance} = {helper.class_name}()")
            converter.variables.append((unit.index, instance, "module"))
            converter.module_vars[instance] = helper.variables
            if assignment is not None and assignment[1] is call and helper.returned:
                target = stmt.body[0].targets[0].target
                if isinstance(target, (cst.Tuple, cst.List)):
                    for position, attr in helper.returned.items():
                        element = target.elements[position].value if position < len(target.elements) else None
                        if isinstance(element, cst.Name):
                            converter.aliases[element.value] = f"{instance}.{attr}"


def _check_helper_calls(converter: _Converter) -> None:
    """Helpers are called only where the graph is built, and their random initial values
    are drawn in TF1's order: no other random initial value is drawn after theirs."""
    if not converter.helpers:
        return
    for call in calls_in(converter.module):
        if isinstance(call.func, cst.Name) and call.func.value in converter.helpers and id(call) not in converter.helper_calls:
            raise CannotConvert(call, f"`{call.func.value}` creates variables and is called outside the graph's own statements")
    random_units = _random_helper_units(converter)
    if not random_units:
        return
    unit_indices = {u.index for u in converter.units}
    for index, stmt in enumerate(converter.body):
        if index <= random_units[0] or index in unit_indices or isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
            continue
        for call in calls_in(stmt):
            if helpers.is_random(converter.rule.sym(call.func)):
                raise CannotConvert(call, (
                    "a random initial value drawn after a helper's variables: the helper's are drawn on "
                    "its first call, so the order of random draws would change"
                ))


def _random_helper_units(converter: _Converter) -> list[int]:
    random_calls = {
        call_id for call_id in converter.helper_calls
    }
    found = []
    for unit in converter.units:
        for call in calls_in(unit.node):
            if id(call) in random_calls and converter.helpers[call.func.value].random:
                found.append(unit.index)
                break
    return sorted(found)


def _check_creation_order(converter: _Converter, functions: list[Function]) -> None:
    """Whichever generated function runs first creates helper variables: each function
    must call the random-initialised helpers in a prefix of their program order."""
    order = _random_helper_units(converter)
    if not order:
        return
    for fn in functions:
        used = sorted(u.index for u in fn.units if u.index in order)
        if used != order[: len(used)]:
            raise CannotConvert(fn.units[0].node if fn.units else converter.module, (
                f"`{fn.name}` would create helper variables out of their program order"
            ))


def _module_helper_classes(converter: _Converter, module: cst.Module) -> cst.Module:
    """Module-level helpers of a graph built in ``main()`` become their classes in place."""
    classes = {h.fn.name.value: h.class_def for h in converter.helpers.values()}
    body = [
        classes[s.name.value] if isinstance(s, cst.FunctionDef) and s.name.value in classes else s for s in module.body
    ]
    return module.with_changes(body=body)


# -- variable lists selected by name (g101_scoped_variables) ---------------------------
def _selected_variables(converter: _Converter, node: cst.BaseExpression, before: int) -> str | None:
    """``tf.trainable_variables(scope="gen")`` / ``[v for v in ... if v.name.startswith("d")]``
    -> the list of the trainable variables created before ``before`` that it selects."""
    predicate = scoped.selection(node, converter.rule.sym, converter.all_variable_lists)
    if predicate is None:
        return None
    parts = []
    for index, name, kind in converter.variables:
        if index >= before or not converter.trainable.get(name, True):
            continue
        tf1_name = converter.variable_names.get(name) if kind == "var" else None
        if tf1_name is None:
            raise CannotConvert(node, f"a variable list selected by name, and the TF1 name of `{name}` is not known")
        try:
            if predicate(tf1_name):
                parts.append(name)
        except ValueError:
            raise CannotConvert(node, "a variable list selected by a condition this rule cannot read") from None
    if not parts:
        raise CannotConvert(node, "a variable list selected by name that selects no variable")
    return "[" + ", ".join(parts) + "]"


def _scoped_assignment(converter: _Converter, index: int, name: str, value: cst.BaseExpression) -> bool:
    """``t_vars = tf.trainable_variables()`` (a name for the whole list, read by selections)
    and ``g_vars = <selection>`` (a plain list of the selected variables, in place)."""
    if isinstance(value, cst.Call) and converter.rule.sym(value.func) == "trainable_variables" and not value.args:
        converter.all_variable_lists.add(name)
        full = converter._trainable_list(index)
        if any(instance in full for instance in converter.module_vars):
            raise CannotConvert(value, "`tf.trainable_variables()` read where helper variables do not exist yet")
        stmt = converter.body[index]
        converter.rewritten[index] = stmt.with_changes(body=[stmt.body[0].with_changes(value=cst.parse_expression(full))])
        return True
    selected = _selected_variables(converter, value, index)
    if selected is None:
        return False
    stmt = converter.body[index]
    converter.rewritten[index] = stmt.with_changes(body=[stmt.body[0].with_changes(value=cst.parse_expression(selected))])
    return True


# -- the global step: created inline by a training op, read back by get_global_step() ---
def _inline_global_step(converter: _Converter, index: int) -> str:
    """``minimize(..., global_step=tf.train.get_or_create_global_step())``: the step
    variable is created right before the training op, once."""
    existing = converter._global_step()
    if existing is not None:
        return existing
    name = converter._fresh("global_step")
    converter.inline_steps[index] = name
    converter.variables.append((index, name, "global_step"))
    converter.trainable[name] = False
    return name


def _global_step_fetches(converter: _Converter) -> set[int]:
    """``sess.run(tf.train.get_global_step())``: a variable read, resolved at planning."""
    found: set[int] = set()
    for call in calls_in(converter.module):
        if isinstance(call.func, cst.Attribute) and call.func.attr.value == "run" and call.args:
            fetch = call.args[0].value
            elements = [e.value for e in fetch.elements] if isinstance(fetch, (cst.List, cst.Tuple)) else [fetch]
            for element in elements:
                if isinstance(element, cst.Call) and not element.args and converter.rule.sym(element.func) == "train.get_global_step":
                    found.add(id(element))
    return found


def _learning_rate_code(converter: _Converter, call: cst.Call, code: str) -> str:
    """A learning rate held in a ``tf.Variable`` (``lr = tf.Variable(0.0, trainable=False)``,
    assigned between epochs): Keras 3 takes a callable, read at each step as TF1 read it."""
    reads = names_read(cst.parse_expression(code))
    if reads & converter._graph_names():
        raise CannotConvert(call, "a learning rate computed in the graph (placeholder or tensor)")
    if code in {name for _, name, kind in converter.variables if kind == "var"}:
        return f"lambda: {code}"
    return code


def _install_fallback(tree: cst.Module, alias: str) -> cst.Module:
    """Every ``import tensorflow as <alias>`` -> ``tensorflow.compat.v1``, and
    ``<alias>.disable_v2_behavior()`` right after the imports around the first of them:
    graph ops created before the switch would be eager (a notebook that imports TF again
    in a later cell built its first cells' ops eagerly, then ran an empty Session)."""
    body = list(tree.body)
    first_import = None
    has_disable = False
    for i, stmt in enumerate(body):
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                if isinstance(small, cst.Import):
                    names = []
                    for a in small.names:
                        if a.evaluated_name == "tensorflow" and (a.evaluated_alias or "tensorflow") == alias:
                            a = a.with_changes(
                                name=cst.parse_expression("tensorflow.compat.v1"),
                                asname=cst.AsName(name=cst.Name(alias)),
                            )
                            first_import = i if first_import is None else first_import
                        names.append(a)
                    body[i] = stmt.with_changes(body=[small.with_changes(names=names)])
                elif isinstance(small, cst.Expr) and isinstance(small.value, cst.Call):
                    code = cst.Module([]).code_for_node(small.value.func)
                    if code.endswith(("disable_v2_behavior", "disable_eager_execution")):
                        has_disable = True
    if not has_disable:
        position = -1 if first_import is None else first_import
        while position + 1 < len(body) and _imports_only(body[position + 1]):
            position += 1
        body.insert(position + 1, cst.parse_statement(f"{alias}.disable_v2_behavior()\n"))
    return tree.with_changes(body=body)


def _imports_only(stmt: cst.BaseStatement) -> bool:
    return isinstance(stmt, cst.SimpleStatementLine) and all(
        isinstance(small, (cst.Import, cst.ImportFrom)) for small in stmt.body
    )


class _Converter:
    def __init__(self, rule: GraphToEager, module: cst.Module, alias: str) -> None:
        self.rule = rule
        self.module = module
        self.sessions: set[str] = set()
        # The block that builds the graph: the module, or one top-level `def main():`
        # / `if __name__ == "__main__":` body.
        self.owner = self._graph_owner(rule, module)
        self.body = self._flatten_sessions(list(module.body if self.owner is None else self.owner.body.body))
        self.tf = alias
        self.code = module.code_for_node
        self.placeholders: dict[str, Placeholder] = {}
        self.units: list[Unit] = []
        self.unit_by_name: dict[str, Unit] = {}
        self.variables: list[tuple[int, str, str]] = []  # (index, name, kind: var|dict|list)
        self.trainable: dict[str, bool] = {}
        self.optimizers: dict[str, int] = {}
        self.inline_optimizers: dict[int, str] = {}  # unit index -> new optimizer name
        self.inits: set[str] = set()
        self.removed: set[int] = set()
        self.user_functions: dict[str, cst.FunctionDef] = {}
        self.session_params: dict[str, tuple[int, str]] = {}  # function -> (position, param)
        self.generated: set[str] = set()
        self.optimizer_calls: dict[str, cst.Call] = {}
        self.schedules: dict[str, str] = {}  # schedule name -> the global step it read
        self.rewritten: dict[int, cst.BaseStatement] = {}  # statements replaced in place
        self.site_feeds: dict[int, cst.BaseExpression] = {}  # run call -> its feed dict
        self.feed_assignments: set[int] = set()  # dict literals of inlined feed variables
        # Helpers creating tf.Variables at each call -> tf.Module classes (g101_variable_helpers).
        self.helpers: dict[str, helpers.VariableHelper] = {}
        self.helper_calls: dict[int, str] = {}  # call -> the instance it becomes
        self.instances: dict[int, list[str]] = {}  # statement index -> instance creations
        self.module_vars: dict[str, list[tuple[str, bool]]] = {}  # instance -> its variables
        self.aliases: dict[str, str] = {}  # graph name bound to a returned variable -> `inst.attr`
        # TF1 names of variables (None: not known statically), for scoped variable lists.
        self.variable_names: dict[str, str | None] = {}
        self.scope: str | None = ""  # the graph-level name scope being read ("" at the top)
        self.all_variable_lists: set[str] = set()  # `t_vars = tf.trainable_variables()`
        self.inline_steps: dict[int, str] = {}  # `global_step=tf.train.get_or_create_global_step()`
        self.savers: dict[str, checkpoints.Saver] = {}  # tf.train.Saver -> tf.train.Checkpoint (g101_checkpoints)

    @functools.cached_property
    def taken(self) -> set[str]:
        """Every name the module mentions (only needed once something is generated)."""
        return set(names_read(self.module))

    def _flatten_sessions(self, statements: list[cst.BaseStatement]) -> list[cst.BaseStatement]:
        """Open ``with tf.Session() as sess:`` blocks of the graph's own level: scripts
        keep building graph inside them, and in eager code the block has no meaning."""
        flat: list[cst.BaseStatement] = []
        for stmt in statements:
            item = stmt.items[0].item if isinstance(stmt, cst.With) else None
            if (
                isinstance(item, cst.Call)
                and self.rule.sym(item.func) in SESSIONS
                and len(stmt.items) == 1
                and argument(item, 1, "graph") is None
                and isinstance(stmt.body, cst.IndentedBlock)
            ):
                alias = stmt.items[0].asname
                if alias is not None:
                    self.sessions.update(assigned_names(alias.name))
                inner = list(stmt.body.body)
                inner[0] = inner[0].with_changes(leading_lines=[*stmt.leading_lines, *inner[0].leading_lines])
                flat.extend(inner)
            elif self._training_scope(stmt):
                inner = list(stmt.body.body)
                inner[0] = inner[0].with_changes(leading_lines=[*stmt.leading_lines, *inner[0].leading_lines])
                flat.extend(inner)
            else:
                flat.append(stmt)
        return flat

    def _training_scope(self, stmt) -> bool:
        """``with tf.name_scope("train"): optimizer = ...; training_op = optimizer.minimize(loss)``:
        the scope only names ops; the optimizer and its step are read as if at the graph's level."""
        if not (isinstance(stmt, cst.With) and len(stmt.items) == 1 and isinstance(stmt.body, cst.IndentedBlock)):
            return False
        item = stmt.items[0].item
        if not (isinstance(item, cst.Call) and self.rule.sym(item.func) == "name_scope") or stmt.items[0].asname:
            return False
        trains = False
        for inner in stmt.body.body:
            assignment = single_assignment(inner)
            if assignment is None or len(assignment[0]) != 1:
                return False
            value = assignment[1]
            symbol = (self.rule.sym(value.func) or "") if isinstance(value, cst.Call) else ""
            if symbol.startswith("train.") and symbol.endswith("Optimizer"):
                trains = True
            elif isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute) and value.func.attr.value in (
                "minimize", "apply_gradients", "compute_gradients"
            ):
                trains = True
        return trains

    def _runs_sessions(self, statements) -> bool:
        """Script code (not the functions and classes it defines) opens a session."""
        return any(
            self.rule.sym(call.func) in SESSIONS
            for stmt in statements
            if not isinstance(stmt, (cst.FunctionDef, cst.ClassDef))
            for call in calls_in(stmt)
        )

    @staticmethod
    def _graph_owner(rule: GraphToEager, module: cst.Module):
        def builds_graph(statements) -> bool:
            for stmt in statements:
                assignment = single_assignment(stmt)
                if assignment and isinstance(assignment[1], cst.Call):
                    if rule.sym(assignment[1].func) in ("placeholder", "placeholder_with_default", "Variable"):
                        return True
            return False

        if builds_graph(module.body):
            return None
        owners = [
            stmt
            for stmt in module.body
            if isinstance(stmt, (cst.FunctionDef, cst.If))
            and isinstance(stmt.body, cst.IndentedBlock)
            and builds_graph(stmt.body.body)
        ]
        if len(owners) == 1:
            owner = owners[0]
            def opens_session(node) -> bool:
                return any(rule.sym(call.func) in SESSIONS for call in calls_in(node))
            script = [s for s in module.body if s is not owner and not isinstance(s, cst.ClassDef)]
            if not opens_session(owner) and any(opens_session(s) for s in script):
                name = owner.name.value if isinstance(owner, cst.FunctionDef) else "the `if` block"
                raise CannotConvert(owner, f"the graph is built in `{name}` but run outside it")
            return owner
        if owners:
            raise CannotConvert(owners[1], "the graph is built in more than one function")
        return None

    # -- analysis ------------------------------------------------------------------
    def convert(self) -> cst.Module:
        # Only programs that build a graph and run it in a session are converted here;
        # graph-building library code is left to the API rules.
        if not self.sessions and not self._runs_sessions(self.body):
            raise _NothingToDo()
        g102_calls = (
            _g102_calls(self) | _global_step_fetches(self) | checkpoints.exempt_calls(self)
            | summaries.prepare(self, CannotConvert)
        )
        for call in calls_in(self.module):
            symbol = self.rule.sym(call.func)
            if id(call) in g102_calls:
                continue
            if symbol and any(symbol == u or (u.endswith(".") and symbol.startswith(u)) for u in UNSUPPORTED):
                raise CannotConvert(call, f"`{self.code(call.func)}` has no eager equivalent this rule can prove")
        for index, stmt in enumerate(self.body):
            if index not in summaries.statements(self):  # summaries and writers: read by prepare
                self._classify(index, stmt)
        checkpoints.check(self, CannotConvert)
        summaries.build_merged(self)
        _check_helper_calls(self)
        self._find_session_params()
        finder = _SiteFinder(self)
        sites = finder.find()
        if not self.savers:  # with a Saver, g101_checkpoints checks what follows a re-initialisation
            self._check_single_initialisation(sites, finder.looped_inits)
        functions = self._plan(sites)
        return self._rewrite(functions)

    def _check_single_initialisation(self, sites: list[Site], looped: set[int]) -> None:
        """Eager variables are initialised once, when created; TF1 re-ran initializers
        each time it was asked to. That is the same only for a variable whose initial
        value is not random and that no run changed in between (x.initializer.run()
        then tf.global_variables_initializer().run())."""
        initialised: set[str] = set()
        ran_since: set[str] = set()  # initialised variables a run may have changed since
        for site in sites:
            if not site.init:
                if self._changes_state(site):
                    ran_since |= initialised
                continue
            fetch = site.fetch if site.fetch is not None else site.call.func.value
            names = self._initialised_by(fetch, site.statement)
            again = names & initialised if id(site.call) not in looped else names
            for name in sorted(again):
                if name in ran_since or self._random_initial_value(name) or id(site.call) in looped:
                    raise CannotConvert(site.call, (
                        f"`{name}` is initialised again (a new session or a loop): TF1 reset it to a fresh "
                        "initial value, an eager variable keeps its value"
                    ))
            initialised |= names

    def _changes_state(self, site: Site) -> bool:
        """The run trains or assigns (one level of its fetch: enough for the usual scripts)."""
        fetch = site.fetch if site.fetch is not None else site.call.func.value
        for name in names_read(fetch):
            unit = self.unit_by_name.get(name)
            if unit is None:
                continue
            if unit.kind in ("train", "apply"):
                return True
            for call in calls_in(unit.node):
                method = call.func.attr.value if isinstance(call.func, cst.Attribute) else None
                if method in ("assign", "assign_add", "assign_sub") or self.rule.sym(call.func) in ("assign", "assign_add", "assign_sub"):
                    return True
        return False

    def _initialised_by(self, fetch, statement: int) -> set[str]:
        if isinstance(fetch, (cst.List, cst.Tuple)):
            return set().union(*(self._initialised_by(e.value, statement) for e in fetch.elements))
        if isinstance(fetch, cst.Attribute) and fetch.attr.value == "initializer" and isinstance(fetch.value, cst.Name):
            return {fetch.value.value}
        # A global initializer covers the variables created before it.
        return {name for index, name, _ in self.variables if index < statement}

    def _random_initial_value(self, name: str) -> bool:
        index = next((i for i, n, _ in self.variables if n == name), None)
        if index is None or index >= len(self.body):
            return True
        return any(
            re.search(r"random|truncated|uniform|normal|glorot|xavier|orthogonal|initializer", self.rule.sym(c.func) or "")
            for c in calls_in(self.body[index])
        )

    def _rewrite(self, functions: dict[int, tuple[Function, str]]) -> cst.Module:
        """Write the planned functions (g101_model_classes puts them into a class)."""
        return _Rewriter(self, functions).apply()

    def _graph_names(self) -> set[str]:
        return set(self.placeholders) | set(self.unit_by_name)

    def _classify(self, index: int, stmt: cst.BaseStatement) -> None:
        if isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
            if isinstance(stmt, cst.FunctionDef):
                self.user_functions[stmt.name.value] = stmt
            return
        if isinstance(stmt, cst.With):
            self._classify_with(index, stmt)
            return
        if not isinstance(stmt, cst.SimpleStatementLine):
            self._check_compound(stmt)
            return
        if all(isinstance(s, (cst.Import, cst.ImportFrom)) for s in stmt.body):
            return
        assignment = single_assignment(stmt)
        if assignment is not None:
            self._classify_assignment(index, stmt, *assignment)
            return
        expr = expression_of(stmt)
        if isinstance(expr, cst.Call):
            symbol = self.rule.sym(expr.func)
            if symbol in CONFIGURATION:
                if symbol in DISABLING_CALLS:
                    self.removed.add(index)
                return
            if symbol is not None:
                raise CannotConvert(stmt, f"module-level `{self.code(expr.func)}(...)` builds graph state")

    def _classify_assignment(self, index, stmt, names, value) -> None:
        graph = self._graph_names()
        if isinstance(value, cst.Call):
            if checkpoints.classify(self, index, names, value, CannotConvert):
                return
            symbol = self.rule.sym(value.func)
            if symbol in ("placeholder", "placeholder_with_default") and len(names) == 1:
                self.placeholders[names[0]] = self._placeholder(index, names[0], value, symbol)
                self.removed.add(index)
                return
            if symbol == "Variable" and len(names) == 1:
                self._add_variable(index, names[0], "var", value)
                return
            factory = self._variable_factory(value) if len(names) == 1 else None
            if factory is not None:
                # `w_h = init_weights([784, 625])`: a helper that returns a new variable.
                self._add_variable(index, names[0], "var", factory)
                return
            if _layer_object_call(self, value):
                _add_layer_object(self, index, names[0], value)
                return
            if symbol in ("train.get_or_create_global_step", "train.create_global_step") and len(names) == 1:
                self._add_variable(index, names[0], "global_step", value)
                return
            if symbol in INITIALIZERS:
                self.inits.update(names)
                self.removed.add(index)
                return
            if symbol in SCHEDULES and len(names) == 1:
                self._add_schedule(index, names[0], value, symbol)
                return
            if symbol in SESSIONS:
                self.sessions.update(names)
                self.removed.add(index)
                return
            if symbol and symbol.startswith("train.") and symbol.endswith("Optimizer") and len(names) == 1:
                if symbol[len("train."):] not in OPTIMIZERS:
                    raise CannotConvert(value, f"no faithful Keras optimizer for `{symbol}`")
                self.optimizers[names[0]] = index
                self.optimizer_calls[names[0]] = value
                return
            if isinstance(value.func, cst.Attribute) and value.func.attr.value in ("minimize", "apply_gradients"):
                self._add_train(index, stmt, names, value)
                return
        if len(names) == 1 and _scoped_assignment(self, index, names[0], value):
            return
        if isinstance(value, (cst.Dict, cst.List)) and len(names) == 1 and self._all_variables(value):
            self._add_variable(index, names[0], "dict" if isinstance(value, cst.Dict) else "list", value)
            return
        if any(self._runs_graph(call) for call in calls_in(value)):
            return  # `c = sess.run(cost, ...)`: Python code reading results
        reads = names_read(value)
        if reads & set(self.schedules):
            raise CannotConvert(value, "a decayed learning rate used in a computation")
        variables = {name for _, name, _ in self.variables}
        if isinstance(value, (cst.List, cst.Tuple)) and value.elements and all(
            isinstance(e.value, cst.Name) and e.value.value in variables for e in value.elements
        ):
            return  # `theta_D = [D_W1, D_b1]`: a Python list of the variables themselves
        if reads & graph or reads & variables or self._builds_ops(value):
            # `y = W * x_data + b` over variables alone is graph too: evaluated per run.
            unit = Unit(index, stmt, names, reads)
            for call in calls_in(value):
                if isinstance(call.func, cst.Attribute) and call.func.attr.value == "compute_gradients":
                    unit.kind, unit.call = "compute", call
                    unit.optimizer = self._optimizer_of(call, index)
                    unit.var_list = self._var_list_code(call, 1, index)
                elif self.rule.sym(call.func) == "gradients":
                    unit.kind, unit.call = "gradients", call
            self._add_unit(unit)

    def _add_schedule(self, index, name, call, symbol) -> None:
        keras_name, params = SCHEDULES[symbol]
        arguments = []
        step = None
        for position, param in enumerate(params):
            keyword = param or ("x" if symbol == "train.piecewise_constant" else "global_step")
            node = argument(call, position, keyword)
            if param is None:
                step = node
            elif node is not None:
                keras_keyword = "initial_learning_rate" if param == "learning_rate" else param
                arguments.append(f"{keras_keyword}={self.code(node)}")
        if step is None:
            raise CannotConvert(call, f"`{symbol}` without a global step")
        new = cst.parse_expression(f"{self.tf}.keras.optimizers.schedules.{keras_name}({', '.join(arguments)})")
        self.schedules[name] = self.code(step)
        self.rewritten[index] = self.body[index].with_changes(body=[self.body[index].body[0].with_changes(value=new)])
        self.rule.report(call, f"{symbol} -> keras.optimizers.schedules.{keras_name}, stepped by the optimizer", kind="converted")

    def _check_schedule(self, unit: Unit) -> None:
        """A schedule follows the optimizer's step count: TF1 must have stepped it with the same counter."""
        receiver = unit.call.func.value
        ctor = self.optimizer_calls.get(receiver.value) if isinstance(receiver, cst.Name) else receiver
        rate = argument(ctor, 0, "learning_rate") if isinstance(ctor, cst.Call) else None
        if isinstance(rate, cst.Name) and rate.value in self.schedules:
            if unit.global_step != self.schedules[rate.value]:
                raise CannotConvert(unit.call, f"learning rate `{rate.value}` decays with a step this training op does not increment")
            if self.rule.sym(ctor.func) == "train.MomentumOptimizer":
                raise CannotConvert(ctor, (
                    "MomentumOptimizer with a decaying learning rate: TF1 scales the accumulated gradients by "
                    "the current rate, Keras SGD accumulates rate-scaled gradients; they differ once the rate changes"
                ))

    def _runs_graph(self, call: cst.Call) -> bool:
        """``sess.run(...)``, ``t.eval(...)`` or ``op.run(...)``."""
        func = call.func
        if not isinstance(func, cst.Attribute) or func.attr.value not in ("run", "eval"):
            return False
        receiver = func.value
        return isinstance(receiver, cst.Name) and (
            receiver.value in self.sessions or receiver.value in self._graph_names() or self._is_variable(receiver)
        )

    def _placeholder(self, index, name, call, symbol) -> Placeholder:
        if symbol == "placeholder":
            dtype_node = argument(call, 0, "dtype")
            shape_node = argument(call, 1, "shape")
            default = None
            dtype = self._dtype(dtype_node) if dtype_node is not None else None
        else:
            default_node = argument(call, 0, "input")
            shape_node = argument(call, 1, "shape")
            default = self.code(default_node)
            dtype = {bool: "bool", float: "float32", int: "int32"}.get(_literal_type(default_node))
            dtype = f"{self.tf}.{dtype}" if dtype else None
        return Placeholder(name, index, dtype, self.code(shape_node) if shape_node is not None else "None", default)

    def _dtype(self, node: cst.BaseExpression) -> str:
        if isinstance(node, cst.SimpleString):
            text = node.evaluated_value
            return f"{self.tf}.{DTYPE_STRINGS.get(text, text)}"
        return self.code(node)

    def _add_variable(self, index, name, kind, value) -> None:
        self.variables.append((index, name, kind))
        if kind == "var":
            self.variable_names[name] = scoped.variable_name(value, self.scope)
        trainable = True
        if isinstance(value, cst.Call):
            flag = argument(value, 1, "trainable")
            if kind == "global_step" or (isinstance(flag, cst.Name) and flag.value == "False"):
                trainable = False
        self.trainable[name] = trainable

    def _variable_factory(self, call: cst.Call) -> cst.Call | None:
        """The ``tf.Variable(...)`` call of a one-statement helper ``return tf.Variable(...)``."""
        if not isinstance(call.func, cst.Name):
            return None
        fn = self.user_functions.get(call.func.value) or _module_function(self, call.func.value)
        if fn is None or not isinstance(fn.body, cst.IndentedBlock) or len(fn.body.body) != 1:
            return None
        stmt = fn.body.body[0]
        returned = stmt.body[0] if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 else None
        if isinstance(returned, cst.Return) and isinstance(returned.value, cst.Call):
            if self.rule.sym(returned.value.func) == "Variable":
                return returned.value
        return None

    def _all_variables(self, value) -> bool:
        elements = value.elements
        if not elements:
            return False
        for element in elements:
            inner = element.value
            if not (isinstance(inner, cst.Call) and self.rule.sym(inner.func) == "Variable"):
                return False
        return True

    def _builds_ops(self, node) -> bool:
        for call in calls_in(node):
            symbol = self.rule.sym(call.func)
            if symbol is not None and symbol not in CONFIGURATION and not symbol.startswith(NOT_GRAPH):
                return True
            if isinstance(call.func, cst.Attribute) and call.func.attr.value in ("assign", "assign_add", "assign_sub"):
                return True
        return False

    def _add_unit(self, unit: Unit) -> None:
        for name in unit.reads:
            fn = self.user_functions.get(name) or _module_function(self, name)
            if fn is not None:
                self._check_graph_function(fn)
        _add_helper_instances(self, unit)
        self.units.append(unit)
        for name in unit.defines:
            self.unit_by_name[name] = unit

    def _check_graph_function(self, fn: cst.FunctionDef) -> None:
        """A function called while building the graph must not create variables or read tensors."""
        symbols = [self.rule.sym(call.func) or "" for call in calls_in(fn)]
        if "Variable" in symbols and not any(s == "get_variable" or s.startswith("layers.") for s in symbols):
            _variable_helper(self, fn)
        for call in calls_in(fn):
            symbol = self.rule.sym(call.func)
            if (symbol in ("Variable", "get_variable") or (symbol or "").startswith("layers.")) and fn.name.value not in self.helpers:
                raise CannotConvert(call, f"`{fn.name.value}` creates variables each time it is called")
        leaked = names_read(fn.body) & self._graph_names() - _local_names(fn)
        if leaked and fn.name.value not in self.unit_by_name:
            index = next((i for i, stmt in enumerate(self.body) if stmt is fn), None)
            if index is None or fn.decorators:
                raise CannotConvert(fn, f"`{fn.name.value}` reads graph tensor `{sorted(leaked)[0]}` as a global")
            # `def body(i, v): return i + 1, tf.matmul(A, v)` for a while_loop: the
            # definition moves into the generated function, next to the tensors it reads.
            self.units.append(Unit(index, fn, [fn.name.value], names_read(fn.body) - _local_names(fn)))
            self.unit_by_name[fn.name.value] = self.units[-1]

    def _optimizer_of(self, call: cst.Call, index: int) -> str:
        receiver = call.func.value
        if isinstance(receiver, cst.Name) and receiver.value in self.optimizers:
            return receiver.value
        if isinstance(receiver, cst.Call):
            symbol = self.rule.sym(receiver.func) or ""
            if symbol.startswith("train.") and symbol[len("train."):] in OPTIMIZERS:
                # `optimizer = tf.train.XOptimizer(lr).minimize(cost)`: once the run
                # sites are rewritten the name is free for the Keras optimizer.
                assignment = single_assignment(self.body[index])
                names = assignment[0] if assignment else []
                name = names[0] if names and "optim" in names[0] else self._fresh("optimizer")
                self.inline_optimizers[index] = name
                return name
            if symbol.startswith("train.") and symbol.endswith("Optimizer"):
                raise CannotConvert(receiver, f"no faithful Keras optimizer for `{symbol}`")
        raise CannotConvert(call, f"cannot tell which optimizer `{self.code(call.func)}` belongs to")

    def _var_list_code(self, call: cst.Call, position: int, index: int) -> str | None:
        node = argument(call, position, "var_list")
        if node is None:
            return None
        if isinstance(node, cst.Call) and self.rule.sym(node.func) == "trainable_variables" and not node.args:
            return self._trainable_list(index)
        selected = _selected_variables(self, node, index)
        if selected is not None:
            return selected
        return self.code(node)

    def _add_train(self, index, stmt, names, call) -> None:
        method = call.func.attr.value
        unit = Unit(index, stmt, names, names_read(call), kind="train" if method == "minimize" else "apply", call=call)
        unit.optimizer = self._optimizer_of(call, index)
        # minimize(loss, global_step, var_list, ...), apply_gradients(grads_and_vars, global_step, ...)
        step = argument(call, 1, "global_step")
        unit.global_step = self.code(step) if step is not None else None
        if isinstance(step, cst.Call) and not step.args and self.rule.sym(step.func) in GLOBAL_STEP_CALLS:
            unit.global_step = _inline_global_step(self, index)
        if method == "minimize":
            unit.var_list = self._var_list_code(call, 2, index)
        self._check_schedule(unit)
        self._add_unit(unit)

    def _trainable_list(self, before: int) -> str:
        parts = []
        for index, name, kind in self.variables:
            if index >= before or not self.trainable.get(name, True):
                continue
            if kind == "module":
                parts.extend(f"{name}.{attr}" for attr, trainable in self.module_vars[name] if trainable)
                continue
            parts.append({
                "var": name, "dict": f"*{name}.values()", "list": f"*{name}", "layer": f"*{name}.trainable_variables",
            }.get(kind, name))
        if not parts:
            raise CannotConvert(self.body[min(before, len(self.body) - 1)], "no trainable variables are created before this training op")
        return "[" + ", ".join(parts) + "]"

    def _classify_with(self, index: int, stmt: cst.With) -> None:
        item = stmt.items[0].item
        symbol = self.rule.sym(item.func) if isinstance(item, cst.Call) else None
        if symbol in SESSIONS:
            if len(stmt.items) != 1 or (isinstance(item, cst.Call) and argument(item, 1, "graph") is not None):
                raise CannotConvert(stmt, "a session bound to an explicit graph")
            alias = stmt.items[0].asname
            if alias is not None:
                self.sessions.update(assigned_names(alias.name))
            return
        if symbol == "control_dependencies" and self._classify_dependent_train(index, stmt):
            return
        if symbol in ("name_scope", "control_dependencies", "device"):
            body_reads: set[str] = set()
            defines: list[str] = []
            tensors: list[cst.BaseStatement] = []
            variables: list[cst.BaseStatement] = []
            for inner in stmt.body.body:
                assignment = single_assignment(inner)
                if assignment is None:
                    raise CannotConvert(inner, f"only tensor definitions are supported inside `{symbol}` blocks")
                value = assignment[1]
                if isinstance(value, cst.Call) and self.rule.sym(value.func) == "Variable" and symbol == "name_scope":
                    # Variables stay where they were created, in the same scope.
                    variables.append(inner)
                    prefix = scoped.scope_prefix(item, self.rule.sym)
                    self.scope = None if prefix is None else f"{self.scope or ''}{prefix}"
                    try:
                        self._add_variable(index, assignment[0][0], "var", value)
                    finally:
                        self.scope = ""
                    continue
                if any(self.rule.sym(c.func) == "Variable" for c in calls_in(value)):
                    raise CannotConvert(inner, f"variables created inside a `{symbol}` block")
                tensors.append(inner)
                defines.extend(assignment[0])
                body_reads |= names_read(value)
            if variables:
                self.rewritten[index] = stmt.with_changes(body=stmt.body.with_changes(body=variables))
            if tensors:
                unit = stmt.with_changes(body=stmt.body.with_changes(body=tensors))
                self._add_unit(Unit(index, unit, defines, body_reads | names_read(stmt.items[0])))
            return
        self._check_compound(stmt)

    def _classify_dependent_train(self, index: int, stmt: cst.With) -> bool:
        """``with tf.control_dependencies(update_ops): train_op = opt.minimize(loss)``: in
        a tf.function stateful ops run in program order, so the generated step computes
        the dependencies before it applies the gradients, without the block."""
        if len(stmt.items) != 1 or len(stmt.body.body) != 1:
            return False
        assignment = single_assignment(stmt.body.body[0])
        if assignment is None:
            return False
        names, value = assignment
        if not (isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute)
                and value.func.attr.value in ("minimize", "apply_gradients")):
            return False
        self._add_train(index, stmt, names, value)
        self.unit_by_name[names[0]].reads |= names_read(stmt.items[0].item)
        return True

    def _check_compound(self, stmt) -> None:
        """Loops and conditions may run sessions but must not build graph."""
        in_runs: set[int] = set()
        for call in calls_in(stmt):
            if isinstance(call.func, cst.Attribute) and call.func.attr.value in ("run", "eval"):
                in_runs.update(id(inner) for arg in call.args for inner in calls_in(arg))
        for call in calls_in(stmt):
            symbol = self.rule.sym(call.func)
            if symbol in SESSIONS or symbol is None or id(call) in in_runs:
                continue
            if symbol not in CONFIGURATION and symbol not in INITIALIZERS:
                raise CannotConvert(call, "the graph is built inside a loop, condition or block")
        for inner in _statements_in(stmt):
            if isinstance(inner, cst.With):
                item = inner.items[0].item
                if isinstance(item, cst.Call) and self.rule.sym(item.func) in SESSIONS:
                    alias = inner.items[0].asname
                    if alias is not None:
                        self.sessions.update(assigned_names(alias.name))
                continue
            assignment = single_assignment(inner)
            if assignment is not None and isinstance(assignment[1], cst.Call):
                if self.rule.sym(assignment[1].func) in SESSIONS:
                    self.sessions.update(assignment[0])

    def _find_session_params(self) -> None:
        for call in calls_in(self.module):
            if not isinstance(call.func, cst.Name) or call.func.value not in self.user_functions:
                continue
            fn = self.user_functions[call.func.value]
            params = fn.params.params
            for position, arg in enumerate(call.args):
                if isinstance(arg.value, cst.Name) and arg.value.value in self.sessions:
                    if arg.keyword is not None:
                        param = arg.keyword.value
                        position = [p.name.value for p in params].index(param)
                    elif position < len(params):
                        param = params[position].name.value
                    else:
                        raise CannotConvert(call, "a session passed through *args")
                    self.session_params[fn.name.value] = (position, param)

    def _fresh(self, base: str) -> str:
        """A new name; names of graph objects the conversion removes may be reused."""
        freed = set(self.placeholders) | set(self.unit_by_name) | self.inits | self.sessions
        name = base
        n = 2
        while name in self.generated or (name in self.taken and name not in freed):
            name = f"{base}_{n}"
            n += 1
        self.generated.add(name)
        return name

    # -- planning --------------------------------------------------------------------
    def _plan(self, sites: list[Site]) -> dict[int, tuple[Function, str]]:
        """Decide the generated function of every run site, and how the site reads it."""
        by_key: dict[tuple, Function] = {}
        planned: dict[int, tuple[Function, str]] = {}
        prepared = []
        for site in sites:
            if site.init or site.fetch is None:
                continue
            elements, shape, keys = self._fetch_elements(site.fetch)
            if all(self._is_variable(e) for e in elements):
                continue  # plain variable reads need no function
            trains = tuple(dict.fromkeys(e.value for e in elements if self._is_op(e) and e.value not in self.inits))
            values = tuple(self.code(e) for e in elements if not self._is_op(e))
            prepared.append((site, elements, shape, keys, trains or None, values))
        # Runs of one training op share one function when they fetch the same values
        # (or none): `sess.run(train_op)` and `_, c = sess.run([train_op, cost])`.
        value_sets: dict[str, set] = {}
        for _, _, _, _, train, values in prepared:
            if train is not None and values:
                value_sets.setdefault(train, set()).add(values)
        for site, elements, shape, keys, train, values in prepared:
            if train is not None and len(value_sets.get(train, ())) == 1:
                key = ("train", train)
                if not values:
                    template = next(p for p in prepared if p[4] == train and p[5])
                    elements, shape, keys = template[1], template[2], template[3]
            else:
                key = (shape, tuple(keys), tuple(self.code(e) for e in elements))
            fn = by_key.get(key)
            if fn is None:
                fn = self._make_function(site, elements, shape, keys)
                by_key[key] = fn
            for p in fn.params:
                if p.name not in site.feed and p.default is None:
                    raise CannotConvert(site.call, f"placeholder `{p.name}` is needed but not fed")
            for fed in site.feed:
                if fed not in self.placeholders:
                    raise CannotConvert(site.call, f"feeding `{fed}`, which is not a placeholder")
            planned[id(site.call)] = (fn, "op" if not values else fn.shape)
        self._place([(site, planned[id(site.call)][0]) for site, *_ in prepared])
        _check_creation_order(self, [fn for fn, _ in planned.values()])
        return planned

    def _place(self, pairs: list[tuple[Site, Function]]) -> None:
        """Define the generated functions together where the graph is complete when every
        run comes after that; else each right before the statement that first runs it."""
        first_use: dict[int, int] = {}
        for site, fn in pairs:
            first_use[id(fn)] = min(first_use.get(id(fn), site.statement), site.statement)
        for site, fn in pairs:
            if site.statement <= fn.position:
                raise CannotConvert(site.call, "the graph is run before it is fully built")
        together = max(fn.position for _, fn in pairs) if pairs else -1
        if all(site.statement > together for site, _ in pairs):
            # The whole graph is built before anything runs: all functions go there.
            for _, fn in pairs:
                fn.position = together
            return
        for _, fn in pairs:
            fn.position = max(fn.position, first_use[id(fn)] - 1)

    def _fetch_elements(self, fetch) -> tuple[list[cst.BaseExpression], str, list[str]]:
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
                keys.append(self.code(element.key))
                values.append(element.value)
            return values, "dict", keys
        return [fetch], "single", []

    def _is_variable(self, expr) -> bool:
        names = {name for _, name, _ in self.variables}
        if isinstance(expr, cst.Name):
            return expr.value in names or expr.value in self.aliases
        if isinstance(expr, cst.Call) and not expr.args and self.rule.sym(expr.func) in GLOBAL_STEP_CALLS:
            return self._global_step() is not None
        if isinstance(expr, cst.Subscript) and isinstance(expr.value, cst.Name):
            return expr.value.value in names
        return False

    def _variable_code(self, expr) -> str:
        """How converted code names a variable: ``inst.attr`` for a helper's returned
        variable, the global step's name for ``tf.train.get_global_step()``."""
        if isinstance(expr, cst.Name) and expr.value in self.aliases:
            return self.aliases[expr.value]
        if isinstance(expr, cst.Call) and self.rule.sym(expr.func) in GLOBAL_STEP_CALLS:
            return self._global_step()
        return self.code(expr)

    def _global_step(self) -> str | None:
        return next((name for _, name, kind in self.variables if kind == "global_step"), None)

    def _is_init(self, expr) -> bool:
        """Initializer ops (or a list of them): eager variables are initialised when created."""
        if isinstance(expr, (cst.List, cst.Tuple)):
            return bool(expr.elements) and all(self._is_init(e.value) for e in expr.elements)
        if isinstance(expr, cst.Name):
            return expr.value in self.inits
        if isinstance(expr, cst.Attribute) and expr.attr.value == "initializer":
            return self._is_variable(expr.value)
        return isinstance(expr, cst.Call) and self.rule.sym(expr.func) in INITIALIZERS

    def _structured(self, expr) -> bool:
        """A fetch whose value is a list, tuple or dict of tensors, not one tensor."""
        if isinstance(expr, (cst.List, cst.Tuple, cst.Dict, cst.ListComp, cst.DictComp)):
            return True
        unit = self.unit_by_name.get(expr.value) if isinstance(expr, cst.Name) else None
        if unit is None:
            return False
        assignment = single_assignment(unit.node)
        if assignment is None or len(assignment[0]) != 1:
            return False  # `dW, db = tf.gradients(...)` unpacks the list
        value = assignment[1]
        return (unit.kind in ("gradients", "compute") and value is unit.call) or self._structured(value)

    def _is_op(self, expr) -> bool:
        return isinstance(expr, cst.Name) and (
            expr.value in self.inits
            or (expr.value in self.unit_by_name and self.unit_by_name[expr.value].kind in ("train", "apply"))
        )

    def _make_function(self, site: Site, elements, shape, keys) -> Function:
        needed: dict[int, Unit] = {}
        pending = set()
        values: list[str] = []
        value_keys: list[str] = []  # the keys of a dict fetch, without those of ops
        structured = False
        trains: list[Unit] = []
        for position, element in enumerate(elements):
            if self._is_op(element):
                if element.value in self.inits:
                    continue
                unit = self.unit_by_name[element.value]
                if unit not in trains:
                    trains.append(unit)
                pending |= {element.value}
                continue
            if keys:
                value_keys.append(keys[position])
            if isinstance(element, cst.Name) and element.value in self.schedules:
                values.append(f"{element.value}({self.schedules[element.value]})")
            else:
                pending |= names_read(element)
                structured = structured or self._structured(element)
                code = self.code(element)
                values.append(f"{self.tf}.identity({self._variable_code(element)})" if self._is_variable(element) else code)
        # A name read by a unit is the one its latest earlier definition gave it
        # (`h = tf.matmul(x, W)` then `h = tf.nn.relu(h)` keeps both, in order).
        # The fetch itself reads what was defined before the statement that runs it
        # (`a = tf.constant(2)` ... run ... `a = tf.placeholder(tf.int16)`).
        fed: dict[str, Placeholder] = {}
        todo = [(name, site.statement) for name in pending]
        visited: set[tuple[str, int]] = set()
        while todo:
            name, before = todo.pop()
            if (name, before) in visited:
                continue
            visited.add((name, before))
            unit = next((u for u in reversed(self.units) if u.index < before and name in u.defines), None)
            placeholder = self.placeholders.get(name)
            if placeholder is not None and placeholder.index < before and (unit is None or unit.index < placeholder.index):
                fed[name] = placeholder
            elif unit is not None and unit.index not in needed:
                needed[unit.index] = unit
                todo.extend((read, unit.index) for read in unit.reads)
        units = [needed[i] for i in sorted(needed)]
        for unit in units:
            if unit.kind in ("train", "apply") and unit not in trains:
                raise CannotConvert(site.call, f"the fetched value depends on training op `{unit.defines[0]}`")
        params = sorted(fed.values(), key=lambda p: p.index)
        train = trains[0] if trains else None
        name = self._function_name(trains, elements, values)
        fn = Function(name, params, units, values, "op" if not values else shape, value_keys, train)
        fn.structured = structured
        fn.trains = trains
        deps = [u.index for u in units] + [p.index for p in params]
        deps += [self.optimizers[t.optimizer] for t in trains if t.optimizer in self.optimizers]
        fn.position = max(deps) if deps else -1
        return fn

    def _function_name(self, trains: list[Unit], elements, values) -> str:
        if len(trains) > 1:
            parts = [re.sub(r"^train_|_(op|step)$", "", t.defines[0]) for t in trains]
            return self._fresh("train_" + "_and_".join(dict.fromkeys(parts)))
        if trains:
            op = trains[0].defines[0]
            base = "train_step" if op in TRAIN_OP_NAMES else f"train_{re.sub(r'^train_|_(op|step)$', '', op)}"
            return self._fresh(base)
        words = []
        for element in elements[:3]:
            if isinstance(element, cst.Name):
                words.append(element.value)
            elif isinstance(element, cst.Subscript) and isinstance(element.value, cst.Name):
                words.append(element.value.value)
            else:
                words.append("value")
        return self._fresh("compute_" + "_and_".join(dict.fromkeys(words)))


def _literal_type(node) -> type | None:
    if isinstance(node, cst.Name) and node.value in ("True", "False"):
        return bool
    if isinstance(node, cst.Float):
        return float
    if isinstance(node, cst.Integer):
        return int
    return None


def _local_names(fn: cst.FunctionDef) -> set[str]:
    names = {p.name.value for p in fn.params.params}
    for stmt in _statements_in(fn):
        assignment = single_assignment(stmt)
        if assignment is not None:
            names.update(assignment[0])
    return names


def _statements_in(node: cst.CSTNode) -> list[cst.CSTNode]:
    found: list[cst.CSTNode] = []

    class _Collect(cst.CSTVisitor):
        def visit_SimpleStatementLine(self, n: cst.SimpleStatementLine) -> None:
            found.append(n)

        def visit_With(self, n: cst.With) -> None:
            found.append(n)

    node.visit(_Collect())
    return found


class _SiteFinder(ReadNamesVisitor):
    """Every place the program runs the graph, and every other use of a graph tensor."""

    def __init__(self, converter: _Converter) -> None:
        self.c = converter
        self.sites: list[Site] = []
        self.unit_statements = {u.index for u in converter.units}
        self.session_names = converter.sessions | {p for _, p in converter.session_params.values()}
        self.graph = converter._graph_names()
        self.feeds: dict[str, cst.Dict] = {}
        self.shadowed: list[set[str]] = []  # names local to the functions being visited
        self.loops = 0  # depth of the for/while loops being visited
        self.looped_inits: set[int] = set()  # initializer runs inside a loop

    def find(self) -> list[Site]:
        for index, stmt in enumerate(self.c.body):
            if index in self.unit_statements or index in self.c.removed or _is_layer_class(self.c, stmt):
                continue
            self.statement = index
            stmt.visit(self)
        return self.sites

    def visit_Assign(self, node: cst.Assign) -> bool:
        """``feed = {x: batch_x, y: batch_y}`` used as ``feed_dict=feed``: its values are
        inlined at the runs that use it and the assignment goes."""
        value = node.value
        if (
            len(node.targets) == 1
            and isinstance(node.targets[0].target, cst.Name)
            and isinstance(value, cst.Dict)
            and value.elements
            and all(
                isinstance(e, cst.DictElement) and isinstance(e.key, cst.Name) and e.key.value in self.c.placeholders
                for e in value.elements
            )
        ):
            self.feeds[node.targets[0].target.value] = value
            self.c.feed_assignments.add(id(value))
            for element in value.elements:
                element.value.visit(self)
            return False
        return True

    def visit_Call(self, node: cst.Call) -> bool:
        func = node.func
        if not isinstance(func, cst.Attribute):
            return True
        receiver, method = func.value, func.attr.value
        feed_node = None
        fetch = None
        if method == "run" and isinstance(receiver, cst.Name) and receiver.value in self.session_names:
            fetch = argument(node, 0, "fetches")
            feed_node = argument(node, 1, "feed_dict")
        elif method in ("eval", "run") and self._is_graph_expr(receiver):
            fetch = receiver
            feed_node = argument(node, 0, "feed_dict")
        elif method == "run" and self.c._is_init(receiver):
            self.sites.append(Site(node, None, {}, init=True, statement=self.statement))
            if self.loops:
                self.looped_inits.add(id(node))
            return False
        else:
            return True
        if fetch is None:
            raise CannotConvert(node, "a run with no fetches")
        init = self.c._is_init(fetch)
        if isinstance(feed_node, cst.Name) and feed_node.value in self.feeds:
            feed_node = self.feeds[feed_node.value]
        if feed_node is not None:
            self.c.site_feeds[id(node)] = feed_node
        feed = {} if feed_node is None else self._feed(feed_node)
        self.sites.append(Site(node, fetch, feed, init=init, statement=self.statement))
        if init and self.loops:
            self.looped_inits.add(id(node))
        # The fetch and the feed keys are graph references that the rewrite replaces;
        # the feed values are ordinary Python expressions.
        for value in feed.values():
            value.visit(self)
        return False

    def _is_graph_expr(self, expr) -> bool:
        if isinstance(expr, cst.Name):
            return expr.value in self.graph or expr.value in self.c.inits or self.c._is_variable(expr)
        return self.c._is_variable(expr)

    def _feed(self, node) -> dict[str, cst.BaseExpression]:
        if not isinstance(node, cst.Dict):
            raise CannotConvert(node, "a feed_dict that is not a dict literal")
        feed = {}
        for element in node.elements:
            if not isinstance(element, cst.DictElement) or not isinstance(element.key, cst.Name):
                raise CannotConvert(node, "a feed_dict key that is not a placeholder name")
            feed[element.key.value] = element.value
        return feed

    def visit_For(self, node: cst.For) -> None:
        self.loops += 1

    def leave_For(self, original_node: cst.For) -> None:
        self.loops -= 1

    def visit_While(self, node: cst.While) -> None:
        self.loops += 1

    def leave_While(self, original_node: cst.While) -> None:
        self.loops -= 1

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.shadowed.append(_local_names(node))

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.shadowed.pop()

    def visit_Name(self, node: cst.Name) -> None:
        # `_` is a throwaway: `grads, _ = tf.clip_by_global_norm(...)` then `c, _ = sess.run(...)`.
        if node.value in self.graph and node.value != "_" and not any(node.value in names for names in self.shadowed):
            raise CannotConvert(node, f"graph tensor `{node.value}` is used outside a session run")

    def visit_Param(self, node: cst.Param) -> bool:
        return False


class _Rewriter(cst.CSTTransformer):
    def __init__(self, converter: _Converter, sites: dict[int, tuple[Function, str]]) -> None:
        self.c = converter
        self.tf = converter.tf
        self.sites = sites
        # Names given to differentiated expressions, by the id of their gradient call.
        self.targets: dict[int, str] = {}
        self.defined: dict[int, list[Function]] = {}
        self.slots_set: set[str] = set()  # optimizers whose slots were set up
        self.unpacked: set[int] = set()  # run calls whose results a tuple assignment unpacks
        seen = set()
        for fn, _ in sites.values():
            if id(fn) not in seen:
                seen.add(id(fn))
                self.defined.setdefault(fn.position, []).append(fn)

    def apply(self) -> cst.Module:
        c = self.c
        body: list[cst.BaseStatement] = []
        gap_after: set[int] = set()
        carried: list[cst.EmptyLine] = []  # comments and blank lines of removed statements
        for index, stmt in enumerate(c.body):
            kept_before = len(body)
            unit = next((u for u in c.units if u.index == index), None)
            body.extend(cst.parse_statement(f"{text}\n") for text in c.instances.get(index, []))
            if index in c.inline_steps:
                body.append(cst.parse_statement(
                    f'{c.inline_steps[index]} = {self.tf}.Variable(0, trainable=False, dtype={self.tf}.int64, name="global_step")\n'))
            helper = next((h for h in c.helpers.values() if h.fn is stmt), None)
            if helper is not None:
                body.append(helper.class_def)
            elif index in c.rewritten:
                body.append(c.rewritten[index])
            elif index in c.removed or unit is not None:
                if unit is not None and index in c.inline_optimizers:
                    body.append(self._optimizer_statement(c.inline_optimizers[index], unit.call.func.value, stmt))
                else:
                    carried.extend(stmt.leading_lines)
            elif index in c.optimizers.values():
                name = next(n for n, i in c.optimizers.items() if i == index)
                body.append(self._optimizer_statement(name, single_assignment(stmt)[1], stmt))
            elif any(i == index and k == "global_step" for i, _, k in c.variables):
                body.append(stmt.with_changes(body=[stmt.body[0].with_changes(value=cst.parse_expression(
                    f'{self.tf}.Variable(0, trainable=False, dtype={self.tf}.int64, name="global_step")'))]))
            else:
                new = stmt.visit(self)
                if isinstance(new, cst.FlattenSentinel):
                    body.extend(new.nodes)
                elif isinstance(new, cst.RemovalSentinel):
                    carried.extend(stmt.leading_lines)
                else:
                    body.append(new)
            if carried and len(body) > kept_before:
                body[kept_before] = body[kept_before].with_changes(
                    leading_lines=_merge_lines(carried, body[kept_before].leading_lines)
                )
                carried = []
            generated = [d for fn in self.defined.get(index, []) for d in self._function_def(fn)]
            if generated:
                body.extend(generated)
                gap_after.add(len(body))
        for position in gap_after:
            if position < len(body):
                body[position] = body[position].with_changes(
                    leading_lines=[*self._gap(), *_without_blank(body[position].leading_lines)]
                )
        if c.owner is None:
            module = c.module.with_changes(body=body)
        else:
            module = c.module.deep_replace(c.owner, c.owner.with_changes(body=c.owner.body.with_changes(body=body)))
            module = _module_helper_classes(c, module)
        return module.with_changes(body=[self._plain_import(s) for s in module.body if not self._disables(s)])

    def _gap(self) -> list[cst.EmptyLine]:
        """Blank lines around a generated function: two at module level, one nested."""
        return [cst.EmptyLine(indent=False)] * (2 if self.c.owner is None else 1)

    def _disables(self, stmt) -> bool:
        """``tf.disable_v2_behavior()`` and friends have no place in converted code."""
        expr = expression_of(stmt)
        return isinstance(expr, cst.Call) and self.c.rule.sym(expr.func) in DISABLING_CALLS

    def _plain_import(self, stmt):
        if not isinstance(stmt, cst.SimpleStatementLine):
            return stmt
        small = stmt.body[0]
        if isinstance(small, cst.Import):
            names = [
                a.with_changes(name=cst.Name("tensorflow")) if a.evaluated_name == "tensorflow.compat.v1" else a
                for a in small.names
            ]
            return stmt.with_changes(body=[small.with_changes(names=names)])
        return stmt

    def _optimizer_statement(self, name: str, call: cst.Call, stmt) -> cst.BaseStatement:
        symbol = self.c.rule.sym(call.func)[len("train."):]
        mapping = OPTIMIZERS[symbol]
        positional, keywords = call_parts(call, self.c.code)
        arguments, dropped = keras_arguments(mapping, positional, keywords)
        arguments = [(k, _learning_rate_code(self.c, call, v) if k == "learning_rate" else v) for k, v in arguments]
        text = ", ".join(f"{k}={v}" for k, v in arguments)
        new = cst.parse_statement(f"{name} = {self.tf}.keras.optimizers.{mapping.keras_name}({text})\n")
        note = f"{symbol} -> keras.optimizers.{mapping.keras_name}({text})"
        if dropped:
            note += f"; dropped {', '.join(dropped)}"
        self.c.rule.report(call, note, kind="converted")
        return new.with_changes(leading_lines=stmt.leading_lines)

    # -- generated functions ---------------------------------------------------------
    def _function_def(self, fn: Function) -> list[cst.BaseStatement]:
        indent = self.c.module.default_indent
        lines = self._body_lines(fn)
        params = ", ".join(p.name for p in fn.params)
        if fn.params and all(p.dtype for p in fn.params):
            specs = ", ".join(f"{self.tf}.TensorSpec({p.shape}, {p.dtype})" for p in fn.params)
            decorator = f"@{self.tf}.function(input_signature=[{specs}])"
        else:
            decorator = f"@{self.tf}.function"
        text = f"{decorator}\ndef {fn.name}({params}):\n" + textwrap.indent("".join(lines), indent)
        stmt = cst.parse_module(text).body[0].with_changes(leading_lines=self._gap())
        setup = self._slot_setup(fn)
        if not setup:
            return [stmt]
        setup_module = cst.parse_module(setup)
        first = setup_module.body[0].with_changes(leading_lines=[*self._gap(), *setup_module.header])
        return [first, *setup_module.body[1:], stmt]

    def _slot_setup(self, fn: Function) -> str:
        """Optimizer slots TF1 started at 1.0 (RMSProp's mean square), set before the first step."""
        return "".join(self._unit_slot_setup(unit) for unit in fn.trains)

    def _ones_slots(self, unit: Unit) -> tuple[str, str, str, bool] | None:
        """For an optimizer whose slots TF1 started at 1.0: the variables it trains, a
        comment saying why, the loop that sets the slots, and whether the variables only
        exist after the first step has run (layers and helpers create weights on first call)."""
        ctor = self.c.optimizer_calls.get(unit.optimizer) or unit.call.func.value
        mapping = OPTIMIZERS.get((self.c.rule.sym(ctor.func) or "")[len("train."):]) if isinstance(ctor, cst.Call) else None
        if mapping is None or not mapping.ones_slots:
            return None
        source = unit
        if unit.kind == "apply":
            source = next((u for u in self.c.units if u.kind == "compute" and u.optimizer == unit.optimizer), None)
            if source is None:
                raise CannotConvert(unit.call, f"`{unit.optimizer}` applies gradients it did not compute; its slots cannot be set up")
        variables = source.var_list or self.c._trainable_list(source.index)
        lazy = any(f"{instance}." in variables for instance in self.c.module_vars) or ".trainable_variables" in variables
        suffixes = mapping.ones_slots[0] if len(mapping.ones_slots) == 1 else tuple(mapping.ones_slots)
        comment = f"# TF1's {mapping.keras_name} started these slots at 1.0, Keras at 0.0.\n"
        loop = (
            f"for slot in {unit.optimizer}.variables:\n"
            f"    if slot.name.endswith({suffixes!r}):\n"
            f"        slot.assign({self.tf}.ones_like(slot))\n"
        )
        return variables, comment, loop, lazy

    def _unit_slot_setup(self, unit: Unit) -> str:
        if unit.optimizer in self.slots_set:
            return ""
        slots = self._ones_slots(unit)
        if slots is None or slots[3]:
            return ""  # lazily built variables: the step itself sets the slots up (_first_step_slots)
        self.slots_set.add(unit.optimizer)
        variables, comment, loop, _ = slots
        return f"{comment}{unit.optimizer}.build({variables})\n{loop}"

    def _first_step_slots(self, unit: Unit) -> list[str]:
        """The slot set-up inside the step, at its first trace, once the weights exist."""
        slots = self._ones_slots(unit)
        if slots is None or not slots[3]:
            return []
        if unit.kind == "apply":
            raise CannotConvert(unit.call, "optimizer slots of layer or helper variables set up around apply_gradients")
        # tf.function traces a step that creates variables twice and runs the second
        # trace, so the slots are set by a condition on the optimizer's step count.
        _, comment, loop, _ = slots
        indent = self.c.module.default_indent
        return [
            f"if not {unit.optimizer}.built:\n",
            textwrap.indent(f"{comment}{unit.optimizer}.build(variables)\n", indent),
            f"if {unit.optimizer}.iterations == 0:\n",
            textwrap.indent(loop, indent),
        ]

    def _unit_code(self, unit: Unit, tape: bool) -> str:
        # Its comments stay where the statement was (carried to the next kept line).
        node = unit.node.with_changes(leading_lines=[])
        if any(id(call) in self.c.helper_calls for call in calls_in(unit.node)):
            node = node.visit(helpers.HelperCalls(self.c.helper_calls))
        if unit.kind == "gradients":
            node = node.visit(_ReplaceCall(unit.call, self._tape_gradient(unit.call)))
        elif unit.kind == "compute":
            loss = self.targets.get(id(unit.call)) or self.c.code(argument(unit.call, 0, "loss"))
            variables = unit.var_list or self.c._trainable_list(unit.index)
            node = node.visit(_ReplaceCall(unit.call, f"list(zip(tape.gradient({loss}, {variables}), {variables}))"))
        node = node.visit(_AssignCalls(self.c))
        code = self.c.module.code_for_node(node) if isinstance(node, cst.CSTNode) else node
        if isinstance(unit.node, cst.FunctionDef):
            code += "\n"  # a blank line after a nested definition
        return _strip_leading_blank(code)

    def _tape_gradient(self, call: cst.Call) -> str:
        ys = self.targets.get(id(call)) or self.c.code(argument(call, 0, "ys"))
        xs_node = argument(call, 1, "xs")
        xs = self.c.code(xs_node)
        if isinstance(xs_node, cst.Name) and (xs_node.value in self.c._graph_names() or self.c._is_variable(xs_node)):
            xs = f"[{xs}]"
        elif isinstance(xs_node, cst.Call) and self.c.rule.sym(xs_node.func) == "trainable_variables":
            xs = self.c._trainable_list(len(self.c.body))
        grad_ys = argument(call, 2, "grad_ys")
        extra = f", output_gradients={self.c.code(grad_ys)}" if grad_ys is not None else ""
        return f"tape.gradient({ys}, {xs}{extra})"

    def _watched(self, fn: Function) -> list[str]:
        watched = []
        for unit in fn.units:
            if unit.kind == "gradients":
                xs_node = argument(unit.call, 1, "xs")
                nodes = [e.value for e in xs_node.elements] if isinstance(xs_node, (cst.List, cst.Tuple)) else [xs_node]
                for node in nodes:
                    if isinstance(node, cst.Name) and node.value in self.c._graph_names():
                        watched.append(node.value)
        return watched

    def _body_lines(self, fn: Function) -> list[str]:
        grad_units = [u for u in fn.units if u.kind in ("train", "apply", "compute", "gradients")]
        lines: list[str] = []
        if not grad_units:
            lines += [self._unit_code(u, False) for u in fn.units]
        else:
            grad_names = {n for u in grad_units for n in u.defines}
            after: set[str] = set(grad_names)
            forward, backward = [], []
            for unit in fn.units:
                if unit in grad_units:
                    backward.append(unit)
                elif unit.reads & after:
                    backward.append(unit)
                    after |= set(unit.defines)
                else:
                    forward.append(unit)
            watched = self._watched(fn)
            persistent = sum(1 for u in grad_units if u.kind in ("gradients", "compute", "train")) > 1
            tape_lines = [f"tape.watch({p.name})\n" for p in fn.params if p.name in watched]
            for unit in forward:
                tape_lines.append(self._unit_code(unit, True))
                tape_lines += [f"tape.watch({n})\n" for n in unit.defines if n in watched]
            # What is differentiated must be computed while the tape records.
            for unit in grad_units:
                if unit.kind == "apply":
                    continue
                target = argument(unit.call, 0, "ys" if unit.kind == "gradients" else "loss")
                if not isinstance(target, cst.Name):
                    name = self.c._fresh("loss" if unit.kind != "gradients" else "target")
                    self.targets[id(unit.call)] = name
                    tape_lines.append(f"{name} = {self.c.code(target)}\n")
            # Fetched values are read before the update, as TF1 did within one run.
            forward_names = {n for u in forward for n in u.defines}
            backward_names = {n for u in backward for n in u.defines}
            for position, value in enumerate(fn.values):
                expression = cst.parse_expression(value)
                if value not in forward_names and not names_read(expression) & backward_names:
                    leading = re.match(r"\w+", value)
                    name = self.c._fresh(f"{leading.group(0)}_value" if leading else "value")
                    tape_lines.append(f"{name} = {value}\n")
                    fn.values[position] = name
            if not tape_lines:
                tape_lines = ["pass\n"]
            option = "persistent=True" if persistent else ""
            lines.append(f"with {self.tf}.GradientTape({option}) as tape:\n")
            lines += [textwrap.indent(t, self.c.module.default_indent) for t in tape_lines]
            for unit in backward:
                if unit.kind == "train":
                    loss = self.targets.get(id(unit.call)) or self.c.code(argument(unit.call, 0, "loss"))
                    variables = unit.var_list or self.c._trainable_list(unit.index)
                    lines.append(f"variables = {variables}\n")
                    lines.append(f"gradients = tape.gradient({loss}, variables)\n")
                    lines += self._first_step_slots(unit)
                    lines.append(f"{unit.optimizer}.apply_gradients(zip(gradients, variables))\n")
                elif unit.kind == "apply":
                    grads = self.c.code(argument(unit.call, 0, "grads_and_vars"))
                    lines.append(f"{unit.optimizer}.apply_gradients({grads})\n")
                else:
                    lines.append(self._unit_code(unit, False))
                if unit.kind in ("train", "apply") and unit.global_step:
                    lines.append(f"{unit.global_step}.assign_add(1)\n")
        if fn.shape == "op":
            return lines or ["pass\n"]
        if fn.shape == "dict":
            pairs = ", ".join(f"{k}: {v}" for k, v in zip(fn.keys, fn.values))
            lines.append(f"return {{{pairs}}}\n")
        else:
            lines.append(f"return {', '.join(fn.values)}\n")
        return lines

    # -- call sites ------------------------------------------------------------------
    def _call(self, fn: Function, site_call: cst.Call) -> str:
        feed_node = self.c.site_feeds.get(id(site_call))
        feed = {}
        if isinstance(feed_node, cst.Dict):
            feed = {e.key.value: self.c.code(e.value) for e in feed_node.elements}
        names = [p.name for p in fn.params]
        fed_order = [name for name in feed if name in names]
        drawing = [e for e in feed_node.elements if e.key.value in names and calls_in(e.value)] if feed else []
        if fed_order != [name for name in names if name in feed] and len(drawing) > 1:
            # TF1 evaluated the feed values in the dict's order (`np.random` draws):
            # keywords keep that order.
            given = [f"{name}={feed[name]}" for name in fed_order]
            given += [f"{p.name}={p.default}" for p in fn.params if p.name not in feed]
            return f"{fn.name}({', '.join(given)})"
        args = ", ".join(feed.get(p.name, p.default) for p in fn.params)
        return f"{fn.name}({args})"

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call):
        planned = self.sites.get(id(original_node))
        if planned is not None:
            return cst.parse_expression(self._value_expression(*planned, original_node))
        saver_call = checkpoints.rewrite_call(self.c, original_node)
        if saver_call is not None:
            return saver_call
        if self.c.rule.sym(original_node.func) == "train.global_step":
            session, step = argument(original_node, 0, "sess"), argument(original_node, 1, "global_step_tensor")
            sessions = self.c.sessions | {p for _, p in self.c.session_params.values()}
            if isinstance(session, cst.Name) and session.value in sessions and self.c._is_variable(step):
                # TF1's helper was int(sess.run(global_step_tensor)).
                return cst.parse_expression(f"int({self.c.code(step)}.numpy())")
        if updated_node.args and len(updated_node.args) < len(original_node.args):
            # A session argument was dropped: no comma after what is now the last one.
            args = list(updated_node.args)
            args[-1] = args[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
            updated_node = updated_node.with_changes(args=args)
        return self._variable_read(original_node, updated_node)

    def _variable_read(self, original, updated):
        func = original.func
        if not isinstance(func, cst.Attribute):
            return updated
        sessions = self.c.sessions | {p for _, p in self.c.session_params.values()}
        fetch = None
        if func.attr.value == "run" and isinstance(func.value, cst.Name) and func.value.value in sessions:
            fetch = argument(original, 0, "fetches")
        elif func.attr.value == "eval" and self.c._is_variable(func.value):
            fetch = func.value
        if fetch is None:
            return updated
        elements, shape, keys = self.c._fetch_elements(fetch)
        if not all(self.c._is_variable(e) for e in elements):
            return updated
        reads = [f"{self.c._variable_code(e)}.numpy()" for e in elements]
        if shape == "single":
            return cst.parse_expression(reads[0])
        if shape == "dict":
            return cst.parse_expression("{" + ", ".join(f"{k}: {v}" for k, v in zip(keys, reads)) + "}")
        text = ", ".join(reads)
        return cst.parse_expression(f"[{text}]" if shape == "list" else f"({text},)")

    def _value_expression(self, fn: Function, shape: str, call: cst.Call) -> str:
        invocation = self._call(fn, call)
        if shape == "op":
            return invocation
        if fn.structured:
            # sess.run returned nested lists/dicts of NumPy values; so does this.
            return f"{self.tf}.nest.map_structure(lambda value: value.numpy(), {invocation})"
        if shape == "single":
            return f"{invocation}.numpy()"
        if shape == "dict":
            return f"{{key: value.numpy() for key, value in {invocation}.items()}}"
        # TF1 gave None for each training op in a fetched list: `sess.run([train_op, loss])[1]`
        # (`_, l = sess.run(...)` drops them instead: leave_Assign).
        nones = "" if id(call) in self.unpacked else "None, " * self._leading_ops(call)
        if len(fn.values) == 1:
            one = f"{invocation}.numpy()"
            return f"({nones}{one},)" if shape == "tuple" else f"[{nones}{one}]"
        if shape == "tuple":
            if nones:
                return f"({nones}*(value.numpy() for value in {invocation}))"
            return f"tuple(value.numpy() for value in {invocation})"
        if nones:
            return f"[{nones}*(value.numpy() for value in {invocation})]"
        return f"[value.numpy() for value in {invocation}]"

    def _leading_ops(self, call: cst.Call) -> int:
        """How many training ops open the fetched list (the rest must be values)."""
        fetch = argument(call, 0, "fetches") if isinstance(call.func, cst.Attribute) and call.func.attr.value == "run" else None
        if not isinstance(fetch, (cst.List, cst.Tuple)):
            return 0
        ops = [self.c._is_op(e.value) and not self.c._is_init(e.value) for e in fetch.elements]
        leading = ops.index(False) if False in ops else len(ops)
        if any(ops[leading:]):
            raise CannotConvert(call, "a training op fetched after a value, with the result used as a list")
        return leading

    def visit_Assign(self, node: cst.Assign) -> None:
        if len(node.targets) == 1 and isinstance(node.targets[0].target, (cst.Tuple, cst.List)):
            self.unpacked.add(id(node.value))

    def leave_Assign(self, original_node: cst.Assign, updated_node: cst.Assign):
        """``_, c = sess.run([train_op, cost])`` -> ``c = train_step(...).numpy()``."""
        value = original_node.value
        if not isinstance(value, cst.Call) or id(value) not in self.sites or len(original_node.targets) != 1:
            return updated_node
        fn = self.sites[id(value)][0]
        target = original_node.targets[0].target
        fetch = argument(value, 0, "fetches")
        func = value.func
        if func.attr.value != "run" or not isinstance(fetch, (cst.List, cst.Tuple)):
            return updated_node
        if not isinstance(target, (cst.Tuple, cst.List)) or len(target.elements) != len(fetch.elements):
            return updated_node
        kept = []
        for element, fetched in zip(target.elements, fetch.elements):
            if self.c._is_op(fetched.value):
                if not (isinstance(element.value, cst.Name) and element.value.value == "_"):
                    raise CannotConvert(value, "the result of a training op is kept")
                continue
            kept.append(element.value)
        invocation = self._call(fn, value)
        if not kept:
            return cst.Expr(cst.parse_expression(invocation))
        if fn.structured:
            value = f"{self.tf}.nest.map_structure(lambda value: value.numpy(), {invocation})"
        elif len(kept) == 1:
            value = f"{invocation}.numpy()"
        else:
            value = f"[value.numpy() for value in {invocation}]"
        names = ", ".join(self.c.code(k) for k in kept)
        return updated_node.with_changes(
            targets=[cst.AssignTarget(cst.parse_expression(names))], value=cst.parse_expression(value)
        )

    def leave_Expr(self, original_node: cst.Expr, updated_node: cst.Expr):
        planned = self.sites.get(id(original_node.value))
        if planned is not None:
            return updated_node.with_changes(value=cst.parse_expression(self._call(planned[0], original_node.value)))
        return updated_node

    def leave_SimpleStatementLine(self, original_node, updated_node):
        restore = checkpoints.restore_statement(self.c, original_node, updated_node)
        if restore is not None:
            return restore
        written = summaries.write_statement(self.c, original_node)  # writer.add_summary(...)
        if written is not None:
            return written
        small = original_node.body[0] if len(original_node.body) == 1 else None
        if isinstance(small, cst.Expr) and isinstance(small.value, cst.Call):
            call = small.value
            func = call.func
            if self.c.rule.sym(func) == "reset_default_graph":
                return cst.RemovalSentinel.REMOVE  # eager code has no default graph to reset
            if isinstance(func, cst.Attribute):
                receiver = func.value
                sessions = self.c.sessions | {p for _, p in self.c.session_params.values()}
                if isinstance(receiver, cst.Name) and receiver.value in sessions and func.attr.value == "close":
                    return cst.RemovalSentinel.REMOVE
                if func.attr.value == "run":
                    fetch = argument(call, 0, "fetches") if isinstance(receiver, cst.Name) and receiver.value in sessions else receiver
                    if fetch is not None and self.c._is_init(fetch):
                        return cst.RemovalSentinel.REMOVE
        if single_assignment(original_node) is not None:
            names, value = single_assignment(original_node)
            if isinstance(value, cst.Call) and self.c.rule.sym(value.func) in SESSIONS:
                return cst.RemovalSentinel.REMOVE
            if id(value) in self.c.feed_assignments:
                return cst.RemovalSentinel.REMOVE
        return updated_node

    def leave_With(self, original_node: cst.With, updated_node: cst.With):
        item = original_node.items[0].item
        if isinstance(item, cst.Call) and self.c.rule.sym(item.func) in SESSIONS:
            statements = list(updated_node.body.body)
            if not statements:
                return cst.RemovalSentinel.REMOVE
            statements[0] = statements[0].with_changes(
                leading_lines=[*original_node.leading_lines, *statements[0].leading_lines]
            )
            return cst.FlattenSentinel(statements)
        return updated_node

    def leave_IndentedBlock(self, original_node, updated_node):
        if not updated_node.body:
            return updated_node.with_changes(body=[cst.SimpleStatementLine([cst.Pass()])])
        return updated_node

    def leave_FunctionDef(self, original_node, updated_node):
        entry = self.c.session_params.get(original_node.name.value)
        if entry is None:
            return updated_node
        params = [p for p in updated_node.params.params if p.name.value != entry[1]]
        if params:
            params[-1] = params[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        return updated_node.with_changes(params=updated_node.params.with_changes(params=params))

    def leave_Arg(self, original_node, updated_node):
        if isinstance(original_node.value, cst.Name) and original_node.value.value in self.c.sessions:
            return cst.RemovalSentinel.REMOVE
        return updated_node


class _AssignCalls(cst.CSTTransformer):
    """``tf.assign(v, x)`` -> ``v.assign(x)`` (and ``assign_add`` / ``assign_sub``)."""

    def __init__(self, converter: _Converter) -> None:
        self.c = converter

    def leave_Call(self, original_node, updated_node):
        symbol = self.c.rule.sym(original_node.func)
        if symbol in ASSIGNS and len(updated_node.args) >= 2:
            ref, value = updated_node.args[0].value, updated_node.args[1].value
            return cst.Call(
                func=cst.Attribute(ref, cst.Name(ASSIGNS[symbol])), args=[cst.Arg(value)]
            )
        return updated_node


class _ReplaceCall(cst.CSTTransformer):
    def __init__(self, target: cst.Call, code: str) -> None:
        self.target = target
        self.code = code

    def leave_Call(self, original_node, updated_node):
        if original_node is self.target:
            return cst.parse_expression(self.code)
        return updated_node


def _merge_lines(first, second) -> list[cst.EmptyLine]:
    """Leading lines of removed statements followed by the next statement's, at most
    two blank lines in a row."""
    merged: list[cst.EmptyLine] = []
    blanks = 0
    for line in [*first, *second]:
        blanks = blanks + 1 if line.comment is None else 0
        if blanks <= 2:
            merged.append(line)
    return merged


def _without_blank(lines) -> list[cst.EmptyLine]:
    """Leading lines minus the blank ones (comments stay)."""
    return [line for line in lines if line.comment is not None]


def _strip_leading_blank(code: str) -> str:
    lines = code.splitlines(keepends=True)
    while lines and not lines[0].strip():
        lines.pop(0)
    return "".join(lines)
