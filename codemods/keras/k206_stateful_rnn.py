"""K206: fixed-batch (stateful) models -> Keras 3's ``Input(batch_shape=...)``, and
``model.reset_states()`` -> a loop over the layers.

Keras 2 layers took ``batch_input_shape=(batch, ...)`` (or ``batch_size=`` with
``input_shape=``/``input_dim=``) to fix the batch size stateful RNNs need; Keras 3
layers reject both: the batch shape belongs to an ``Input``.

* ``model.add(LSTM(4, batch_input_shape=(2, 8, 1), stateful=True))`` ->
  ``model.add(keras.Input(batch_shape=(2, 8, 1)))`` then ``model.add(LSTM(4, stateful=True))``;
* ``Sequential([LSTM(..., batch_input_shape=S), ...])`` -> ``Sequential([keras.Input(batch_shape=S), LSTM(...), ...])``;
* ``InputLayer(batch_input_shape=S)`` -> ``InputLayer(batch_shape=S)``.

Keras 3 models have no ``reset_states``; Keras 2's reset every stateful layer, which is
what the loop written in its place does. A layer given its batch shape anywhere else (a
functional call, a later element of ``Sequential([...])``) is reported and left as it was.
"""

from __future__ import annotations

import textwrap

import libcst as cst

from codemods.analysis.cst_tools import code, drop_args, find_kw, with_args
from codemods.analysis.keras_calls import KerasRefs, keras_path, may_use_keras
from codemods.analysis.keras_models import model_names
from codemods.base import Example, Rule


class StatefulRnn(Rule):
    code = "K206"
    keras3_keeps = "its stateful layers are Keras 3's and are left as they are"
    details = (
        "Keras 3 layers take no batch_input_shape/batch_size: the fixed batch shape of stateful "
        "RNNs moves to an Input added in front of the layer (Sequential.add or a Sequential list). "
        "Model.reset_states is gone: the loop resets every layer with stateful=True, as Keras 2 did."
    )
    examples = (
        Example(
            before=textwrap.dedent(
                """\
                from tensorflow import keras
                from tensorflow.keras.layers import LSTM

                model = keras.Sequential()
                model.add(LSTM(4, batch_input_shape=(2, 8, 1), stateful=True))
                model.reset_states()
                """
            ),
            after=textwrap.dedent(
                """\
                from tensorflow import keras
                from tensorflow.keras.layers import LSTM

                model = keras.Sequential()
                model.add(keras.Input(batch_shape=(2, 8, 1)))
                model.add(LSTM(4, stateful=True))
                for layer in model.layers:
                    if getattr(layer, 'stateful', False):
                        layer.reset_states()
                """
            ),
        ),
        Example(
            before=textwrap.dedent(
                """\
                from tensorflow import keras

                model = keras.Sequential([keras.Input(batch_shape=(2, 8, 1)), keras.layers.LSTM(4, stateful=True)])
                model.fit(x, y, batch_size=2)
                """
            ),
        ),
    )

    def rewrite(self, tree: cst.Module) -> cst.Module:
        if not may_use_keras(self.resolver):
            return tree
        self.refs = KerasRefs(self.resolver, self.context)
        self.models = model_names(tree, self.qualified_name)
        # layer calls that fix their batch shape, and those given an Input instead
        self._fixing: list[cst.Call] = []
        self._moved: set[int] = set()
        new = self.refs.apply(self.transformed(tree))
        for call in self._fixing:
            if id(call) not in self._moved:
                self.report(call, "a layer given its batch shape (`batch_input_shape=`, or `batch_size=` with "
                                  "`input_shape=`/`input_dim=`), which Keras 3 layers do not take; the model gets an "
                                  "`Input(batch_shape=...)` only for a layer passed to `model.add(...)` or first in "
                                  "`Sequential([...])`: left as it was")
        return new

    def _batch_shape(self, call: cst.Call, original: cst.Call) -> tuple[str, cst.Call] | None:
        """(batch shape code, the layer call without it) for a Keras layer call that fixes
        its batch shape (``original``: the same call in the tree the rule received)."""
        path = keras_path(self.qualified_name(original.func))
        if not path or not path.startswith("layers.") or path == "layers.InputLayer":
            return None
        shape = find_kw(call, "batch_input_shape")
        if shape is not None:
            return code(shape.value), drop_args(call, lambda a: a is shape)
        size = find_kw(call, "batch_size")
        if size is None:
            return None
        input_shape = find_kw(call, "input_shape")
        input_dim = find_kw(call, "input_dim")
        if input_shape is not None:
            rest = f"tuple({code(input_shape.value)})"
            drop = (size, input_shape)
        elif input_dim is not None:
            rest = f"({code(input_dim.value)},)"
            drop = (size, input_dim)
        else:
            return None
        return f"({code(size.value)},) + {rest}", drop_args(call, lambda a: any(a is d for d in drop))

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call):
        if self._batch_shape(original_node, original_node) is not None:
            self._fixing.append(original_node)
        path = keras_path(self.qualified_name(original_node.func))
        if path == "layers.InputLayer":
            shape = find_kw(updated_node, "batch_input_shape")
            if shape is not None:
                return with_args(updated_node, [a.with_changes(keyword=cst.Name("batch_shape")) if a is shape else a for a in updated_node.args])
        if path == "models.Sequential" and updated_node.args and isinstance(updated_node.args[0].value, cst.List):
            elements = list(updated_node.args[0].value.elements)
            original_list = original_node.args[0].value
            if elements and isinstance(elements[0].value, cst.Call) and isinstance(original_list, cst.List) and isinstance(original_list.elements[0].value, cst.Call):
                found = self._batch_shape(elements[0].value, original_list.elements[0].value)
                if found is not None:
                    self._moved.add(id(original_list.elements[0].value))
                    shape, layer = found
                    first = cst.Element(cst.parse_expression(f"{self.refs.ref('Input')}(batch_shape={shape})"), comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
                    elements = [first, elements[0].with_changes(value=layer), *elements[1:]]
                    new_list = updated_node.args[0].value.with_changes(elements=elements)
                    return updated_node.with_changes(args=[updated_node.args[0].with_changes(value=new_list), *updated_node.args[1:]])
        return updated_node

    def leave_SimpleStatementLine(self, original_node: cst.SimpleStatementLine, updated_node: cst.SimpleStatementLine):
        if len(updated_node.body) != 1 or not isinstance(updated_node.body[0], cst.Expr):
            return updated_node
        call = updated_node.body[0].value
        if not isinstance(call, cst.Call) or not isinstance(call.func, cst.Attribute):
            return updated_node
        method = call.func.attr.value
        receiver = code(call.func.value)
        if method == "reset_states" and not call.args and self._is_model_receiver(original_node.body[0].value.func.value):
            loop = cst.parse_statement(
                f"for layer in {receiver}.layers:\n    if getattr(layer, 'stateful', False):\n        layer.reset_states()\n"
            )
            return loop.with_changes(leading_lines=updated_node.leading_lines)
        original_call = original_node.body[0].value
        if method == "add" and len(call.args) == 1 and isinstance(call.args[0].value, cst.Call) and isinstance(original_call, cst.Call) and len(original_call.args) == 1 and isinstance(original_call.args[0].value, cst.Call):
            found = self._batch_shape(call.args[0].value, original_call.args[0].value)
            if found is None:
                return updated_node
            self._moved.add(id(original_call.args[0].value))
            shape, layer = found
            first = cst.parse_statement(f"{receiver}.add({self.refs.ref('Input')}(batch_shape={shape}))\n")
            second = updated_node.with_changes(
                body=[updated_node.body[0].with_changes(value=call.with_changes(args=[call.args[0].with_changes(value=layer)]))],
                leading_lines=(),
            )
            return cst.FlattenSentinel([first.with_changes(leading_lines=updated_node.leading_lines), second])
        return updated_node

    def _is_model_receiver(self, expr: cst.BaseExpression) -> bool:
        """``model.reset_states()`` on a name the module binds to a Keras model."""
        if isinstance(expr, cst.Name):
            return expr.value in self.models
        return isinstance(expr, cst.Attribute) and isinstance(expr.value, cst.Name) and (
            f"{expr.value.value}.{expr.attr.value}" in self.models or expr.attr.value == "model"
        )

