"""K206 beyond its examples: where a layer's batch shape cannot move to an Input it is
reported (Keras 3 layers refuse it), and reset_states() is rewritten on models only."""

from __future__ import annotations

import textwrap

from codemods.keras.k206_stateful_rnn import StatefulRnn
from tests.codemods import run


def test_batch_size_with_input_dim_becomes_the_first_input_of_a_sequential_list() -> None:
    text, findings = run(StatefulRnn, """\
        from keras.models import Sequential
        from keras.layers import LSTM, Dense
        model = Sequential([LSTM(4, batch_size=2, input_dim=8, stateful=True), Dense(3)])
        """)
    assert "model = Sequential([keras.Input(batch_shape=(2,) + (8,)), LSTM(4, stateful=True), Dense(3)])" in text
    assert "from tensorflow import keras\n" in text and findings == []


def test_a_batch_shape_on_a_layer_called_functionally_is_reported_and_left() -> None:
    source = """\
        from keras.layers import LSTM, Input
        inp = Input((8, 1))
        x = LSTM(4, batch_input_shape=(2, 8, 1), stateful=True)(inp)
        """
    text, findings = run(StatefulRnn, source)
    assert text == textwrap.dedent(source)
    assert [(f.line, f.col, f.kind) for f in findings] == [(3, 4, "declined")]
    assert "which Keras 3 layers do not take" in findings[0].message


def test_a_batch_shape_on_a_later_layer_of_a_sequential_list_is_reported_and_left() -> None:
    source = """\
        from keras.models import Sequential
        from keras.layers import LSTM, Dense
        model = Sequential([Dense(3), LSTM(4, batch_size=2, input_shape=(8, 1))])
        """
    text, findings = run(StatefulRnn, source)
    assert text == textwrap.dedent(source)
    assert [(f.line, f.kind) for f in findings] == [(3, "declined")]


def test_input_layer_takes_batch_shape_under_its_keras3_name() -> None:
    text, findings = run(StatefulRnn, "from keras.layers import InputLayer\nx = InputLayer(batch_input_shape=(2, 8))\n")
    assert "InputLayer(batch_shape=(2, 8))" in text and findings == []


def test_reset_states_is_rewritten_on_models_only() -> None:
    text, _ = run(StatefulRnn, """\
        from keras.models import Sequential
        model = Sequential()
        model.reset_states()
        layer.reset_states()
        """)
    assert "for layer in model.layers:\n    if getattr(layer, 'stateful', False):\n        layer.reset_states()\n" in text
    assert text.endswith("        layer.reset_states()\nlayer.reset_states()\n")
