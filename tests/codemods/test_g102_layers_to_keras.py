"""G102 beyond its examples: what it converts with G101, and what it must leave on TF1."""

from __future__ import annotations

import ast
import textwrap

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
