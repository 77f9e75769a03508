"""G102: TF1 functional layers (``tf.layers.dense`` & co.) -> Keras layer objects created once.

In a TF1 graph, ``h = tf.layers.dense(x, 10, name="fc1")`` creates the layer's weights
once, when the graph is built; in eager code the same call would create new weights at
every step. This rule, which runs before G101, creates the Keras layer where the graph
was built (``fc1 = tf.keras.layers.Dense(10, name="fc1")``) and calls it where the
tensor was defined (``h = fc1(x)``); G101 then keeps the layer objects outside its
generated ``tf.function``s (state, created once) and trains their
``trainable_variables``.

``tf.layers.dropout(x, rate, training=t)`` has no weights: it becomes the TF op TF1 ran
(``tf.nn.dropout`` under ``tf.cond(t, ...)``), so the masks are drawn by the same op.

The rule only rewrites programs that G101 then converts: the tree it received is kept
in the shared scratch, and a G101 fallback to ``tf.compat.v1`` starts from it (Keras 3
layers do not run in TF1 graph mode).
"""

from __future__ import annotations

import keyword
import textwrap

import libcst as cst

from codemods.base import Example, Rule
from migrator.analysis.graph import calls_in, names_read, single_assignment, tf1_symbol

# The tree G102 received, for G101's fallback.
ORIGINAL_KEY = "g102.original"
# Names of the layer objects G102 created (G101 treats them as state).
LAYER_OBJECTS_KEY = "g102.layer_objects"


class LayerSpec:
    """A TF1 functional layer: its Keras class, its TF1 parameters in order, and how
    many leading Keras parameters are the same (passed positionally)."""

    def __init__(self, keras: str, params: tuple[str, ...], positional: int, weights: bool) -> None:
        self.keras = keras
        self.params = params
        self.positional = positional
        self.weights = weights


_DENSE_TAIL = (
    "activation", "use_bias", "kernel_initializer", "bias_initializer", "kernel_regularizer",
    "bias_regularizer", "activity_regularizer", "kernel_constraint", "bias_constraint", "trainable", "name", "reuse",
)
_POOL = ("inputs", "pool_size", "strides", "padding", "data_format", "name")

LAYERS: dict[str, LayerSpec] = {
    "layers.dense": LayerSpec("Dense", ("inputs", "units", *_DENSE_TAIL), 1, True),
    "layers.conv2d": LayerSpec(
        "Conv2D", ("inputs", "filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate", *_DENSE_TAIL), 2, True
    ),
    "layers.conv1d": LayerSpec(
        "Conv1D", ("inputs", "filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate", *_DENSE_TAIL), 2, True
    ),
    "layers.conv2d_transpose": LayerSpec(
        "Conv2DTranspose", ("inputs", "filters", "kernel_size", "strides", "padding", "data_format", *_DENSE_TAIL), 2, True
    ),
    "layers.max_pooling2d": LayerSpec("MaxPooling2D", _POOL, 2, False),
    "layers.average_pooling2d": LayerSpec("AveragePooling2D", _POOL, 2, False),
    "layers.max_pooling1d": LayerSpec("MaxPooling1D", _POOL, 2, False),
    "layers.average_pooling1d": LayerSpec("AveragePooling1D", _POOL, 2, False),
    "layers.flatten": LayerSpec("Flatten", ("inputs", "name", "data_format"), 0, False),
}
DROPOUT = ("inputs", "rate", "noise_shape", "seed", "training", "name")
# Keras layer classes whose objects hold weights (G101 trains their trainable_variables).
WEIGHTED = {spec.keras for spec in LAYERS.values() if spec.weights}


class _Skip(Exception):
    """A layer call this rule leaves as it is (G101 then keeps the module on compat.v1)."""

    def __init__(self, node: cst.CSTNode, reason: str) -> None:
        super().__init__(reason)
        self.node = node
        self.reason = reason


def _bind(call: cst.Call, params: tuple[str, ...]) -> dict[str, cst.BaseExpression]:
    bound: dict[str, cst.BaseExpression] = {}
    position = 0
    for arg in call.args:
        if arg.star:
            raise _Skip(call, "*args / **kwargs in a layer call")
        if arg.keyword is None:
            if position >= len(params):
                raise _Skip(call, "more positional arguments than the layer takes")
            bound[params[position]] = arg.value
            position += 1
        else:
            if arg.keyword.value not in params:
                raise _Skip(call, f"unknown layer argument `{arg.keyword.value}`")
            bound[arg.keyword.value] = arg.value
    return bound


def _is_none(node: cst.BaseExpression | None) -> bool:
    return isinstance(node, cst.Name) and node.value == "None"


def _is_name(node: cst.BaseExpression | None, value: str) -> bool:
    return isinstance(node, cst.Name) and node.value == value


class LayersToKeras(Rule):
    code = "G102"
    slug = "layers-to-keras"
    summary = "TF1 functional layers (tf.layers.dense, conv2d, pooling, flatten, dropout) become Keras layer objects created once."
    triggers = ("layers.",)
    details = (
        "In graph-building code run by a Session, `h = tf.layers.dense(x, n, name=\"fc1\")` becomes a "
        "Keras layer created where the graph was built (`fc1 = tf.keras.layers.Dense(n, name=\"fc1\")`) and "
        "called where the tensor was defined (`h = fc1(x)`); G101 keeps the object outside the generated "
        "tf.function and trains its trainable_variables. TF1's defaults are Keras' (glorot-uniform kernels, "
        "zero biases, channels_last). `reuse=True` with the name of an earlier layer calls that layer again. "
        "tf.layers.dropout becomes the op TF1 ran: tf.nn.dropout under tf.cond(training, ...). Layer calls "
        "inside loops or with arguments Keras has no place for are left alone (G101 keeps the module on "
        "tf.compat.v1 and says why). If G101 falls back for any reason, this rule's rewrite is undone."
    )
    examples = (
        Example(
            before=textwrap.dedent(
                """\
                import tensorflow as tf

                x = tf.placeholder(tf.float32, [None, 4])
                h = tf.layers.dense(x, 8, activation=tf.nn.relu, name="fc1")
                with tf.Session() as sess:
                    sess.run(tf.global_variables_initializer())
                    print(sess.run(h, feed_dict={x: [[1.0, 2.0, 3.0, 4.0]]}))
                """
            ),
            after=textwrap.dedent(
                """\
                import tensorflow as tf

                x = tf.placeholder(tf.float32, [None, 4])
                fc1 = tf.keras.layers.Dense(8, activation=tf.nn.relu, name="fc1")
                h = fc1(x)
                with tf.Session() as sess:
                    sess.run(tf.global_variables_initializer())
                    print(sess.run(h, feed_dict={x: [[1.0, 2.0, 3.0, 4.0]]}))
                """
            ),
        ),
        Example(
            # Library code that builds graph for its caller, with no Session: left alone.
            before=textwrap.dedent(
                """\
                import tensorflow as tf


                def head(x):
                    return tf.layers.dense(x, 1)
                """
            ),
        ),
    )

    def rewrite(self, tree: cst.Module) -> cst.Module:
        tf_alias = self.resolver.alias_for("tensorflow") or self.resolver.alias_for("tensorflow.compat.v1")
        if tf_alias is None or not self._runs_session(tree):
            return tree
        converter = _Converter(self, tree, tf_alias)
        new = converter.convert()
        if new is not tree:
            self.context.scratch[ORIGINAL_KEY] = tree
            self.context.scratch.setdefault(LAYER_OBJECTS_KEY, set()).update(converter.objects)
        return new

    def sym(self, expr: cst.BaseExpression) -> str | None:
        return tf1_symbol(self.qualified_name(expr))

    def _runs_session(self, tree: cst.Module) -> bool:
        return any(self.sym(call.func) in ("Session", "InteractiveSession") for call in calls_in(tree))


class _Converter:
    def __init__(self, rule: LayersToKeras, module: cst.Module, alias: str) -> None:
        self.rule = rule
        self.module = module
        self.tf = alias
        self.code = module.code_for_node
        self.taken = set(names_read(module))
        self.objects: set[str] = set()
        # Layer name (as given by name=) -> the object created for it, for reuse=True.
        self.by_layer_name: dict[str, str] = {}

    def fresh(self, base: str) -> str:
        base = base if base.isidentifier() and not keyword.iskeyword(base) else "layer"
        name = base
        if name in self.taken and not name.endswith("_layer"):
            name = base = f"{base}_layer"
        n = 2
        while name in self.taken:
            name = f"{base}_{n}"
            n += 1
        self.taken.add(name)
        return name

    def convert(self) -> cst.Module:
        body = self._block(list(self.module.body))
        if body is None:
            new_module = self.module
        else:
            new_module = self.module.with_changes(body=body)
        # A `def main():` / `if __name__ == "__main__":` that builds the graph.
        changed = False
        new_body = list(new_module.body)
        for i, stmt in enumerate(new_body):
            if isinstance(stmt, (cst.FunctionDef, cst.If)) and isinstance(stmt.body, cst.IndentedBlock):
                if not self._builds_graph(stmt.body.body):
                    continue
                inner = self._block(list(stmt.body.body))
                if inner is not None:
                    new_body[i] = stmt.with_changes(body=stmt.body.with_changes(body=inner))
                    changed = True
        if changed:
            new_module = new_module.with_changes(body=new_body)
        return new_module

    def _builds_graph(self, statements) -> bool:
        for stmt in statements:
            assignment = single_assignment(stmt)
            if assignment and isinstance(assignment[1], cst.Call):
                if self.rule.sym(assignment[1].func) in ("placeholder", "placeholder_with_default"):
                    return True
        return False

    def _block(self, statements: list[cst.BaseStatement]) -> list[cst.BaseStatement] | None:
        """The statements with their layer calls rewritten; None when nothing changed."""
        out: list[cst.BaseStatement] = []
        changed = False
        for stmt in statements:
            if not isinstance(stmt, cst.SimpleStatementLine) or not self._has_layer_call(stmt):
                out.append(stmt)
                continue
            transformer = _LayerCalls(self, single_assignment(stmt))
            try:
                new = stmt.visit(transformer)
            except _Skip as exc:
                self.rule.report(exc.node, f"layer call left on TF1: {exc.reason}")
                out.append(stmt)
                continue
            self.objects.update(transformer.objects)
            self.by_layer_name.update(transformer.names)
            created = [cst.parse_statement(text) for text in transformer.created]
            if created:
                created[0] = created[0].with_changes(leading_lines=stmt.leading_lines)
                new = new.with_changes(leading_lines=[])
            out.extend(created)
            out.append(new)
            changed = True
        return out if changed else None

    def _has_layer_call(self, stmt) -> bool:
        return any(self._layer_symbol(call) is not None for call in calls_in(stmt))

    def _layer_symbol(self, call: cst.Call) -> str | None:
        symbol = self.rule.sym(call.func)
        if symbol in LAYERS or symbol == "layers.dropout":
            return symbol
        return None


class _LayerCalls(cst.CSTTransformer):
    """Rewrites the layer calls of one statement; ``created`` collects the constructors."""

    def __init__(self, converter: _Converter, assignment) -> None:
        self.c = converter
        self.target = assignment[0][0] if assignment and len(assignment[0]) == 1 else None
        self.created: list[str] = []
        self.objects: list[str] = []  # committed by the caller when the statement converts
        self.names: dict[str, str] = {}

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call):
        symbol = self.c._layer_symbol(original_node)
        if symbol is None:
            return updated_node
        if symbol == "layers.dropout":
            return self._dropout(updated_node)
        spec = LAYERS[symbol]
        bound = _bind(updated_node, spec.params)
        inputs = bound.pop("inputs", None)
        if inputs is None:
            raise _Skip(original_node, "a layer call without inputs")
        reuse = bound.pop("reuse", None)
        name_node = bound.get("name")
        layer_name = name_node.evaluated_value if isinstance(name_node, cst.SimpleString) else None
        if reuse is not None and not _is_none(reuse) and not _is_name(reuse, "False"):
            known = {**self.c.by_layer_name, **self.names}
            if layer_name is None or layer_name not in known:
                raise _Skip(original_node, "`reuse=` of a layer this rule did not create")
            obj = known[layer_name]
        else:
            if layer_name is not None and (layer_name in self.c.by_layer_name or layer_name in self.names):
                raise _Skip(original_node, f"a second layer named `{layer_name}` without reuse")
            arguments = []
            keras_params = [p for p in spec.params if p not in ("inputs", "reuse")]
            for position, param in enumerate(keras_params):
                node = bound.get(param)
                if node is None or _is_none(node):
                    continue
                value = self.c.code(node)
                if position < spec.positional and all(p in bound for p in keras_params[:position]):
                    arguments.append(value)
                else:
                    arguments.append(f"{param}={value}")
            base = layer_name or (f"{self.target}_layer" if self.target else spec.keras.lower())
            obj = self.c.fresh(base)
            self.created.append(f"{obj} = {self.c.tf}.keras.layers.{spec.keras}({', '.join(arguments)})\n")
            self.objects.append(obj)
            if layer_name is not None:
                self.names[layer_name] = obj
        return cst.Call(func=cst.Name(obj), args=[cst.Arg(inputs)])

    def _dropout(self, call: cst.Call) -> cst.BaseExpression:
        bound = _bind(call, DROPOUT)
        inputs = bound.get("inputs")
        if inputs is None:
            raise _Skip(call, "a dropout call without inputs")
        training = bound.get("training")
        if training is None or _is_name(training, "False"):
            return inputs
        x = self.c.code(inputs)
        rate = self.c.code(bound["rate"]) if "rate" in bound else "0.5"
        extra = "".join(f", {k}={self.c.code(bound[k])}" for k in ("noise_shape", "seed") if k in bound)
        drop = f"{self.c.tf}.nn.dropout({x}, rate={rate}{extra})"
        if _is_name(training, "True"):
            return cst.parse_expression(drop)
        flag = self.c.code(training)
        return cst.parse_expression(f"{self.c.tf}.cond({flag}, lambda: {drop}, lambda: {self.c.tf}.identity({x}))")
