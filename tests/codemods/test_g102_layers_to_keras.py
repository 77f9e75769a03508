"""G102 beyond its examples: what it converts with G101, and what it must leave on TF1."""

from __future__ import annotations

import ast
import textwrap

import pytest

from codemods.graph.g101_session_to_function import GraphToEager
from codemods.graph.g102_layers_to_keras import LayersToKeras
from migrator.engine import Status, migrate_source


def migrate(source: str) -> tuple[str, list]:
    result = migrate_source(textwrap.dedent(source).encode(), "t.py", [LayersToKeras, GraphToEager])
    assert result.status is not Status.FAILED, result.error
    text = result.new_bytes.decode()
    ast.parse(text)
    return text, result.findings


def test_fallback_undoes_the_layer_rewrite() -> None:
    # A Saver keeps the module on compat.v1: the tf.layers call must stay a TF1 layer.
    text, findings = migrate(
        """\
        import tensorflow as tf

        x = tf.placeholder(tf.float32, [None, 4])
        y = tf.placeholder(tf.float32, [None, 1])
        pred = tf.layers.dense(x, 1, name="out")
        loss = tf.reduce_mean(tf.square(pred - y))
        saver = tf.train.Saver()
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            print(sess.run(loss, feed_dict={x: [[1.0] * 4], y: [[1.0]]}))
        """
    )
    assert "tf.layers.dense(x, 1" in text and "keras.layers" not in text
    assert "disable_v2_behavior" in text
    assert any(f.kind == "declined" for f in findings)


def test_second_call_without_reuse_is_declined() -> None:
    text, findings = migrate(
        """\
        import tensorflow as tf

        def net(x, reuse=False):
            with tf.variable_scope("net", reuse=reuse):
                return tf.layers.dense(x, 1)

        x = tf.placeholder(tf.float32, [None, 4])
        a = net(x)
        b = net(x)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            print(sess.run([a, b], feed_dict={x: [[1.0] * 4]}))
        """
    )
    assert "keras.layers" not in text and "disable_v2_behavior" in text
    assert any("without reuse" in f.message for f in findings)


def test_reuse_true_shares_one_layer_class() -> None:
    text, _ = migrate(
        """\
        import tensorflow as tf

        def net(x, reuse=False):
            with tf.variable_scope("net", reuse=reuse):
                return tf.layers.dense(x, 1, kernel_initializer=tf.random_normal_initializer())

        x = tf.placeholder(tf.float32, [None, 4])
        a = net(x)
        b = net(x, reuse=True)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            print(sess.run([a, b], feed_dict={x: [[1.0] * 4]}))
        """
    )
    assert "class Net(tf.keras.layers.Layer):" in text
    assert "kernel_initializer=tf.keras.initializers.RandomNormal(mean=0.0, stddev=1.0)" in text
    assert text.count("net = Net()") == 1
    assert "Session" not in text and "compat.v1" not in text


BATCH_NORM = """\
import tensorflow as tf

x = tf.placeholder(tf.float32, [None, 4])
y = tf.placeholder(tf.float32, [None, 1])
is_training = tf.placeholder_with_default(False, shape=())
h = tf.layers.dense(x, 8)
h = tf.layers.batch_normalization(h, training=is_training)
h = tf.nn.relu(h)
pred = tf.layers.dense(h, 1)
loss = tf.reduce_mean(tf.square(pred - y))
update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
with tf.control_dependencies(update_ops):
    train_op = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for _ in range(3):
        sess.run(train_op, feed_dict={x: [[1.0] * 4, [2.0] * 4], y: [[1.0], [0.0]], is_training: True})
    print(sess.run(loss, feed_dict={x: [[1.0] * 4], y: [[1.0]]}))
"""


def test_batch_norm_with_update_ops_becomes_keras() -> None:
    text, findings = migrate(BATCH_NORM)
    assert "tf.keras.layers.BatchNormalization()" in text
    assert "h = tf.cond(is_training, lambda: h_layer_2(h, training=True), lambda: h_layer_2(h, training=False))" in text
    # The Keras layer updates its moving statistics itself: no collection, no block.
    assert "get_collection" not in text and "control_dependencies" not in text and "update_ops" not in text
    assert "disable_v2_behavior" not in text and "placeholder" not in text
    # `h = f(h)`: each statement reads the binding before it, all of them in the function.
    assert "h = h_layer(x)\n" in text and "h = tf.nn.relu(h)\n" in text
    assert not [f for f in findings if f.kind == "declined"]


def test_batch_norm_in_training_mode_without_its_update_ops_is_declined() -> None:
    # The loss is also evaluated in training mode without the train op: TF1 did not
    # update the moving statistics there, a Keras layer would.
    source = BATCH_NORM.replace(
        "    print(sess.run(loss, feed_dict={x: [[1.0] * 4], y: [[1.0]]}))",
        "    print(sess.run(loss, feed_dict={x: [[1.0] * 4], y: [[1.0]], is_training: True}))",
    )
    text, findings = migrate(source)
    assert "disable_v2_behavior" in text and "keras.layers" not in text
    assert any("without its UPDATE_OPS" in f.message for f in findings)


def test_batch_norm_without_update_ops_is_declined() -> None:
    source = BATCH_NORM.replace("update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)\n", "update_ops = []\n")
    text, findings = migrate(source)
    assert "disable_v2_behavior" in text and "keras.layers" not in text
    assert any("no training op runs UPDATE_OPS" in f.message for f in findings)


def test_batch_norm_next_to_convolutions_is_declined() -> None:
    source = BATCH_NORM.replace("h = tf.layers.dense(x, 8)", "h = tf.layers.flatten(tf.layers.conv2d(tf.reshape(x, [-1, 2, 2, 1]), 2, 1))")
    text, findings = migrate(source)
    assert "disable_v2_behavior" in text
    assert any("fuses" in f.message for f in findings)


def test_contrib_layers_get_their_defaults_and_halved_l2() -> None:
    text, findings = migrate(
        """\
        import tensorflow as tf

        x = tf.placeholder(tf.float32, [None, 6, 6, 1])
        y = tf.placeholder(tf.float32, [None, 1])
        c = tf.contrib.layers.conv2d(x, 4, 3, weights_regularizer=tf.contrib.layers.l2_regularizer(0.1))
        p = tf.contrib.layers.max_pool2d(c, 2)
        f = tf.contrib.layers.flatten(p)
        h = tf.contrib.layers.fully_connected(f, 8, biases_initializer=None)
        pred = tf.contrib.layers.fully_connected(h, 1, activation_fn=None, scope="out")
        loss = tf.reduce_mean(tf.square(pred - y)) + tf.losses.get_regularization_loss()
        train_op = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            print(sess.run([train_op, loss], feed_dict={x: [[[[1.0]] * 6] * 6], y: [[1.0]]})[1])
        """
    )
    assert 'tf.keras.layers.Conv2D(4, 3, padding="same", activation=tf.nn.relu, kernel_regularizer=tf.keras.regularizers.L2(0.1 / 2))' in text
    assert "tf.keras.layers.MaxPooling2D(2, strides=2)" in text
    assert "tf.keras.layers.Flatten()" in text
    assert "tf.keras.layers.Dense(8, activation=tf.nn.relu, use_bias=False)" in text
    assert 'tf.keras.layers.Dense(1, name="out")' in text
    assert "tf.add_n([*c_layer.losses])" in text
    assert "contrib" not in text and "disable_v2_behavior" not in text
    assert not [f for f in findings if f.kind == "declined"]


def test_regularization_loss_without_regularizers_is_zero() -> None:
    text, _ = migrate(
        """\
        import tensorflow as tf

        x = tf.placeholder(tf.float32, [None, 2])
        pred = tf.layers.dense(x, 1)
        loss = tf.reduce_mean(pred) + tf.losses.get_regularization_loss()
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            print(sess.run(loss, feed_dict={x: [[1.0, 2.0]]}))
        """
    )
    assert "tf.constant(0.0)" in text and "disable_v2_behavior" not in text


def test_contrib_layer_with_normalizer_fn_is_declined() -> None:
    text, findings = migrate(
        """\
        import tensorflow as tf

        x = tf.placeholder(tf.float32, [None, 2])
        h = tf.contrib.layers.fully_connected(x, 4, normalizer_fn=tf.contrib.layers.batch_norm)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            print(sess.run(h, feed_dict={x: [[1.0, 2.0]]}))
        """
    )
    assert "disable_v2_behavior" in text and "keras" not in text
    assert any("normalizer_fn" in f.message for f in findings)


LSTM = """\
import tensorflow as tf

x = tf.placeholder(tf.float32, [None, 5, 3])
cell = tf.nn.rnn_cell.BasicLSTMCell(4, forget_bias=0.5)
outputs, state = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    print(sess.run(outputs, feed_dict={x: [[[1.0] * 3] * 5]}))
"""


def test_lstm_cell_and_dynamic_rnn_become_a_keras_rnn_with_tf1_layout() -> None:
    text, findings = migrate(LSTM)
    assert "class TF1LSTMCell(tf.keras.layers.Layer):" in text
    assert "cell_rnn = tf.keras.layers.RNN(TF1LSTMCell(4, forget_bias=0.5), return_sequences=True, return_state=True)" in text
    assert "outputs, *state = cell_rnn(x)" in text
    assert "tf.nn.rnn_cell.BasicLSTMCell(" not in text and "tf.nn.dynamic_rnn(" not in text
    assert "disable_v2_behavior" not in text
    assert not [f for f in findings if f.kind == "declined"]


def test_lstm_state_attributes_are_declined() -> None:
    source = LSTM.replace("print(sess.run(outputs,", "print(sess.run(state.h,")
    text, findings = migrate(source)
    assert "disable_v2_behavior" in text and "BasicLSTMCell" in text
    assert any("state.h" in f.message for f in findings)


def test_lstm_with_peepholes_is_declined() -> None:
    source = LSTM.replace("tf.nn.rnn_cell.BasicLSTMCell(4, forget_bias=0.5)", "tf.nn.rnn_cell.LSTMCell(4, use_peepholes=True)")
    text, findings = migrate(source)
    assert "disable_v2_behavior" in text
    assert any("use_peepholes" in f.message for f in findings)


CONTRIB_STATIC = """\
import tensorflow as tf
from tensorflow.contrib import rnn

x = tf.placeholder(tf.float32, [None, 5, 3])
x_steps = tf.unstack(x, 5, 1)
lstm_cell = rnn.BasicLSTMCell(4, forget_bias=1.0)
outputs, states = rnn.static_rnn(lstm_cell, x_steps, dtype=tf.float32)
last = outputs[-1] + states[1]
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    print(sess.run(last, feed_dict={x: [[[1.0] * 3] * 5]}))
"""


def test_contrib_static_rnn_becomes_a_keras_rnn_over_the_stacked_steps() -> None:
    text, findings = migrate(CONTRIB_STATIC)
    assert "lstm_cell_rnn = tf.keras.layers.RNN(TF1LSTMCell(4, forget_bias=1.0), return_sequences=True, return_state=True)" in text
    # TF1's list of per-step outputs, and the state as [c, h].
    assert "outputs, *states = lstm_cell_rnn(tf.stack(x_steps, axis=1))\n" in text
    assert "outputs = tf.unstack(outputs, axis=1)\n" in text
    # `from tensorflow.contrib import rnn` does not import on TF 2: gone with its last use.
    assert "contrib" not in text and "disable_v2_behavior" not in text
    assert not [f for f in findings if f.kind == "declined"]


def test_contrib_static_rnn_in_a_model_function_becomes_a_layer_attribute() -> None:
    text, findings = migrate(
        """\
        import tensorflow as tf

        n_hidden = 4

        def RNN(x, w):
            x = tf.unstack(x, 5, 1)
            lstm_cell = tf.contrib.rnn.BasicLSTMCell(n_hidden, forget_bias=1.0)
            outputs, states = tf.contrib.rnn.static_rnn(lstm_cell, x, dtype=tf.float32)
            return tf.matmul(outputs[-1], w)

        x = tf.placeholder(tf.float32, [None, 5, 3])
        w = tf.Variable(tf.ones([n_hidden, 2]))
        logits = RNN(x, w)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            print(sess.run(logits, feed_dict={x: [[[1.0] * 3] * 5]}))
        """
    )
    assert "class RNN_layer(tf.keras.layers.Layer):" in text
    assert "self.lstm_cell_rnn = tf.keras.layers.RNN(TF1LSTMCell(n_hidden, forget_bias=1.0)" in text
    assert "outputs, *states = self.lstm_cell_rnn(tf.stack(x, axis=1))" in text
    assert "RNN = RNN_layer()" in text and "contrib" not in text and "disable_v2_behavior" not in text
    assert not [f for f in findings if f.kind == "declined"]


def test_gru_and_basic_rnn_cells_get_their_tf1_layouts() -> None:
    gru = LSTM.replace("tf.nn.rnn_cell.BasicLSTMCell(4, forget_bias=0.5)", "tf.contrib.rnn.GRUCell(4)")
    text, findings = migrate(gru)
    assert "class TF1GRUCell(tf.keras.layers.Layer):" in text and 'initializer="ones"' in text
    # One state tensor, as TF1 returned it.
    assert "outputs, state = cell_rnn(x)" in text
    assert not [f for f in findings if f.kind == "declined"]
    basic = LSTM.replace("tf.nn.rnn_cell.BasicLSTMCell(4, forget_bias=0.5)", "tf.nn.rnn_cell.BasicRNNCell(4, activation=tf.nn.relu)")
    text, findings = migrate(basic)
    assert "tf.keras.layers.RNN(TF1BasicRNNCell(4, activation=tf.nn.relu)" in text
    assert not [f for f in findings if f.kind == "declined"]


def test_multi_rnn_cell_becomes_a_list_of_cells() -> None:
    source = LSTM.replace(
        "tf.nn.rnn_cell.BasicLSTMCell(4, forget_bias=0.5)",
        "tf.nn.rnn_cell.MultiRNNCell([tf.nn.rnn_cell.BasicLSTMCell(4) for _ in range(2)])",
    )
    text, _ = migrate(source)
    assert "cell_rnn = tf.keras.layers.RNN([TF1LSTMCell(4) for _ in range(2)], return_sequences=True, return_state=True)" in text
    source = LSTM.replace(
        "tf.nn.rnn_cell.BasicLSTMCell(4, forget_bias=0.5)",
        "tf.nn.rnn_cell.MultiRNNCell([tf.nn.rnn_cell.GRUCell(4), tf.nn.rnn_cell.BasicLSTMCell(3)])",
    )
    text, _ = migrate(source)
    assert "tf.keras.layers.RNN([TF1GRUCell(4), TF1LSTMCell(3)]" in text and "outputs, *state = cell_rnn(x)" in text
    shared = LSTM.replace("tf.nn.rnn_cell.BasicLSTMCell(4, forget_bias=0.5)",
                          "tf.nn.rnn_cell.MultiRNNCell([tf.nn.rnn_cell.BasicLSTMCell(4)] * 2)")
    text, findings = migrate(shared)
    assert "disable_v2_behavior" in text and any("MultiRNNCell" in f.message for f in findings)


def test_declined_contrib_rnn_is_kept_for_g103() -> None:
    source = CONTRIB_STATIC.replace("dtype=tf.float32)", "dtype=tf.float32, scope='lstm')")
    text, findings = migrate(source)
    # The TF1 program as it was: G103 gives tf.contrib.rnn its TF 2.21 home.
    assert "disable_v2_behavior" in text and "from tensorflow.contrib import rnn" in text
    assert "rnn.BasicLSTMCell(4, forget_bias=1.0)" in text
    assert any("scope=" in f.message for f in findings)


def test_the_cells_zero_state_as_initial_state_is_the_keras_default() -> None:
    source = LSTM.replace("outputs, state = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)",
                          "init = cell.zero_state(1, tf.float32)\n"
                          "outputs, state = tf.nn.dynamic_rnn(cell, x, initial_state=init, dtype=tf.float32)")
    text, findings = migrate(source)
    assert "outputs, *state = cell_rnn(x)" in text and "zero_state" not in text and "init =" not in text
    assert "disable_v2_behavior" not in text and not [f for f in findings if f.kind == "declined"]
    inline = LSTM.replace("dtype=tf.float32)", "initial_state=cell.zero_state(1, tf.float32), dtype=tf.float32)")
    text, _ = migrate(inline)
    assert "outputs, *state = cell_rnn(x)" in text and "zero_state" not in text
    # Another initial state, or a zero state read elsewhere, stays on TF1.
    for changed in (
        LSTM.replace("dtype=tf.float32)", "initial_state=(x[:, 0, :4], x[:, 0, :4]), dtype=tf.float32)"),
        source.replace("print(sess.run(outputs,", "print(sess.run(init[0],"),
    ):
        text, findings = migrate(changed)
        assert "disable_v2_behavior" in text and any("initial_state=" in f.message for f in findings)


def test_a_variable_named_like_a_tf1_module_is_still_one_cell() -> None:
    # `rnn_cell` is read once: the `rnn_cell` of tf.nn.rnn_cell is an attribute, not that name.
    source = LSTM.replace("cell = ", "rnn_cell = ").replace("dynamic_rnn(cell,", "dynamic_rnn(rnn_cell,")
    text, findings = migrate(source)
    assert "rnn_cell_rnn = tf.keras.layers.RNN(TF1LSTMCell(4, forget_bias=0.5)" in text
    assert not [f for f in findings if f.kind == "declined"]


def test_the_lstm_state_unpacked_into_c_and_h() -> None:
    source = LSTM.replace("outputs, state = ", "outputs, (c, h) = ").replace("sess.run(outputs,", "sess.run(h,")
    text, findings = migrate(source)
    assert "outputs, c, h = cell_rnn(x)" in text and "disable_v2_behavior" not in text
    assert not [f for f in findings if f.kind == "declined"]
    # A MultiRNNCell's state is a tuple of (c, h) pairs: left on TF1.
    multi = source.replace("tf.nn.rnn_cell.BasicLSTMCell(4, forget_bias=0.5)",
                           "tf.nn.rnn_cell.MultiRNNCell([tf.nn.rnn_cell.BasicLSTMCell(4) for _ in range(2)])")
    text, findings = migrate(multi)
    assert "disable_v2_behavior" in text and any("(c, h)" in f.message for f in findings)


def test_a_cell_factory_returns_the_keras_cell() -> None:
    factory = """\
        def lstm_cell():
            cell = tf.contrib.rnn.BasicLSTMCell(4, state_is_tuple=True)
            return cell

        cells = tf.contrib.rnn.MultiRNNCell([lstm_cell() for _ in range(2)], state_is_tuple=True)
        """
    source = LSTM.replace("cell = tf.nn.rnn_cell.BasicLSTMCell(4, forget_bias=0.5)\n", textwrap.dedent(factory))
    text, findings = migrate(source.replace("dynamic_rnn(cell,", "dynamic_rnn(cells,"))
    assert "    cell = TF1LSTMCell(4)\n    return cell" in text
    assert "cells_layer = tf.keras.layers.RNN([lstm_cell() for _ in range(2)], return_sequences=True" in text
    assert "contrib" not in text and "disable_v2_behavior" not in text
    assert not [f for f in findings if f.kind == "declined"]
    # A factory called elsewhere too makes cells this rule does not see: left on TF1.
    text, findings = migrate(source.replace("dynamic_rnn(cell,", "dynamic_rnn(cells,") + "print(lstm_cell())\n")
    assert "disable_v2_behavior" in text and "TF1LSTMCell" not in text


def test_sequence_length_becomes_a_mask() -> None:
    source = LSTM.replace("dtype=tf.float32)", "sequence_length=lengths, dtype=tf.float32)").replace(
        "cell = ", "lengths = tf.placeholder(tf.int32, [None])\ncell = ").replace("x: [[[1.0] * 3] * 5]", "x: [[[1.0] * 3] * 5], lengths: [3]")
    text, findings = migrate(source)
    assert "return_state=True, zero_output_for_mask=True)" in text
    assert "outputs, *state = cell_rnn(x, mask=tf.sequence_mask(lengths, tf.shape(x)[1]))" in text
    assert not [f for f in findings if f.kind == "declined"]
    static = CONTRIB_STATIC.replace("dtype=tf.float32)", "dtype=tf.float32, sequence_length=[5])")
    text, _ = migrate(static)
    assert "lstm_cell_rnn(tf.stack(x_steps, axis=1), mask=tf.sequence_mask([5], len(x_steps)))" in text
    # Over an expression, which the mask would compute twice: left on TF1.
    text, findings = migrate(source.replace("dynamic_rnn(cell, x,", "dynamic_rnn(cell, x * 2,"))
    assert "disable_v2_behavior" in text and any("sequence_length" in f.message for f in findings)


def test_state_attributes_through_a_subscript_are_declined() -> None:
    source = LSTM.replace("tf.nn.rnn_cell.BasicLSTMCell(4, forget_bias=0.5)",
                          "tf.nn.rnn_cell.MultiRNNCell([tf.nn.rnn_cell.BasicLSTMCell(4) for _ in range(2)])")
    source = source.replace("print(sess.run(outputs,", "print(sess.run(state[-1].h,")
    text, findings = migrate(source)
    assert "disable_v2_behavior" in text and any("state[-1].h" in f.message for f in findings)


def test_slim_layer_functions_are_contrib_layers() -> None:
    from codemods.graph.g101_session_to_function import GraphToEager

    source = """\
        import tensorflow as tf
        import tensorflow.contrib.slim as slim

        x = tf.placeholder(tf.float32, [None, 4])
        pred = slim.fully_connected(x, 1, activation_fn=None, scope="out")
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            print(sess.run(pred, {x: [[1.0, 2.0, 3.0, 4.0]]}))
        """
    result = migrate_source(textwrap.dedent(source).encode(), "t.py", [LayersToKeras, GraphToEager])
    text = result.new_bytes.decode()
    assert 'out = tf.keras.layers.Dense(1, name="out")' in text
    assert "slim" not in text and "compat.v1" not in text


# -- variable helpers: get_variable factories and the functions calling them ------------------
WRAPPERS = """\
import numpy as np
import tensorflow as tf


def weight_variable(name, shape):
    \"\"\"A weight with a truncated-normal initializer.\"\"\"
    initer = tf.truncated_normal_initializer(stddev=0.01)
    return tf.get_variable('W_' + name, dtype=tf.float32, shape=shape, initializer=initer)


def bias_variable(name, shape):
    initial = tf.constant(0., shape=shape, dtype=tf.float32)
    return tf.get_variable('b_' + name, dtype=tf.float32, initializer=initial)


def fc_layer(x, num_units, name, use_relu=True):
    with tf.variable_scope(name):
        in_dim = x.get_shape()[1]
        W = weight_variable(name, shape=[in_dim, num_units])
        b = bias_variable(name, [num_units])
        layer = tf.matmul(x, W) + b
        if use_relu:
            layer = tf.nn.relu(layer)
        return layer


x = tf.placeholder(tf.float32, [None, 4])
y = tf.placeholder(tf.float32, [None, 2])
"""

TRAIN = """\
loss = tf.reduce_mean(tf.square(out - y))
train_op = tf.train.AdamOptimizer(0.01).minimize(loss)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for i in range(3):
        _, l = sess.run([train_op, loss], feed_dict={x: np.ones((2, 4)), y: np.ones((2, 2))})
        print(l)
"""


def test_get_variable_wrappers_become_tf_variables_of_a_module_helper() -> None:
    text, findings = migrate(WRAPPERS + "h = fc_layer(x, 8, 'FC1')\nout = fc_layer(h, 2, 'OUT', use_relu=False)\n" + TRAIN)
    assert "initer = tf.keras.initializers.TruncatedNormal(mean=0.0, stddev=0.01)" in text
    assert "return tf.Variable(initer(shape=shape, dtype=tf.float32), name='W_' + name)" in text
    # A tensor initial value is the variable's value (TF1 ignored dtype= for it).
    assert "return tf.Variable(initial, name='b_' + name)" in text
    assert "class FcLayer(tf.Module):" in text and "with tf.name_scope(name):" in text
    assert "self.W = weight_variable(name, shape=[in_dim, num_units])" in text
    assert "variables = [h_layer.W, h_layer.b, out_layer.W, out_layer.b]" in text
    assert "compat.v1" not in text and "get_variable" not in text and "variable_scope" not in text
    assert not [f for f in findings if f.kind == "declined"]


def test_variable_scope_of_a_function_creating_no_variable_becomes_a_name_scope() -> None:
    """``flatten_layer``: a reshape in a variable scope of its own, between variable helpers."""
    flatten = (
        "def flatten_layer(layer):\n    with tf.variable_scope('Flatten_layer'):\n"
        "        layer_flat = tf.reshape(layer, [-1, 8])\n    return layer_flat\n\n\n"
    )
    text, findings = migrate(WRAPPERS + flatten + "h = flatten_layer(fc_layer(x, 8, 'FC1'))\nout = fc_layer(h, 2, 'OUT')\n" + TRAIN)
    assert "    with tf.name_scope('Flatten_layer'):\n        layer_flat = tf.reshape(layer, [-1, 8])" in text
    assert "compat.v1" not in text and "variable_scope" not in text
    assert not [f for f in findings if f.kind == "declined"]


def test_helpers_called_inside_graph_level_variable_scopes() -> None:
    text, _ = migrate(
        WRAPPERS
        + "with tf.variable_scope('Model'):\n    h = fc_layer(x, 8, 'FC1')\n    out = fc_layer(h, 2, 'OUT')\n"
        + TRAIN
    )
    assert "    with tf.GradientTape() as tape:\n        with tf.name_scope('Model'):\n            h = h_layer(x, 8, 'FC1')" in text
    assert "compat.v1" not in text


def test_get_variable_default_and_mapped_initializers() -> None:
    text, _ = migrate(
        """\
        import tensorflow as tf


        def weights(shape):
            return tf.get_variable("w", shape)


        def he(shape):
            return tf.get_variable("h", shape, initializer=tf.initializers.he_normal(), trainable=False)


        def scaled(shape):
            init = tf.variance_scaling_initializer(scale=2.0, mode="fan_avg", distribution="uniform")
            return tf.get_variable("s", shape, initializer=init)


        def xavier(shape):
            return tf.get_variable("x", shape, initializer=tf.contrib.layers.xavier_initializer())


        x = tf.placeholder(tf.float32, [None, 3])
        w, v, s, u = weights([3, 2]), he([3, 2]), scaled([3, 2]), xavier([3, 2])
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            print(sess.run(tf.matmul(x, w + v + s + u), feed_dict={x: [[1.0, 2.0, 3.0]]}))
        """
    )
    assert 'tf.Variable(tf.keras.initializers.GlorotUniform()(shape=shape), name="w")' in text
    assert 'tf.Variable(tf.keras.initializers.HeNormal()(shape=shape), name="h", trainable=False)' in text
    assert 'tf.keras.initializers.VarianceScaling(scale=2.0, mode="fan_avg", distribution="uniform")' in text
    assert 'tf.Variable(tf.keras.initializers.GlorotUniform()(shape=shape), name="x")' in text


def test_initializers_with_other_distributions_are_declined_by_name() -> None:
    for initializer, reason in (
        ("tf.contrib.layers.variance_scaling_initializer()", "stddev sqrt(1.3 * factor / n)"),
        ("tf.contrib.layers.xavier_initializer(uniform=False)", "xavier_initializer(uniform=False)"),
        ("tf.uniform_unit_scaling_initializer()", "no unit-scaling initializer"),
        ("tf.truncated_normal_initializer(stddev=0.1, seed=3)", "its own seed"),
        ("make_initializer()", "cannot read as a TF1 initializer or a tensor"),
    ):
        text, findings = migrate(
            f"""\
            import tensorflow as tf


            def weight_variable(shape):
                return tf.get_variable("W", shape, initializer={initializer})


            x = tf.placeholder(tf.float32, [None, 4])
            h = tf.matmul(x, weight_variable([4, 2]))
            with tf.Session() as sess:
                sess.run(tf.global_variables_initializer())
                print(sess.run(h, feed_dict={{x: [[1.0, 2.0, 3.0, 4.0]]}}))
            """
        )
        assert "disable_v2_behavior" in text and "get_variable" in text, initializer
        assert any(f.rule == "G102" and reason in f.message for f in findings), (initializer, findings)


def test_wrappers_of_a_module_that_reuses_variables_stay_on_tf1() -> None:
    # With reuse, a second get_variable call returns the first variable: tf.Variable would not.
    text, findings = migrate(
        WRAPPERS
        + "with tf.variable_scope('net', reuse=tf.AUTO_REUSE):\n    out = fc_layer(x, 2, 'OUT')\n"
        + TRAIN
    )
    assert "get_variable" in text and "disable_v2_behavior" in text
    assert any("looked up again by name" in f.message for f in findings)


def test_get_variable_arguments_tf_variable_has_no_place_for_are_declined() -> None:
    text, findings = migrate(
        """\
        import tensorflow as tf


        def weight_variable(shape):
            return tf.get_variable("W", shape, regularizer=tf.contrib.layers.l2_regularizer(0.1))


        x = tf.placeholder(tf.float32, [None, 4])
        h = tf.matmul(x, weight_variable([4, 2]))
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            print(sess.run(h, feed_dict={x: [[1.0, 2.0, 3.0, 4.0]]}))
        """
    )
    assert "disable_v2_behavior" in text
    assert any("get_variable with `regularizer=`" in f.message for f in findings)


def test_wrapper_drawing_after_a_keras_layer_falls_back_and_before_it_converts() -> None:
    source = """\
        import numpy as np
        import tensorflow as tf


        def weight_variable(shape):
            return tf.get_variable("W", shape, initializer=tf.truncated_normal_initializer(stddev=0.1))


        x = tf.placeholder(tf.float32, [None, 4])
        {first}
        {second}
        out = tf.matmul(h, W)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            print(sess.run(out, feed_dict={{x: np.ones((2, 4))}}))
        """
    layer, weight = "h = tf.layers.dense(x, 8, activation=tf.nn.relu)", "W = weight_variable([8, 2])"
    # The Dense kernel is drawn at the layer's first call (in the tf.function), W where it stands.
    text, findings = migrate(source.format(first=layer, second=weight))
    assert "disable_v2_behavior" in text
    assert any("order of initializer draws would change" in f.message for f in findings)
    text, _ = migrate(source.format(first=weight, second=layer).replace("[8, 2]", "[4, 8]").replace("tf.matmul(h, W)", "h + tf.reduce_sum(W)"))
    assert "compat.v1" not in text and "W = weight_variable([4, 8])" in text


def test_cell_classes_go_before_their_first_use_when_the_script_imports_later() -> None:
    # A tutorial importing its data loader half-way down: the TF1 cell class must be
    # defined before the layer that uses it, not after that late import.
    text, _ = migrate(
        """\
        import numpy as np
        import tensorflow as tf

        X = tf.placeholder(tf.float32, [None, 5, 3])
        cell = tf.nn.rnn_cell.BasicRNNCell(num_units=4)
        output, state = tf.nn.dynamic_rnn(cell, X, dtype=tf.float32)
        loss = tf.reduce_mean(state)

        import os
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            print(sess.run(loss, feed_dict={X: np.ones((2, 5, 3))}), os.sep)
        """
    )
    assert text.index("class TF1BasicRNNCell") < text.index("TF1BasicRNNCell(4") < text.index("import os")


SCOPED_LAYERS = """\
import tensorflow as tf

x = tf.placeholder(tf.float32, [None, 4])
training = tf.placeholder(tf.bool)
with tf.variable_scope("net"):
    h = tf.layers.dense(x, 8, activation=tf.nn.relu)
    d = tf.layers.dropout(h, rate=0.5, training=training)
    out = tf.layers.dense(d, 1)
loss = tf.reduce_mean(tf.square(out))
train_op = tf.train.AdamOptimizer(0.1).minimize(loss)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    print(sess.run([loss, train_op], feed_dict={x: [[1.0] * 4], training: True})[0])
"""


def test_layers_in_a_variable_scope_are_created_before_it() -> None:
    # Nothing looks a variable up again: the scope only named the layers' variables.
    text, findings = migrate(SCOPED_LAYERS)
    assert (
        'h_layer = tf.keras.layers.Dense(8, activation=tf.nn.relu)\nout_layer = tf.keras.layers.Dense(1)\n'
        in text
    )
    assert '    with tf.name_scope("net"):\n            h = h_layer(x)\n' in text
    assert "variable_scope" not in text and "compat.v1" not in text
    assert not [f for f in findings if f.kind == "declined"]


@pytest.mark.parametrize(
    "source, reason",
    [
        (
            SCOPED_LAYERS.replace("    h = tf.layers.dense(x, 8,", "    n = 8\n    h = tf.layers.dense(x, n,"),
            "a layer configured with `n`, computed inside its scope",
        ),
        (
            SCOPED_LAYERS.replace('with tf.variable_scope("net"):', 'with tf.variable_scope("net", initializer=tf.zeros_initializer()):'),
            "a variable scope with arguments other than its name",
        ),
        (
            SCOPED_LAYERS.replace("    h = tf.layers.dense(x, 8,", "    for _ in range(1):\n        h = tf.layers.dense(x, 8,"),
            "layers created in a loop: TF1 made new weights at every iteration",
        ),
        (
            SCOPED_LAYERS.replace("    h = tf.layers.dense(x, 8,", "    if True:\n        h = tf.layers.dense(x, 8,"),
            "layers created in a condition: a Keras object made before it would exist even when the branch does not run",
        ),
        (
            SCOPED_LAYERS.replace('with tf.variable_scope("net"):', "with tf.contrib.framework.arg_scope([tf.layers.dense]):"),
            "layers created inside `arg_scope`: its defaults for the listed layer functions are not merged into their calls",
        ),
        (
            SCOPED_LAYERS.replace("loss = ", 'with tf.variable_scope("net", reuse=True):\n    again = tf.layers.dense(x, 8, name="dense")\nloss = '),
            "variables looked up again by name",
        ),
    ],
    ids=["configured-inside", "scope-arguments", "loop", "condition", "arg-scope", "reuse"],
)
def test_layers_in_scopes_this_cannot_prove_stay_tf1(source: str, reason: str) -> None:
    text, findings = migrate(source)
    assert "keras.layers" not in text and "disable_v2_behavior" in text
    messages = [f.message for f in findings if f.kind == "declined"]
    assert any(reason in m for m in messages), messages


MODEL_CLASS = """\
import numpy as np
import tensorflow as tf


class Model:
    def __init__(self, sess, name):
        self.sess = sess
        self.name = name
        self._build_net()

    def _build_net(self):
        with tf.variable_scope(self.name):
            self.training = tf.placeholder(tf.bool)
            self.X = tf.placeholder(tf.float32, [None, 4])
            self.Y = tf.placeholder(tf.float32, [None, 3])
            W1 = tf.get_variable("W1", shape=[4, 8], initializer=tf.contrib.layers.xavier_initializer())
            L1 = tf.nn.relu(tf.matmul(self.X, W1))
            dense2 = tf.layers.dense(inputs=L1, units=8, activation=tf.nn.relu)
            dropout2 = tf.layers.dropout(inputs=dense2, rate=0.5, training=self.training)
            self.logits = tf.layers.dense(inputs=dropout2, units=3)
        self.cost = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(logits=self.logits, labels=self.Y))
        self.optimizer = tf.train.AdamOptimizer(learning_rate=0.01).minimize(self.cost)

    def train(self, x_data, y_data, training=True):
        return self.sess.run([self.cost, self.optimizer], feed_dict={
            self.X: x_data, self.Y: y_data, self.training: training})


x, y = np.ones((2, 4), np.float32), np.eye(3)[[0, 1]].astype(np.float32)
sess = tf.Session()
models = [Model(sess, "model" + str(m)) for m in range(2)]
sess.run(tf.global_variables_initializer())
for m in models:
    print(m.train(x, y)[0])
"""


def test_layers_and_get_variable_of_a_model_class_scoped_by_its_name() -> None:
    # `tf.variable_scope(self.name)` only names the instance's variables: each instance
    # makes its own layers and variables in __init__, in TF1's order.
    text, findings = migrate(MODEL_CLASS)
    assert (
        "    def __init__(self, name):\n        self.name = name\n"
        "        self.dense2_layer = tf.keras.layers.Dense(8, activation=tf.nn.relu)\n"
        "        self.logits_layer = tf.keras.layers.Dense(3)\n"
        "        with tf.name_scope(self.name):\n"
        '            self.W1 = tf.Variable(tf.keras.initializers.GlorotUniform()(shape=[4, 8]), name="W1")\n'
    ) in text
    assert "dense2 = self.dense2_layer(L1)\n" in text
    assert (
        "variables = [*self.dense2_layer.trainable_variables, *self.logits_layer.trainable_variables, self.W1]" in text
    )
    assert "placeholder" not in text and "Session" not in text and "compat.v1" not in text
    assert not [f for f in findings if f.kind == "declined"]


@pytest.mark.parametrize(
    "source, reason",
    [
        (  # looked up again by name
            MODEL_CLASS.replace(
                "        self.cost = ",
                '        with tf.variable_scope(self.name, reuse=True):\n            W1_again = tf.get_variable("W1")\n'
                "        self.cost = ",
            ),
            "variables looked up again by name",
        ),
        (  # drawn after a layer's weights, which Keras draws at the layer's first call
            MODEL_CLASS.replace(
                "            self.logits = tf.layers.dense(inputs=dropout2, units=3)",
                '            W3 = tf.get_variable("W3", shape=[8, 3])\n            self.logits = tf.matmul(dropout2, W3)',
            ),
            "an initial value drawn after a Keras layer's weights",
        ),
    ],
    ids=["reuse", "initializer-order"],
)
def test_model_class_scopes_this_cannot_prove_stay_tf1(source: str, reason: str) -> None:
    text, findings = migrate(source)
    assert "keras" not in text and "disable_v2_behavior" in text
    messages = [f.message for f in findings if f.kind == "declined"]
    assert any(reason in m for m in messages), messages


def test_bidirectional_rnns_become_a_forward_and_a_reversed_keras_rnn() -> None:
    static = CONTRIB_STATIC.replace(
        "lstm_cell = rnn.BasicLSTMCell(4, forget_bias=1.0)\noutputs, states = rnn.static_rnn(lstm_cell, x_steps, dtype=tf.float32)\n"
        "last = outputs[-1] + states[1]",
        "fw_cell = rnn.BasicLSTMCell(4)\nbw_cell = rnn.BasicLSTMCell(4)\n"
        "outputs, _, _ = rnn.static_bidirectional_rnn(fw_cell, bw_cell, x_steps, dtype=tf.float32)\nlast = outputs[-1]",
    )
    text, findings = migrate(static)
    assert "fw_cell_rnn = tf.keras.layers.RNN(TF1LSTMCell(4), return_sequences=True, return_state=True)" in text
    assert "outputs_fw, *_ = fw_cell_rnn(tf.stack(x_steps, axis=1))" in text
    assert "outputs_bw, *_ = bw_cell_rnn(tf.reverse(tf.stack(x_steps, axis=1), [1]))" in text
    assert "outputs = tf.unstack(tf.concat([outputs_fw, tf.reverse(outputs_bw, [1])], 2), axis=1)" in text
    assert "contrib" not in text and not [f for f in findings if f.kind == "declined"]
    dynamic = LSTM.replace(
        "cell = tf.nn.rnn_cell.BasicLSTMCell(4, forget_bias=0.5)\noutputs, state = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)",
        "fw = tf.nn.rnn_cell.GRUCell(4)\nbw = tf.nn.rnn_cell.GRUCell(4)\n"
        "(out_fw, out_bw), (s_fw, s_bw) = tf.nn.bidirectional_dynamic_rnn(fw, bw, x, dtype=tf.float32)\n"
        "outputs = tf.concat([out_fw, out_bw], 2) + s_bw[:, None, :]",
    )
    text, findings = migrate(dynamic)
    assert "out_fw, s_fw = fw_layer(x)\n" in text and "out_bw, s_bw = bw_layer(tf.reverse(x, [1]))\n" in text
    assert "out_bw = tf.reverse(out_bw, [1])\n" in text
    assert "disable_v2_behavior" not in text and not [f for f in findings if f.kind == "declined"]
    text, findings = migrate(dynamic.replace("dtype=tf.float32)", "sequence_length=[5], dtype=tf.float32)"))
    assert "disable_v2_behavior" in text and any("sequence_length" in f.message for f in findings)


def test_a_version_fallback_around_a_runner_becomes_the_try_arm() -> None:
    # TensorFlow-Examples' bidirectional_rnn.py: the `except` arm repeats the call for old
    # TF versions returning only the outputs; on TF 1.15 the `try` arm is what runs.
    fallback = CONTRIB_STATIC.replace(
        "lstm_cell = rnn.BasicLSTMCell(4, forget_bias=1.0)\noutputs, states = rnn.static_rnn(lstm_cell, x_steps, dtype=tf.float32)\n"
        "last = outputs[-1] + states[1]",
        "fw_cell = rnn.BasicLSTMCell(4)\nbw_cell = rnn.BasicLSTMCell(4)\n"
        "# Get lstm cell output\n"
        "try:\n    outputs, _, _ = rnn.static_bidirectional_rnn(fw_cell, bw_cell, x_steps,\n"
        "                                                  dtype=tf.float32)\n"
        "except Exception:  # Old TensorFlow version only returns outputs not states\n"
        "    outputs = rnn.static_bidirectional_rnn(fw_cell, bw_cell, x_steps,\n"
        "                                           dtype=tf.float32)\nlast = outputs[-1]",
    )
    text, findings = migrate(fallback)
    assert "# Get lstm cell output\nfw_cell_rnn = tf.keras.layers.RNN(" in text
    assert "try:" not in text and "except" not in text and "static_bidirectional_rnn" not in text
    assert "disable_v2_behavior" not in text and not [f for f in findings if f.kind == "declined"]
    # An `except` arm doing something else than the same call stays, on TF1.
    other = fallback.replace("    outputs = rnn.static_bidirectional_rnn(fw_cell, bw_cell, x_steps,",
                             "    outputs = rnn.static_bidirectional_rnn(bw_cell, fw_cell, x_steps,")
    text, findings = migrate(other)
    assert "try:" in text and "disable_v2_behavior" in text
    assert [f for f in findings if f.kind == "declined"]


def test_a_dropout_wrapper_stays_on_tf1_with_its_reason() -> None:
    # golbin's Autocomplete: a wrapped cell in a MultiRNNCell over cells made before it.
    wrapped = LSTM.replace(
        "cell = tf.nn.rnn_cell.BasicLSTMCell(4, forget_bias=0.5)\n",
        "cell = tf.nn.rnn_cell.BasicLSTMCell(4)\ncell = tf.nn.rnn_cell.DropoutWrapper(cell, output_keep_prob=0.5)\n"
        "cell2 = tf.nn.rnn_cell.BasicLSTMCell(4)\nmulti = tf.nn.rnn_cell.MultiRNNCell([cell, cell2])\n",
    ).replace("dynamic_rnn(cell,", "dynamic_rnn(multi,")
    text, findings = migrate(wrapped)
    assert "disable_v2_behavior" in text and "class TF1LSTMCell" not in text
    reasons = [f.message for f in findings if f.kind == "declined"]
    assert any(r.startswith("RNN left on TF1: DropoutWrapper: TF1 draws its masks") for r in reasons)
    # G101's refusal (at the first cell) gives the same reason.
    assert any(f.rule == "G101" and "DropoutWrapper" in f.message for f in findings)
    # An RNN inside another block than a variable scope naming its weights.
    scoped = LSTM.replace(
        "cell = tf.nn.rnn_cell.BasicLSTMCell(4, forget_bias=0.5)\noutputs, state = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)\n",
        "with tf.name_scope('encode'):\n    cell = tf.nn.rnn_cell.BasicLSTMCell(4)\n"
        "    outputs, state = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)\n",
    )
    text, findings = migrate(scoped)
    assert "disable_v2_behavior" in text
    assert any(f.rule == "G101" and "inside `with tf.name_scope('encode'):`" in f.message for f in findings)


SEQ2SEQ = LSTM.replace(
    "cell = tf.nn.rnn_cell.BasicLSTMCell(4, forget_bias=0.5)\noutputs, state = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)\n",
    "with tf.variable_scope('encode'):\n    enc_cell = tf.nn.rnn_cell.BasicLSTMCell(4)\n"
    "    _, enc_states = tf.nn.dynamic_rnn(enc_cell, x, dtype=tf.float32)\n"
    "with tf.variable_scope('decode'):\n    dec_cell = tf.nn.rnn_cell.BasicLSTMCell(4)\n"
    "    outputs, dec_states = tf.nn.dynamic_rnn(dec_cell, x, initial_state=enc_states, dtype=tf.float32)\n",
)


def test_an_encoder_and_decoder_under_variable_scopes_become_chained_keras_rnns() -> None:
    text, findings = migrate(SEQ2SEQ)
    # The scopes only named the two RNNs' weights apart: the blocks become their statements.
    assert "variable_scope" not in text and "disable_v2_behavior" not in text
    assert "_, *enc_states = enc_cell_rnn(x)" in text
    assert "outputs, *dec_states = dec_cell_rnn(x, initial_state=enc_states)" in text
    assert not [f for f in findings if f.kind == "declined"]
    # A scope the module names elsewhere (variables selected by it) stays, on TF1.
    text, findings = migrate(SEQ2SEQ.replace("with tf.Session() as sess:", "enc_vars = tf.trainable_variables('encode')\nwith tf.Session() as sess:"))
    assert "variable_scope" in text and "disable_v2_behavior" in text
    # A decoder over another kind of cell than its encoder's stays.
    text, findings = migrate(SEQ2SEQ.replace("dec_cell = tf.nn.rnn_cell.BasicLSTMCell(4)", "dec_cell = tf.nn.rnn_cell.GRUCell(4)"))
    assert "disable_v2_behavior" in text
    assert any("the state of an RNN over another kind of cell" in f.message for f in findings)
    # ... and so does its encoder, whose state the TF1 decoder reads as TF1 made it.
    assert "tf.nn.dynamic_rnn(enc_cell" in text and "with tf.variable_scope('encode'):" in text
    assert "class TF1" not in text


PROGRAMS_IN_FUNCTIONS = """\
import numpy as np
import tensorflow as tf

x = np.linspace(-1, 1, 8)[:, np.newaxis].astype(np.float32)


def train():
    tf_x = tf.placeholder(tf.float32, x.shape)
    o = tf.layers.dense(tf_x, 1)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        print(sess.run(o, {tf_x: x}).sum())


def evaluate():
    tf_x = tf.placeholder(tf.float32, x.shape)
    o = tf.layers.dense(tf_x, 1)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        print(sess.run(o, {tf_x: x}).sum())


train()
tf.reset_default_graph()
evaluate()
"""


def test_programs_in_functions_stay_tf1_with_their_names() -> None:
    # Each function builds and runs a graph of its own: no inputs, not a model to call.
    text, findings = migrate(PROGRAMS_IN_FUNCTIONS)
    assert "disable_v2_behavior" in text
    messages = [f.message for f in findings if f.kind == "declined"]
    assert any("`train` left on TF1: it takes no inputs: it builds (and runs) a graph of its own" in m for m in messages)
    assert any("the graph is built in more than one function (`train`, `evaluate`)" in m for m in messages), messages


def test_an_initializer_of_layers_left_on_tf1_points_to_them() -> None:
    source = SCOPED_LAYERS.replace(
        'with tf.variable_scope("net"):', "init = tf.contrib.layers.xavier_initializer()\nwith tf.contrib.framework.arg_scope([tf.layers.dense]):"
    ).replace("tf.layers.dense(x, 8,", "tf.layers.dense(x, 8, kernel_initializer=init,")
    text, findings = migrate(source)
    assert "disable_v2_behavior" in text
    messages = [f.message for f in findings if f.kind == "declined"]
    assert any(
        "`tf.contrib.layers.xavier_initializer` stays for the TF1 layers or variables that use it" in m for m in messages
    ), messages


LOOP_IN_MODEL_CLASS = """\
import tensorflow as tf


class Model:
    def __init__(self, hidden_dims):
        with tf.variable_scope("model"):
            self.x = tf.placeholder(tf.float32, [None, 4])
            net = self.x
            for h_dim in hidden_dims:
                net = tf.layers.dense(net, h_dim)
            self.loss = tf.reduce_mean(tf.square(net))
            self.train_op = tf.train.AdamOptimizer(0.1).minimize(self.loss)


model = Model([8, 8])
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    print(sess.run([model.loss, model.train_op], feed_dict={model.x: [[1.0] * 4]})[0])
"""


def test_a_model_class_left_on_tf1_gives_g102s_reason() -> None:
    text, findings = migrate(LOOP_IN_MODEL_CLASS)
    assert "disable_v2_behavior" in text
    g101 = [f.message for f in findings if f.kind == "declined" and f.rule == "G101"]
    assert any("not converted inside a class (G102: layer call left on TF1: layers created in a loop" in m for m in g101), g101
