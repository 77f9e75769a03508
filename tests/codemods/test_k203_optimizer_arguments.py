"""K203 beyond its examples: Keras 3 code keeps Keras 3's optimizers (issue 18)."""

from __future__ import annotations

import textwrap

from codemods.keras.k203_optimizer_arguments import OptimizerArguments
from migrator.engine import migrate_source


def migrate(source: str) -> tuple[str, list]:
    result = migrate_source(textwrap.dedent(source).encode(), "m.py", [OptimizerArguments])
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
