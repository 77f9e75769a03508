"""K207: NumPy integers passed as layer sizes -> ``int(...)``.

Keras 2 (and TF 1.15's tf.keras) converted a layer's size with ``int()``, so generative
models wrote ``Dense(np.prod(self.img_shape))`` and classifiers ``Dense(np.max(y) + 1)``.
Keras 3 checks ``isinstance(units, int)`` and refuses a NumPy integer ("Received an
invalid value for `units`, expected a positive integer. Received: units=784"). The
argument is wrapped in ``int()``, which is what Keras 2 did with it, only where the value
comes from NumPy: a call resolved to ``numpy`` (through the imports), arithmetic on one,
or a name bound once in its scope to such a value. Code that already passes Python ints
(Keras 3 code included) is left as it is.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

import libcst as cst

from codemods.analysis.cst_tools import code, keyword
from codemods.analysis.keras_calls import keras_path
from codemods.base import Example, Rule

# Size arguments Keras 3 requires as Python ints: (position, keyword) per layer.
_UNITS = ((0, "units"),)
SIZE_ARGUMENTS: dict[str, tuple[tuple[int, str], ...]] = {
    **{f"layers.{name}": _UNITS for name in (
        "Dense", "LSTM", "GRU", "SimpleRNN", "LSTMCell", "GRUCell", "SimpleRNNCell", "ConvLSTM2D",
    )},
    **{f"layers.{name}": ((0, "filters"),) for name in (
        "Conv1D", "Conv2D", "Conv3D", "Conv2DTranspose", "Conv3DTranspose", "SeparableConv1D",
        "SeparableConv2D", "Convolution1D", "Convolution2D", "Convolution3D", "Deconvolution2D",
    )},
    "layers.Embedding": ((0, "input_dim"), (1, "output_dim")),
    "layers.RepeatVector": ((0, "n"),),
}
# How far a name is followed back to the value bound to it.
_MAX_HOPS = 3


class IntegerArguments(Rule):
    code = "K207"
    keras3_keeps = "its layer sizes are left as they are"
    details = (
        "Keras 2 converted units/filters/input_dim/output_dim with int(); Keras 3 accepts only Python "
        "ints and raises 'expected a positive integer' for numpy.int64. Wrapped: calls resolved to "
        "numpy (np.prod, np.max, ...), arithmetic on them, and names bound once in their scope to such "
        "a value. Other expressions are left alone."
    )
    examples = (
        Example(
            before=textwrap.dedent(
                """\
                import numpy as np
                from keras.layers import Dense, Embedding

                img_shape = (28, 28, 1)
                num_classes = np.max(labels) + 1
                hidden = Dense(np.prod(img_shape), activation="tanh")
                output = Dense(num_classes, activation="softmax")
                embed = Embedding(input_dim=np.amax(tokens) + 1, output_dim=16)
                """
            ),
            after=textwrap.dedent(
                """\
                import numpy as np
                from keras.layers import Dense, Embedding

                img_shape = (28, 28, 1)
                num_classes = np.max(labels) + 1
                hidden = Dense(int(np.prod(img_shape)), activation="tanh")
                output = Dense(int(num_classes), activation="softmax")
                embed = Embedding(input_dim=int(np.amax(tokens) + 1), output_dim=16)
                """
            ),
        ),
        Example(
            before=textwrap.dedent(
                """\
                import numpy as np
                import keras

                units = int(np.prod((7, 7, 64)))
                layer = keras.layers.Dense(units)
                wide = keras.layers.Dense(x_train.shape[1] * 2)
                """
            ),
        ),
    )

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.Call:
        sizes = SIZE_ARGUMENTS.get(keras_path(self.qualified_name(original_node.func)) or "")
        if not sizes or len(updated_node.args) != len(original_node.args):
            return updated_node
        args = list(updated_node.args)
        for index in _size_indexes(original_node.args, sizes):
            value = original_node.args[index].value
            if self._from_numpy(value, _MAX_HOPS):
                args[index] = args[index].with_changes(
                    value=cst.Call(func=cst.Name("int"), args=[cst.Arg(args[index].value)])
                )
                self.report(value, f"`{code(value)}` is a NumPy integer, which Keras 3 refuses as a layer size; "
                                   "converted with int() as Keras 2 did", kind="converted")
        return updated_node.with_changes(args=args)

    def _from_numpy(self, expr: cst.BaseExpression, hops: int) -> bool:
        if isinstance(expr, cst.Call):
            return (self.qualified_name(expr.func) or "").startswith("numpy.")
        if isinstance(expr, cst.BinaryOperation):
            return self._from_numpy(expr.left, hops) or self._from_numpy(expr.right, hops)
        if isinstance(expr, cst.UnaryOperation):
            return self._from_numpy(expr.expression, hops)
        if isinstance(expr, cst.Name) and hops > 0:
            value = self.resolver.assigned_value(expr)
            return value is not None and self._from_numpy(value, hops - 1)
        return False


def _size_indexes(args: Sequence[cst.Arg], sizes: tuple[tuple[int, str], ...]) -> list[int]:
    """Indexes in ``args`` of the size arguments, given by position or keyword."""
    found = []
    for position, name in sizes:
        for index, arg in enumerate(args):
            by_position = arg.keyword is None and arg.star == "" and index == position
            if by_position or keyword(arg) == name:
                found.append(index)
    return found
