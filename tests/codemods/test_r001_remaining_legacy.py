"""R001 beyond its examples (and tests/test_todo.py's end-to-end checks): one finding per
dotted chain, with the advice that fits what is left, none through a shadowing name or a
suppression comment naming R001."""

from __future__ import annotations

from codemods.api.r001_remaining_legacy import RemainingLegacy
from tests.codemods import run


def test_each_chain_is_reported_once_with_its_advice() -> None:
    source = (
        "import tensorflow as tf\n"
        "import tensorflow.compat.v1 as v1\n"
        "v1.disable_eager_execution()\n"
        "est = tf.estimator.Estimator(model_fn)\n"
        "c = tf.contrib.rnn.LSTMCell(4)\n"
        "g = tf.compat.v1.get_default_graph()\n"
        "z = tf.nn.relu(x)\n"
    )
    text, findings = run(RemainingLegacy, source)
    assert text == source
    assert [(f.line, f.col, f.kind) for f in findings] == [
        (3, 0, "process-wide"), (4, 6, "remaining"), (5, 4, "remaining"), (6, 4, "remaining")
    ]
    assert "tf.estimator is gone since TF 2.16" in findings[1].message
    assert findings[2].message.startswith("`tf.contrib.rnn.LSTMCell`: tf.contrib is gone in TF 2; use tf.keras.layers")
    assert findings[3].message.startswith("`tf.compat.v1.get_default_graph` still uses TF 1: TF 1 graph-mode code")


def test_a_parameter_named_tf_and_a_suppressed_line_give_no_finding() -> None:
    source = (
        "import tensorflow as tf\n"
        "def f(tf):\n"
        "    return tf.Session()\n"
        "s = tf.Session()  # noqa: R001\n"
        "t = tf.Session()  # noqa: T101\n"
        "m = tf.compat.v1\n"
    )
    _, findings = run(RemainingLegacy, source)
    assert [(f.line, f.kind) for f in findings] == [(5, "remaining")]


def test_names_tf2_has_too_are_tf2s_in_plain_tensorflow_code() -> None:
    """What T101 leaves spelled ``tf.X`` for a name TF 2 shares (``tf.where(c)``, an unseeded
    ``tf.random_normal_initializer(stddev=1.0)``) is TF 2's, not TF 1 left over."""
    source = (
        "import tensorflow as tf\n"
        "i = tf.where(mask)\n"
        "w = tf.random_normal_initializer(stddev=1.0)\n"
        "z = tf.zeros_initializer()\n"
        "s = tf.Session()\n"
    )
    _, findings = run(RemainingLegacy, source)
    assert [(f.line, f.kind) for f in findings] == [(5, "remaining")]
