"""What a module tells statically about its Sequential models: the width of the last
layer (``Dense(10, activation='softmax')`` -> 10), found from ``m = Sequential([...])``
and ``m.add(...)`` calls on the same name. Used where Keras 2 decided at run time from
the output shape (``predict_classes``: argmax for several units, threshold for one).
"""

from __future__ import annotations

from collections.abc import Callable

import libcst as cst

from codemods.analysis.cst_tools import keyword, literal_value, nodes_of
from codemods.analysis.keras_calls import keras_path
from codemods.analysis.names import FastVisitor, walk

# Layers that keep the last dimension of their input.
_SHAPE_KEEPING = {
    "Activation", "Dropout", "GaussianNoise", "GaussianDropout", "AlphaDropout", "BatchNormalization",
    "ActivityRegularization", "LeakyReLU", "PReLU", "ELU", "ReLU", "Softmax", "ThresholdedReLU",
    "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D", "Masking", "LayerNormalization",
}
# Layers whose first argument (or ``units``/``filters``) is the output's last dimension.
_WIDTH_SETTING = {
    "Dense": "units", "LSTM": "units", "GRU": "units", "SimpleRNN": "units",
    "Conv1D": "filters", "Conv2D": "filters", "Conv3D": "filters",
    "Convolution1D": "filters", "Convolution2D": "filters", "Convolution3D": "filters",
}


class _Collect(FastVisitor):
    def __init__(self, resolve: Callable[[cst.BaseExpression], str | None]) -> None:
        self.resolve = resolve
        self.layers: dict[str, list[cst.BaseExpression] | None] = {}
        # name -> every assignment to it in the module is a Sequential(...) call
        self.sequential: dict[str, bool] = {}

    def visit_Assign(self, node: cst.Assign) -> None:
        if len(node.targets) != 1 or not isinstance(node.targets[0].target, cst.Name):
            return
        name = node.targets[0].target.value
        value = node.value
        is_sequential = isinstance(value, cst.Call) and keras_path(self.resolve(value.func)) == "models.Sequential"
        self.sequential[name] = self.sequential.get(name, True) and is_sequential
        if is_sequential:
            first = value.args[0].value if value.args and value.args[0].keyword is None else None
            layers: list[cst.BaseExpression] = []
            if isinstance(first, (cst.List, cst.Tuple)):
                layers = [e.value for e in first.elements]
            elif first is not None:
                self.layers[name] = None
                return
            self.layers[name] = None if name in self.layers else layers
        elif name in self.layers:
            self.layers[name] = None  # rebound to something else

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if (
            isinstance(func, cst.Attribute)
            and func.attr.value == "add"
            and isinstance(func.value, cst.Name)
            and self.layers.get(func.value.value) is not None
            and len(node.args) == 1
        ):
            self.layers[func.value.value].append(node.args[0].value)


class SequentialModels:
    def __init__(self, module: cst.Module, resolve: Callable[[cst.BaseExpression], str | None]) -> None:
        collector = _Collect(resolve)
        walk(module, collector)
        self._layers = collector.layers
        self._sequential = {name for name, always in collector.sequential.items() if always}
        self._resolve = resolve

    def is_sequential(self, name: str) -> bool:
        """Every assignment to ``name`` in the module is ``Sequential(...)``."""
        return name in self._sequential

    def output_width(self, name: str) -> int | None:
        """The last dimension of the Sequential model bound to ``name``, when every
        layer that decides it is written with a literal width."""
        layers = self._layers.get(name)
        if not layers:
            return None
        for layer in reversed(layers):
            if not isinstance(layer, cst.Call):
                return None
            path = keras_path(self._resolve(layer.func))
            if not path or not path.startswith("layers."):
                return None
            kind = path.split(".", 1)[1]
            if kind in _SHAPE_KEEPING:
                continue
            param = _WIDTH_SETTING.get(kind)
            if param is None:
                return None
            for index, arg in enumerate(layer.args):
                if keyword(arg) in (param, "output_dim", "nb_filter") or (index == 0 and arg.keyword is None):
                    value = literal_value(arg.value)
                    return value if isinstance(value, int) and not isinstance(value, bool) else None
            return None
        return None


_MODEL_FACTORIES = {"models.Sequential", "models.Model", "models.load_model", "models.model_from_json",
                    "models.model_from_yaml", "models.clone_model", "saving.load_model"}


def model_names(module: cst.Module, resolve: Callable[[cst.BaseExpression], str | None]) -> set[str]:
    """Names (and ``self.x`` attributes, as ``self.x``) assigned a Keras model somewhere
    in the module: ``Sequential(...)``, ``Model(...)``, ``load_model(...)``..."""
    found: set[str] = set()
    for node in nodes_of(module, cst.Assign):
        value = node.value
        if not isinstance(value, cst.Call) or keras_path(resolve(value.func)) not in _MODEL_FACTORIES:
            continue
        for target in node.targets:
            t = target.target
            if isinstance(t, cst.Name):
                found.add(t.value)
            elif isinstance(t, cst.Attribute) and isinstance(t.value, cst.Name):
                found.add(f"{t.value.value}.{t.attr.value}")
    return found
