"""K202 beyond its examples: metrics of models with several outputs."""

from __future__ import annotations

import textwrap

from codemods.keras.k202_training_api import TrainingApi
from migrator.engine import migrate_source

KERAS2 = "from keras.layers.advanced_activations import LeakyReLU\n"


def migrate(source: str) -> tuple[str, list]:
    result = migrate_source(textwrap.dedent(source).encode(), "m.py", [TrainingApi])
    assert result.error is None, result.error
    return result.new_bytes.decode(), result.findings


def test_a_flat_metrics_list_is_computed_on_every_output_as_keras2_did() -> None:
    text, findings = migrate(KERAS2 + textwrap.dedent(
        """\
        class GAN:
            def __init__(self):
                losses = ['mse', 'binary_crossentropy', 'categorical_crossentropy']
                self.d.compile(loss=losses, optimizer='adam', metrics=['accuracy', 'mae'])
                self.g.compile(loss=['mse', 'mae'], optimizer='adam')
                self.c.compile('adam', ['mse', 'mae'], metrics=['mae', 'mse'])
        """
    ))
    assert "metrics=[['accuracy', 'mae'], ['accuracy', 'mae'], ['accuracy', 'mae']])" in text
    assert "metrics=[['mae', 'mse'], ['mae', 'mse']])" in text
    assert [f.kind for f in findings] == ["converted", "converted"]


def test_one_output_per_metric_without_keras2_evidence_is_reported() -> None:
    source = "import keras\nmodel.compile(loss=['mse', 'mae'], optimizer='adam', metrics=['mae', 'mse'])\n"
    text, findings = migrate(source)
    assert text == source and "nothing here shows which Keras" in findings[0].message


def test_keras3_code_and_per_output_lists_are_left_alone() -> None:
    for source in (
        "import keras\nx = keras.ops.ones(3)\nmodel.compile(loss=['mse', 'mae'], optimizer='adam', metrics=['mae'])\n",
        KERAS2 + "model.compile(loss=['mse', 'mae'], optimizer='adam', metrics=[['mae'], ['mse']])\n",
        KERAS2 + "losses = ['mse']\nlosses = ['mse', 'mae']\nmodel.compile(loss=losses, metrics=['mae'])\n",
    ):
        text, findings = migrate(source)
        assert text == source and findings == []


def test_tf1_tf_keras_code_reading_acc_keys_names_the_metric_acc() -> None:
    # TF 1.15's tf.keras logged metrics=['accuracy'] as 'acc'; Keras 3 as 'accuracy'.
    source = textwrap.dedent(
        """\
        import tensorflow as tf
        from tensorflow import keras

        x = tf.placeholder(tf.float32)
        model.compile(optimizer='sgd', loss='mse', metrics=['accuracy'])
        history = model.fit(x_train, y_train)
        print(history.history['val_acc'])
        """
    )
    text, findings = migrate(source)
    assert "metrics=['acc'])" in text and findings[0].kind == "converted"
    # Standalone Keras 2.3 already logged 'accuracy'; TF 2 code and code not reading the key stay.
    for unchanged in (
        source.replace("from tensorflow import keras", "import keras"),
        source.replace("x = tf.placeholder(tf.float32)", "x = tf.constant(1.0)"),
        source.replace("'val_acc'", "'val_accuracy'"),
    ):
        assert migrate(unchanged)[0] == unchanged
