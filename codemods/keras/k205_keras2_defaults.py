"""K205: layer, initializer, activation and loss defaults Keras 3 changed, written out
with Keras 2's values (the table: ``codemods/analysis/keras_defaults.py``).

* ``GRU``/``GRUCell`` without ``reset_after`` -> ``reset_after=False`` (Keras 3: True,
  another cell with other weights);
* ``ConvLSTM2D`` without ``recurrent_activation`` -> Keras 2's hard sigmoid;
* the activation string ``'hard_sigmoid'`` -> ``K.hard_sigmoid`` (Keras 2's
  ``clip(0.2 * x + 0.5, 0, 1)``, still in ``tensorflow.keras.backend``; Keras 3's
  ``'hard_sigmoid'`` is ``relu6(x + 3) / 6``);
* ``VarianceScaling(distribution='normal')`` -> ``'truncated_normal'`` (what Keras 2's
  ``'normal'`` drew from);
* ``LeakyReLU(alpha=)`` -> ``negative_slope=``;
* ``AveragePooling1D/2D/3D()`` without ``pool_size`` -> Keras 2's default (Keras 3
  requires it);
* loss names Keras 3 dropped: strings ``'logcosh'``, ``'kullback_leibler_divergence'``,
  ``'cosine_proximity'``/``'cosine'`` and ``losses.mean_squared_error``-style
  functions -> their Keras 3 names (same values).

A file judged Keras 3 code (``codemods/analysis/evidence.py``) is left as it is, as by
every Keras rule (``Rule.keras3_keeps``): Keras 3's defaults are what it means.
"""

from __future__ import annotations

import textwrap

import libcst as cst

from codemods.analysis.cst_tools import find_kw, has_star, keyword, kwarg, literal_value, positional, with_args
from codemods.analysis.keras_calls import KerasRefs, keras_path, may_use_keras
from codemods.base import Example, Rule

_ACTIVATION_KEYWORDS = ("activation", "recurrent_activation")
_POOL_DEFAULTS = {
    "AveragePooling1D": "2", "AvgPool1D": "2",
    "AveragePooling2D": "(2, 2)", "AvgPool2D": "(2, 2)",
    "AveragePooling3D": "(2, 2, 2)", "AvgPool3D": "(2, 2, 2)",
}
# Loss strings Keras 3 no longer resolves -> the Keras 3 name of the same function.
LOSS_STRINGS = {
    "logcosh": "log_cosh",
    "kullback_leibler_divergence": "kl_divergence",
    "cosine_proximity": "cosine_similarity",
    "cosine": "cosine_similarity",
    "huber_loss": "huber",
}
# keras.losses / keras.metrics functions Keras 3 removed -> the Keras 3 function.
FUNCTIONS = {
    "mean_squared_error": "mse",
    "mean_absolute_error": "mae",
    "mean_absolute_percentage_error": "mape",
    "mean_squared_logarithmic_error": "msle",
    "cosine_proximity": "cosine_similarity",
    "cosine": "cosine_similarity",
    "huber_loss": "huber",
}


class Keras2Defaults(Rule):
    code = "K205"
    keras3_keeps = "its layer, activation and loss defaults are Keras 3's and are left as they are"
    details = (
        "GRU gets reset_after=False, ConvLSTM2D and the 'hard_sigmoid' activation string get "
        "Keras 2's hard sigmoid (clip(0.2x + 0.5, 0, 1), tensorflow.keras.backend.hard_sigmoid), "
        "VarianceScaling 'normal' -> 'truncated_normal', LeakyReLU alpha -> negative_slope, "
        "AveragePooling without pool_size gets Keras 2's default, loss names Keras 3 dropped get "
        "their Keras 3 names. A model saved with K.hard_sigmoid stores the name 'hard_sigmoid', "
        "which Keras 3 reloads as its own hard sigmoid: reported."
    )
    examples = (
        Example(
            before=textwrap.dedent(
                """\
                from tensorflow.keras import backend as K
                from tensorflow.keras.layers import GRU, LSTM, LeakyReLU

                gru = GRU(32)
                lstm = LSTM(32, recurrent_activation='hard_sigmoid')
                act = LeakyReLU(alpha=0.1)
                model.compile(loss='logcosh', optimizer='sgd')
                """
            ),
            after=textwrap.dedent(
                """\
                from tensorflow.keras import backend as K
                from tensorflow.keras.layers import GRU, LSTM, LeakyReLU

                gru = GRU(32, reset_after=False)
                lstm = LSTM(32, recurrent_activation=K.hard_sigmoid)
                act = LeakyReLU(negative_slope=0.1)
                model.compile(loss='log_cosh', optimizer='sgd')
                """
            ),
        ),
        Example(
            before=textwrap.dedent(
                """\
                from tensorflow.keras.layers import GRU, LSTM

                gru = GRU(32, reset_after=True)
                lstm = LSTM(32, recurrent_activation='sigmoid')
                """
            ),
        ),
    )

    def rewrite(self, tree: cst.Module) -> cst.Module:
        if not may_use_keras(self.resolver):
            return tree
        self.refs = KerasRefs(self.resolver, self.context)
        return self.refs.apply(self.transformed(tree))

    def _hard_sigmoid(self) -> cst.BaseExpression:
        return cst.parse_expression(self.refs.ref("backend.hard_sigmoid"))

    def leave_Attribute(self, original_node: cst.Attribute, updated_node: cst.Attribute):
        path = keras_path(self.qualified_name(original_node))
        if path and path.count(".") == 1:
            area, name = path.split(".")
            if area in ("losses", "metrics") and name in FUNCTIONS:
                return updated_node.with_changes(attr=cst.Name(FUNCTIONS[name]))
        return updated_node

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call):
        if has_star(updated_node):
            return updated_node
        func = original_node.func
        if isinstance(func, cst.Attribute) and func.attr.value == "compile":
            resolved = self.qualified_name(func)
            return self._compile(updated_node) if resolved is None or keras_path(resolved) else updated_node
        path = keras_path(self.qualified_name(func))
        if not path:
            return updated_node
        area, _, name = path.partition(".")
        call = updated_node
        if area == "layers":
            call = self._activations(original_node, call, name)
            if name in ("GRU", "GRUCell") and find_kw(call, "reset_after") is None:
                call = with_args(call, [*call.args, kwarg("reset_after", "False")])
            elif name in ("ConvLSTM2D", "ConvLSTM2DCell") and find_kw(call, "recurrent_activation") is None:
                call = with_args(call, [*call.args, kwarg("recurrent_activation", self._hard_sigmoid())])
            elif name == "LeakyReLU":
                alpha = find_kw(call, "alpha")
                if alpha is not None and find_kw(call, "negative_slope") is None:
                    call = with_args(call, [a.with_changes(keyword=cst.Name("negative_slope")) if a is alpha else a for a in call.args])
            elif name in _POOL_DEFAULTS and not positional(call) and find_kw(call, "pool_size") is None:
                call = with_args(call, [kwarg("pool_size", _POOL_DEFAULTS[name]), *call.args]) if call.args else call.with_changes(args=[kwarg("pool_size", _POOL_DEFAULTS[name])])
        elif path == "initializers.VarianceScaling":
            dist = find_kw(call, "distribution")
            pos = positional(call)
            if dist is None and len(pos) >= 3:
                dist = pos[2]
            if dist is not None and literal_value(dist.value) == "normal":
                call = with_args(call, [a.with_changes(value=_string_like(a.value, "truncated_normal")) if a is dist else a for a in call.args])
        return call

    def _activations(self, original: cst.Call, call: cst.Call, name: str) -> cst.Call:
        targets = [a for a in call.args if keyword(a) in _ACTIVATION_KEYWORDS]
        if name == "Activation":
            pos = positional(call)
            targets += pos[:1]
        changed = False
        args = []
        for arg in call.args:
            if any(arg is t for t in targets) and literal_value(arg.value) == "hard_sigmoid":
                arg = arg.with_changes(value=self._hard_sigmoid())
                changed = True
            args.append(arg)
        if not changed:
            return call
        self.report(original, "'hard_sigmoid' -> Keras 2's clip(0.2*x + 0.5, 0, 1) (Keras 3's 'hard_sigmoid' is relu6(x + 3)/6); a saved model stores the name and reloads Keras 3's", "converted")
        return call.with_changes(args=args)

    def _compile(self, call: cst.Call) -> cst.Call:
        loss = find_kw(call, "loss")
        if loss is None:
            pos = positional(call)
            loss = pos[1] if len(pos) > 1 else None
        if loss is None:
            return call
        new_value = _rename_losses(loss.value)
        if new_value is loss.value:
            return call
        return call.with_changes(args=[a.with_changes(value=new_value) if a is loss else a for a in call.args])


def _string_like(original: cst.BaseExpression, value: str) -> cst.SimpleString:
    quote = original.quote if isinstance(original, cst.SimpleString) else "'"
    return cst.SimpleString(f"{quote}{value}{quote}")


def _rename_losses(expr: cst.BaseExpression) -> cst.BaseExpression:
    value = literal_value(expr)
    if isinstance(value, str) and value in LOSS_STRINGS:
        return _string_like(expr, LOSS_STRINGS[value])
    if isinstance(expr, (cst.List, cst.Tuple)):
        elements = [e.with_changes(value=_rename_losses(e.value)) for e in expr.elements]
        if any(a.value is not b.value for a, b in zip(elements, expr.elements)):
            return expr.with_changes(elements=elements)
    if isinstance(expr, cst.Dict):
        elements = [
            e.with_changes(value=_rename_losses(e.value)) if isinstance(e, cst.DictElement) else e
            for e in expr.elements
        ]
        if any(getattr(a, "value", None) is not getattr(b, "value", None) for a, b in zip(elements, expr.elements)):
            return expr.with_changes(elements=elements)
    return expr
