"""K306: ``<Sequential>.input`` / ``.output`` -> ``.inputs[0]`` / ``.outputs[0]``.

Keras 2's ``Sequential`` was a functional model with ``input`` and ``output``
attributes (the FAQ's feature extractor: ``Model(model.input, model.layers[-2].output)``,
``K.function([model.input], ...)``). Keras 3's ``Sequential`` only has ``inputs`` and
``outputs``; ``model.input`` raises "The layer sequential has never been called". A
Sequential model has exactly one of each, so the first element is the same tensor.
Applies to names every assignment of which in the module is ``Sequential(...)``.
"""

from __future__ import annotations

import textwrap

import libcst as cst

from codemods.analysis.keras_calls import may_use_keras
from codemods.analysis.keras_models import SequentialModels
from codemods.base import Example, Rule

_PLURAL = {"input": "inputs", "output": "outputs"}


class SequentialInputOutput(Rule):
    code = "K306"
    keras3_keeps = "its Sequential models' `input`/`output` are Keras 3's and are left as they are"
    details = (
        "Keras 3's Sequential has inputs/outputs lists but no input/output attributes; a "
        "Sequential model has one of each. Only names bound to Sequential(...) in the module."
    )
    examples = (
        Example(
            before=textwrap.dedent(
                """\
                from tensorflow.keras.models import Model, Sequential

                model = Sequential()
                features = Model(inputs=model.input, outputs=model.layers[-2].output)
                print(model.output.shape)
                """
            ),
            after=textwrap.dedent(
                """\
                from tensorflow.keras.models import Model, Sequential

                model = Sequential()
                features = Model(inputs=model.inputs[0], outputs=model.layers[-2].output)
                print(model.outputs[0].shape)
                """
            ),
        ),
        Example(
            before=textwrap.dedent(
                """\
                from tensorflow.keras.models import Model

                model = Model(inputs, outputs)
                features = Model(inputs=model.input, outputs=model.layers[-2].output)
                """
            ),
        ),
    )

    def rewrite(self, tree: cst.Module) -> cst.Module:
        if not may_use_keras(self.resolver):
            return tree
        self.models = SequentialModels(tree, self.qualified_name)
        return self.transformed(tree)

    def leave_Attribute(self, original_node: cst.Attribute, updated_node: cst.Attribute):
        plural = _PLURAL.get(original_node.attr.value)
        receiver = original_node.value
        if plural is None or not isinstance(receiver, cst.Name) or not self.models.is_sequential(receiver.value):
            return updated_node
        return cst.Subscript(
            value=updated_node.with_changes(attr=cst.Name(plural)),
            slice=[cst.SubscriptElement(cst.Index(cst.Integer("0")))],
        )
