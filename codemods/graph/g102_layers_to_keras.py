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
(``ConvertedLayers``, read by G101 with ``converted_layers``), and a G101 fallback to
``tf.compat.v1`` starts from it (Keras 3 layers do not run in TF1 graph mode).

Its layer and initializer tables live in ``codemods/analysis/tf1_layers.py`` (G104
shares them). Why one module still: its RNN cell templates and collection handling are
not split yet; they are to be split once the shared CST toolkit (issue 17, point 3) has
replaced the helpers copied here.
"""

from __future__ import annotations

import keyword
import re
import textwrap
from collections import Counter
from dataclasses import dataclass, field
from typing import Literal

import libcst as cst

from codemods.analysis.cst_tools import nodes_of
from codemods.analysis.graph import (
    ReadNamesVisitor,
    argument,
    assign_targets,
    assigned_names,
    build_calls,
    calls_in,
    drop_unused_contrib_imports,
    expression_of,
    names_read,
    returned_variable,
    single_assignment,
    target_parts,
    tf1_symbol,
)
from codemods.analysis.names import is_import_line, walk
from codemods.analysis.tf1_layers import (
    DROPOUT,
    GET_VARIABLE,
    INITIALIZERS,
    LAYERS,
    REGULARIZERS,
    UNMAPPED_INITIALIZERS,
    XAVIER_NORMAL,
)
from codemods.base import Example, Rule


@dataclass
class ConvertedLayers:
    """What G102 tells G101 about a module it rewrote (in the shared scratch, ``converted_layers``)."""

    original: cst.Module | None = None  # the tree G102 received, for G101's fallback
    objects: set[str] = field(default_factory=set)  # names of the layer objects G102 created (state for G101)
    classes: set[str] = field(default_factory=set)  # names of the layer classes G102 made from graph-building functions
    # Functions whose get_variable calls became tf.Variables with Keras initializers (for
    # G101's variable helpers), and those whose variable scopes became name scopes.
    variable_functions: set[str] = field(default_factory=set)
    # Variables it created at the graph's level from tf.get_variable (tf.Variables whose
    # initial values Keras initializers draw).
    graph_variables: set[str] = field(default_factory=set)
    # Layer objects made from a function whose variable scope names all their variables
    # ("discriminator/"), for G101's variable lists selected by name.
    scopes: dict[str, str] = field(default_factory=dict)
    # Calls it left on TF1 (by id, nodes of the tree G102 returned) -> why, for G101's reasons.
    declined: dict[int, str] = field(default_factory=dict)


_CONVERTED_LAYERS = "g102.converted_layers"


def converted_layers(scratch: dict) -> ConvertedLayers:
    """G102's record for this file (empty when G102 changed nothing)."""
    return scratch.get(_CONVERTED_LAYERS) or ConvertedLayers()


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


def _leading_lines(statements, index: int, dropped: int) -> object:
    """The runner's blank lines and comments, or the dropped cell's after a function or class
    (whose blank lines would go with it)."""
    if not statements[index].leading_lines and dropped > 0 and isinstance(statements[dropped - 1], (cst.FunctionDef, cst.ClassDef)):
        return statements[dropped].leading_lines
    return statements[index].leading_lines


def _is_name_in(node: cst.BaseExpression | None, values) -> bool:
    return isinstance(node, cst.Name) and node.value in values


class LayersToKeras(Rule):
    code = "G102"
    details = (
        "In graph-building code run by a Session, `h = tf.layers.dense(x, n, name=\"fc1\")` becomes a "
        "Keras layer created where the graph was built (`fc1 = tf.keras.layers.Dense(n, name=\"fc1\")`) and "
        "called where the tensor was defined (`h = fc1(x)`); G101 keeps the object outside the generated "
        "tf.function and trains its trainable_variables. TF1's defaults are Keras' (glorot-uniform kernels, "
        "zero biases, channels_last). `reuse=True` with the name of an earlier layer calls that layer again. "
        "tf.layers.dropout becomes the op TF1 ran: tf.nn.dropout under tf.cond(training, ...). In a module that "
        "never looks a variable up again by name, layers inside `with tf.variable_scope(name):` (nested ones too, "
        "the name computed or not) get their objects created right before the block, which becomes a name scope "
        "around their calls (declined: a scope with other arguments, a layer configured with a name bound inside "
        "it, layers in a loop or condition there). A model class whose __init__ and the methods it calls "
        "(self._build_net()) build the graph with TF1 layers or get_variable has those statements converted as at "
        "the graph's level (G101 then keeps the objects in __init__). Layer calls "
        "inside loops or with arguments Keras has no place for are left alone (G101 keeps the module on "
        "tf.compat.v1 and says why). If G101 falls back for any reason, this rule's rewrite is undone. "
        "tf.layers.batch_normalization(h, training=flag) becomes a Keras BatchNormalization called under "
        "tf.cond(flag, ...) (Keras branches on a Python bool); since the Keras layer updates its moving statistics "
        "whenever it runs in training mode, this is done only when `tf.get_collection(tf.GraphKeys.UPDATE_OPS)` "
        "controls the training op and every run that feeds the flag something else than False runs that op; the "
        "collection and its control_dependencies block then disappear. Not next to convolutions unless fused=False "
        "(TF1's fused kernel keeps the moving variance with Bessel's correction). tf.contrib.layers.fully_connected/"
        "conv2d/max_pool2d/flatten become Dense/Conv2D/MaxPooling2D/Flatten with contrib's defaults written out "
        "(activation relu, padding same, pool stride 2, biases_initializer=None -> use_bias=False). "
        "tf.contrib.layers.l2_regularizer(s) becomes keras.regularizers.L2(s / 2): TF1's penalty is "
        "s * tf.nn.l2_loss(w) = s * sum(w ** 2) / 2, Keras' L2(l) is l * sum(w ** 2). "
        "tf.losses.get_regularization_loss() and the REGULARIZATION_LOSSES collection become the regularized "
        "layers' `losses` (empty until a layer's first call: Keras builds weights lazily). "
        "tf.nn.rnn_cell.BasicLSTMCell/LSTMCell + tf.nn.dynamic_rnn become tf.keras.layers.RNN(return_sequences=True, "
        "return_state=True) over a generated TF1LSTMCell with TF1's weight layout (one kernel over [x, h], gates "
        "i, j, f, o, forget_bias added at run time), so results match; the state becomes a list [c, h]. "
        "The same for tf.contrib.rnn's cells (names imported with `from tensorflow.contrib import rnn` resolve; the "
        "import goes with its last use), GRUCell (TF1GRUCell: gates kernel over [x, h] giving r, u with biases "
        "starting at 1.0, candidate kernel over [x, r * h]; the state stays one tensor), BasicRNNCell "
        "(TF1BasicRNNCell), MultiRNNCell over a list (or list comprehension) of new cells (a list of Keras cells; "
        "the state a list of per-layer states), and tf.nn.static_rnn / tf.contrib.rnn.static_rnn over a list of "
        "steps: the RNN runs on tf.stack(steps, axis=1) and the outputs become TF1's list again with "
        "tf.unstack(outputs, axis=1). static_bidirectional_rnn / bidirectional_dynamic_rnn become two Keras RNNs, "
        "the backward one over tf.reverse(inputs, [1]) with its outputs reversed back (static: concatenated per "
        "step, as TF1 did). initial_state= the cell's own zero_state(batch, tf.float32) is Keras' default and goes; "
        "sequence_length= becomes mask=tf.sequence_mask(lengths, steps) with zero_output_for_mask=True (TF1 zeroes "
        "the outputs past each length and carries the last state on); `outputs, (c, h) = ...` over one LSTM cell "
        "becomes `outputs, c, h = ...`; a function returning a new cell, called once (`[lstm_cell() for _ in "
        "range(2)]`), returns the Keras cell. Inside a graph-building function the RNN layer is an attribute of its "
        "layer class. Declined (reported, module kept on tf.compat.v1): other initial states, scope=, "
        "time_major=True, sequence_length= over an expression or of a bidirectional RNN, a missing dtype=float32, "
        "cells with peepholes/projections/clipping/initializers, DropoutWrapper, a cell "
        "used elsewhere (shared weights, cell.state_size), state attributes (state.h). What the fallback keeps, G103 "
        "gives its TF 2.21 home (tf-keras' legacy cells, tf-slim). "
        "At the graph's level (the script's top level or main()), `W = tf.get_variable(\"W\", shape, initializer=...)` "
        "becomes `W = tf.Variable(<Keras initializer of TF1's distribution>(shape=shape), name=\"W\")` (the mapping "
        "below; an `initializer=` name bound to a TF1 initializer is written out at the variable) and `with "
        "tf.variable_scope(\"layer1\"):` becomes `with tf.name_scope(\"layer1\"):`, where TF2 names the variable layer1/W as TF1 "
        "did; a variable looked up again there (reuse=True, tf.AUTO_REUSE, scope.reuse_variables(), also inside an "
        "expression) becomes the Python name that holds it (`W_tied = W`). Declined with the reason (G101 gives it): a "
        "scope not named by a literal where a variable is looked up again (a computed name such as a model class's "
        "self.name is enough where get_variable only creates), or with initializer=/regularizer=/partitioner=/"
        "custom_getter=/dtype= and the like, "
        "a scope object used otherwise, get_variable inside tf.name_scope (TF1 leaves the name scope out of the name), "
        "a variable created inside an expression, a lookup of a variable not created at the graph's level. In a model "
        "function made a layer class, `if reuse: scope.reuse_variables()` goes with its variable scope (every call "
        "shares the class's layers); when every variable it creates is named in one variable scope, G101 can select "
        "its object by that scope name. "
        "Variable helpers: in a module that never looks a variable up again by name (no reuse=, AUTO_REUSE or "
        "reuse_variables() other than in graph-level scopes holding only get_variable lookups), a factory returning its tf.get_variable (`initer = tf.truncated_normal_initializer("
        "stddev=0.01); return tf.get_variable('W_' + name, shape=shape, initializer=initer)`), and a get_variable "
        "function this rule cannot make a layer class (shapes read from the inputs, called from another function), "
        "create tf.Variables: tf.Variable(initer(shape=shape, dtype=...), name=...) with the Keras initializer "
        "of TF1's distribution (truncated/random normal, random uniform, constant, zeros, ones, glorot, "
        "xavier(uniform=True), variance_scaling, he, lecun, orthogonal; the glorot_uniform default written out), or "
        "tf.Variable(value, name=...) for a tensor initial value; the names are kept. Their variable scopes, and "
        "those of the functions calling them, of functions creating no variable (a flatten_layer's reshape) and of "
        "graph-level blocks without get_variable or tf.layers, become name scopes. G101 then makes each helper create its variables once. Declined with the reason: seeded "
        "initializers, tf.contrib.layers.variance_scaling_initializer and xavier_initializer(uniform=False) "
        "(truncated normals scaled by sqrt(1.3), not Keras'), uniform_unit_scaling, regularizer=/partitioner= "
        "and the other get_variable arguments Keras variables have no place for."
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
            before=textwrap.dedent(
                """\
                import tensorflow as tf

                x = tf.placeholder(tf.float32, [None, 4])
                is_training = tf.placeholder_with_default(False, shape=())
                h = tf.layers.batch_normalization(tf.layers.dense(x, 8), training=is_training)
                loss = tf.reduce_mean(tf.square(h))
                update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
                with tf.control_dependencies(update_ops):
                    train_op = tf.train.AdamOptimizer(0.01).minimize(loss)
                with tf.Session() as sess:
                    sess.run(tf.global_variables_initializer())
                    sess.run(train_op, feed_dict={x: [[1.0, 2.0, 3.0, 4.0]], is_training: True})
                """
            ),
            after=textwrap.dedent(
                """\
                import tensorflow as tf

                x = tf.placeholder(tf.float32, [None, 4])
                is_training = tf.placeholder_with_default(False, shape=())
                h_layer = tf.keras.layers.Dense(8)
                h_layer_2 = tf.keras.layers.BatchNormalization()
                h_inputs = h_layer(x)
                h = tf.cond(is_training, lambda: h_layer_2(h_inputs, training=True), lambda: h_layer_2(h_inputs, training=False))
                loss = tf.reduce_mean(tf.square(h))
                train_op = tf.train.AdamOptimizer(0.01).minimize(loss)
                with tf.Session() as sess:
                    sess.run(tf.global_variables_initializer())
                    sess.run(train_op, feed_dict={x: [[1.0, 2.0, 3.0, 4.0]], is_training: True})
                """
            ),
        ),
        Example(
            before=textwrap.dedent(
                """\
                import tensorflow as tf

                x = tf.placeholder(tf.float32, [None, 4])
                h = tf.contrib.layers.fully_connected(x, 8, weights_regularizer=tf.contrib.layers.l2_regularizer(0.01))
                loss = tf.reduce_mean(tf.square(h)) + tf.losses.get_regularization_loss()
                with tf.Session() as sess:
                    sess.run(tf.global_variables_initializer())
                    print(sess.run(loss, feed_dict={x: [[1.0, 2.0, 3.0, 4.0]]}))
                """
            ),
            after=textwrap.dedent(
                """\
                import tensorflow as tf

                x = tf.placeholder(tf.float32, [None, 4])
                h_layer = tf.keras.layers.Dense(8, activation=tf.nn.relu, kernel_regularizer=tf.keras.regularizers.L2(0.01 / 2))
                h = h_layer(x)
                loss = tf.reduce_mean(tf.square(h)) + tf.add_n([*h_layer.losses])
                with tf.Session() as sess:
                    sess.run(tf.global_variables_initializer())
                    print(sess.run(loss, feed_dict={x: [[1.0, 2.0, 3.0, 4.0]]}))
                """
            ),
        ),
        Example(
            # Weight wrappers called by a layer helper: tf.Variables with TF1's initial
            # values, which G101's variable helpers create once.
            before=textwrap.dedent(
                """\
                import tensorflow as tf


                def weight_variable(name, shape):
                    initer = tf.truncated_normal_initializer(stddev=0.01)
                    return tf.get_variable("W_" + name, dtype=tf.float32, shape=shape, initializer=initer)


                def fc_layer(x, num_units, name):
                    with tf.variable_scope(name):
                        W = weight_variable(name, shape=[x.get_shape()[1], num_units])
                        return tf.matmul(x, W)


                x = tf.placeholder(tf.float32, [None, 4])
                h = fc_layer(x, 8, "FC1")
                with tf.Session() as sess:
                    sess.run(tf.global_variables_initializer())
                    print(sess.run(h, feed_dict={x: [[1.0, 2.0, 3.0, 4.0]]}))
                """
            ),
            after=textwrap.dedent(
                """\
                import tensorflow as tf


                def weight_variable(name, shape):
                    initer = tf.keras.initializers.TruncatedNormal(mean=0.0, stddev=0.01)
                    return tf.Variable(initer(shape=shape, dtype=tf.float32), name="W_" + name)


                def fc_layer(x, num_units, name):
                    with tf.name_scope(name):
                        W = weight_variable(name, shape=[x.get_shape()[1], num_units])
                        return tf.matmul(x, W)


                x = tf.placeholder(tf.float32, [None, 4])
                h = fc_layer(x, 8, "FC1")
                with tf.Session() as sess:
                    sess.run(tf.global_variables_initializer())
                    print(sess.run(h, feed_dict={x: [[1.0, 2.0, 3.0, 4.0]]}))
                """
            ),
        ),
        Example(
            # At the graph's level: tf.Variables with TF1's initial values and names; the
            # matrix looked up again (reuse=True) is the same Python variable.
            before=textwrap.dedent(
                """\
                import tensorflow as tf

                x = tf.placeholder(tf.float32, [None, 4])
                with tf.variable_scope("encoder"):
                    W = tf.get_variable("W", [4, 2], initializer=tf.contrib.layers.xavier_initializer())
                    h = tf.matmul(x, W)
                with tf.variable_scope("encoder", reuse=True):
                    W_tied = tf.get_variable("W")
                y = tf.matmul(h, tf.transpose(W_tied))
                with tf.Session() as sess:
                    sess.run(tf.global_variables_initializer())
                    print(sess.run(y, feed_dict={x: [[1.0, 2.0, 3.0, 4.0]]}))
                """
            ),
            after=textwrap.dedent(
                """\
                import tensorflow as tf

                x = tf.placeholder(tf.float32, [None, 4])
                with tf.name_scope("encoder"):
                    W = tf.Variable(tf.keras.initializers.GlorotUniform()(shape=[4, 2]), name="W")
                    h = tf.matmul(x, W)
                with tf.name_scope("encoder"):
                    W_tied = W
                y = tf.matmul(h, tf.transpose(W_tied))
                with tf.Session() as sess:
                    sess.run(tf.global_variables_initializer())
                    print(sess.run(y, feed_dict={x: [[1.0, 2.0, 3.0, 4.0]]}))
                """
            ),
        ),
        Example(
            # contrib's xavier_initializer(uniform=False) has no Keras twin (its truncated
            # normal is scaled by 1.3): left on TF1, with the reason.
            before=textwrap.dedent(
                """\
                import tensorflow as tf


                def weight_variable(shape):
                    return tf.get_variable("W", shape, initializer=tf.contrib.layers.xavier_initializer(uniform=False))


                x = tf.placeholder(tf.float32, [None, 4])
                h = tf.matmul(x, weight_variable([4, 8]))
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
        if converter.declined:
            self.context.scratch.setdefault(_CONVERTED_LAYERS, ConvertedLayers()).declined.update(converter.declined)
        if new is not tree:
            record = self.context.scratch.setdefault(_CONVERTED_LAYERS, ConvertedLayers())
            record.original = tree
            record.objects.update(converter.objects)
            record.classes.update(converter.classes)
            record.variable_functions.update(converter.variable_functions)
            record.graph_variables.update(converter.graph_variables)
            record.scopes.update(converter.scopes)
        return new

    def sym(self, expr: cst.BaseExpression) -> str | None:
        return tf1_symbol(self.qualified_name(expr))

    def _runs_session(self, tree: cst.Module) -> bool:
        return any(self.sym(call.func) in ("Session", "InteractiveSession") for call in calls_in(tree))


# TF1's LSTM cell as a Keras RNN cell with TF1's weight layout, so that the converted
# program starts from the same weights and computes the same gates.
_LSTM = ("num_units", "forget_bias", "state_is_tuple", "activation", "reuse", "name", "dtype")
_FULL_LSTM = ("num_units", "use_peepholes", "cell_clip", "initializer", "num_proj", "proj_clip", "num_unit_shards",
              "num_proj_shards", "forget_bias", "state_is_tuple", "activation", "reuse", "name", "dtype")
_GRU = ("num_units", "activation", "reuse", "kernel_initializer", "bias_initializer", "name", "dtype")
_BASIC_RNN = ("num_units", "activation", "reuse", "name", "dtype")
# TF1 cell -> (its parameters in order, the generated Keras cell that keeps its layout).
RNN_CELLS: dict[str, tuple[tuple[str, ...], str]] = {}
for _prefix in ("nn.rnn_cell.", "contrib.rnn."):
    RNN_CELLS[_prefix + "BasicLSTMCell"] = (_LSTM, "lstm")
    RNN_CELLS[_prefix + "LSTMCell"] = (_FULL_LSTM, "lstm")
    RNN_CELLS[_prefix + "GRUCell"] = (_GRU, "gru")
    RNN_CELLS[_prefix + "BasicRNNCell"] = (_BASIC_RNN, "basic")
MULTI_RNN_CELLS = {"nn.rnn_cell.MultiRNNCell", "contrib.rnn.MultiRNNCell"}
DYNAMIC_RNN = ("cell", "inputs", "sequence_length", "initial_state", "dtype", "parallel_iterations", "swap_memory",
               "time_major", "scope")
STATIC_RNN = ("cell", "inputs", "initial_state", "dtype", "sequence_length", "scope")
STATIC_BIRNN = ("cell_fw", "cell_bw", "inputs", "initial_state_fw", "initial_state_bw", "dtype", "sequence_length",
                "scope")
DYNAMIC_BIRNN = ("cell_fw", "cell_bw", "inputs", "sequence_length", "initial_state_fw", "initial_state_bw", "dtype",
                 "parallel_iterations", "swap_memory", "time_major", "scope")
RNN_RUNNERS = {"nn.dynamic_rnn": DYNAMIC_RNN, "nn.static_rnn": STATIC_RNN, "contrib.rnn.static_rnn": STATIC_RNN,
               "nn.static_bidirectional_rnn": STATIC_BIRNN, "contrib.rnn.static_bidirectional_rnn": STATIC_BIRNN,
               "nn.bidirectional_dynamic_rnn": DYNAMIC_BIRNN}
TF1_LSTM_CELL = '''\
class {name}({tf}.keras.layers.Layer):
    """TF1's tf.nn.rnn_cell.BasicLSTMCell / LSTMCell for tf.keras.layers.RNN: one kernel over
    [inputs, h] with the gates in TF1's order (i, j, f, o) and forget_bias added at run time
    (a Keras LSTMCell has kernel + recurrent_kernel, gates (i, f, c, o) and an orthogonal
    recurrent initializer: it would start from other weights)."""

    def __init__(self, num_units, forget_bias=1.0, activation=None, **kwargs):
        super().__init__(**kwargs)
        self.units = num_units
        self.forget_bias = forget_bias
        self.activation = activation or {tf}.math.tanh
        self.state_size = [num_units, num_units]  # (c, h), TF1's LSTMStateTuple
        self.output_size = num_units

    def build(self, input_shape):
        self.kernel = self.add_weight(
            name="kernel", shape=[input_shape[-1] + self.units, 4 * self.units],
            initializer={tf}.keras.initializers.GlorotUniform())
        self.bias = self.add_weight(name="bias", shape=[4 * self.units], initializer="zeros")

    def call(self, inputs, states):
        c, h = states
        gates = {tf}.matmul({tf}.concat([inputs, h], 1), self.kernel) + self.bias
        i, j, f, o = {tf}.split(gates, 4, axis=1)
        new_c = c * {tf}.math.sigmoid(f + self.forget_bias) + {tf}.math.sigmoid(i) * self.activation(j)
        new_h = self.activation(new_c) * {tf}.math.sigmoid(o)
        return new_h, [new_c, new_h]
'''

TF1_GRU_CELL = '''\
class {name}({tf}.keras.layers.Layer):
    """TF1's tf.nn.rnn_cell.GRUCell for tf.keras.layers.RNN: a gates kernel over [inputs, h]
    giving (r, u) with biases starting at 1.0, then a candidate kernel over [inputs, r * h]
    (a Keras GRUCell has kernel + recurrent_kernel, gates (z, r, h), zero biases and an
    orthogonal recurrent initializer: it would start from other weights)."""

    def __init__(self, num_units, activation=None, **kwargs):
        super().__init__(**kwargs)
        self.units = num_units
        self.activation = activation or {tf}.math.tanh
        self.state_size = num_units
        self.output_size = num_units

    def build(self, input_shape):
        depth = input_shape[-1] + self.units
        self.gate_kernel = self.add_weight(
            name="gates_kernel", shape=[depth, 2 * self.units], initializer={tf}.keras.initializers.GlorotUniform())
        self.gate_bias = self.add_weight(name="gates_bias", shape=[2 * self.units], initializer="ones")
        self.candidate_kernel = self.add_weight(
            name="candidate_kernel", shape=[depth, self.units], initializer={tf}.keras.initializers.GlorotUniform())
        self.candidate_bias = self.add_weight(name="candidate_bias", shape=[self.units], initializer="zeros")

    def call(self, inputs, states):
        h = states[0] if isinstance(states, (list, tuple)) else states
        r, u = {tf}.split({tf}.math.sigmoid({tf}.matmul({tf}.concat([inputs, h], 1), self.gate_kernel) + self.gate_bias), 2, axis=1)
        c = self.activation({tf}.matmul({tf}.concat([inputs, r * h], 1), self.candidate_kernel) + self.candidate_bias)
        new_h = u * h + (1 - u) * c
        return new_h, [new_h] if isinstance(states, (list, tuple)) else new_h
'''
TF1_BASIC_RNN_CELL = '''\
class {name}({tf}.keras.layers.Layer):
    """TF1's tf.nn.rnn_cell.BasicRNNCell for tf.keras.layers.RNN: one kernel over [inputs, h]
    (a Keras SimpleRNNCell has kernel + recurrent_kernel with an orthogonal recurrent
    initializer: it would start from other weights)."""

    def __init__(self, num_units, activation=None, **kwargs):
        super().__init__(**kwargs)
        self.units = num_units
        self.activation = activation or {tf}.math.tanh
        self.state_size = num_units
        self.output_size = num_units

    def build(self, input_shape):
        self.kernel = self.add_weight(
            name="kernel", shape=[input_shape[-1] + self.units, self.units],
            initializer={tf}.keras.initializers.GlorotUniform())
        self.bias = self.add_weight(name="bias", shape=[self.units], initializer="zeros")

    def call(self, inputs, states):
        h = states[0] if isinstance(states, (list, tuple)) else states
        output = self.activation({tf}.matmul({tf}.concat([inputs, h], 1), self.kernel) + self.bias)
        return output, [output] if isinstance(states, (list, tuple)) else output
'''
CELL_TEMPLATES = {"lstm": ("TF1LSTMCell", TF1_LSTM_CELL), "gru": ("TF1GRUCell", TF1_GRU_CELL),
                  "basic": ("TF1BasicRNNCell", TF1_BASIC_RNN_CELL)}


def _simple_statements(node: cst.CSTNode) -> list[cst.SimpleStatementLine]:
    return nodes_of(node, cst.SimpleStatementLine)


def _loops_in(fn: cst.FunctionDef) -> list[cst.CSTNode]:
    return nodes_of(fn.body, (cst.For, cst.While, cst.If))


class _CallSites(cst.CSTTransformer):
    """``f(x, n, reuse=True, is_training=t)`` -> ``f(x, n=n, is_training=t)``: Keras layers
    take their inputs positionally and everything else by keyword."""

    def __init__(self, name: str, params: list[str], keywords: list[str]) -> None:
        self.name = name
        self.params = params
        self.keywords = keywords

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call):
        if not (isinstance(original_node.func, cst.Name) and original_node.func.value == self.name):
            return updated_node
        args = []
        for position, arg in enumerate(updated_node.args):
            param = arg.keyword.value if arg.keyword is not None else self.params[position]
            if param == "reuse":
                continue
            if position > 0 or arg.keyword is not None:
                arg = arg.with_changes(keyword=cst.Name(param), equal=cst.AssignEqual(
                    whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")))
            args.append(arg.with_changes(comma=cst.MaybeSentinel.DEFAULT))
        return updated_node.with_changes(args=args)


class _ClassNames:
    """Attribute names of one generated layer class."""

    def __init__(self) -> None:
        self.taken: set[str] = {"call", "build", "name", "trainable", "weights", "losses", "dtype", "input", "output"}

    def fresh(self, base: str) -> str:
        base = base if base.isidentifier() and not keyword.iskeyword(base) else "layer"
        name, n = base, 2
        while name in self.taken:
            name, n = f"{base}_{n}", n + 1
        self.taken.add(name)
        return name


def _camel(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in name.split("_") if part) or "Model"


class _Converter:
    def __init__(self, rule: LayersToKeras, module: cst.Module, alias: str) -> None:
        self.rule = rule
        self.module = module
        self.tf = alias
        self.code = module.code_for_node
        self.taken = set(names_read(module))
        self.objects: set[str] = set()
        self.classes: set[str] = set()
        self.variable_functions: set[str] = set()
        self.graph_variables: set[str] = set()  # graph-level tf.Variables made from get_variable
        self.scopes: dict[str, str] = {}  # layer object -> the variable scope naming its variables
        self.declined: dict[int, str] = {}  # id of a call left on TF1 -> why
        # The name scopes this rule made of variable scopes (new nodes: no symbols), by id.
        self.name_scopes: dict[int, cst.With] = {}
        # Layer name (as given by name=) -> the object created for it, for reuse=True.
        self.by_layer_name: dict[str, str] = {}
        # Objects with a weight regularizer, in creation order (TF1's REGULARIZATION_LOSSES).
        self.regularized: list[str] = []
        self.batch_norms = 0
        self.has_4d_layers = any(
            "2d" in symbol or "3d" in symbol for symbol in (self.rule.sym(c.func) or "" for c in calls_in(module))
        )
        self.update_ops = _UpdateOps(self)
        # Generated TF1-layout RNN cells: kind -> (class name, code).
        self.cell_classes: dict[str, tuple[str, str]] = {}
        self.reuses_variables = self._reuses_variables()

    def _decline(self, where: cst.CSTNode, node: cst.CSTNode, message: str) -> None:
        """Report why ``node`` stays TF1; G101 gives the reason for the calls in ``where`` it refuses."""
        self.rule.report(node, message)
        for call in calls_in(where):
            self.declined.setdefault(id(call), message)

    def batch_norm_problem(self, flag: cst.BaseExpression) -> str | None:
        """Why a batch-norm layer called with ``training=flag`` cannot become a Keras layer
        (which updates its moving statistics at every training-mode call), or None."""
        return self.update_ops.problem(flag)

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
        module = self._model_functions(self.module)
        body = self._block(list(module.body))
        new_module = module if body is None else module.with_changes(body=body)
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
        new_module = self._model_classes(new_module)
        if new_module is not self.module:
            # `from tensorflow.contrib import rnn` / `import tensorflow.contrib.slim as slim`
            # do not import on TF 2: gone with their last use.
            new_module = drop_unused_contrib_imports(new_module)
        if self.cell_classes:
            code = "\n\n".join(text for _, text in self.cell_classes.values())
            new_module = _insert_after_imports(new_module, cst.parse_module(code).body)
        if self.batch_norms:
            # The Keras layers update their moving statistics themselves.
            new_module = new_module.visit(_DropUpdateOps(self.update_ops))
        return new_module

    # -- model classes ------------------------------------------------------------------
    def _model_classes(self, module: cst.Module) -> cst.Module:
        """A class whose ``__init__`` and the methods it calls (``self._build_net()``) build
        the graph, once per instance (G101 converts such model classes): their statements
        are converted as the graph's level is. Classes with no TF1 layer or get_variable
        there are left to G101."""
        body = list(module.body)
        changed = False
        for index, cls in enumerate(body):
            if not isinstance(cls, cst.ClassDef) or cls.name.value in self.classes:
                continue
            methods = {m.name.value: m for m in cls.body.body if isinstance(m, cst.FunctionDef)}
            init = methods.get("__init__")
            if init is None or not isinstance(init.body, cst.IndentedBlock):
                continue
            building = [init, *(methods[name] for name in build_calls(init, methods).values())]
            symbols = {self.rule.sym(c.func) for method in building for c in calls_in(method)}
            if not symbols & {"placeholder", "placeholder_with_default"} or not symbols & {
                "get_variable", "layers.dropout", *LAYERS
            }:
                continue
            converted: dict[int, cst.FunctionDef] = {}
            for method in building:
                if isinstance(method.body, cst.IndentedBlock):
                    inner = self._block(list(method.body.body))
                    if inner is not None:
                        converted[id(method)] = method.with_changes(body=method.body.with_changes(body=inner))
            if converted:
                members = [converted.get(id(m), m) for m in cls.body.body]
                body[index] = cls.with_changes(body=cls.body.with_changes(body=members))
                changed = True
        return module.with_changes(body=body) if changed else module

    # -- graph-building functions -> layer classes ------------------------------------
    def _model_functions(self, module: cst.Module) -> cst.Module:
        body = list(module.body)
        eager: set[str] = set()  # functions whose variables became tf.Variables
        for stmt in list(body):
            if not isinstance(stmt, cst.FunctionDef):
                continue
            symbols = {self.rule.sym(call.func) for call in calls_in(stmt)}
            if not symbols & (set(LAYERS) | {"layers.dropout", "get_variable"} | set(RNN_RUNNERS)):
                continue
            if returned_variable(stmt, self._is_get_variable) is not None:
                # A variable factory (`return tf.get_variable(...)`): the same variable,
                # created by tf.Variable; G101 decides where the calls run.
                try:
                    body = self._eager_variables(body, stmt)
                    eager.add(stmt.name.value)
                except _Skip as exc:
                    self._decline(stmt, exc.node, f"variable factory `{stmt.name.value}` left on TF1: {exc.reason}")
                continue
            try:
                body = self._model_function(body, stmt)
            except _Skip as exc:
                reason = exc
                if symbols & {"get_variable"} and not symbols & (set(LAYERS) | {"layers.dropout"} | set(RNN_RUNNERS)):
                    # Weights whose shapes come from the inputs, or a function called from
                    # another one: tf.Variables that G101's variable helpers create once.
                    try:
                        body = self._eager_variables(body, stmt)
                        eager.add(stmt.name.value)
                        continue
                    except _Skip as eager_exc:
                        reason = eager_exc
                self._decline(stmt, reason.node, f"graph-building function `{stmt.name.value}` left on TF1: {reason.reason}")
        return module.with_changes(body=self._variable_scopes(body, eager))

    # -- functions creating their variables with tf.Variable (G101's variable helpers) --
    def _is_get_variable(self, call: cst.Call) -> bool:
        return self.rule.sym(call.func) == "get_variable"

    def _reuses_variables(self) -> bool:
        """Some variable is looked up again by name (reuse=, AUTO_REUSE, reuse_variables()),
        other than by the graph's level variable scopes ``_GraphVariables`` resolves itself."""
        resolved = self._graph_lookups()
        for call in calls_in(self.module):
            if id(call) in resolved:
                continue
            symbol = self.rule.sym(call.func)
            if symbol == "variable_scope":
                reuse = argument(call, 8, "reuse")
                if reuse is not None and not (_is_none(reuse) or _is_name(reuse, "False")):
                    return True
            if symbol in ("get_variable_scope", "make_template"):
                return True
            if isinstance(call.func, cst.Attribute) and call.func.attr.value == "reuse_variables":
                return True
        return False

    def _graph_lookups(self) -> set[int]:
        """The calls (``tf.variable_scope(..., reuse=...)``, ``scope.reuse_variables()``) of the
        variable scopes at the graph's level in which nothing but get_variable can look a
        variable up: no function of the module, TF1 layer or RNN runs there. Those lookups
        find variables of the graph's level, which ``_GraphVariables`` resolves by name."""
        functions = {stmt.name.value for stmt in self.module.body if isinstance(stmt, cst.FunctionDef)}
        blocks = [list(self.module.body)] + [
            list(stmt.body.body) for stmt in self.module.body
            if isinstance(stmt, (cst.FunctionDef, cst.If)) and isinstance(stmt.body, cst.IndentedBlock)
            and self._builds_graph(stmt.body.body)
        ]
        found: set[int] = set()
        for block in blocks:
            for stmt in block:
                if not (isinstance(stmt, cst.With) and any(self.rule.sym(c.func) == "variable_scope" for c in calls_in(stmt))):
                    continue
                calls = calls_in(stmt)
                if any(
                    (isinstance(c.func, cst.Name) and c.func.value in functions) or self._layer_symbol(c)
                    or self.rule.sym(c.func) in {*RNN_RUNNERS, *RNN_CELLS, *MULTI_RNN_CELLS} for c in calls
                ):
                    continue
                found.update(
                    id(c) for c in calls if self.rule.sym(c.func) == "variable_scope"
                    or (isinstance(c.func, cst.Attribute) and c.func.attr.value == "reuse_variables")
                )
        return found

    def _eager_variables(self, body: list, fn: cst.FunctionDef) -> list:
        """``fn`` with its get_variable calls as tf.Variables (``_EagerVariables``)."""
        if self.reuses_variables:
            raise _Skip(fn, "variables looked up again by name (variable_scope reuse): tf.Variable would make new ones")
        new = fn.visit(_EagerVariables(self, fn))
        self.variable_functions.add(fn.name.value)
        return [new if stmt is fn else stmt for stmt in body]

    def _variable_scopes(self, body: list, eager: set[str]) -> list:
        """Functions creating tf.Variables, directly or through a variable factory, and
        functions creating no variable by name (``flatten_layer``: a reshape in its scope):
        ``with tf.variable_scope(name):`` only names their ops and variables (nothing is
        reused), so it becomes ``with tf.name_scope(name):``."""
        if self.reuses_variables:
            return body
        functions = [stmt for stmt in body if isinstance(stmt, cst.FunctionDef)]
        creators = set(eager) | {
            fn.name.value for fn in functions if any(self.rule.sym(c.func) == "Variable" for c in calls_in(fn))
        }
        grown = True
        while grown:  # helpers calling helpers
            grown = False
            for fn in functions:
                if fn.name.value not in creators and any(
                    isinstance(c.func, cst.Name) and c.func.value in creators for c in calls_in(fn)
                ):
                    creators.add(fn.name.value)
                    grown = True
        out = []
        for stmt in body:
            if (isinstance(stmt, cst.FunctionDef) and stmt.name.value in creators and stmt.name.value not in eager
                    and any(self.rule.sym(c.func) == "variable_scope" for c in calls_in(stmt))):
                try:
                    stmt = stmt.visit(_EagerVariables(self, stmt))
                    self.variable_functions.add(stmt.name.value)
                except _Skip as exc:
                    self._decline(stmt, exc.node, f"graph-building function `{stmt.name.value}` left on TF1: {exc.reason}")
            elif isinstance(stmt, cst.FunctionDef) and stmt.name.value not in creators and self._named_scopes_only(stmt):
                stmt = stmt.visit(_GraphScopes(self))
            out.append(stmt)
        return out

    def _model_function(self, body: list, fn: cst.FunctionDef) -> list:
        name = fn.name.value
        params = [p.name.value for p in fn.params.params]
        if fn.params.star_arg is not cst.MaybeSentinel.DEFAULT or fn.params.star_kwarg or fn.params.kwonly_params or not params:
            raise _Skip(fn, "a signature with *args, **kwargs or keyword-only parameters")
        for inner in _loops_in(fn):
            if any(self._layer_symbol(c) or self.rule.sym(c.func) == "get_variable" for c in calls_in(inner)):
                raise _Skip(inner, "layers created in a loop or condition")
        # Call sites: top-level statements of the script (or of its main block).
        sites = []  # (statement index in body, call node)
        for i, stmt in enumerate(body):
            if stmt is fn:
                continue
            for call in calls_in(stmt):
                if isinstance(call.func, cst.Name) and call.func.value == name:
                    if isinstance(stmt, (cst.FunctionDef, cst.ClassDef, cst.For, cst.While)):
                        raise _Skip(call, "called from a function, class or loop")
                    sites.append((i, call))
        if not sites:
            raise _Skip(fn, "never called by the script")
        auto = any(
            self.rule.sym(c.func) == "variable_scope" and self.rule.sym(argument(c, 1, "reuse") or cst.Name("x")) == "AUTO_REUSE"
            for c in calls_in(fn)
        )
        if "reuse" in params:
            position = params.index("reuse")
            for n, (_, call) in enumerate(sites):
                flag = argument(call, position, "reuse")
                reused = flag is not None and (_is_name(flag, "True") or self.rule.sym(flag) == "AUTO_REUSE")
                if n > 0 and not (reused or auto):
                    raise _Skip(call, "called again without reuse=True (TF1 made new weights)")
                if n == 0 and reused and not auto:
                    raise _Skip(call, "the first call already reuses weights from elsewhere")
        elif len(sites) > 1 and not auto:
            raise _Skip(sites[1][1], "called more than once without reuse")
        # The class: objects created in __init__, the body in call().
        owner = _ClassNames()
        transformer = _LayerCalls(self, None, owner)
        # RNN cells and their runner: one Keras RNN attribute, made in __init__.
        statements = list(fn.body.body)
        plan = self._rnn_plan(statements, owner, transformer.created)
        if plan:
            statements = [new for i, stmt in enumerate(statements) for new in plan.get(i, [stmt])]
        for stmt in statements:
            if any(self.rule.sym(c.func) in RNN_RUNNERS for c in calls_in(stmt)):
                raise _Skip(stmt, "its RNN stays on TF1")
        new_body = fn.body.with_changes(body=statements).visit(transformer)
        scope = next(
            (argument(c, 0, "name_or_scope") for c in calls_in(fn) if self.rule.sym(c.func) == "variable_scope"), None
        )
        layer_name = self.code(scope) if isinstance(scope, cst.SimpleString) else f'"{name}"'
        class_name = self.fresh(_camel(name))
        init = "".join(f"        {line}" for line in transformer.created)
        # Constructor arguments that read the function's parameters: the weights are
        # made with the first call's values, as TF1 made them at the first call.
        reads = set()
        for line in transformer.created:
            reads |= names_read(cst.parse_statement(line))
        assigned = {n for stmt in _simple_statements(fn) for n in (single_assignment(stmt) or ([], None))[0]}
        if reads & (assigned - set(params)):
            raise _Skip(fn, "a layer's configuration is computed inside the function")
        init_params = [p for p in params if p in reads]
        first_call = sites[0][1]
        init_args = []
        for p in init_params:
            node = argument(first_call, params.index(p), p)
            if node is None:
                default = next(q.default for q in fn.params.params if q.name.value == p)
                if default is None:
                    raise _Skip(first_call, f"no value for `{p}`")
                node = default
            init_args.append(f"{p}={self.code(node)}")
        if "reuse" in params and "reuse" in names_read(new_body):
            raise _Skip(fn, "its `reuse` parameter is read other than by its variable scope")
        kept = [p for p in fn.params.params if p.name.value != "reuse"]
        kept = [p.with_changes(comma=cst.MaybeSentinel.DEFAULT) for p in kept]
        call_def = fn.with_changes(
            name=cst.Name("call"),
            params=fn.params.with_changes(params=[cst.Param(cst.Name("self")), *kept]),
            body=new_body,
            leading_lines=[cst.EmptyLine(indent=False)],
            decorators=[],
        )
        skeleton = cst.parse_statement(
            f"class {class_name}({self.tf}.keras.layers.Layer):\n"
            f"    def __init__({', '.join(['self', *init_params])}):\n"
            f"        super().__init__(name={layer_name})\n{init}"
            f"\n"
            f"    def build(self, input_shape):\n"
            f"        # The layers inside build on the first call, in the order TF1 created them\n"
            f"        # (Keras' default build would trace call() once more to build them).\n"
            f"        pass\n"
        )
        class_def = skeleton.with_changes(
            body=skeleton.body.with_changes(body=[*skeleton.body.body, call_def]),
            leading_lines=fn.leading_lines,
            decorators=fn.decorators,
        )
        keywords = [p.name.value for p in kept]
        rewriter = _CallSites(name, params, keywords)
        out = []
        first = sites[0][0]
        for i, stmt in enumerate(body):
            if stmt is fn:
                out.append(class_def)
                continue
            if i == first:
                out.append(cst.parse_statement(f"{name} = {class_name}({', '.join(init_args)})\n").with_changes(
                    leading_lines=stmt.leading_lines))
                stmt = stmt.with_changes(leading_lines=[])
            if any(i == j for j, _ in sites):
                stmt = stmt.visit(rewriter)
            out.append(stmt)
        self.objects.add(name)
        self.classes.add(class_name)
        prefix = self._variable_prefix(fn, [body[i] for i, _ in sites])
        if prefix is not None:
            self.scopes[name] = prefix
        if transformer.regularized:
            self.regularized.append(name)  # a Keras layer's losses include its sublayers'
        return out

    def _variable_prefix(self, fn: cst.FunctionDef, sites: list[cst.BaseStatement]) -> str | None:
        """``"discriminator/"`` when every variable ``fn`` creates is named in its
        ``with tf.variable_scope("discriminator"):`` block, called outside any other variable scope."""
        scopes = [
            stmt for stmt in fn.body.body if isinstance(stmt, cst.With) and len(stmt.items) == 1
            and isinstance(stmt.items[0].item, cst.Call) and self.rule.sym(stmt.items[0].item.func) == "variable_scope"
        ]
        if len(scopes) != 1 or any(self.rule.sym(c.func) == "variable_scope" for site in sites for c in calls_in(site)):
            return None
        try:
            bound = _bind(scopes[0].items[0].item, VARIABLE_SCOPE)
        except _Skip:
            return None
        name = bound.get("name_or_scope")
        if not isinstance(name, cst.SimpleString) or set(bound) - {"name_or_scope", "reuse", "values"}:
            return None
        inside = {id(c) for c in calls_in(scopes[0])}
        if any(
            (self._layer_symbol(c) or self.rule.sym(c.func) in ("get_variable", *RNN_RUNNERS)) and id(c) not in inside
            for c in calls_in(fn)
        ):
            return None
        return f"{name.evaluated_value}/"

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
        graph_variables = _GraphVariables(self, statements)
        converted = graph_variables.convert(statements)
        if converted is not None:
            statements, changed = converted, True
            self.graph_variables |= graph_variables.variables
        if not self.reuses_variables:
            for index, stmt in enumerate(statements):
                if isinstance(stmt, cst.With) and self._named_scopes_only(stmt):
                    new_stmt = stmt.visit(_GraphScopes(self))
                    changed = changed or not new_stmt.deep_equals(stmt)
                    statements[index] = new_stmt
        rnn = self._rnn_plan(statements)
        for index, stmt in enumerate(statements):
            if index in rnn:
                out.extend(rnn[index])
                changed = True
                continue
            if any(_regularization_call(self, c) for c in calls_in(stmt)):
                stmt = stmt.visit(_RegularizationLosses(self))
                changed = True
            if isinstance(stmt, cst.With) and self._has_layer_call(stmt):
                try:
                    transformers, scoped = self._scoped_layers(stmt)
                except _Skip as exc:
                    self._decline(stmt, exc.node, f"layer call left on TF1: {exc.reason}")
                    out.append(stmt)
                    continue
                for transformer in transformers:
                    self._commit(transformer)
                created = [cst.parse_statement(text) for t in transformers for text in t.created]
                created[0] = created[0].with_changes(leading_lines=stmt.leading_lines)
                out.extend(created)
                out.append(scoped.with_changes(leading_lines=[]))
                changed = True
                continue
            if not isinstance(stmt, cst.SimpleStatementLine) or not self._has_layer_call(stmt):
                out.append(stmt)
                continue
            transformer = _LayerCalls(self, single_assignment(stmt))
            try:
                new = stmt.visit(transformer)
            except _Skip as exc:
                self._decline(stmt, exc.node, f"layer call left on TF1: {exc.reason}")
                out.append(stmt)
                continue
            self._commit(transformer)
            created = [cst.parse_statement(text) for text in transformer.created]
            if created:
                created[0] = created[0].with_changes(leading_lines=stmt.leading_lines)
                new = new.with_changes(leading_lines=[])
            out.extend(created)
            out.append(new)
            changed = True
        return out if changed else None

    def _commit(self, transformer: _LayerCalls) -> None:
        """What a converted statement's layer calls created, for G101 and later statements."""
        self.objects.update(transformer.objects)
        self.by_layer_name.update(transformer.names)
        self.regularized.extend(transformer.regularized_objects)
        self.batch_norms += sum(".BatchNormalization(" in line for line in transformer.created)

    def _scoped_layers(self, stmt: cst.With) -> tuple[list[_LayerCalls], cst.With]:
        """``with tf.variable_scope(name):`` (or a name scope, nested ones too) around TF1 layer
        calls, in a module that looks no variable up again by name: the Keras objects are
        created right before the block (a Keras layer makes its weights at its first call,
        inside the block then), the calls stay in it, and the variable scope, which only
        named the layers' variables, becomes a name scope. The statements' transformers
        (committed by the caller once the whole block converts) and the block."""
        if self.reuses_variables:
            raise _Skip(stmt, "variables looked up again by name (variable_scope reuse): the layers' scope must find them")
        item = stmt.items[0].item if len(stmt.items) == 1 and stmt.items[0].asname is None else None
        symbol = self.rule.sym(item.func) if isinstance(item, cst.Call) else None
        if self.name_scopes.get(id(stmt)) is stmt:
            symbol = "name_scope"
        if item is None or symbol not in ("variable_scope", "name_scope"):
            raise _Skip(stmt, "layers created inside a block other than a variable or name scope")
        assert isinstance(item, cst.Call)
        if symbol == "variable_scope":
            bound = _bind(item, VARIABLE_SCOPE)
            if set(bound) != {"name_or_scope"}:
                raise _Skip(item, "a variable scope with arguments other than its name")
            item = cst.parse_expression(f"{self.tf}.name_scope({self.code(bound['name_or_scope'])})")
        transformers: list[_LayerCalls] = []
        body: list[cst.BaseStatement] = []
        for inner in stmt.body.body:
            if isinstance(inner, cst.With) and self._has_layer_call(inner):
                nested, inner = self._scoped_layers(inner)
                transformers.extend(nested)
            elif isinstance(inner, cst.SimpleStatementLine) and self._has_layer_call(inner):
                transformer = _LayerCalls(self, _target(inner))
                inner = inner.visit(transformer)
                transformers.append(transformer)
            elif self._has_layer_call(inner):
                raise _Skip(inner, "layers created in a loop or condition")
            body.append(inner)
        # Only constructors move before the block, and only those reading nothing it binds.
        bound_inside = {self.code(part) for target in assign_targets(stmt) for part in target_parts(target)}
        for transformer in transformers:
            for line in transformer.created:
                target, _, value = line.partition(" = ")
                if target not in transformer.objects:
                    raise _Skip(stmt, "a layer whose inputs are computed before its call (batch normalization)")
                for name in sorted(bound_inside):
                    if re.search(rf"(?<![\w.]){re.escape(name)}(?!\w)", value):
                        raise _Skip(stmt, f"a layer configured with `{name}`, computed inside its scope")
        return transformers, stmt.with_changes(
            items=[stmt.items[0].with_changes(item=item)], body=stmt.body.with_changes(body=body)
        )

    def _named_scopes_only(self, stmt: cst.With | cst.FunctionDef) -> bool:
        """The block's (or function's) variable scopes (if any) name nothing get_variable, a
        TF1 layer or an RNN cell looks up by scope."""
        symbols = {self.rule.sym(call.func) for call in calls_in(stmt)}
        return "variable_scope" in symbols and not symbols & (
            {"get_variable", "layers.dropout", *LAYERS, *RNN_RUNNERS, *RNN_CELLS, *MULTI_RNN_CELLS}
        )

    def _rnn_plan(self, statements, owner: _ClassNames | None = None, created: list[str] | None = None,
                  ) -> dict[int, list[cst.BaseStatement]]:
        """``cell = tf.nn.rnn_cell.BasicLSTMCell(n)`` + ``outputs, state = tf.nn.dynamic_rnn(cell, x,
        dtype=tf.float32)`` (or ``tf.contrib.rnn.static_rnn(cell, x_list, ...)``) -> one
        ``tf.keras.layers.RNN`` over a TF1-layout cell, created where the runner created the
        weights. Statement index -> its replacement. With ``owner`` (a graph-building function
        turned into a layer class), the RNN layer is an attribute whose constructor goes to
        ``created``."""
        plan: dict[int, list[cst.BaseStatement]] = {}
        cells: dict[str, tuple[int, cst.Call]] = {}
        # Functions returning a new TF1 cell (``def lstm_cell(): return rnn.BasicLSTMCell(n)``),
        # called once: the factory then returns the Keras cell.
        reads = Counter(n for stmt in statements for n in _names(stmt))
        factories = {
            stmt.name.value: (index, stmt) for index, stmt in enumerate(statements)
            if isinstance(stmt, cst.FunctionDef) and reads[stmt.name.value] == 2 and self._cell_factory(stmt) is not None
        }
        for index, stmt in enumerate(statements):
            assignment = single_assignment(stmt)
            if assignment is None or not isinstance(assignment[1], cst.Call):
                continue
            names, call = assignment
            symbol = self.rule.sym(call.func)
            if (symbol in RNN_CELLS or symbol in MULTI_RNN_CELLS or _is_name_in(call.func, factories)) and len(names) == 1:
                cells[names[0]] = (index, call)
                continue
            if symbol not in RNN_RUNNERS:
                continue
            try:
                plan.update(self._run_rnn(statements, index, call, symbol, cells, factories, owner, created))
            except _Skip as exc:
                self.rule.report(exc.node, f"RNN left on TF1: {exc.reason}")
        return plan

    def _run_rnn(self, statements, index, call, symbol, cells, factories, owner, created_lines,
                 ) -> dict[int, list[cst.BaseStatement]]:
        runner = symbol.rsplit(".", 1)[1]
        bound = _bind(call, RNN_RUNNERS[symbol])
        if "cell_fw" in RNN_RUNNERS[symbol]:
            return self._run_birnn(statements, index, call, runner, bound, cells, factories, owner, created_lines)
        cell = bound.get("cell")
        if not isinstance(cell, cst.Name) or cell.value not in cells:
            raise _Skip(call, f"{runner} over a cell this rule does not know "
                              "(BasicLSTMCell, LSTMCell, GRUCell, BasicRNNCell, MultiRNNCell of those)")
        if "scope" in bound and not _is_none(bound["scope"]):
            raise _Skip(call, f"{runner} with `scope=`")
        if "time_major" in bound and not _is_name(bound["time_major"], "False"):
            raise _Skip(call, f"{runner} with time_major=True")
        dtype = bound.get("dtype")
        if dtype is None or self.rule.sym(dtype) != "float32":
            raise _Skip(call, f"{runner} without dtype=float32")
        if "inputs" not in bound:
            raise _Skip(call, f"{runner} without inputs")
        target = statements[index].body[0].targets[0].target
        if not isinstance(target, cst.Tuple) or len(target.elements) != 2:
            raise _Skip(call, f"{runner}'s result not unpacked into (outputs, state)")
        cell_index, cell_call = cells[cell.value]
        factory_edits: dict[int, list[cst.BaseStatement]] = {}
        cell_code, state_kind = self._keras_cell(cell_call, factories, factory_edits)
        zero_state = self._zero_state(statements, index, bound.get("initial_state"), cell.value, runner)
        # The cell object must serve this runner only (TF1 shares its weights otherwise).
        reads = [n for stmt in statements for n in _names(stmt) if n == cell.value]
        if len(reads) != 2 + (not _is_none(bound.get("initial_state", cst.Name("None")))):
            raise _Skip(cell_call, f"the cell `{cell.value}` is used other than by this {runner} (shared weights or attributes such as state_size)")
        outputs = self.code(target.elements[0].value)
        state_node = target.elements[1].value
        if isinstance(state_node, (cst.Tuple, cst.List)):
            # ``outputs, (c, h) = ...`` over one LSTM cell: Keras returns [outputs, c, h].
            if not (self.rule.sym(cell_call.func) in RNN_CELLS and RNN_CELLS[self.rule.sym(cell_call.func)][1] == "lstm"
                    and len(state_node.elements) == 2 and all(isinstance(e.value, cst.Name) for e in state_node.elements)):
                raise _Skip(call, f"{runner}'s state unpacked other than into (c, h) of one LSTM cell")
            target_code = f"{outputs}, {', '.join(self.code(e.value) for e in state_node.elements)}"
        elif isinstance(state_node, cst.Name):
            state = state_node.value
            for stmt in statements[index + 1:]:
                for node in _attributes(stmt):
                    value = node.value
                    while isinstance(value, cst.Subscript):
                        value = value.value
                    if _is_name(value, state):
                        raise _Skip(call, f"`{self.code(node)}`: the state becomes a list ([c, h] for an LSTM cell)")
            # Keras returns [outputs, *states]; TF1 returned (outputs, state), where an LSTM
            # cell's state is LSTMStateTuple(c, h) and a MultiRNNCell's a tuple of those.
            target_code = f"{outputs}, *{state}" if state_kind == "list" else f"{outputs}, {state}"
        else:
            raise _Skip(call, f"{runner}'s result not unpacked into (outputs, state)")
        inputs = self.code(bound["inputs"])
        arguments = ""
        sequence_length = bound.get("sequence_length")
        if sequence_length is not None and not _is_none(sequence_length):
            # TF1 zeroes the outputs past each sequence's length and carries its last state
            # on: Keras' mask with zero_output_for_mask does the same.
            if not isinstance(bound["inputs"], cst.Name):
                raise _Skip(call, f"{runner} with `sequence_length=` over inputs that are not a name")
            steps = f"len({inputs})" if runner == "static_rnn" else f"{self.tf}.shape({inputs})[1]"
            arguments = f", mask={self.tf}.sequence_mask({self.code(sequence_length)}, {steps})"
        base = f"{cell.value}_rnn" if cell.value.endswith("cell") else f"{cell.value}_layer"
        ctor = (f"{self.tf}.keras.layers.RNN({cell_code}, return_sequences=True, return_state=True"
                f"{', zero_output_for_mask=True' if arguments else ''})")
        if owner is not None:
            layer = "self." + owner.fresh(base)
            created_lines.append(f"{layer} = {ctor}\n")
            replaced: list[cst.BaseStatement] = []
        else:
            layer = self.fresh(base)
            self.objects.add(layer)
            replaced = [cst.parse_statement(f"{layer} = {ctor}\n")]
        if runner == "static_rnn":
            # A Python list of [batch, depth] tensors: stacked on the time axis for Keras,
            # and the outputs unstacked into TF1's list of per-step outputs.
            inputs = f"{self.tf}.stack({inputs}, axis=1)"
        replaced.append(cst.parse_statement(f"{target_code} = {layer}({inputs}{arguments})\n"))
        if runner == "static_rnn" and outputs != "_":
            replaced.append(cst.parse_statement(f"{outputs} = {self.tf}.unstack({outputs}, axis=1)\n"))
        replaced[0] = replaced[0].with_changes(leading_lines=_leading_lines(statements, index, cell_index))
        if cell_index > index or (zero_state is not None and zero_state < cell_index):
            return {}
        dropped = {cell_index} | ({zero_state} if zero_state is not None else set())
        return {**factory_edits, **{i: [] for i in dropped}, index: replaced}

    def _run_birnn(self, statements, index, call, runner, bound, cells, factories, owner, created_lines,
                   ) -> dict[int, list[cst.BaseStatement]]:
        """``static_bidirectional_rnn`` / ``bidirectional_dynamic_rnn`` -> two Keras RNNs, the
        backward one over the time-reversed inputs with its outputs reversed back, as TF1 ran
        them (Keras' Bidirectional would rebuild the cells from their configs)."""
        for param in ("sequence_length", "initial_state_fw", "initial_state_bw", "scope"):
            if param in bound and not _is_none(bound[param]):
                raise _Skip(call, f"{runner} with `{param}=`")
        if "time_major" in bound and not _is_name(bound["time_major"], "False"):
            raise _Skip(call, f"{runner} with time_major=True")
        if bound.get("dtype") is None or self.rule.sym(bound["dtype"]) != "float32":
            raise _Skip(call, f"{runner} without dtype=float32")
        if "inputs" not in bound:
            raise _Skip(call, f"{runner} without inputs")
        target = statements[index].body[0].targets[0].target
        static = runner == "static_bidirectional_rnn"
        # TF1's results: (outputs, state_fw, state_bw), or ((output_fw, output_bw), (state_fw, state_bw)).
        parts = [e.value for e in target.elements] if isinstance(target, cst.Tuple) else []
        if not static and len(parts) == 2 and all(isinstance(p, cst.Tuple) and len(p.elements) == 2 for p in parts):
            parts = [e.value for p in parts for e in p.elements]  # type: ignore[attr-defined]
        if len(parts) != (3 if static else 4) or not all(isinstance(p, cst.Name) for p in parts):
            raise _Skip(call, f"{runner}'s result not unpacked into " + (
                "(outputs, state_fw, state_bw)" if static else "((output_fw, output_bw), (state_fw, state_bw))"))
        names = [p.value for p in parts]
        read = set(_names(cst.Module(body=statements)))
        if static:
            outputs = names[0]
            fw_out, bw_out = (f"{outputs}_{d}" if outputs != "_" else "_" for d in ("fw", "bw"))
            if {fw_out, bw_out} & read - {"_"}:
                raise _Skip(call, f"`{fw_out}` or `{bw_out}` is taken")
            states = names[1:]
        else:
            fw_out, bw_out = names[:2]
            states = names[2:]
        dropped: set[int] = set()
        replaced: list[cst.BaseStatement] = []
        inputs = self.code(bound["inputs"])
        if static:
            inputs = f"{self.tf}.stack({inputs}, axis=1)"
        edits: dict[int, list[cst.BaseStatement]] = {}
        for direction, out, state in (("fw", fw_out, states[0]), ("bw", bw_out, states[1])):
            cell = bound.get(f"cell_{direction}")
            if not isinstance(cell, cst.Name) or cell.value not in cells:
                raise _Skip(call, f"{runner} over a cell this rule does not know "
                                  "(BasicLSTMCell, LSTMCell, GRUCell, BasicRNNCell, MultiRNNCell of those)")
            cell_index, cell_call = cells[cell.value]
            if cell_index > index or sum(n == cell.value for stmt in statements for n in _names(stmt)) != 2:
                raise _Skip(cell_call, f"the cell `{cell.value}` is used other than by this {runner}")
            dropped.add(cell_index)
            cell_code, state_kind = self._keras_cell(cell_call, factories, edits)
            for stmt in statements[index + 1:]:
                if any(_is_name(node.value, state) for node in _attributes(stmt)):
                    raise _Skip(call, f"`{state}.` attributes: the state becomes a list ([c, h] for an LSTM cell)")
            ctor = f"{self.tf}.keras.layers.RNN({cell_code}, return_sequences=True, return_state=True)"
            base = f"{cell.value}_rnn" if cell.value.endswith("cell") else f"{cell.value}_layer"
            if owner is not None:
                layer = "self." + owner.fresh(base)
                created_lines.append(f"{layer} = {ctor}\n")
            else:
                layer = self.fresh(base)
                self.objects.add(layer)
                replaced.insert(len(replaced) // 2, cst.parse_statement(f"{layer} = {ctor}\n"))
            state_code = f"*{state}" if state_kind == "list" else state
            if direction == "fw":
                replaced.append(cst.parse_statement(f"{out}, {state_code} = {layer}({inputs})\n"))
            else:
                replaced.append(cst.parse_statement(
                    f"{out}, {state_code} = {layer}({self.tf}.reverse({inputs}, [1]))\n"))
        if static and names[0] != "_":
            replaced.append(cst.parse_statement(
                f"{names[0]} = {self.tf}.unstack({self.tf}.concat([{fw_out}, {self.tf}.reverse({bw_out}, [1])], 2), axis=1)\n"))
        elif not static and bw_out != "_":
            replaced.append(cst.parse_statement(f"{bw_out} = {self.tf}.reverse({bw_out}, [1])\n"))
        replaced[0] = replaced[0].with_changes(leading_lines=_leading_lines(statements, index, min(dropped)))
        return {**edits, **{i: [] for i in dropped}, index: replaced}

    def _zero_state(self, statements, index: int, initial: cst.BaseExpression | None, cell: str, runner: str,
                    ) -> int | None:
        """``initial_state=`` a zero state of the runner's own cell (``cell.zero_state(batch,
        tf.float32)``, or a name assigned it once and read only there), which is Keras' default
        initial state: the index of that assignment (None when there is none). A batch size
        other than the inputs' failed in TF1."""
        if initial is None or _is_none(initial):
            return None
        at = None
        if isinstance(initial, cst.Name):
            assignments = [i for i, stmt in enumerate(statements[:index])
                           if (found := single_assignment(stmt)) is not None and found[0] == [initial.value]]
            uses = [n for stmt in statements for n in _names(stmt) if n == initial.value]
            if len(assignments) == 1 and len(uses) == 2:
                at = assignments[0]
                initial = single_assignment(statements[at])[1]  # type: ignore[index]
        if (isinstance(initial, cst.Call) and isinstance(initial.func, cst.Attribute) and _is_name(initial.func.value, cell)
                and initial.func.attr.value == "zero_state"):
            dtype = _bind(initial, ("batch_size", "dtype")).get("dtype")
            if dtype is not None and self.rule.sym(dtype) == "float32":
                return at
        raise _Skip(initial, f"{runner} with `initial_state=` other than the cell's zero_state(batch, tf.float32)")

    def _keras_cell(self, cell_call: cst.Call, factories, edits: dict[int, list[cst.BaseStatement]],
                    inner: bool = False) -> tuple[str, str]:
        """The Keras cell for a TF1 cell constructor, and its state: "list" for Keras'
        list of states, "tensor" for one state tensor. A call of a cell factory keeps its
        call; the factory's statement (its index in ``edits``) returns the Keras cell."""
        symbol = self.rule.sym(cell_call.func)
        if _is_name_in(cell_call.func, factories):
            at, fn = factories[cell_call.func.value]
            creation = self._cell_factory(fn)
            assert creation is not None
            code, kind = self._keras_cell(creation, factories, edits, True)
            edits[at] = [fn.deep_replace(creation, cst.parse_expression(code))]
            return self.code(cell_call), kind
        if symbol in MULTI_RNN_CELLS and not inner:
            bound = _bind(cell_call, ("cells", "state_is_tuple"))
            if "state_is_tuple" in bound and not _is_name(bound["state_is_tuple"], "True"):
                raise _Skip(cell_call, "MultiRNNCell with state_is_tuple=False")
            cells = bound.get("cells")
            if isinstance(cells, cst.List) and cells.elements and all(
                isinstance(e, cst.Element) and isinstance(e.value, cst.Call) for e in cells.elements
            ):
                inner_cells = [self._keras_cell(e.value, factories, edits, True)[0] for e in cells.elements]
                return f"[{', '.join(inner_cells)}]", "list"
            if (isinstance(cells, cst.ListComp) and isinstance(cells.elt, cst.Call) and cells.for_in.inner_for_in is None
                    and not cells.for_in.ifs and not names_read(cells.elt) & set(assigned_names(cells.for_in.target))):
                inner_cell = self._keras_cell(cells.elt, factories, edits, True)[0]
                comp = cells.for_in
                return f"[{inner_cell} for {self.code(comp.target)} in {self.code(comp.iter)}]", "list"
            raise _Skip(cell_call, "MultiRNNCell over something else than a list of new cells")
        if symbol not in RNN_CELLS:
            raise _Skip(cell_call, "a cell this rule does not know (BasicLSTMCell, LSTMCell, GRUCell, BasicRNNCell)")
        params, kind = RNN_CELLS[symbol]
        cell_bound = _bind(cell_call, params)
        for param, value in cell_bound.items():
            if param in ("num_units", "forget_bias", "activation", "dtype") or _is_none(value):
                continue
            if param == "state_is_tuple" and _is_name(value, "True"):
                continue
            if param in ("use_peepholes", "reuse") and _is_name(value, "False"):
                continue
            raise _Skip(cell_call, f"{symbol.rsplit('.', 1)[1]} with `{param}=`")
        if "dtype" in cell_bound and self.rule.sym(cell_bound["dtype"]) != "float32":
            raise _Skip(cell_call, "an RNN cell with a dtype other than float32")
        if "num_units" not in cell_bound:
            raise _Skip(cell_call, "an RNN cell without num_units")
        arguments = [self.code(cell_bound["num_units"])]
        arguments += [f"{p}={self.code(cell_bound[p])}" for p in ("forget_bias", "activation")
                      if p in cell_bound and not _is_none(cell_bound[p])]
        return f"{self._cell_class(kind)}({', '.join(arguments)})", "list" if kind == "lstm" else "tensor"

    def _cell_factory(self, fn: cst.FunctionDef) -> cst.Call | None:
        """The TF1 cell constructor whose new cell ``fn`` returns, if it does."""
        return returned_variable(fn, lambda c: self.rule.sym(c.func) in RNN_CELLS)

    def _cell_class(self, kind: str) -> str:
        if kind not in self.cell_classes:
            base, template = CELL_TEMPLATES[kind]
            name = self.fresh(base)
            self.classes.add(name)
            self.cell_classes[kind] = (name, template.format(name=name, tf=self.tf))
        return self.cell_classes[kind][0]

    def _has_layer_call(self, stmt) -> bool:
        return any(self._layer_symbol(call) is not None for call in calls_in(stmt))

    def _layer_symbol(self, call: cst.Call) -> str | None:
        symbol = self.rule.sym(call.func)
        if symbol in LAYERS or symbol == "layers.dropout":
            return symbol
        return None


class _Initializers(cst.CSTTransformer):
    """TF1 initializer objects -> Keras initializers (TF2 has the TF1 names only on compat.v1)."""

    def __init__(self, converter: _Converter) -> None:
        self.c = converter

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call):
        symbol = self.c.rule.sym(original_node.func)
        if symbol in REGULARIZERS:
            keras, template = REGULARIZERS[symbol]
            bound = _bind(updated_node, ("scale", "scope"))
            if "scale" not in bound:
                raise _Skip(original_node, "a regularizer without a scale")
            scale = self.c.code(bound["scale"])
            if not isinstance(bound["scale"], (cst.Name, cst.Attribute, cst.Integer, cst.Float)):
                scale = f"({scale})"
            # (G101 may still fall back and restore the module: nothing reported here;
            # the rule's details explain the / 2.)
            return cst.parse_expression(f"{self.c.tf}.keras.regularizers.{keras}({template.format(scale=scale)})")
        if symbol in UNMAPPED_INITIALIZERS:
            raise _Skip(original_node, f"`{symbol}`: {UNMAPPED_INITIALIZERS[symbol]}")
        if symbol not in INITIALIZERS:
            return updated_node
        keras, params = INITIALIZERS[symbol]
        names = tuple(p for p, _, _ in params) + ("seed", "dtype")
        if symbol == "contrib.layers.xavier_initializer":
            names = ("uniform", "seed", "dtype")
        bound = _bind(updated_node, names)
        if symbol == "contrib.layers.xavier_initializer" and "uniform" in bound and not _is_name(bound["uniform"], "True"):
            raise _Skip(original_node, XAVIER_NORMAL)
        if "seed" in bound and not _is_none(bound["seed"]):
            raise _Skip(original_node, "an initializer with its own seed")
        arguments = []
        for param, keyword_name, default in params:
            value = self.c.code(bound[param]) if param in bound and not _is_none(bound[param]) else default
            arguments.append(f"{keyword_name}={value}")
        return cst.parse_expression(f"{self.c.tf}.keras.initializers.{keras}({', '.join(arguments)})")


# dtypes whose get_variable default initializer is glorot_uniform (TF1 used zeros for the others).
FLOAT_DTYPES = {"float16", "float32", "float64", "bfloat16", "half", "double"}


def _name_scope(converter: _Converter, original: cst.With, updated: cst.With) -> cst.With:
    """``with tf.variable_scope(name):`` -> ``with tf.name_scope(name):`` (in a module
    without reuse, where it only names ops and variables); other blocks unchanged."""
    if len(original.items) != 1 or original.items[0].asname is not None:
        return updated
    item = original.items[0].item
    if not (isinstance(item, cst.Call) and converter.rule.sym(item.func) == "variable_scope" and len(item.args) == 1):
        return updated
    if argument(item, 0, "name_or_scope") is None:
        return updated
    name = updated.items[0].item.args[0].value
    scope = cst.parse_expression(f"{converter.tf}.name_scope({converter.code(name)})")
    return updated.with_changes(items=[updated.items[0].with_changes(item=scope)])


class _GraphScopes(cst.CSTTransformer):
    """Variable scopes around graph-level statements, or in functions, that create no
    variable by name (no get_variable, tf.layers or RNN inside) -> name scopes."""

    def __init__(self, converter: _Converter) -> None:
        self.c = converter

    def leave_With(self, original_node: cst.With, updated_node: cst.With):
        return _name_scope(self.c, original_node, updated_node)


class _EagerVariables(cst.CSTTransformer):
    """A function whose variables TF2 creates as tf.Variables (G101 makes it create them
    once): ``tf.get_variable(name, shape, initializer=init)`` -> ``tf.Variable(init(shape=
    shape), name=name)`` with the Keras initializer drawing TF1's distribution (TF1's
    glorot_uniform default written out; a tensor initial value taken as it is), TF1
    initializer objects -> Keras ones, ``tf.variable_scope(name)`` -> ``tf.name_scope(name)``.
    Only for modules that never look a variable up again by name (no reuse): then every
    get_variable call made a new variable, as tf.Variable does."""

    def __init__(self, converter: _Converter, scope: cst.CSTNode) -> None:
        self.c = converter
        self.initializers = _Initializers(converter)
        # Names assigned once in the function (or graph block): what an `initializer=name` holds.
        self.bindings = _single_bindings(scope)

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call):
        if self.c.rule.sym(original_node.func) == "get_variable":
            return self._variable(original_node, updated_node)
        return self.initializers.leave_Call(original_node, updated_node)

    def leave_With(self, original_node: cst.With, updated_node: cst.With):
        return _name_scope(self.c, original_node, updated_node)

    def _variable(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        bound = _bind(original, GET_VARIABLE)  # original nodes: their names resolve
        new = {param: self.c.code(node) for param, node in _bind(updated, GET_VARIABLE).items()}
        if "name" not in bound:
            raise _Skip(original, "get_variable without a name")
        for extra in set(bound) - {"name", "shape", "dtype", "initializer", "trainable"}:
            if not _is_none(bound[extra]) and not (extra in ("validate_shape", "use_resource") and _is_name(bound[extra], "True")):
                raise _Skip(original, f"get_variable with `{extra}=`")
        shape = None if _is_none(bound.get("shape")) else bound.get("shape")
        dtype = None if _is_none(bound.get("dtype")) else bound.get("dtype")
        initializer = None if _is_none(bound.get("initializer")) else bound.get("initializer")
        if initializer is not None and self._is_value(original, initializer):
            if shape is not None:
                raise _Skip(original, "get_variable with a shape and a tensor initial value (TF1 refuses it)")
            value = new["initializer"]  # TF1 ignores dtype= for an initial value
        else:
            if shape is None:
                raise _Skip(original, "get_variable with an initializer but no shape")
            if initializer is None:
                if dtype is not None and (self.c.rule.sym(dtype) or self.c.code(dtype).strip("'\"")) not in FLOAT_DTYPES:
                    raise _Skip(original, "get_variable of a dtype other than float without an initializer")
                init = f"{self.c.tf}.keras.initializers.GlorotUniform()"  # get_variable's default
            else:
                init = new["initializer"]
            arguments = [f"shape={new['shape']}"] + ([f"dtype={new['dtype']}"] if dtype is not None else [])
            value = f"{init}({', '.join(arguments)})"
        trainable = f", trainable={new['trainable']}" if "trainable" in new and not _is_none(bound["trainable"]) else ""
        return cst.parse_expression(f"{self.c.tf}.Variable({value}, name={new['name']}{trainable})")

    def _is_value(self, call: cst.Call, initializer: cst.BaseExpression) -> bool:
        """True for an initial value (a tensor, a number, a list), False for an initializer
        this rule maps to Keras; _Skip for anything else."""
        node = initializer
        if isinstance(node, cst.Name) and node.value in self.bindings:
            node = self.bindings[node.value]
        if isinstance(node, (cst.Integer, cst.Float, cst.List, cst.Tuple, cst.UnaryOperation)):
            return True
        symbol = self.c.rule.sym(node.func) if isinstance(node, cst.Call) else None
        if symbol in INITIALIZERS:
            return False
        if symbol in UNMAPPED_INITIALIZERS:
            raise _Skip(call, f"`{symbol}`: {UNMAPPED_INITIALIZERS[symbol]}")
        if symbol is not None and (symbol.endswith("_initializer") or ".initializers." in f".{symbol}"):
            raise _Skip(call, f"get_variable with `{symbol}`, an initializer this rule does not map to Keras")
        if symbol is not None:
            return True  # a TF op: its value is the initial value
        raise _Skip(call, (
            f"get_variable with initializer `{self.c.code(initializer)}`, which this rule cannot read as a TF1 "
            "initializer or a tensor"
        ))


def _single_bindings(scope: cst.CSTNode) -> dict[str, cst.BaseExpression]:
    """Names assigned once in ``scope`` (its simple statements, nested ones too) -> their value."""
    assigned: dict[str, list[cst.BaseExpression]] = {}
    for stmt in _simple_statements(scope):
        assignment = single_assignment(stmt)
        for name in assignment[0] if assignment else []:
            assigned.setdefault(name, []).append(assignment[1])
    return {name: values[0] for name, values in assigned.items() if len(values) == 1}


VARIABLE_SCOPE = (
    "name_or_scope", "default_name", "values", "initializer", "regularizer", "caching_device", "partitioner",
    "custom_getter", "reuse", "dtype", "use_resource", "constraint", "auxiliary_name_scope",
)
# How a variable scope treats get_variable: create, look up (reuse=True) or both (AUTO_REUSE).
Reuse = Literal["create", "lookup", "auto"]


class _GraphVariables:
    """``tf.get_variable`` at the graph's level (the script's top level or its ``main()``, and
    the variable scopes opened there) -> ``tf.Variable`` with TF1's initial value (the mapping
    of ``_EagerVariables``); ``with tf.variable_scope("layer1"):`` -> ``with tf.name_scope(
    "layer1"):``, where TF2 names the variable ``layer1/W`` as TF1 did; a variable looked up
    again (``reuse=True``, ``tf.AUTO_REUSE``, ``scope.reuse_variables()``) -> the Python name
    that already holds it (``W = W1``). A statement converts whole or stays as it was, with
    the reason reported (a get_variable left makes G101 keep the module on TF1)."""

    def __init__(self, converter: _Converter, statements: list[cst.BaseStatement]) -> None:
        self.c = converter
        self.block = cst.IndentedBlock(
            body=[s for s in statements if not isinstance(s, (cst.FunctionDef, cst.ClassDef))]
        )
        # Names bound once at the graph's level: an `initializer=name` and the Python names
        # a variable looked up again can be read from.
        self.bindings = _single_bindings(self.block)
        self.created: dict[str, str] = {}  # TF1 name ("layer1/W") -> the Python name holding it
        self.variables: set[str] = set()  # Python names of the tf.Variables created

    def convert(self, statements: list[cst.BaseStatement]) -> list[cst.BaseStatement] | None:
        """The statements with their get_variable calls converted; None when none was."""
        out: list[cst.BaseStatement] = []
        changed = False
        for stmt in statements:
            if isinstance(stmt, (cst.FunctionDef, cst.ClassDef)) or not self._gets_variables(stmt):
                out.append(stmt)
                continue
            try:
                new = self._statement(stmt, "", "create")
            except _Skip as exc:
                self.c._decline(stmt, exc.node, f"get_variable left on TF1: {exc.reason}")
                out.append(stmt)
                continue
            out.extend(new)
            changed = True
        return out if changed else None

    def _gets_variables(self, node: cst.CSTNode) -> bool:
        return any(self.c.rule.sym(c.func) == "get_variable" for c in calls_in(node))

    def _statement(self, stmt: cst.BaseStatement, prefix: str | None, reuse: Reuse) -> list[cst.BaseStatement]:
        if isinstance(stmt, cst.SimpleStatementLine):
            return self._line(stmt, prefix, reuse) if self._gets_variables(stmt) else [stmt]
        if isinstance(stmt, cst.With) and self._variable_scope(stmt) is not None:
            return self._scope(stmt, prefix, reuse)
        if not self._gets_variables(stmt):
            return [stmt]
        if isinstance(stmt, cst.With) and len(stmt.items) == 1 and isinstance(stmt.items[0].item, cst.Call) and (
            self.c.rule.sym(stmt.items[0].item.func) == "name_scope"
        ):
            raise _Skip(stmt, "get_variable inside tf.name_scope: TF1 leaves the name scope out of the variable's "
                              "name, tf.Variable would take it in")
        raise _Skip(stmt, "get_variable inside a block other than a variable scope")

    def _variable_scope(self, stmt: cst.With) -> cst.Call | None:
        item = stmt.items[0].item if len(stmt.items) == 1 else None
        if isinstance(item, cst.Call) and self.c.rule.sym(item.func) == "variable_scope":
            return item
        return None

    def _line(self, stmt: cst.SimpleStatementLine, prefix: str | None, reuse: Reuse) -> list[cst.BaseStatement]:
        """``W = tf.get_variable("W", ...)``: a tf.Variable, or the variable looked up again."""
        assignment = single_assignment(stmt)
        small = stmt.body[0]
        call = assignment[1] if assignment is not None else None
        calls = [c for c in calls_in(stmt) if self.c.rule.sym(c.func) == "get_variable"]
        if not (
            isinstance(small, cst.Assign) and isinstance(small.targets[0].target, cst.Name)
            and isinstance(call, cst.Call) and calls == [call]
        ):
            # `y = x * tf.get_variable("scale")` in a reuse scope: each lookup is the name
            # holding the variable; a variable created inside an expression stays TF1.
            holders = {id(c): self._looked_up(c, prefix, reuse) for c in calls}
            if any(holder is None for holder in holders.values()):
                raise _Skip(stmt, "get_variable creating a variable other than as `name = tf.get_variable(...)`")
            return [stmt.visit(_ReplaceCalls({key: cst.Name(h) for key, h in holders.items() if h is not None}))]
        target = small.targets[0].target.value
        holder = self._looked_up(call, prefix, reuse)
        if holder is not None:
            if holder == target:
                return []  # `W = tf.get_variable("W")` again: W already holds it
            return [stmt.with_changes(body=[small.with_changes(value=cst.Name(holder))])]
        initializer = argument(call, 3, "initializer")
        bound = self.bindings.get(initializer.value) if isinstance(initializer, cst.Name) else None
        symbol = self.c.rule.sym(bound.func) if isinstance(bound, cst.Call) else None
        if symbol in INITIALIZERS or symbol in UNMAPPED_INITIALIZERS:
            # `initializer=initer` bound at the graph's level to a TF1 initializer: the
            # variable gets its Keras twin (the binding is graph code G101 leaves out).
            args = [arg.with_changes(value=bound) if arg.value is initializer else arg for arg in call.args]
            stmt = stmt.with_changes(body=[small.with_changes(value=call.with_changes(args=args))])
        new = stmt.visit(_EagerVariables(self.c, self.block))
        name = argument(call, 0, "name")
        if isinstance(name, cst.SimpleString) and target in self.bindings and prefix is not None:
            self.created[prefix + name.evaluated_value] = target
        self.variables.add(target)
        return [new]

    def _looked_up(self, call: cst.Call, prefix: str | None, reuse: Reuse) -> str | None:
        """The Python name holding the variable ``call`` looks up again; None when it
        creates one. ``_Skip`` for a lookup of a variable this pass did not create."""
        name = argument(call, 0, "name")
        full = prefix + name.evaluated_value if isinstance(name, cst.SimpleString) and prefix is not None else None
        holder = self.created.get(full) if full is not None else None
        if reuse == "create":
            return None
        if reuse == "auto" and holder is None and (full is not None or not isinstance(name, cst.SimpleString)):
            return None
        if holder is None:
            raise _Skip(call, f"`{full or self.c.code(call)}` is looked up again (reuse), and this rule did not "
                              "create it at the graph's level")
        return holder

    def _scope(self, stmt: cst.With, prefix: str | None, reuse: Reuse) -> list[cst.BaseStatement]:
        """``with tf.variable_scope("name"[, reuse=...]) [as scope]:`` -> ``with tf.name_scope("name"):``."""
        item = self._variable_scope(stmt)
        assert item is not None
        bound = _bind(item, VARIABLE_SCOPE)
        name = bound.get("name_or_scope")
        if name is None or (not isinstance(name, cst.SimpleString) and (reuse != "create" or "reuse" in bound)):
            # A computed name (`self.name` of a model class) is enough where nothing is looked up.
            raise _Skip(item, "a variable scope not named by a string literal, with variables looked up in it")
        for extra in set(bound) - {"name_or_scope", "values", "reuse"}:
            if not _is_none(bound[extra]) and not (extra == "auxiliary_name_scope" and _is_name(bound[extra], "True")):
                raise _Skip(item, f"a variable scope with `{extra}=`")
        flag = bound.get("reuse")
        if flag is None or _is_none(flag) or _is_name(flag, "False"):
            pass  # TF1 inherits the enclosing scope's reuse
        elif _is_name(flag, "True"):
            reuse = "lookup"
        elif self.c.rule.sym(flag) == "AUTO_REUSE":
            reuse = "lookup" if reuse == "lookup" else "auto"
        else:
            raise _Skip(item, "a variable scope whose reuse= is computed")
        symbols = {self.c.rule.sym(c.func) for c in calls_in(stmt)}
        if symbols & {*RNN_RUNNERS, *RNN_CELLS, *MULTI_RNN_CELLS} or (
            self.c.reuses_variables and symbols & {"layers.dropout", *LAYERS}
        ):
            # (Without reuse TF1 layers only make new variables there: `_scoped_layers` converts them.)
            raise _Skip(item, "a variable scope naming TF1 layers or RNN cells, which this rule keeps in it")
        alias = stmt.items[0].asname
        scope_object = alias.name.value if alias is not None and isinstance(alias.name, cst.Name) else None
        if alias is not None and scope_object is None:
            raise _Skip(item, "a variable scope bound to something other than a name")
        if scope_object is not None:
            self._check_scope_object(stmt, scope_object)
        inner_prefix = f"{prefix}{name.evaluated_value}/" if isinstance(name, cst.SimpleString) and prefix is not None else None
        body: list[cst.BaseStatement] = []
        for inner in stmt.body.body:
            expr = expression_of(inner)
            if scope_object is not None and _is_reuse_call(expr, scope_object):
                reuse = "lookup"  # `scope.reuse_variables()`: the rest of the block looks variables up
                continue
            body.extend(self._statement(inner, inner_prefix, reuse))
        if not body:
            return []  # only looked variables up that their names already hold
        scope = cst.parse_expression(f"{self.c.tf}.name_scope({self.c.code(name)})")
        new = stmt.with_changes(items=[cst.WithItem(item=scope)], body=stmt.body.with_changes(body=body))
        self.c.name_scopes[id(new)] = new
        return [new]

    def _check_scope_object(self, stmt: cst.With, scope_object: str) -> None:
        """``as scope``: the object may only be asked to ``reuse_variables()`` in its block."""
        allowed = sum(
            1 for c in calls_in(stmt)
            if isinstance(c.func, cst.Attribute) and c.func.attr.value == "reuse_variables"
            and _is_name(c.func.value, scope_object)
        ) + 1  # the `as` target
        if _name_count(stmt, scope_object) != allowed:
            raise _Skip(stmt.items[0], f"the variable scope object `{scope_object}` is used (TF2 has none)")
        if scope_object in names_read(cst.IndentedBlock(body=[
            s for s in self.block.body if s is not stmt and not self._binds_scope_object(s, scope_object)
        ])):
            raise _Skip(stmt.items[0], f"the variable scope object `{scope_object}` is used after its block")

    def _binds_scope_object(self, stmt: cst.BaseStatement, scope_object: str) -> bool:
        """Another ``with tf.variable_scope(...) as <scope_object>:`` block of the graph."""
        return isinstance(stmt, cst.With) and self._variable_scope(stmt) is not None and any(
            _is_name(i.asname.name, scope_object) for i in stmt.items if i.asname is not None
        )


class _ReplaceCalls(cst.CSTTransformer):
    """Calls (by id) replaced by expressions."""

    def __init__(self, replacements: dict[int, cst.BaseExpression]) -> None:
        self.replacements = replacements

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        return self.replacements.get(id(original_node), updated_node)


def _is_reuse_call(expr: cst.BaseExpression | None, scope_object: str) -> bool:
    return (isinstance(expr, cst.Call) and not expr.args and isinstance(expr.func, cst.Attribute)
            and expr.func.attr.value == "reuse_variables" and _is_name(expr.func.value, scope_object))


def _target(stmt: cst.SimpleStatementLine) -> tuple[list[str], cst.BaseExpression] | None:
    """The assignment a layer object is named after: ``h = ...``, or ``self.h = ...`` in a model class."""
    assignment = single_assignment(stmt)
    small = stmt.body[0] if len(stmt.body) == 1 else None
    if assignment is None and isinstance(small, cst.Assign) and len(small.targets) == 1:
        target = small.targets[0].target
        if isinstance(target, cst.Attribute) and _is_name(target.value, "self"):
            return [target.attr.value], small.value
    return assignment


def _name_count(node: cst.CSTNode, name: str) -> int:
    """How many times ``name`` occurs in ``node`` as a plain name."""
    return sum(1 for n in _names(node) if n == name)


class _LayerCalls(cst.CSTTransformer):
    """Rewrites the layer calls of one statement; ``created`` collects the constructors."""

    def __init__(self, converter: _Converter, assignment, owner: _ClassNames | None = None) -> None:
        self.c = converter
        self.target = assignment[0][0] if assignment and len(assignment[0]) == 1 else None
        self.created: list[str] = []
        self.objects: list[str] = []  # committed by the caller when the statement converts
        self.names: dict[str, str] = {}
        self.regularized_objects: list[str] = []
        self.regularized = False  # some layer of a generated class has a regularizer
        # In a graph-building function turned into a layer class: objects are attributes
        # created in __init__, and every call of the function shares them.
        self.owner = owner

    def leave_Assign(self, original_node: cst.Assign, updated_node: cst.Assign):
        if self.owner is not None and len(original_node.targets) == 1:
            names = assigned_names(original_node.targets[0].target)
            self.target = names[0] if len(names) == 1 else None
        return updated_node

    def visit_Assign(self, node: cst.Assign) -> None:
        if self.owner is not None and len(node.targets) == 1:
            names = assigned_names(node.targets[0].target)
            self.target = names[0] if len(names) == 1 else None

    def leave_With(self, original_node: cst.With, updated_node: cst.With):
        if self.owner is None or len(original_node.items) != 1:
            return updated_node
        item = original_node.items[0].item
        if not (isinstance(item, cst.Call) and self.c.rule.sym(item.func) == "variable_scope"):
            return updated_node
        statements = list(updated_node.body.body)
        alias = original_node.items[0].asname
        if alias is not None:
            # `with tf.variable_scope("d") as scope: if reuse: scope.reuse_variables()`: every
            # call of the class shares its objects, the reuse goes with the scope.
            if not isinstance(alias.name, cst.Name):
                raise _Skip(original_node, "a variable scope bound to something other than a name")
            statements = [stmt for stmt in statements if not self._reuses(stmt, alias.name.value)]
            if not statements or alias.name.value in names_read(cst.IndentedBlock(body=statements)):
                raise _Skip(original_node, f"the variable scope object `{alias.name.value}` is used (TF2 has none)")
        statements[0] = statements[0].with_changes(leading_lines=[*original_node.leading_lines, *statements[0].leading_lines])
        return cst.FlattenSentinel(statements)

    def _reuses(self, stmt: cst.BaseStatement, scope: str) -> bool:
        """``scope.reuse_variables()``, or ``if <flag>: scope.reuse_variables()``."""
        if isinstance(stmt, cst.If) and stmt.orelse is None and isinstance(stmt.body, cst.IndentedBlock):
            return all(self._reuses(inner, scope) for inner in stmt.body.body)
        return _is_reuse_call(expression_of(stmt), scope)

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call):
        symbol = self.c._layer_symbol(original_node)
        if symbol is None and self.owner is not None and self.c.rule.sym(original_node.func) == "get_variable":
            return self._get_variable(original_node, updated_node)
        if symbol is None:
            return updated_node
        if symbol == "layers.dropout":
            return self._dropout(updated_node)
        spec = LAYERS[symbol]
        bound = _bind(updated_node, spec.params)
        original_bound = _bind(original_node, spec.params)
        inputs = bound.pop("inputs", None)
        if inputs is None:
            raise _Skip(original_node, "a layer call without inputs")
        for param in spec.unsupported:
            if param in bound and not _is_none(bound[param]) and not _is_name(bound[param], "False"):
                raise _Skip(original_node, f"`{param}=` has no Keras equivalent")
        if "data_format" in bound and symbol.startswith("contrib."):
            fmt = bound.pop("data_format")
            if not _is_none(fmt) and not (isinstance(fmt, cst.SimpleString) and fmt.evaluated_value in ("NHWC", "NWC")):
                raise _Skip(original_node, "a data_format other than NHWC")
        training = None
        if symbol == "layers.batch_normalization":
            training = self._batch_norm_training(original_node, bound)
        reuse = bound.pop("reuse", None)
        if self.owner is not None:
            reuse = None  # the class's objects are shared by every call
        name_param = next((p for p in spec.params if spec.keras_name(p) == "name"), "name")
        name_node = bound.get(name_param)
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
            keras_params = [p for p in spec.params if p not in ("inputs", "reuse", "training", *spec.unsupported)]
            regularized = False
            for position, param in enumerate(keras_params):
                node = bound.get(param)
                keyword_name = spec.keras_name(param)
                if node is None and keyword_name in spec.defaults:
                    arguments.append(f"{keyword_name}={spec.defaults[keyword_name].format(tf=self.c.tf)}")
                    continue
                if node is not None and _is_none(node) and param == "biases_initializer":
                    arguments.append("use_bias=False")  # tf.contrib.layers: no biases
                    continue
                if node is None or _is_none(node):
                    continue
                if keyword_name.endswith("_regularizer"):
                    regularized = True
                # Arguments other than the inputs hold no layer calls: the original nodes
                # (whose names resolve) are the ones to read.
                value = self.c.code(original_bound[param].visit(_Initializers(self.c)))
                if position < spec.positional and all(p in bound for p in keras_params[:position]):
                    arguments.append(value)
                else:
                    arguments.append(f"{keyword_name}={value}")
            base = layer_name or (f"{self.target}_layer" if self.target else spec.keras.lower())
            ctor = f"{self.c.tf}.keras.layers.{spec.keras}({', '.join(arguments)})"
            if self.owner is not None:
                obj = "self." + self.owner.fresh(base)
                self.created.append(f"{obj} = {ctor}\n")
                self.regularized = self.regularized or regularized
                return self._layer_call(obj, inputs, training)
            obj = self.c.fresh(base)
            self.created.append(f"{obj} = {ctor}\n")
            self.objects.append(obj)
            if regularized:
                self.regularized_objects.append(obj)
            if layer_name is not None:
                self.names[layer_name] = obj
        return self._layer_call(obj, inputs, training)

    def _layer_call(self, obj: str, inputs: cst.BaseExpression, training: str | None) -> cst.BaseExpression:
        if training is None:
            return cst.Call(func=cst.parse_expression(obj), args=[cst.Arg(inputs)])
        x = self.c.code(inputs)
        if training in ("True", "False"):
            return cst.parse_expression(f"{obj}({x}, training={training})")
        if not isinstance(inputs, cst.Name) and self.owner is None:
            # Computed once, before the branches (`bn(dense(x))`).
            name = self.c.fresh(f"{self.target}_inputs" if self.target else "bn_inputs")
            self.created.append(f"{name} = {x}\n")
            x = name
        # A boolean tensor (a fed placeholder): Keras layers branch on a Python bool.
        return cst.parse_expression(
            f"{self.c.tf}.cond({training}, lambda: {obj}({x}, training=True), lambda: {obj}({x}, training=False))"
        )

    def _batch_norm_training(self, call: cst.Call, bound: dict) -> str:
        """The code of the call's ``training`` flag, once the rule knows Keras updates the
        moving statistics when TF1 did: with the UPDATE_OPS train op, and only then."""
        flag = bound.pop("training", None)
        fused = bound.pop("fused", None)
        if flag is None or _is_name(flag, "False"):
            return "False"
        if not (fused is not None and _is_name(fused, "False")) and self.c.has_4d_layers:
            raise _Skip(call, (
                "batch normalization next to convolutions: TF1 fuses it on 4-D inputs (moving variance with "
                "Bessel's correction), Keras does not"
            ))
        if self.owner is not None:
            raise _Skip(call, "batch normalization inside a graph-building function")
        reason = self.c.batch_norm_problem(flag)
        if reason is not None:
            raise _Skip(call, reason)
        return self.c.code(flag)

    def _get_variable(self, original: cst.Call, call: cst.Call) -> cst.BaseExpression:
        bound = _bind(original, GET_VARIABLE)  # original nodes: their names resolve
        name = bound.get("name")
        if not isinstance(name, cst.SimpleString) or "shape" not in bound:
            raise _Skip(original, "get_variable without a literal name and a shape")
        for extra in set(bound) - {"name", "shape", "dtype", "initializer", "trainable"}:
            if not _is_none(bound[extra]):
                raise _Skip(original, f"get_variable with `{extra}=`")
        initializer = bound.get("initializer")
        if initializer is None or _is_none(initializer):
            init = f"{self.c.tf}.keras.initializers.GlorotUniform()"  # get_variable's default
        else:
            symbol = self.c.rule.sym(initializer.func) if isinstance(initializer, cst.Call) else None
            if symbol not in INITIALIZERS:
                raise _Skip(original, "get_variable with an initializer this rule does not know")
            init = self.c.code(initializer.visit(_Initializers(self.c)))
        attr = self.owner.fresh(name.evaluated_value)
        arguments = [f"name={self.c.code(name)}", f"shape={self.c.code(bound['shape'])}", f"initializer={init}"]
        for extra in ("dtype", "trainable"):
            if extra in bound and not _is_none(bound[extra]):
                arguments.append(f"{extra}={self.c.code(bound[extra])}")
        self.created.append(f"self.{attr} = self.add_weight({', '.join(arguments)})\n")
        return cst.parse_expression(f"self.{attr}")

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
        if self.owner is not None:
            # A parameter of the function: a Python bool in some calls, a tensor in others.
            flag = f"{self.c.tf}.convert_to_tensor({flag})"
        return cst.parse_expression(f"{self.c.tf}.cond({flag}, lambda: {drop}, lambda: {self.c.tf}.identity({x}))")


# -- collections: UPDATE_OPS and REGULARIZATION_LOSSES --------------------------------
def _collection_key(converter: _Converter, call: cst.BaseExpression, key: str) -> bool:
    """``tf.get_collection(tf.GraphKeys.<key>)`` (no scope)."""
    if not isinstance(call, cst.Call) or converter.rule.sym(call.func) != "get_collection" or len(call.args) != 1:
        return False
    return converter.rule.sym(call.args[0].value) == f"GraphKeys.{key}"


def _regularization_call(converter: _Converter, call: cst.Call) -> bool:
    symbol = converter.rule.sym(call.func)
    if symbol in ("losses.get_regularization_loss", "losses.get_regularization_losses"):
        return not call.args
    return _collection_key(converter, call, "REGULARIZATION_LOSSES")


class _RegularizationLosses(cst.CSTTransformer):
    """TF1's REGULARIZATION_LOSSES collection -> the Keras layers' ``losses``, which
    compute the same penalties from the current weights."""

    def __init__(self, converter: _Converter) -> None:
        self.c = converter

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call):
        if not _regularization_call(self.c, original_node):
            return updated_node
        parts = ", ".join(f"*{name}.losses" for name in self.c.regularized)
        if self.c.rule.sym(original_node.func) == "losses.get_regularization_loss":
            if not parts:
                return cst.parse_expression(f"{self.c.tf}.constant(0.0)")  # as TF1 returned
            return cst.parse_expression(f"{self.c.tf}.add_n([{parts}])")
        return cst.parse_expression(f"[{parts}]")


class _UpdateOps:
    """Where a program runs TF1's UPDATE_OPS: ``ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)``
    and ``with tf.control_dependencies(ops): train_op = opt.minimize(loss)``."""

    def __init__(self, converter: _Converter) -> None:
        self.c = converter
        self.names: set[str] = set()  # variables holding the collection
        self.withs: set[int] = set()  # ids of the control_dependencies blocks
        self.assignments: set[int] = set()
        self.trains: set[str] = set()  # the train ops that run the updates
        self.error: str | None = None
        module = converter.module
        for stmt in _simple_statements(module):
            assignment = single_assignment(stmt)
            if assignment and len(assignment[0]) == 1 and _collection_key(converter, assignment[1], "UPDATE_OPS"):
                self.names.add(assignment[0][0])
                self.assignments.add(id(stmt))
        uses = 0
        for node in _withs(module):
            item = node.items[0].item if len(node.items) == 1 else None
            if not (isinstance(item, cst.Call) and converter.rule.sym(item.func) == "control_dependencies" and item.args):
                continue
            deps = item.args[0].value
            if not ((isinstance(deps, cst.Name) and deps.value in self.names) or _collection_key(converter, deps, "UPDATE_OPS")):
                continue
            assignment = single_assignment(node.body.body[0]) if len(node.body.body) == 1 else None
            value = assignment[1] if assignment else None
            if not (isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute)
                    and value.func.attr.value in ("minimize", "apply_gradients") and len(assignment[0]) == 1):
                self.error = "UPDATE_OPS control a block other than one training op"
                continue
            self.withs.add(id(node))
            self.trains.add(assignment[0][0])
            uses += isinstance(deps, cst.Name)
        reads = sum(1 for n in _names(module) if n in self.names)
        if reads != uses + len(self.assignments):  # the assignments name it too
            self.error = "the UPDATE_OPS collection is used other than as the training op's control dependencies"

    def problem(self, flag: cst.BaseExpression) -> str | None:
        if self.error:
            return self.error
        if not self.trains:
            return "no training op runs UPDATE_OPS: TF1 never updated the moving statistics, Keras would"
        if not isinstance(flag, cst.Name):
            return "`training=` is neither a literal nor a placeholder"
        placeholder = None
        for stmt in _simple_statements(self.c.module):
            assignment = single_assignment(stmt)
            if assignment and assignment[0] == [flag.value] and isinstance(assignment[1], cst.Call):
                placeholder = assignment[1]
        symbol = self.c.rule.sym(placeholder.func) if placeholder is not None else None
        if symbol == "placeholder_with_default":
            if not _is_name(argument(placeholder, 0, "input"), "False"):
                return "`training=` defaults to something other than False"
        elif symbol != "placeholder":
            return "`training=` is neither a literal nor a placeholder"
        # Every run that feeds the flag with anything but False must run the training op:
        # Keras updates the moving statistics whenever the layer runs in training mode.
        feeds = {}  # id(dict) -> dict, for dicts that feed the flag something else than False
        for node in _dicts(self.c.module):
            for element in node.elements:
                if isinstance(element, cst.DictElement) and _is_name(element.key, flag.value):
                    if not _is_name(element.value, "False"):
                        feeds[id(node)] = node
        named = {}
        for stmt in _simple_statements(self.c.module):
            assignment = single_assignment(stmt)
            if assignment and len(assignment[0]) == 1 and id(assignment[1]) in feeds:
                named[assignment[0][0]] = id(assignment[1])
        seen = set()
        for call in calls_in(self.c.module):
            if not (isinstance(call.func, cst.Attribute) and call.func.attr.value in ("run", "eval")):
                continue
            feed = argument(call, 1 if call.func.attr.value == "run" else 0, "feed_dict")
            key = id(feed) if feed is not None and id(feed) in feeds else (
                named.get(feed.value) if isinstance(feed, cst.Name) else None)
            if key is None:
                continue
            seen.add(key)
            fetches = argument(call, 0, "fetches") if call.func.attr.value == "run" else None
            if fetches is None or not names_read(fetches) & self.trains:
                return "batch normalization run in training mode without its UPDATE_OPS (Keras would update the moving statistics)"
        if set(feeds) - seen:
            return "the training flag is fed where the rule cannot follow"
        return None


class _DropUpdateOps(cst.CSTTransformer):
    def __init__(self, update_ops: _UpdateOps) -> None:
        self.u = update_ops

    def leave_SimpleStatementLine(self, original_node, updated_node):
        if id(original_node) in self.u.assignments:
            return cst.RemoveFromParent()
        return updated_node

    def leave_With(self, original_node: cst.With, updated_node: cst.With):
        if id(original_node) not in self.u.withs:
            return updated_node
        inner = updated_node.body.body[0]
        return inner.with_changes(leading_lines=[*updated_node.leading_lines, *inner.leading_lines])


def _withs(node: cst.CSTNode) -> list[cst.With]:
    return nodes_of(node, cst.With)


def _dicts(node: cst.CSTNode) -> list[cst.Dict]:
    return nodes_of(node, cst.Dict)


def _names(node: cst.CSTNode) -> list[str]:
    """Every plain name in ``node``, repeats included (not attribute names nor keywords:
    ``tf.nn.rnn_cell`` does not name a variable ``rnn_cell``)."""
    collector = _NameList()
    walk(node, collector)
    return collector.found


class _NameList(ReadNamesVisitor):
    """``_names``' collector: one class for all calls (G102 asks for the names of every
    statement; a class made per call cost more than the walk)."""

    def __init__(self) -> None:
        self.found: list[str] = []

    def visit_Name(self, node: cst.Name) -> None:
        self.found.append(node.value)


def _attributes(node: cst.CSTNode) -> list[cst.Attribute]:
    return nodes_of(node, cst.Attribute)


def _insert_after_imports(module: cst.Module, statements) -> cst.Module:
    """``statements`` (class definitions) after the imports above the first statement
    that uses them (a script importing more further down uses them before that)."""
    body = list(module.body)
    defined = {s.name.value for s in statements if isinstance(s, (cst.ClassDef, cst.FunctionDef))}
    first_use = next((i for i, stmt in enumerate(body) if names_read(stmt) & defined), len(body))
    last = -1
    for i, stmt in enumerate(body[:first_use]):
        if is_import_line(stmt):
            last = i
    blank = [cst.EmptyLine(indent=False), cst.EmptyLine(indent=False)]
    new = [stmt.with_changes(leading_lines=blank) for stmt in statements]
    if last + 1 < len(body):
        kept = [line for line in body[last + 1].leading_lines if line.comment is not None]
        body[last + 1] = body[last + 1].with_changes(leading_lines=blank + kept)
    return module.with_changes(body=[*body[:last + 1], *new, *body[last + 1:]])
