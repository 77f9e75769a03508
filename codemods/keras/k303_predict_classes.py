"""K303: ``Sequential.predict_classes`` / ``predict_proba`` (removed in Keras 3) ->
``predict`` plus what Keras 2.3.1 computed from it.

Keras 2.3.1::

    def predict_classes(self, x, batch_size=32, verbose=0):
        proba = self.predict(x, batch_size=batch_size, verbose=verbose)
        if proba.shape[-1] > 1:
            return proba.argmax(axis=-1)
        else:
            return (proba > 0.5).astype('int32')

    def predict_proba(self, x, batch_size=32, verbose=0):
        preds = self.predict(x, batch_size, verbose)
        ...  # a warning when preds are outside [0, 1]
        return preds

When the model is a ``Sequential`` built in the same module with a literal width for
its last layer, the branch is chosen statically; otherwise both branches are kept,
with the predictions bound once by an assignment expression. ``verbose=0`` (the
Keras 2 default; Keras 3's ``predict`` shows a progress bar) is written out.
"""

from __future__ import annotations

import textwrap

import libcst as cst

from codemods.analysis.cst_tools import code, keyword, kwarg, with_args
from codemods.analysis.keras_calls import may_use_keras
from codemods.analysis.keras_models import SequentialModels
from codemods.base import Example, Rule


class PredictClasses(Rule):
    code = "K303"
    keras3_keeps = "its predict calls are left as they are"
    details = (
        "predict_classes returned proba.argmax(axis=-1) for several output units and "
        "(proba > 0.5).astype('int32') for one; the width is read from a Sequential model built "
        "in the same module, else both branches are kept around one predict call. "
        "predict_proba was predict. verbose=0 (Keras 2's default for both) is written out."
    )
    examples = (
        Example(
            before=textwrap.dedent(
                """\
                from tensorflow.keras.models import Sequential
                from tensorflow.keras.layers import Dense

                model = Sequential()
                model.add(Dense(3, activation='softmax', input_dim=4))
                classes = model.predict_classes(x_test)
                proba = model.predict_proba(x_test, batch_size=16)
                """
            ),
            after=textwrap.dedent(
                """\
                from tensorflow.keras.models import Sequential
                from tensorflow.keras.layers import Dense

                model = Sequential()
                model.add(Dense(3, activation='softmax', input_dim=4))
                classes = model.predict(x_test, verbose=0).argmax(axis=-1)
                proba = model.predict(x_test, batch_size=16, verbose=0)
                """
            ),
        ),
        Example(
            before=textwrap.dedent(
                """\
                from tensorflow.keras.models import Sequential

                classes = model.predict(x_test).argmax(axis=-1)
                """
            ),
        ),
    )

    def rewrite(self, tree: cst.Module) -> cst.Module:
        if not may_use_keras(self.resolver):
            return tree
        self.models = SequentialModels(tree, self.qualified_name)
        return self.transformed(tree)

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call):
        func = updated_node.func
        if not isinstance(func, cst.Attribute) or func.attr.value not in ("predict_classes", "predict_proba"):
            return updated_node
        if any(a.star for a in updated_node.args) or not updated_node.args:
            return updated_node
        predict = updated_node.with_changes(func=func.with_changes(attr=cst.Name("predict")))
        if not any(keyword(a) == "verbose" for a in predict.args) and len([a for a in predict.args if a.keyword is None]) < 3:
            predict = with_args(predict, [*predict.args, kwarg("verbose", "0")])
        if func.attr.value == "predict_proba":
            return predict
        predicted = code(predict)
        receiver = func.value
        width = self.models.output_width(receiver.value) if isinstance(receiver, cst.Name) else None
        if width is not None and width > 1:
            return cst.parse_expression(f"{predicted}.argmax(axis=-1)")
        if width == 1:
            return cst.parse_expression(f"({predicted} > 0.5).astype('int32')")
        name = self._free_name("proba")
        self.report(original_node, "the model's output width is not known here: both of Keras 2's branches kept (argmax for several units, > 0.5 for one)", "converted")
        return cst.parse_expression(
            f"({name}.argmax(axis=-1) if ({name} := {predicted}).shape[-1] > 1 else ({name} > 0.5).astype('int32'))"
        )

    def _free_name(self, base: str) -> str:
        name = base
        index = 1
        while self.resolver.is_bound_anywhere(name):
            index += 1
            name = f"{base}{index}"
        return name
