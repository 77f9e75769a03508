"""T106: TF 1's eager API under ``tf.contrib.eager`` -> TF 2's eager code.

Programs written for TF 1.5-1.14's eager mode (``tf.enable_eager_execution()``, ``tfe =
tf.contrib.eager``) run their ops eagerly already; TF 2 lacks only ``tf.contrib``. In a
module with that evidence (eager mode switched on, or ``tf.contrib.eager`` read) and
nothing graph-only (sessions, placeholders, graphs):

* ``tfe.Variable(v)`` -> ``tf.Variable(v)`` (TF 1's is a ResourceVariable, as TF 2's);
* ``tfe.Iterator(ds)`` -> ``iter(ds)`` (its ``next()`` is the TF 2 iterator's);
* ``tfe.implicit_gradients(f)`` / ``tfe.implicit_value_and_gradients(f)`` -> a copy of TF
  1.15's function written into the module on ``tf.GradientTape``: the (gradient, variable)
  pairs of the variables ``f`` read, in the order of their creation (``watched_variables``
  in TF 1.15 and TF 2 alike);
* ``class M(tfe.Network)`` -> ``class M(tf.keras.Model)``, ``self.track_layer(layer)`` ->
  ``layer``, its ``tf.layers`` classes -> the Keras layers they subclassed;
* a ``tf.train`` optimizer used only by ``apply_gradients(pairs)`` -> the Keras optimizer
  with TF 1's defaults written out;
* ``tfe.enable_eager_execution()`` (TF 1.5-1.7) -> ``tf.enable_eager_execution()``, which T103
  removes.

What cannot be converted faithfully stays (G103 reports ``tf.contrib``) and is reported
with the reason. Runs before T103 (which removes ``tf.enable_eager_execution()``) and T101.
"""

from __future__ import annotations

import textwrap

import libcst as cst

from codemods.analysis import tf_api
from codemods.analysis.cst_tools import bind_arguments, code, insert_helper, nodes_of
from codemods.analysis.graph import ReadNamesVisitor, drop_unused_contrib_imports
from codemods.analysis.names import FastVisitor, dotted_name, walk
from codemods.analysis.optimizers import OPTIMIZERS, keras_arguments
from codemods.base import Example, Rule

_EAGER = "tf.contrib.eager"
_ENABLE = {"tf.enable_eager_execution", "tf.contrib.eager.enable_eager_execution"}
# TF 1 names that only graph mode has: their module is not (only) eager code.
_GRAPH_ONLY = {
    "tf.Session", "tf.InteractiveSession", "tf.placeholder", "tf.Graph", "tf.get_default_graph",
    "tf.train.MonitoredTrainingSession", "tf.train.Supervisor", "tf.disable_eager_execution",
    "tf.disable_v2_behavior", "tf.global_variables_initializer",
}
# tfe.Variable is ResourceVariable(initial_value, trainable, collections, ...): TF 2's
# tf.Variable has no `collections`, and its third parameter is another one.
_VARIABLE_PARAMS = ("initial_value", "trainable")
_VARIABLE_KEYWORDS = (
    "validate_shape", "caching_device", "name", "dtype", "constraint", "synchronization", "aggregation", "shape",
)
# tf.layers classes are the Keras layers of TF 1 with the same parameters in the same order
# (the defaults TF 1's variable store gave: glorot-uniform kernels, zero biases, are Keras').
_CONV = ("filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate", "activation", "use_bias")
_POOL = ("pool_size", "strides", "padding", "data_format")
_LAYER_CLASSES = {
    "tf.layers.Dense": ("Dense", ("units", "activation", "use_bias")),
    "tf.layers.Conv1D": ("Conv1D", _CONV),
    "tf.layers.Conv2D": ("Conv2D", _CONV),
    "tf.layers.MaxPooling1D": ("MaxPooling1D", _POOL),
    "tf.layers.MaxPooling2D": ("MaxPooling2D", _POOL),
    "tf.layers.AveragePooling1D": ("AveragePooling1D", _POOL),
    "tf.layers.AveragePooling2D": ("AveragePooling2D", _POOL),
    "tf.layers.Flatten": ("Flatten", ("data_format",)),
}
_LAYER_KEYWORDS = ("name", "trainable")

# TF 1.15's implicit_val_and_grad (tensorflow/python/eager/backprop.py) on TF 2's tape.
_HELPERS = {
    "implicit_value_and_gradients": '''\
def {name}(f):
    """TF 1's tf.contrib.eager.implicit_value_and_gradients (TF 2 has no tf.contrib): a function
    of f's arguments returning f's value and the (gradient, variable) pairs of the trainable
    variables f read, in the order they were created."""

    def grad_fn(*args, **kwargs):
        with {tf}.GradientTape() as tape:
            value = f(*args, **kwargs)
        if value is None:
            raise ValueError("Cannot differentiate a function that returns None; "
                             "did you forget to return a value from {{}}?".format(f.__name__))
        variables = tape.watched_variables()
        if not variables:
            raise ValueError("No trainable variables were accessed while the function was being computed.")
        return value, list(zip(tape.gradient(value, variables), variables))

    return grad_fn
''',
    "implicit_gradients": '''\
def {name}(f):
    """TF 1's tf.contrib.eager.implicit_gradients (TF 2 has no tf.contrib): a function of f's
    arguments returning the (gradient, variable) pairs of the trainable variables f read, in
    the order they were created."""

    def grad_fn(*args, **kwargs):
        with {tf}.GradientTape() as tape:
            value = f(*args, **kwargs)
        if value is None:
            raise ValueError("Cannot differentiate a function that returns None; "
                             "did you forget to return a value from {{}}?".format(f.__name__))
        variables = tape.watched_variables()
        if not variables:
            raise ValueError("No trainable variables were accessed while the function was being computed.")
        return list(zip(tape.gradient(value, variables), variables))

    return grad_fn
''',
}


class ContribEager(Rule):
    code = "T106"
    details = __doc__.split("\n\n", 1)[1].strip()
    examples = (
        Example(
            before=textwrap.dedent(
                """\
                import numpy as np
                import tensorflow as tf

                tf.enable_eager_execution()
                tfe = tf.contrib.eager

                W = tfe.Variable(np.random.randn())
                b = tfe.Variable(0.0)


                def loss_fn(x, y):
                    return tf.reduce_mean(tf.square(x * W + b - y))


                optimizer = tf.train.AdamOptimizer(learning_rate=0.1)
                grad = tfe.implicit_gradients(loss_fn)
                for step in range(100):
                    optimizer.apply_gradients(grad([1.0, 2.0], [2.0, 4.0]))
                """
            ),
            after=textwrap.dedent(
                '''\
                import numpy as np
                import tensorflow as tf


                def implicit_gradients(f):
                    """TF 1's tf.contrib.eager.implicit_gradients (TF 2 has no tf.contrib): a function of f's
                    arguments returning the (gradient, variable) pairs of the trainable variables f read, in
                    the order they were created."""

                    def grad_fn(*args, **kwargs):
                        with tf.GradientTape() as tape:
                            value = f(*args, **kwargs)
                        if value is None:
                            raise ValueError("Cannot differentiate a function that returns None; "
                                             "did you forget to return a value from {}?".format(f.__name__))
                        variables = tape.watched_variables()
                        if not variables:
                            raise ValueError("No trainable variables were accessed while the function was being computed.")
                        return list(zip(tape.gradient(value, variables), variables))

                    return grad_fn


                tf.enable_eager_execution()

                W = tf.Variable(np.random.randn())
                b = tf.Variable(0.0)


                def loss_fn(x, y):
                    return tf.reduce_mean(tf.square(x * W + b - y))


                optimizer = tf.keras.optimizers.Adam(learning_rate=0.1, epsilon=1e-08)
                grad = implicit_gradients(loss_fn)
                for step in range(100):
                    optimizer.apply_gradients(grad([1.0, 2.0], [2.0, 4.0]))
                '''
            ),
        ),
        Example(
            before=textwrap.dedent(
                """\
                import tensorflow.contrib.eager as tfe
                import tensorflow as tf

                tf.enable_eager_execution()


                class Model(tfe.Network):
                    def __init__(self):
                        super(Model, self).__init__()
                        self.hidden = self.track_layer(tf.layers.Dense(16, activation=tf.nn.relu))
                        self.out = self.track_layer(tf.layers.Dense(1))

                    def call(self, x):
                        return self.out(self.hidden(x))


                batches = tfe.Iterator(tf.data.Dataset.from_tensor_slices(data).batch(32))
                """
            ),
            after=textwrap.dedent(
                """\
                import tensorflow as tf

                tf.enable_eager_execution()


                class Model(tf.keras.Model):
                    def __init__(self):
                        super(Model, self).__init__()
                        self.hidden = tf.keras.layers.Dense(16, activation=tf.nn.relu)
                        self.out = tf.keras.layers.Dense(1)

                    def call(self, x):
                        return self.out(self.hidden(x))


                batches = iter(tf.data.Dataset.from_tensor_slices(data).batch(32))
                """
            ),
        ),
        Example(
            # graph code: the Session decides; an optimizer used by minimize is G101's or T101's
            before=textwrap.dedent(
                """\
                import tensorflow as tf

                tfe = tf.contrib.eager
                w = tfe.Variable(1.0)
                with tf.Session() as sess:
                    sess.run(w.initializer)
                """
            ),
        ),
    )

    def rewrite(self, tree: cst.Module) -> cst.Module:
        names = tf_api.api_names(self.context.scratch, self.resolver)
        if names is None:
            return tree
        self.names = names
        scan = _Scan(self)
        walk(tree, scan)
        if not scan.eager_uses and not scan.enables:
            return tree
        if scan.graph_only is not None:
            node, symbol = scan.graph_only
            if scan.eager_uses:
                self.report(node, f"`tf.contrib.eager` names left as they were: the module also uses `{symbol}`, "
                            "which only graph mode has, so it is not only eager code")
            return tree
        self._helpers: dict[str, str] = {}  # TF 1 function -> the module's local copy
        self._calls: dict[int, cst.BaseExpression] = {}  # call (original id) -> its replacement func or value
        self._bases: dict[int, str] = {}
        self._tracked: dict[int, str | None] = {}  # track_layer call -> the Keras class of its layer
        self._aliases = scan.aliases
        for node, suffix in scan.eager_uses:
            self._plan_eager_use(node, suffix, scan)
        for assign, call, target in scan.optimizers:
            self._plan_optimizer(assign, call, target, scan)
        if not self._calls and not self._bases:
            return tree
        new = self.transformed(tree)
        new = self._drop_aliases(new)
        new = drop_unused_contrib_imports(new)
        new = self._insert_helpers(new)
        line = self.names.import_statement()
        return tf_api.add_imports(new, [line]) if line else new

    # -- planning, on the nodes of the tree received ---------------------------------
    def _plan_eager_use(self, node: cst.Attribute, suffix: str, scan: _Scan) -> None:
        call = scan.calls.get(id(node))
        if suffix == "Network":
            classdef = scan.bases.get(id(node))
            if classdef is None:
                self.report(node, "`tfe.Network` left as it was: only a class deriving from it becomes a tf.keras.Model")
                return
            self._plan_network(node, classdef)
            return
        if suffix == "enable_eager_execution":
            if call is not None:
                # TF 1.5-1.7's spelling of tf.enable_eager_execution, which T103 removes
                self._calls[id(call)] = cst.parse_expression(self.names.spell("tf.enable_eager_execution"))
                self.report(node, "`tfe.enable_eager_execution` -> `tf.enable_eager_execution` (which T103 removes)",
                            kind="converted")
            return
        if call is None:
            self.report(node, f"`tfe.{suffix}` left as it was: only calls of it are converted")
            return
        if suffix == "Variable":
            if bind_arguments(call.args, _VARIABLE_PARAMS, _VARIABLE_KEYWORDS) is None:
                self.report(node, "`tfe.Variable(...)` left as it was: TF 2's tf.Variable has no `collections` "
                            "parameter, and only the first two are in the same places")
                return
            self._calls[id(call)] = cst.parse_expression(self.names.spell("tf.Variable"))
            self.report(node, "`tfe.Variable` -> `tf.Variable`", kind="converted")
        elif suffix == "Iterator":
            if len(call.args) != 1 or call.args[0].keyword is not None or call.args[0].star:
                self.report(node, "`tfe.Iterator(...)` left as it was: only `tfe.Iterator(dataset)` becomes `iter(dataset)`")
                return
            if self.resolver.is_bound_anywhere("iter"):
                self.report(node, "`tfe.Iterator(...)` left as it was: the module binds the name `iter`")
                return
            self._calls[id(call)] = cst.Name("iter")
            self.report(node, "`tfe.Iterator(dataset)` -> `iter(dataset)`", kind="converted")
        elif suffix in _HELPERS:
            if len(call.args) != 1 or call.args[0].keyword is not None or call.args[0].star:
                self.report(node, f"`tfe.{suffix}(...)` left as it was: it is called with other arguments than "
                            "the function")
                return
            self._calls[id(call)] = cst.Name(self._helper(suffix))
            self.report(node, f"`tfe.{suffix}(f)` -> the module's copy of it on tf.GradientTape", kind="converted")
        else:
            self.report(node, f"`tfe.{suffix}` left as it was: no TF 2 conversion of it is known here")

    def _plan_network(self, base: cst.Attribute, classdef: cst.ClassDef) -> None:
        tracks = [call for call in _calls_in(classdef) if _is_track_layer(call)]
        keras: dict[int, str | None] = {}
        for call in tracks:
            if len(call.args) != 1 or call.args[0].keyword is not None or call.args[0].star:
                self.report(call, "`tfe.Network` class left as it was: `track_layer` called with other arguments "
                            "than the layer")
                return
            layer = call.args[0].value
            keras[id(call)] = None
            if isinstance(layer, cst.Call):
                symbol = self.names.symbol(layer.func)
                if symbol is not None and symbol.startswith("tf.layers."):
                    spec = _LAYER_CLASSES.get(symbol)
                    if spec is None or bind_arguments(layer.args, spec[1], _LAYER_KEYWORDS) is None:
                        self.report(layer, f"`tfe.Network` class left as it was: its `{symbol}(...)` has no Keras "
                                    "layer taking the same arguments here (initializers, regularizers and "
                                    "`tf.layers` classes outside the table differ)")
                        return
                    keras[id(call)] = spec[0]
        if len(tracks) != len(_track_reads(classdef)):
            self.report(classdef, "`tfe.Network` class left as it was: `self.track_layer` is used other than by "
                        "calling it")
            return
        self._bases[id(base)] = self.names.spell("tf.keras.Model")
        self._tracked.update(keras)
        self.report(base, "`tfe.Network` -> `tf.keras.Model` (`track_layer(layer)` -> `layer`)", kind="converted")

    def _plan_optimizer(self, assign: cst.Assign, call: cst.Call, target: str, scan: _Scan) -> None:
        symbol = self.names.symbol(call.func)
        assert symbol is not None
        name = symbol.rsplit(".", 1)[-1]
        mapping = OPTIMIZERS[name]
        uses = scan.name_reads.get(target, [])
        bad = [use for use in uses if id(use) not in scan.apply_calls]
        if scan.bindings.get(target, 0) != 1 or bad:
            self.report(call, f"`{symbol}` kept: `{target}` is bound more than once or used otherwise than by "
                        "`apply_gradients(pairs)`, and Keras optimizers have no `minimize(loss_fn)` without "
                        "`var_list`, no `compute_gradients` and no `global_step`")
            return
        if mapping.ones_slots:
            self.report(call, f"`{symbol}` kept: TF 1's starts its accumulator at 1.0 where Keras' "
                        f"{mapping.keras_name} starts at 0.0")
            return
        if any(arg.star for arg in call.args):
            return
        positional = [code(arg.value) for arg in call.args if arg.keyword is None]
        keywords = {arg.keyword.value: code(arg.value) for arg in call.args if arg.keyword is not None}
        arguments, dropped = keras_arguments(mapping, positional, keywords)
        if dropped:
            self.report(call, f"`{symbol}` kept: Keras' {mapping.keras_name} has no {', '.join(dropped)}")
            return
        text = f"{self.names.spell('tf.keras.optimizers.' + mapping.keras_name)}(" + ", ".join(
            f"{key}={value}" for key, value in arguments) + ")"
        self._calls[id(call)] = cst.parse_expression(text)
        self.report(call, f"`{symbol}` in eager code -> `tf.keras.optimizers.{mapping.keras_name}`", kind="converted")

    def _helper(self, function: str) -> str:
        if function in self._helpers:
            return self._helpers[function]
        local = function
        while self.resolver.is_bound_anywhere(local) or local in self._helpers.values():
            local = "tfe_" + local if not local.startswith("tfe_") else local + "_"
        self._helpers[function] = local
        return local

    # -- rewriting -------------------------------------------------------------------
    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        if id(original_node) in self._tracked:
            layer = updated_node.args[0].value
            keras = self._tracked[id(original_node)]
            if keras is not None and isinstance(layer, cst.Call):
                layer = layer.with_changes(func=cst.parse_expression(self.names.spell("tf.keras.layers." + keras)))
            return layer.with_changes(lpar=updated_node.lpar, rpar=updated_node.rpar) if updated_node.lpar else layer
        replacement = self._calls.get(id(original_node))
        if replacement is None:
            return updated_node
        if isinstance(replacement, cst.Call):  # an optimizer: the whole call
            return replacement.with_changes(lpar=updated_node.lpar, rpar=updated_node.rpar)
        return updated_node.with_changes(func=replacement)

    def leave_Arg(self, original_node: cst.Arg, updated_node: cst.Arg) -> cst.Arg:
        base = self._bases.get(id(original_node.value))
        if base is None:
            return updated_node
        return updated_node.with_changes(value=cst.parse_expression(base))

    def _drop_aliases(self, module: cst.Module) -> cst.Module:
        """``tfe = tf.contrib.eager`` goes when nothing reads ``tfe`` any more."""
        if not self._aliases:
            return module
        read = _names_read(module)
        body: list[cst.BaseStatement] = []
        carry: list[cst.EmptyLine] = []
        for stmt in module.body:
            alias = _alias_assignment(stmt)
            if alias is not None and alias in self._aliases and alias not in read:
                carry.extend(line for line in stmt.leading_lines if line.comment is not None)
                continue
            if carry:
                stmt = stmt.with_changes(leading_lines=[*carry, *stmt.leading_lines])
                carry = []
            body.append(stmt)
        return module.with_changes(body=body)

    def _insert_helpers(self, module: cst.Module) -> cst.Module:
        tf = self.names.spell("tf")
        for function, local in self._helpers.items():
            module = insert_helper(module, cst.parse_statement(_HELPERS[function].format(name=local, tf=tf)), local)
        return module


# -- reading the module ------------------------------------------------------------------
class _Scan(FastVisitor):
    """What the module reads of tf.contrib.eager, its optimizers, and its graph-only names."""

    def __init__(self, rule: ContribEager) -> None:
        self.rule = rule
        self.eager_uses: list[tuple[cst.Attribute, str]] = []
        self.enables: list[cst.Call] = []
        self.graph_only: tuple[cst.CSTNode, str] | None = None
        self.aliases: set[str] = set()  # module-level `tfe = tf.contrib.eager`
        self.calls: dict[int, cst.Call] = {}  # callee (id) -> its call
        self.bases: dict[int, cst.ClassDef] = {}  # base class expression (id) -> its class
        self.optimizers: list[tuple[cst.Assign, cst.Call, str]] = []
        self.name_reads: dict[str, list[cst.Name]] = {}
        self.bindings: dict[str, int] = {}
        self.apply_calls: set[int] = set()  # `opt` of each `opt.apply_gradients(pairs)`

    def _eager_suffix(self, node: cst.BaseExpression) -> str | None:
        symbol = self.rule.names.symbol(node)
        if symbol is not None and symbol.startswith(_EAGER + "."):
            return symbol[len(_EAGER) + 1 :]
        dotted = dotted_name(node)
        if dotted is None or "." not in dotted:
            return None
        root = node
        while isinstance(root, cst.Attribute):
            root = root.value
        assert isinstance(root, cst.Name)
        value = self.rule.resolver.assigned_value(root)
        if value is not None and self.rule.names.symbol(value) == _EAGER:
            return dotted.split(".", 1)[1]
        return None

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        for arg in node.bases:
            self.bases[id(arg.value)] = node

    def visit_Call(self, node: cst.Call) -> None:
        self.calls[id(node.func)] = node
        func = node.func
        if (isinstance(func, cst.Attribute) and func.attr.value == "apply_gradients" and isinstance(func.value, cst.Name)
                and len(node.args) == 1 and node.args[0].keyword is None and not node.args[0].star):
            self.apply_calls.add(id(func.value))
        if self.rule.names.symbol(func) in _ENABLE or self._eager_suffix(func) == "enable_eager_execution":
            self.enables.append(node)

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            if isinstance(target.target, cst.Name):
                name = target.target.value
                self.bindings[name] = self.bindings.get(name, 0) + 1
                if self.rule.names.symbol(node.value) == _EAGER:
                    self.aliases.add(name)
                if isinstance(node.value, cst.Call) and len(node.targets) == 1:
                    symbol = self.rule.names.symbol(node.value.func)
                    if symbol is not None and symbol.startswith("tf.train.") and symbol[len("tf.train."):] in OPTIMIZERS:
                        self.optimizers.append((node, node.value, name))

    def visit_Name(self, node: cst.Name) -> None:
        self.name_reads.setdefault(node.value, []).append(node)

    def visit_AssignTarget(self, node: cst.AssignTarget) -> bool:
        return not isinstance(node.target, cst.Name)

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        symbol = self.rule.names.symbol(node)
        if symbol in _GRAPH_ONLY and self.graph_only is None:
            self.graph_only = (node, symbol)
        suffix = self._eager_suffix(node)
        if suffix is not None:
            self.eager_uses.append((node, suffix))
            return False
        if symbol is not None:
            return False
        return True


def _calls_in(node: cst.CSTNode) -> list[cst.Call]:
    return list(nodes_of(node, cst.Call))


def _is_track_layer(call: cst.Call) -> bool:
    func = call.func
    return (isinstance(func, cst.Attribute) and func.attr.value == "track_layer" and isinstance(func.value, cst.Name)
            and func.value.value == "self")


def _track_reads(classdef: cst.ClassDef) -> list[cst.Attribute]:
    return [node for node in nodes_of(classdef, cst.Attribute) if node.attr.value == "track_layer"]


def _alias_assignment(stmt: cst.BaseStatement) -> str | None:
    if not (isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 and isinstance(stmt.body[0], cst.Assign)):
        return None
    assign = stmt.body[0]
    if len(assign.targets) != 1 or not isinstance(assign.targets[0].target, cst.Name):
        return None
    value = dotted_name(assign.value)
    if value is None or not value.endswith(".contrib.eager"):
        return None
    return assign.targets[0].target.value


def _names_read(module: cst.Module) -> set[str]:
    read: set[str] = set()

    class _Read(ReadNamesVisitor):
        def visit_AssignTarget(self, node: cst.AssignTarget) -> bool:
            return not isinstance(node.target, cst.Name)

        def visit_Import(self, node: cst.Import) -> bool:
            return False

        def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
            return False

        def visit_Name(self, node: cst.Name) -> None:
            read.add(node.value)

    walk(module, _Read())
    return read
