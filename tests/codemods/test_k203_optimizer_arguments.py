"""K203 beyond its examples: Keras 3 code keeps Keras 3's optimizers (issue 18)."""

from __future__ import annotations

import textwrap

from codemods.keras.k203_optimizer_arguments import OptimizerArguments
from migrator.engine import migrate_source


def migrate(source: str) -> tuple[str, list]:
    result = migrate_source(textwrap.dedent(source).encode(), "m.py", [OptimizerArguments])
    assert result.error is None, result.error
    return result.new_bytes.decode(), result.findings


def test_an_optimizer_string_in_keras3_code_is_left_alone() -> None:
    source = textwrap.dedent(
        """\
        import keras

        inputs = keras.Input((4,))
        outputs = keras.layers.Dense(1)(keras.ops.tanh(inputs))
        model = keras.Model(inputs, outputs)
        model.compile("rmsprop", "mse")
        """
    )
    text, findings = migrate(source)
    assert text == source
    assert [f.line for f in findings] == [1] and "judged Keras 3 code" in findings[0].message


def test_the_same_string_in_keras2_code_gets_keras2_defaults() -> None:
    source = "from keras.layers.core import Dense\nmodel.compile('rmsprop', 'mse')\n"
    text, _ = migrate(source)
    assert "RMSprop(epsilon=1e-14)" in text


def test_tf1_optimizers_given_to_compile_become_keras_optimizers() -> None:
    text, findings = migrate(
        """\
        import tensorflow.compat.v1 as tf
        import keras

        model.compile(tf.train.AdagradOptimizer(0.1), 'mse')
        model.compile(loss='mse', optimizer=tf.train.RMSPropOptimizer(0.01, decay=0.8))
        """
    )
    assert "model.compile(keras.optimizers.Adagrad(learning_rate=0.1, initial_accumulator_value=0.1, epsilon=0.0), 'mse')" in text
    assert "optimizer=keras.optimizers.RMSprop(learning_rate=0.01, rho=0.8, epsilon=1e-10)" in text
    adagrad, rmsprop = findings
    assert "initial_accumulator_value=0.1, epsilon=0.0" in adagrad.message and adagrad.kind == "converted"
    assert "started its accumulator at 1.0" in rmsprop.message


def test_a_tf1_optimizer_name_reaches_compile_only_if_nothing_else_uses_it() -> None:
    source = textwrap.dedent(
        """\
        import tensorflow as tf

        model = tf.keras.Sequential()
        opt = tf.train.AdamOptimizer(0.01)
        model.compile(optimizer=opt, loss='mse')
        if retrain:
            opt = tf.train.AdamOptimizer(0.001)
        other.compile(optimizer=opt, loss='mse')
        sgd = tf.train.GradientDescentOptimizer(0.1)
        model.compile(optimizer=sgd, loss='mse')
        print(sgd.get_name())
        momentum = tf.train.MomentumOptimizer(0.1, 0.9)
        train_step = momentum.minimize(loss)
        """
    )
    text, findings = migrate(source)
    assert text == source and findings == []


def test_a_tf1_optimizer_with_an_argument_it_does_not_take_is_reported() -> None:
    source = "import tensorflow as tf\nmodel = tf.keras.Sequential()\nmodel.compile(optimizer=tf.train.AdamOptimizer(0.01, momentum=0.9))\n"
    text, findings = migrate(source)
    assert text == source and "momentum" in findings[0].message


def test_one_optimizer_object_compiled_twice_is_built_for_both_or_copied() -> None:
    text, findings = migrate(
        """\
        from keras.optimizers import Adam

        def build(d, g, combined):
            opt = Adam(0.0002, 0.5)
            d.compile(loss='mse', optimizer=opt)
            g.compile(loss='mse', optimizer=Adam(0.0002, 0.5))
            combined.compile('mse', optimizer=opt)
            if retrain:
                combined.compile(opt, 'mse')

        def other(model):
            opt = Adam(0.001)
            model.compile(loss='mse', optimizer=opt)
            model2.compile(loss='mse', optimizer=opt)
        """
    )
    # Compiles in one block: one optimizer built for every model's weights (Keras 2's shared
    # step counter); in different blocks: a copy per model after the first.
    assert "model2.compile(loss='mse', optimizer=opt)\n    opt.build(model.weights + model2.weights)\n" in text
    assert text.count("opt.from_config(opt.get_config())") == 2 and "opt.build(d." not in text
    assert sum("compiled into" in f.message for f in findings) == 3


def test_models_built_together_sharing_an_optimizer_are_reported_as_possibly_sharing_weights() -> None:
    # CoGAN: two discriminators over shared layers, one optimizer; Keras 2 kept their moments apart.
    text, findings = migrate(
        """\
        from keras.optimizers import Adam

        class CoGAN:
            def __init__(self):
                optimizer = Adam(0.0002, 0.5)
                self.d1, self.d2 = self.build_discriminators()
                self.d1.compile(loss='binary_crossentropy', optimizer=optimizer)
                self.d2.compile(loss='binary_crossentropy', optimizer=optimizer)
        """
    )
    assert "optimizer.build(self.d1.weights + self.d2.weights)" in text
    declined = [f for f in findings if f.kind == "declined"]
    assert len(declined) == 1 and "`self.d1` and `self.d2` are built together" in declined[0].message
