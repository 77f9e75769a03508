"""K306 beyond its examples: only names every assignment of which is a Sequential model are
rewritten; a name also bound to another model, and attributes, are left."""

from __future__ import annotations

from codemods.keras.k306_sequential_input_output import SequentialInputOutput
from tests.codemods import run


def test_a_name_also_bound_to_a_functional_model_is_left() -> None:
    source = "from keras.models import Sequential, Model\nmodel = Sequential()\nmodel = Model(a, b)\nx = model.input\n"
    assert run(SequentialInputOutput, source) == (source, [])


def test_sequential_models_assigned_in_several_places_are_rewritten_everywhere() -> None:
    text, findings = run(SequentialInputOutput, """\
        from tensorflow import keras
        def build():
            net = keras.Sequential()
            return net.input, net.output
        net = keras.models.Sequential([keras.layers.Dense(2)])
        shape = net.output.shape
        """)
    assert "return net.inputs[0], net.outputs[0]" in text and "shape = net.outputs[0].shape" in text
    assert findings == []


def test_attributes_and_unknown_names_are_left() -> None:
    source = "from keras.models import Sequential\ny = self.model.output\nz = other.input\n"
    assert run(SequentialInputOutput, source) == (source, [])
