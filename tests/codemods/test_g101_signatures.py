"""G101's signatures of model-class methods (g101_session_to_function/signatures.py): which
placeholder dimensions may become None, and where a body reads a static shape."""

from __future__ import annotations

import textwrap

import libcst as cst
import pytest

from codemods.graph.g101_session_to_function.signatures import relaxed_shape, static_shape_read


@pytest.mark.parametrize(
    "shape, relaxed",
    [
        ("[None, sequence_length]", "[None, None]"),
        ("(None, 28, n)", "[None, 28, None]"),
        ("[None, -1, n * 2]", "[None, -1, None]"),
        ("[]", "[]"),
        ("shape", None),
        ("[None] + dims", None),
        ("[None, *dims]", None),
    ],
)
def test_relaxed_shape(shape: str, relaxed: str | None) -> None:
    assert relaxed_shape(shape) == relaxed


def test_relaxed_shape_keeps_the_names_a_decorator_sees() -> None:
    assert relaxed_shape("[None, N_STEPS, n_in]", {"None", "N_STEPS"}) == "[None, N_STEPS, None]"


def read(body: str, params=("x",)) -> str | None:
    return static_shape_read(cst.parse_module(textwrap.dedent(body)), set(params), "tf")


def test_ops_computing_from_values_read_no_static_shape() -> None:
    assert read(
        """\
        with tf.GradientTape() as tape:
            e = tf.expand_dims(tf.nn.embedding_lookup(W, x), -1)
            pooled = []
            for size, w in zip(sizes, filters):
                pooled.append(tf.nn.max_pool2d(tf.nn.conv2d(e, w, [1, 1, 1, 1], "VALID"), [1, n - size + 1, 1, 1], 1, "VALID"))
            flat = tf.reshape(tf.concat(pooled, 3), [-1, total])
            loss = tf.reduce_mean(tf.matmul(flat, V))
        grads_and_vars = list(zip(tape.gradient(loss, variables), variables))
        for g, v in grads_and_vars:
            summaries["{}/grad".format(v.name)] = tf.nn.zero_fraction(g)
        out = tf.cond(training, lambda: tf.nn.dropout(flat, 0.5), lambda: flat)
        if isinstance(loss, tf.Tensor):
            step.assign_add(1)
        return loss, y.shape
        """
    ) is None


@pytest.mark.parametrize(
    "body, where",
    [
        ("h = tf.matmul(x, W)\nn = h.shape[1]\n", "h.shape"),
        ("n = x.get_shape().as_list()[1]\n", "x.get_shape"),
        ("hs = []\nhs.append(x)\nk = hs[0].shape\n", "hs[0].shape"),
        ("self.h = x * 2\nout = self.h.shape\n", "self.h.shape"),
        ("out = self.dense(x)\n", "self.dense(x)"),
        ("out = tf.keras.layers.Dense(3)(x)\n", "tf.keras.layers.Dense(3)(x)"),
        ("parts = tf.unstack(x, axis=1)\n", "tf.unstack(x, axis=1)"),
        ("n = len(x)\n", "len(x)"),
        ("for row in x * 2:\n    pass\n", "for ... in x * 2"),
        ("out = [r for r in x]\n", "for ... in x"),
        ("a, b = x\n", "a, b = x"),
        ("out = helper(x, 3)\n", "helper(x, 3)"),
        ("out = tf.cond(p, lambda: x.shape[0], lambda: 1)\n", "x.shape"),
        ("out = tf.cond(p, branch, lambda: x)\n", "tf.cond(p, branch, lambda: x)"),
        ("out = tf.map_fn(f, x)\n", "tf.map_fn(f, x)"),
        ("g = tape.gradient(loss, x)\nn = g.shape\n", "g.shape"),
    ],
)
def test_static_shape_reads(body: str, where: str) -> None:
    assert read(body) == where
