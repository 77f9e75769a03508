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
shares them). The modules, each passing the ``Converter`` (the module's state: names
taken, objects created, calls declined) or the values named here:

1. ``converter``        ``Converter.convert``: graph-building functions first, then the
                        graph's level, a ``main()`` / ``if __name__`` body and model
                        classes, block by block; inserts the RNN cell classes used and
                        drops the UPDATE_OPS plumbing Keras layers replace.
2. ``model_functions``  graph-building functions -> Keras layer classes; variable
                        factories and functions creating variables -> ``tf.Variable``s.
3. ``graph_variables``  ``tf.get_variable`` at the graph's level and its variable scopes
                        (reuse included) -> ``tf.Variable``s (``GraphVariables``).
4. ``rnn``              RNN cells + runners -> ``tf.keras.layers.RNN`` over TF1-layout
                        cells (``rnn_plan``: statement index -> its replacement).
5. ``layer_calls``      one statement's layer calls -> Keras objects (``LayerCalls``).
``eager_variables`` (get_variable -> ``tf.Variable``, TF1 initializers -> Keras ones),
``graph_collections`` (UPDATE_OPS, REGULARIZATION_LOSSES), ``syntax`` (binding a call's
arguments, names read, ``Skip``: a construct left on TF1, reported by the caller) and
``record`` (``ConvertedLayers``, what G101 reads) serve them.
"""

from __future__ import annotations

import textwrap

import libcst as cst

from codemods.analysis.graph import calls_in, tf1_symbol
from codemods.analysis.graph_blocks import unwrap_graph_blocks
from codemods.base import Example, Rule
from codemods.graph.g102_layers_to_keras.converter import Converter
from codemods.graph.g102_layers_to_keras.record import CONVERTED_LAYERS, ConvertedLayers

__all__ = ["LayersToKeras"]


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
        "the graph's level (G101 then keeps the objects in __init__). Layers built in a graph of the program's own "
        "(`with graph.as_default():` of its one tf.Graph(), analysis.graph_blocks) are converted with that block "
        "opened, as G101 opens it (graph= goes from the sessions). Layer calls "
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
        "step, as TF1 did); a `try:` around a runner whose `except Exception:` arm repeats the same call (a fallback "
        "for old TF versions returning fewer results) becomes the `try` arm, which is what TF 1.15 runs. initial_state= the cell's own zero_state(batch, tf.float32) is Keras' default and goes; "
        "initial_state= the final state of an RNN converted before it over the same kind of cell (a decoder "
        "starting from its encoder's state) becomes the Keras call's initial_state= (if that RNN stays on TF1, "
        "so does the one whose state it reads); a `with tf.variable_scope(\"encode\"):` block holding only cells "
        "and their runners, whose scope no other string of the module names, only named their weights apart and "
        "becomes its statements; "
        "sequence_length= becomes mask=tf.sequence_mask(lengths, steps) with zero_output_for_mask=True (TF1 zeroes "
        "the outputs past each length and carries the last state on); `outputs, (c, h) = ...` over one LSTM cell "
        "becomes `outputs, c, h = ...`; a function returning a new cell, called once (`[lstm_cell() for _ in "
        "range(2)]`), returns the Keras cell. Inside a graph-building function the RNN layer is an attribute of its "
        "layer class. Declined (reported, module kept on tf.compat.v1): other initial states, scope=, "
        "time_major=True, sequence_length= over an expression or of a bidirectional RNN, a missing dtype=float32, "
        "cells with peepholes/projections/clipping/initializers, DropoutWrapper (TF1 draws its masks from one random "
        "op run at every step of the RNN's loop; Keras' RNN also calls its cell once before its loop, which would "
        "draw other masks), an RNN inside another `with` block, a cell "
        "used elsewhere (shared weights, cell.state_size), state attributes (state.h). What the fallback keeps, G103 "
        "gives its TF 2.21 home (tf-keras' legacy cells, tf-slim). "
        "At the graph's level (the script's top level or main()), `W = tf.get_variable(\"W\", shape, initializer=...)` "
        "becomes `W = tf.Variable(<Keras initializer of TF1's distribution>(shape=shape), name=\"W\")` (the mapping "
        "below; an `initializer=` name bound to a TF1 initializer is written out at the variable) and `with "
        "tf.variable_scope(\"layer1\"):` becomes `with tf.name_scope(\"layer1\"):`, where TF2 names the variable layer1/W as TF1 "
        "did (get_variable inside `with tf.name_scope(...)`, which TF1's get_variable ignores, creates its tf.Variable "
        "under `with tf.name_scope(\"\"):`, or the enclosing variable scope's `\"layer1/\"`: TF1's name); a variable looked up again there (reuse=True, tf.AUTO_REUSE, scope.reuse_variables(), also inside an "
        "expression) becomes the Python name that holds it (`W_tied = W`). Declined with the reason (G101 gives it): a "
        "scope not named by a literal where a variable is looked up again (a computed name such as a model class's "
        "self.name is enough where get_variable only creates), or with initializer=/regularizer=/partitioner=/"
        "custom_getter=/dtype= and the like, "
        "a scope object used otherwise, a variable scope inside tf.name_scope, "
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
        Example(
            before=textwrap.dedent(
                """\
                import tensorflow as tf

                graph = tf.Graph()
                with graph.as_default():
                    x = tf.placeholder(tf.float32, [None, 4])
                    h = tf.layers.dense(x, 8, activation=tf.nn.relu, name="fc1")
                with tf.Session(graph=graph) as sess:
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
    )

    def rewrite(self, tree: cst.Module) -> cst.Module:
        tf_alias = self.resolver.alias_for("tensorflow") or self.resolver.alias_for("tensorflow.compat.v1")
        if tf_alias is None or not self._runs_session(tree):
            return tree
        # Layers built in `with graph.as_default():` are converted as if at the block's level:
        # G101 opens the block, so the output has it opened where layers were converted.
        source = unwrap_graph_blocks(tree, self.sym).module
        converter = Converter(self, source, tf_alias)
        new = converter.convert()
        new = tree if new is source else new
        if converter.declined:
            self.context.scratch.setdefault(CONVERTED_LAYERS, ConvertedLayers()).declined.update(converter.declined)
        if new is not tree:
            record = self.context.scratch.setdefault(CONVERTED_LAYERS, ConvertedLayers())
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
