"""K205 beyond its examples: each hard sigmoid it writes out is said, the import it needs is
added, losses are renamed wherever compile() takes them, and Keras 3 code keeps Keras 3's
defaults."""

from __future__ import annotations

import textwrap

from codemods.keras.k205_keras2_defaults import Keras2Defaults
from tests.codemods import run


def test_each_hard_sigmoid_is_written_out_and_said_with_the_import_it_needs() -> None:
    text, findings = run(Keras2Defaults, """\
        from keras.layers import Activation, Dense
        h = Dense(8, activation='hard_sigmoid')
        a = Activation('hard_sigmoid')
        """)
    assert text == textwrap.dedent("""\
        from keras.layers import Activation, Dense
        from tensorflow import keras
        h = Dense(8, activation=keras.backend.hard_sigmoid)
        a = Activation(keras.backend.hard_sigmoid)
        """)
    assert [(f.line, f.kind) for f in findings] == [(2, "converted"), (3, "converted")]
    assert "relu6(x + 3)/6" in findings[0].message


def test_losses_are_renamed_in_lists_dicts_and_attributes() -> None:
    text, findings = run(Keras2Defaults, """\
        import keras
        model.compile(optimizer='sgd', loss=['logcosh', 'mse'], metrics=['accuracy'])
        other.compile('sgd', {'a': "kullback_leibler_divergence"})
        l = keras.losses.mean_squared_error(y, p)
        """)
    assert "loss=['log_cosh', 'mse']" in text
    assert "{'a': \"kl_divergence\"}" in text
    assert "keras.losses.mse(y, p)" in text
    assert findings == []


def test_defaults_written_only_where_the_call_leaves_them_out() -> None:
    text, _ = run(Keras2Defaults, """\
        from keras.layers import GRU, AveragePooling2D, LeakyReLU
        from keras.initializers import VarianceScaling
        g = GRU(4, reset_after=True)
        p = AveragePooling2D(strides=2)
        q = AveragePooling2D((3, 3))
        r = LeakyReLU(alpha=0.3)
        v = VarianceScaling(2.0, 'fan_in', 'normal')
        """)
    assert "GRU(4, reset_after=True)\n" in text
    assert "AveragePooling2D(pool_size=(2, 2), strides=2)" in text and "AveragePooling2D((3, 3))\n" in text
    assert "LeakyReLU(negative_slope=0.3)" in text
    assert "VarianceScaling(2.0, 'fan_in', 'truncated_normal')" in text


def test_keras3_code_keeps_keras3_defaults_and_says_so_once() -> None:
    source = """\
        import keras

        inputs = keras.Input((4, 3))
        x = keras.layers.GRU(4)(inputs)
        outputs = keras.layers.Dense(1, activation="hard_sigmoid")(keras.ops.tanh(x))
        model = keras.Model(inputs, outputs)
        model.compile("rmsprop", "logcosh")
        """
    text, findings = run(Keras2Defaults, source)
    assert text == textwrap.dedent(source)
    assert [(f.line, f.kind) for f in findings] == [(1, "converted")]
    assert findings[0].message.startswith("judged Keras 3 code (uses `keras.ops`")


def test_the_same_layers_in_keras2_code_get_keras2_defaults() -> None:
    text, _ = run(Keras2Defaults, "from keras.layers import GRU\nx = GRU(4)(inputs)\n")
    assert "GRU(4, reset_after=False)(inputs)" in text
