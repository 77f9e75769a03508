"""G101 on helpers that create raw tf.Variables at each call (g101_session_to_function/variable_helpers.py).

The fixtures graph/sparse_labels_eval_session and graph/batch_norm_cond_training prove
the numbers; these check the generated shape and the refusals.
"""

from __future__ import annotations

import ast
import textwrap

from codemods.graph.g101_session_to_function import GraphToEager
from migrator.engine import Status, migrate_source


def migrate(source: str) -> tuple[str, list]:
    result = migrate_source(textwrap.dedent(source).encode(), "t.py", [GraphToEager])
    assert result.status is not Status.FAILED, result.error
    text = result.new_bytes.decode()
    ast.parse(text)
    again = migrate_source(result.new_bytes, "t.py", [GraphToEager])
    assert again.new_bytes == result.new_bytes, "not idempotent"
    return text, result.findings


HELPER = """\
import numpy as np
import tensorflow as tf

X = tf.placeholder(tf.float32, [None, 3])
y = tf.placeholder(tf.float32, [None, 1])


def neuron_layer(X, n_neurons, name, activation=None):
    with tf.name_scope(name):
        n_inputs = int(X.get_shape()[1])
        init = tf.truncated_normal((n_inputs, n_neurons), stddev=0.1)
        W = tf.Variable(init, name="kernel")
        b = tf.Variable(tf.zeros([n_neurons]), name="bias")
        Z = tf.matmul(X, W) + b
        return activation(Z) if activation is not None else Z


hidden = neuron_layer(X, 4, "hidden", activation=tf.nn.relu)
out = neuron_layer(hidden, 1, "out")
loss = tf.reduce_mean(tf.square(out - y))
"""

RUN = """\
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for i in range(3):
        _, l = sess.run([train_op, loss], feed_dict={X: np.ones((2, 3)), y: np.ones((2, 1))})
        print(l)
"""


def test_helper_becomes_module_class_with_one_instance_per_call() -> None:
    text, findings = migrate(HELPER + "train_op = tf.train.GradientDescentOptimizer(0.1).minimize(loss)\n" + RUN)
    assert "class NeuronLayer(tf.Module):" in text
    assert "def __call__(self, X, n_neurons, name, activation=None):" in text
    # The initial value and the variables are created once, outside any tf.function.
    assert "if not self.built:\n                with tf.init_scope():" in text
    assert "self.W = tf.Variable(init, name=\"kernel\")" in text
    assert "W, b = self.W, self.b" in text
    assert "hidden_layer = NeuronLayer()\nout_layer = NeuronLayer()" in text
    assert "hidden = hidden_layer(X, 4, \"hidden\", activation=tf.nn.relu)" in text
    assert "variables = [hidden_layer.W, hidden_layer.b, out_layer.W, out_layer.b]" in text
    assert "Variable(" not in text.split("class NeuronLayer")[0]
    assert "compat.v1" not in text and "Session" not in text and "placeholder" not in text
    assert any("`neuron_layer` creates variables at each call -> tf.Module class `NeuronLayer`" in f.message for f in findings)


def test_returned_variables_are_read_as_instance_attributes() -> None:
    text, _ = migrate(
        """\
import tensorflow as tf

x = tf.placeholder(tf.float32, [None, 2])


def counter(inputs):
    total = tf.Variable(tf.zeros([2]), trainable=False)
    update = tf.assign_add(total, tf.reduce_sum(inputs, 0))
    return update, total


out, seen = counter(x)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    sess.run(out, feed_dict={x: [[1.0, 2.0]]})
    print(sess.run(seen))
"""
    )
    assert "self.total = tf.Variable(tf.zeros([2]), trainable=False)" in text
    assert "update = total.assign_add(tf.reduce_sum(inputs, 0))" in text
    assert "print(out_layer.total.numpy())" in text


def test_random_initial_value_drawn_after_the_helpers_falls_back() -> None:
    text, findings = migrate(
        HELPER
        + "w = tf.Variable(tf.random_normal([1, 1]))\n"
        + "loss2 = loss + tf.reduce_sum(w)\n"
        + "train_op = tf.train.GradientDescentOptimizer(0.1).minimize(loss2)\n"
        + RUN
    )
    assert "compat.v1" in text
    assert any("order of random draws would change" in f.message for f in findings)


def test_variable_created_in_a_loop_falls_back() -> None:
    text, findings = migrate(
        """\
import tensorflow as tf

x = tf.placeholder(tf.float32, [None, 2])


def stack(inputs, n):
    for i in range(n):
        inputs = inputs * tf.Variable(1.0)
    return inputs


out = stack(x, 2)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    print(sess.run(out, feed_dict={x: [[1.0, 2.0]]}))
"""
    )
    assert "compat.v1" in text
    assert any("creates variables in a loop, condition or nested block" in f.message for f in findings)


def test_helper_called_outside_the_graph_falls_back() -> None:
    text, findings = migrate(
        HELPER
        + "train_op = tf.train.GradientDescentOptimizer(0.1).minimize(loss)\n"
        + RUN
        + "extra = [neuron_layer(X, 2, 'late') for _ in range(2)]\n"
    )
    assert "compat.v1" in text
    assert any("called in a comprehension or lambda" in f.message for f in findings)


FACTORIES = """\
import numpy as np
import tensorflow as tf


def new_weights(shape):
    \"\"\"A weight matrix.\"\"\"
    initial = tf.truncated_normal(shape, stddev=0.05)
    weights = tf.Variable(initial)
    return weights


def new_biases(length):
    return tf.Variable(tf.constant(0.05, shape=[length]))


def new_fc_layer(input, num_inputs, num_outputs):
    # One weight matrix and one bias vector per layer.
    weights = new_weights(shape=[num_inputs, num_outputs])
    # The biases.
    biases = new_biases(length=num_outputs)
    return tf.matmul(input, weights) + biases, weights


X = tf.placeholder(tf.float32, [None, 3])
y = tf.placeholder(tf.float32, [None, 1])
"""


def test_helper_calling_variable_factories_creates_their_variables_once() -> None:
    text, findings = migrate(
        FACTORIES
        + "hidden, w_hidden = new_fc_layer(X, 3, 4)\nout, _ = new_fc_layer(hidden, 4, 1)\n"
        + "loss = tf.reduce_mean(tf.square(out - y))\n"
        + "train_op = tf.train.GradientDescentOptimizer(0.1).minimize(loss)\n"
        + RUN
        + "    print(sess.run(w_hidden))\n"
    )
    assert "class NewFcLayer(tf.Module):" in text
    assert (
        "            with tf.init_scope():\n"
        "                self.weights = new_weights(shape=[num_inputs, num_outputs])\n"
        "                # The biases.\n"
        "                self.biases = new_biases(length=num_outputs)\n"
    ) in text
    assert "    # One weight matrix and one bias vector per layer.\n        if not self.built:" in text
    assert "variables = [hidden_layer.weights, hidden_layer.biases, out_layer.weights, out_layer.biases]" in text
    assert "print(hidden_layer.weights.numpy())" in text  # the returned variable
    assert "compat.v1" not in text and "Session" not in text
    assert any("`new_fc_layer` creates variables at each call" in f.message for f in findings)


def test_factories_called_at_the_graph_level_are_variables() -> None:
    text, _ = migrate(
        FACTORIES
        + "w = new_weights([3, 1])\nb = new_biases(1)\nout = tf.matmul(X, w) + b\n"
        + "loss = tf.reduce_mean(tf.square(out - y))\n"
        + "train_op = tf.train.GradientDescentOptimizer(0.1).minimize(loss)\n"
        + RUN
    )
    assert "w = new_weights([3, 1])\nb = new_biases(1)\n" in text  # created once, eagerly, in order
    assert "variables = [w, b]" in text
    assert "compat.v1" not in text


def test_factory_drawing_after_a_helper_falls_back() -> None:
    # TF1 drew the helper's weights first; the helper draws on its first call, after `w`.
    text, findings = migrate(
        FACTORIES
        + "hidden, _ = new_fc_layer(X, 3, 4)\nw = new_weights([4, 1])\nout = tf.matmul(hidden, w)\n"
        + "loss = tf.reduce_mean(tf.square(out - y))\n"
        + "train_op = tf.train.GradientDescentOptimizer(0.1).minimize(loss)\n"
        + RUN
    )
    assert "compat.v1" in text
    assert any("order of random draws would change" in f.message for f in findings)


def test_model_function_holds_an_instance_of_each_helper_it_calls() -> None:
    text, findings = migrate(
        FACTORIES
        + "def model(inputs):\n    hidden, _ = new_fc_layer(inputs, 3, 4)\n"
        + "    return new_fc_layer(tf.nn.relu(hidden), 4, 1)[0]\n\n\n"
        + "out = model(X)\nloss = tf.reduce_mean(tf.square(out - y))\n"
        + "train_op = tf.train.GradientDescentOptimizer(0.1).minimize(loss)\n"
        + RUN
    )
    assert (
        "class Model(tf.Module):\n"
        '    """`model`, called once per instance; it holds an instance of each helper it calls."""\n\n'
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.hidden_layer = NewFcLayer()\n"
        "        self.new_fc_layer_instance = NewFcLayer()\n\n"
        "    def __call__(self, inputs):\n"
        "        hidden, _ = self.hidden_layer(inputs, 3, 4)\n"
        "        return self.new_fc_layer_instance(tf.nn.relu(hidden), 4, 1)[0]\n"
    ) in text
    assert "out_layer = Model()" in text
    assert (
        "variables = [out_layer.hidden_layer.weights, out_layer.hidden_layer.biases, "
        "out_layer.new_fc_layer_instance.weights, out_layer.new_fc_layer_instance.biases]"
    ) in text
    assert "compat.v1" not in text
    assert any("`model` creates variables at each call -> tf.Module class `Model`" in f.message for f in findings)


def test_helper_called_in_a_loop_of_a_model_function_gets_an_instance_per_call() -> None:
    text, findings = migrate(
        FACTORIES
        + "def model(inputs):\n    for n in (3, 3):\n        inputs, _ = new_fc_layer(inputs, 3, n)\n    return inputs\n\n\n"
        + "out = model(X)\nloss = tf.reduce_mean(tf.square(out - y))\n"
        + "train_op = tf.train.GradientDescentOptimizer(0.1).minimize(loss)\n"
        + RUN
    )
    assert "compat.v1" not in text
    assert "        self._repeated = []\n" in text and "    def _next_instance(self, make):\n" in text
    assert (
        "    def __call__(self, inputs):\n"
        "        self._calls = 0\n"
        "        for n in (3, 3):\n"
        "            inputs, _ = self._next_instance(NewFcLayer)(inputs, 3, n)\n"
    ) in text
    # Which instances it made is known when it has run: its trainable_variables then.
    assert "variables = [*out_layer.trainable_variables]" in text


def test_helper_called_in_a_lambda_of_a_model_function_falls_back() -> None:
    text, findings = migrate(
        FACTORIES
        + "def model(inputs):\n    layer = lambda h: new_fc_layer(h, 3, 3)[0]\n    return layer(layer(inputs))\n\n\n"
        + "out = model(X)\nloss = tf.reduce_mean(tf.square(out - y))\n"
        + "train_op = tf.train.GradientDescentOptimizer(0.1).minimize(loss)\n"
        + RUN
    )
    assert "compat.v1" in text
    assert any("`model` calls `new_fc_layer`, which creates variables, in a lambda" in f.message for f in findings)


CONDITIONAL = """\
import numpy as np
import tensorflow as tf

X = tf.placeholder(tf.float32, [None, 3])
y = tf.placeholder(tf.float32, [None, 1])


def dense(x, n, bias=True):
    W = tf.Variable(tf.truncated_normal([int(x.get_shape()[1]), n], stddev=0.1))
    out = tf.matmul(x, W)
    if bias:
        b = tf.Variable(tf.zeros([n]))
        out = out + b
    return out


out = dense(tf.nn.relu(dense(X, 4)), 1, bias=False)
loss = tf.reduce_mean(tf.square(out - y))
train_op = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
"""


def test_variables_created_under_a_test_of_a_parameter_are_created_on_the_first_call() -> None:
    text, _ = migrate(CONDITIONAL + RUN)
    assert "compat.v1" not in text
    assert (
        "    built = False\n"
        "    b = None  # made only when its test holds\n\n"
        "    def __call__(self, x, n, bias=True):\n"
        "        if not self.built:\n"
        "            with tf.init_scope():\n"
        "                self.W = tf.Variable(tf.truncated_normal([int(x.get_shape()[1]), n], stddev=0.1))\n"
        "                if bias:\n"
        "                    self.b = tf.Variable(tf.zeros([n]))\n"
        "            self.built = True\n"
        "        W, b = self.W, self.b\n"
        "        out = tf.matmul(x, W)\n"
        "        if bias:\n"
        "            out = out + b\n"
        "        return out\n"
    ) in text
    # Which variables an instance has depends on its arguments: its trainable_variables.
    assert "variables = [*out_layer.trainable_variables, *out_layer_2.trainable_variables]" in text


def test_a_variable_under_a_test_of_something_else_falls_back() -> None:
    source = CONDITIONAL.replace("    if bias:\n", "    if int(x.get_shape()[1]) > 2:\n")
    text, findings = migrate(source + RUN)
    assert "compat.v1" in text
    assert any("a test of something other than its parameters" in f.message for f in findings)


def test_a_random_op_between_the_variables_falls_back() -> None:
    # Created together on the first call, W's and b's draws would come before the dropout's.
    source = CONDITIONAL.replace("    out = tf.matmul(x, W)\n", "    out = tf.nn.dropout(tf.matmul(x, W), 0.5)\n")
    text, findings = migrate(source + RUN)
    assert "compat.v1" in text
    assert any("draws random numbers between the creations of its variables" in f.message for f in findings)


def test_helper_calling_another_before_its_own_variables_falls_back() -> None:
    # Its own weights are created together on the first call: TF1 drew the inner helper's in between.
    text, findings = migrate(
        FACTORIES
        + "def block(inputs):\n    hidden, _ = new_fc_layer(inputs, 3, 4)\n    w = new_weights([4, 1])\n"
        + "    return tf.matmul(hidden, w)\n\n\n"
        + "out = block(X)\nloss = tf.reduce_mean(tf.square(out - y))\n"
        + "train_op = tf.train.GradientDescentOptimizer(0.1).minimize(loss)\n"
        + RUN
    )
    assert "compat.v1" in text
    assert any("calls other variable helpers before it has created its own variables" in f.message for f in findings)


def test_placeholders_inside_a_name_scope_are_parameters() -> None:
    text, _ = migrate(
        """\
import numpy as np
import tensorflow as tf

with tf.name_scope("Input"):
    X = tf.placeholder(tf.float32, [None, 3], name="X")
    y = tf.placeholder(tf.float32, [None, 1], name="Y")
w = tf.Variable(tf.zeros([3, 1]))
loss = tf.reduce_mean(tf.square(tf.matmul(X, w) - y))
train_op = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
"""
        + RUN
    )
    assert 'name_scope("Input")' not in text and "placeholder" not in text
    assert "def train_step(X, y):" in text


def test_helper_with_its_own_variables_then_another_helper() -> None:
    text, _ = migrate(
        FACTORIES
        + "def block(inputs):\n    w = new_weights([3, 4])\n    hidden = tf.matmul(inputs, w)\n"
        + "    out, _ = new_fc_layer(hidden, 4, 1)\n    return out\n\n\n"
        + "out = block(X)\nloss = tf.reduce_mean(tf.square(out - y))\n"
        + "train_op = tf.train.GradientDescentOptimizer(0.1).minimize(loss)\n"
        + RUN
    )
    assert "    built = False\n\n    def __init__(self):\n        super().__init__()\n        self.out_layer = NewFcLayer()\n" in text
    assert (
        "        if not self.built:\n            with tf.init_scope():\n                self.w = new_weights([3, 4])\n"
        "            self.built = True\n        w = self.w\n        hidden = tf.matmul(inputs, w)\n"
        "        out, _ = self.out_layer(hidden, 4, 1)\n"
    ) in text
    assert "variables = [out_layer.w, out_layer.out_layer.weights, out_layer.out_layer.biases]" in text
