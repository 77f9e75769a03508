"""G101 on functions that build the graph and return it, run outside them
(g101_session_to_function/build_functions.py).

The fixture graph/build_function_autoencoder proves the numbers; these check the
generated shape and the refusals.
"""

from __future__ import annotations

import ast
import textwrap

import pytest

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


def declined(findings) -> list[str]:
    return [f.message for f in findings if f.kind == "declined"]


AUTOENCODER = """\
import math

import numpy as np
import tensorflow as tf


def autoencoder(dimensions=[16, 8, 4]):
    \"\"\"Tied-weights autoencoder.\"\"\"
    x = tf.placeholder(tf.float32, [None, dimensions[0]])
    current_input = x
    encoder = []
    for n_output in dimensions[1:]:
        n_input = int(current_input.get_shape()[1])
        W = tf.Variable(tf.random_uniform([n_input, n_output], -1.0 / math.sqrt(n_input), 1.0 / math.sqrt(n_input)))
        encoder.append(W)
        current_input = tf.nn.tanh(tf.matmul(current_input, W))
    z = current_input
    for W in reversed(encoder):
        b = tf.Variable(tf.zeros([int(W.get_shape()[0])]))
        current_input = tf.nn.tanh(tf.matmul(current_input, tf.transpose(W)) + b)
    cost = tf.reduce_sum(tf.square(current_input - x))
    return {'x': x, 'z': z, 'cost': cost}


def main():
    data = np.ones((4, 16))
    ae = autoencoder(dimensions=[16, 8])
    optimizer = tf.train.AdamOptimizer(0.01).minimize(ae['cost'])
    sess = tf.Session()
    sess.run(tf.global_variables_initializer())
    for epoch in range(3):
        sess.run(optimizer, feed_dict={ae['x']: data})
        print(epoch, sess.run(ae['cost'], feed_dict={ae['x']: data}))
    print(sess.run(ae['z'], feed_dict={ae['x']: data}))


main()
"""


def test_dict_returning_function_becomes_a_module_called_by_the_runs() -> None:
    text, findings = migrate(AUTOENCODER)
    assert "class Autoencoder(tf.Module):" in text
    assert '    """Tied-weights autoencoder."""' in text  # its docstring stays
    assert "    def __init__(self, dimensions=[16, 8, 4]):\n        super().__init__()\n        self.dimensions = dimensions\n" in text
    assert "    def __call__(self, x):\n        self.created = 0\n        dimensions = self.dimensions\n" in text
    # Variables are made once, in creation order, wherever the body creates them.
    assert "W = self.variable(lambda: tf.Variable(tf.random_uniform([n_input, n_output]" in text
    assert "b = self.variable(lambda: tf.Variable(tf.zeros([int(W.get_shape()[0])])))" in text
    assert "with tf.init_scope():\n                self.graph_variables.append(create())" in text
    # The placeholder is the parameter, and is not returned.
    assert "placeholder" not in text and "return {'z': z, 'cost': cost}" in text
    # The caller creates the module where it called the function; its runs call it.
    assert "ae = Autoencoder(dimensions=[16, 8])" in text
    assert "input_signature=[tf.TensorSpec([None, ae.dimensions[0]], tf.float32)]" in text
    assert "        with tf.GradientTape() as tape:\n            ae_outputs = ae(x)\n            cost = ae_outputs['cost']\n" in text
    assert "variables = [*ae.trainable_variables]" in text
    assert "train_step(data)" in text and "compute_cost(data).numpy()" in text and "compute_z(data).numpy()" in text
    assert "Session" not in text and "ae['" not in text
    assert declined(findings) == []
    assert any("`autoencoder` builds the graph and returns it -> tf.Module class `Autoencoder`" in f.message for f in findings)


def test_unpacked_tuple_names_are_the_placeholders_and_the_values() -> None:
    text, findings = migrate(
        """\
        import numpy as np
        import tensorflow as tf

        def weight_variable(shape):
            initial = tf.truncated_normal(shape, stddev=0.1)
            return tf.Variable(initial)

        def build_model(n_in, n_out):
            x = tf.placeholder(tf.float32, [None, n_in])
            y = tf.placeholder(tf.int64, [None])
            W = weight_variable([n_in, n_out])
            logits = tf.matmul(x, W)
            loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))
            accuracy = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, 1), y), tf.float32))
            return x, y, loss, accuracy

        x, y, loss, accuracy = build_model(3, 2)
        train_op = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            _, l, a = sess.run([train_op, loss, accuracy], feed_dict={x: np.ones((2, 3)), y: [0, 1]})
            print(l, a)
        """
    )
    assert "class Model(tf.Module):" in text
    assert "def __call__(self, x, y):" in text
    assert "W = self.variable(lambda: weight_variable([n_in, n_out]))" in text
    assert "return loss, accuracy" in text
    assert "model = Model(3, 2)" in text
    assert "loss, accuracy = model(x, y)" in text
    assert "def weight_variable(shape):" in text  # the helper stays as it was
    assert "l, a = [value.numpy() for value in train_step(np.ones((2, 3)), [0, 1])]" in text
    assert declined(findings) == []


def test_placeholders_in_a_name_scope_are_parameters_and_the_scope_goes() -> None:
    source = AUTOENCODER.replace(
        "    x = tf.placeholder(tf.float32, [None, dimensions[0]])\n",
        "    # the feed point\n    with tf.name_scope('input'):\n        x = tf.placeholder(tf.float32, [None, dimensions[0]])\n",
    )
    text, findings = migrate(source)
    assert "name_scope" not in text and "placeholder" not in text
    assert "        dimensions = self.dimensions\n        # the feed point\n        current_input = x\n" in text
    assert declined(findings) == []


def test_random_initial_value_drawn_between_the_creation_and_the_first_call_is_declined() -> None:
    # TF1 drew the module's initial values first; the module draws them at its first call.
    source = AUTOENCODER.replace(
        "    ae = autoencoder(dimensions=[16, 8])\n",
        "    ae = autoencoder(dimensions=[16, 8])\n    scale = tf.Variable(tf.random_normal([1]))\n",
    )
    text, findings = migrate(source)
    assert "tf.disable_v2_behavior()" in text
    assert any("a random initial value drawn after `ae` is created" in m for m in declined(findings))


def test_training_op_built_inside_is_stepped_by_the_caller_from_the_modules_attributes() -> None:
    text, findings = migrate(
        """\
        import numpy as np
        import tensorflow as tf

        def build_graph(n_in, learning_rate=0.1):
            x = tf.placeholder(tf.float32, [None, n_in])
            y = tf.placeholder(tf.float32, [None, 1])
            W = tf.Variable(tf.zeros([n_in, 1]))
            loss = tf.reduce_mean(tf.square(tf.matmul(x, W) - y))
            optimizer = tf.train.GradientDescentOptimizer(learning_rate)
            train_step = optimizer.minimize(loss)
            return dict(x=x, y=y, train_step=train_step)

        g = build_graph(2, learning_rate=0.05)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            for i in range(3):
                sess.run(g["train_step"], feed_dict={g["x"]: np.ones((4, 2)), g["y"]: np.ones((4, 1))})
        """
    )
    # The loss it minimized is returned for the caller's tape; the optimizer is the caller's.
    assert "return dict(loss=loss)" in text and "minimize" not in text
    assert "g = Graph(2, learning_rate=0.05)\noptimizer = tf.keras.optimizers.SGD(learning_rate=g.learning_rate)\n" in text
    assert "        g_outputs = g(x, y)\n        loss = g_outputs['loss']\n" in text
    assert "    optimizer.apply_gradients(zip(gradients, variables))\n" in text
    assert "    train_step(np.ones((4, 2)), np.ones((4, 1)))" in text
    assert declined(findings) == []


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        (
            AUTOENCODER.replace("    ae = autoencoder(dimensions=[16, 8])\n", "    ae = autoencoder(dimensions=[16, 8])\n    other = autoencoder()\n"),
            "`autoencoder` builds the graph and is called 2 times",
        ),
        (
            AUTOENCODER.replace("    z = current_input\n", "    z = current_input\n    print(z)\n"),
            "`autoencoder` prints while it builds the graph",
        ),
        (
            AUTOENCODER.replace(
                "    return {'x': x, 'z': z, 'cost': cost}",
                "    train_op = tf.train.AdamOptimizer(0.01).minimize(cost, var_list=encoder)\n"
                "    return {'x': x, 'z': z, 'cost': cost, 'train_op': train_op}",
            ),
            "`autoencoder` calls minimize with more than the loss",
        ),
        (
            AUTOENCODER.replace("    return {'x': x, 'z': z, 'cost': cost}", "    return {'x': x, 'z': z, 'cost': cost, 'W': W}"),
            "`autoencoder` returns variable `W`: the module makes its variables at its first call",
        ),
        (
            AUTOENCODER.replace("    z = current_input\n", "    z = current_input\n    v = tf.Variable(tf.zeros_like(z))\n"),
            "the initial value of a variable of `autoencoder` reads tensor `z`",
        ),
        (
            AUTOENCODER.replace("    print(sess.run(ae['z'], feed_dict={ae['x']: data}))\n", "    print(sess.run(ae['z'], feed_dict={ae['x']: data}), ae)\n"),
            "`ae` (what `autoencoder` returned) is used other than as `ae[key]`",
        ),
        (
            AUTOENCODER.replace("    current_input = x\n", "    for i in range(2):\n        p = tf.placeholder(tf.float32)\n    current_input = x\n"),
            "`autoencoder` creates a placeholder inside a loop, condition or expression",
        ),
        (
            "LAYERS = []\n" + AUTOENCODER.replace("        encoder.append(W)\n", "        encoder.append(W)\n        LAYERS.append(W)\n"),
            "`autoencoder` changes `LAYERS`, which it does not own",
        ),
    ],
    ids=[
        "called-twice", "prints", "minimize-var-list", "returns-variable", "initial-value-reads-tensor", "instance-used",
        "placeholder-in-loop", "changes-a-global",
    ],
)
def test_what_cannot_be_proven_falls_back(source: str, reason: str) -> None:
    text, findings = migrate(source)
    assert "tf.disable_v2_behavior()" in text
    assert any(reason in message for message in declined(findings)), declined(findings)


def test_a_run_that_does_not_feed_every_placeholder_is_declined() -> None:
    # The module computes everything it returned from every placeholder it has.
    text, findings = migrate(
        """\
        import tensorflow as tf

        def build(n):
            x = tf.placeholder(tf.float32, [None, n])
            y = tf.placeholder(tf.float32, [None, 1])
            W = tf.Variable(tf.zeros([n, 1]))
            pred = tf.matmul(x, W)
            loss = tf.reduce_mean(tf.square(pred - y))
            return x, y, pred, loss

        x, y, pred, loss = build(2)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            print(sess.run(pred, {x: [[1.0, 2.0]]}))
        """
    )
    assert "tf.disable_v2_behavior()" in text
    assert any("placeholder `y` is needed but not fed" in message for message in declined(findings))
