"""K201: Keras 1 layer names and arguments -> the Keras 2 spelling Keras 3 accepts.

Keras 2.3.1 still ran Keras 1 code through its ``keras.legacy.interfaces`` converters
(``Convolution2D(32, 3, 3, border_mode='same', init='he_normal')`` worked, with a
warning); Keras 3 has no such layer and rejects the keywords. The tables below are those
converters, so the rewrite does what Keras 2.3.1 did at run time:

* keyword renames (``output_dim`` -> ``units``, ``init`` -> ``kernel_initializer``,
  ``border_mode`` -> ``padding``, ``subsample`` -> ``strides``, ``W_regularizer`` ->
  ``kernel_regularizer``, ``nb_filter`` -> ``filters``, ``pool_length`` -> ``pool_size``,
  ``p`` -> ``rate``, ``inner_activation`` -> ``recurrent_activation`` ...);
* value renames (``dim_ordering='th'`` -> ``data_format='channels_first'``,
  ``consume_less='gpu'`` -> ``implementation=2``);
* ``Convolution2D(32, 3, 3)`` -> ``Conv2D(32, (3, 3))`` (also ``nb_row=``/``nb_col=``),
  3D likewise; ``input_dim``/``input_length`` of recurrent and 1D convolution layers ->
  ``input_shape``; ``Model(input=, output=)`` -> ``Model(inputs=, outputs=)``;
* Keras 1 class names -> Keras 2 ones (``Convolution2D`` -> ``Conv2D``,
  ``Deconvolution2D`` -> ``Conv2DTranspose``, ``AtrousConvolution2D`` -> ``Conv2D`` with
  ``dilation_rate``), imports included.

Arguments Keras 2.3.1 itself ignored (``Embedding(dropout=)``, ``forget_bias_init``
other than ``'one'``, ``Deconvolution2D(output_shape=)``, ``BatchNormalization(mode=0)``)
are dropped and reported.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field

import libcst as cst

from codemods.analysis.cst_tools import (
    NOT_LITERAL,
    as_keyword,
    drop_args,
    find_kw,
    has_star,
    keyword,
    kwarg,
    literal_value,
    positional,
    with_args,
)
from codemods.analysis.keras_calls import keras_path
from codemods.analysis.names import dotted_name
from codemods.base import Example, Rule

_W_B = (
    ("init", "kernel_initializer"),
    ("W_regularizer", "kernel_regularizer"),
    ("b_regularizer", "bias_regularizer"),
    ("W_constraint", "kernel_constraint"),
    ("b_constraint", "bias_constraint"),
    ("bias", "use_bias"),
)
_DIM_ORDERING = {"dim_ordering": {"tf": "channels_last", "th": "channels_first", "default": None}}
_CONV_ND = (
    ("nb_filter", "filters"),
    ("subsample", "strides"),
    ("border_mode", "padding"),
    ("dim_ordering", "data_format"),
    *_W_B,
)
_RECURRENT = (
    ("output_dim", "units"),
    ("init", "kernel_initializer"),
    ("inner_init", "recurrent_initializer"),
    ("inner_activation", "recurrent_activation"),
    ("W_regularizer", "kernel_regularizer"),
    ("b_regularizer", "bias_regularizer"),
    ("U_regularizer", "recurrent_regularizer"),
    ("dropout_W", "dropout"),
    ("dropout_U", "recurrent_dropout"),
    ("consume_less", "implementation"),
)


@dataclass(frozen=True)
class LayerSpec:
    """Keras 2.3.1's legacy converter for one layer class."""

    conversions: tuple[tuple[str, str], ...] = ()
    values: dict[str, dict[object, object]] = field(default_factory=dict)
    # Extra handling: "conv1d", "conv2d", "conv3d", "recurrent", "embedding", "batchnorm",
    # "separable", "deconv", "atrous".
    kind: str | None = None


_POOL2D = LayerSpec((("border_mode", "padding"), ("dim_ordering", "data_format")), _DIM_ORDERING)
_POOL1D = LayerSpec((("pool_length", "pool_size"), ("stride", "strides"), ("border_mode", "padding")))
_GLOBAL = LayerSpec((("dim_ordering", "data_format"),), _DIM_ORDERING)
_DIMS = LayerSpec((("dim_ordering", "data_format"),), _DIM_ORDERING)
_CONV2D = LayerSpec(_CONV_ND, _DIM_ORDERING, "conv2d")
_DECONV = LayerSpec(_CONV_ND, _DIM_ORDERING, "deconv")
_RECURRENT_SPEC = LayerSpec(_RECURRENT, {"consume_less": {"cpu": 0, "mem": 1, "gpu": 2}}, "recurrent")

LAYERS: dict[str, LayerSpec] = {
    "Dense": LayerSpec((("output_dim", "units"), *_W_B)),
    "Dropout": LayerSpec((("p", "rate"),)),
    "GaussianDropout": LayerSpec((("p", "rate"),)),
    "SpatialDropout1D": LayerSpec((("p", "rate"),)),
    "SpatialDropout2D": LayerSpec((("p", "rate"), ("dim_ordering", "data_format")), _DIM_ORDERING),
    "SpatialDropout3D": LayerSpec((("p", "rate"), ("dim_ordering", "data_format")), _DIM_ORDERING),
    "GaussianNoise": LayerSpec((("sigma", "stddev"),)),
    "Embedding": LayerSpec(
        (("init", "embeddings_initializer"), ("W_regularizer", "embeddings_regularizer"),
         ("W_constraint", "embeddings_constraint")),
        kind="embedding",
    ),
    "PReLU": LayerSpec((("init", "alpha_initializer"),)),
    "MaxPooling1D": _POOL1D, "AveragePooling1D": _POOL1D, "MaxPool1D": _POOL1D, "AvgPool1D": _POOL1D,
    "MaxPooling2D": _POOL2D, "AveragePooling2D": _POOL2D, "MaxPool2D": _POOL2D, "AvgPool2D": _POOL2D,
    "MaxPooling3D": _POOL2D, "AveragePooling3D": _POOL2D, "MaxPool3D": _POOL2D, "AvgPool3D": _POOL2D,
    **{
        f"Global{kind}Pool{suffix}{d}D": _GLOBAL
        for kind in ("Max", "Average", "Avg")
        for suffix in ("ing", "")
        for d in (1, 2, 3)
        if not (kind == "Avg" and suffix == "ing")
    },
    "UpSampling1D": LayerSpec((("length", "size"),)),
    "UpSampling2D": _DIMS, "UpSampling3D": _DIMS,
    "ZeroPadding2D": _DIMS, "ZeroPadding3D": _DIMS, "Cropping2D": _DIMS, "Cropping3D": _DIMS,
    "SimpleRNN": _RECURRENT_SPEC, "GRU": _RECURRENT_SPEC, "LSTM": _RECURRENT_SPEC,
    "Conv1D": LayerSpec(
        (("nb_filter", "filters"), ("filter_length", "kernel_size"), ("subsample_length", "strides"),
         ("border_mode", "padding"), *_W_B),
        kind="conv1d",
    ),
    "Conv2D": _CONV2D,
    "Conv3D": LayerSpec(_CONV_ND, _DIM_ORDERING, "conv3d"),
    "SeparableConv2D": LayerSpec(
        (("nb_filter", "filters"), ("subsample", "strides"), ("border_mode", "padding"),
         ("dim_ordering", "data_format"), ("b_regularizer", "bias_regularizer"),
         ("b_constraint", "bias_constraint"), ("bias", "use_bias")),
        _DIM_ORDERING, "separable",
    ),
    "Conv2DTranspose": _DECONV,
    "ConvLSTM2D": LayerSpec(
        (*_CONV_ND, ("inner_init", "recurrent_initializer"), ("U_regularizer", "recurrent_regularizer"),
         ("inner_activation", "recurrent_activation"), ("dropout_W", "dropout"),
         ("dropout_U", "recurrent_dropout")),
        _DIM_ORDERING, "convlstm",
    ),
    "BatchNormalization": LayerSpec(
        (("beta_init", "beta_initializer"), ("gamma_init", "gamma_initializer")), kind="batchnorm"
    ),
    "Model": LayerSpec((("input", "inputs"), ("output", "outputs"))),
    "Input": LayerSpec((("input_dtype", "dtype"),)),
}

# Keras 1 class names -> the Keras 2 class (and for the atrous ones, a keyword rename).
RENAMES = {
    "Convolution1D": "Conv1D",
    "Convolution2D": "Conv2D",
    "Convolution3D": "Conv3D",
    "SeparableConvolution1D": "SeparableConv1D",
    "SeparableConvolution2D": "SeparableConv2D",
    "Convolution2DTranspose": "Conv2DTranspose",
    "Convolution3DTranspose": "Conv3DTranspose",
    "Deconvolution2D": "Conv2DTranspose",
    "Deconv2D": "Conv2DTranspose",
    "Deconvolution3D": "Conv3DTranspose",
    "Deconv3D": "Conv3DTranspose",
    "AtrousConvolution1D": "Conv1D",
    "AtrousConv1D": "Conv1D",
    "AtrousConvolution2D": "Conv2D",
    "AtrousConv2D": "Conv2D",
}
_ATROUS = {name for name in RENAMES if name.startswith("Atrous")}
_MODEL_AREAS = {"Model": "models", "Input": "layers"}


def _spec_for(path: str) -> tuple[str, LayerSpec] | None:
    area, _, name = path.partition(".")
    canonical = RENAMES.get(name, name)
    spec = LAYERS.get(canonical)
    if spec is None or area != _MODEL_AREAS.get(canonical, "layers"):
        return None
    return canonical, spec


def _is_int_like(expr: cst.BaseExpression) -> bool:
    """Keras 2.3.1 checked ``isinstance(arg, int)`` at run time; statically, anything that
    is not a literal of another type counts (``nb_conv`` in the Keras 1 examples)."""
    value = literal_value(expr)
    if value is NOT_LITERAL:
        return not isinstance(expr, (cst.Tuple, cst.List, cst.SimpleString, cst.Float))
    return isinstance(value, int) and not isinstance(value, bool)


def _tuple_of(*exprs: cst.BaseExpression) -> cst.Tuple:
    elements = [cst.Element(e, comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))) for e in exprs]
    elements[-1] = elements[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    return cst.Tuple(elements)


class Keras1LayerArguments(Rule):
    code = "K201"
    keras3_keeps = "its layer arguments are Keras 3's and are left as they are"
    details = (
        "Mirrors Keras 2.3.1's own keras.legacy.interfaces converters, so the layer is built "
        "exactly as Keras 2.3.1 built it: keyword renames, dim_ordering/consume_less value "
        "renames, Convolution2D(n, rows, cols) -> Conv2D(n, (rows, cols)), input_dim/input_length "
        "of recurrent and Conv1D layers -> input_shape, Model(input=, output=) -> inputs/outputs, "
        "Keras 1 class names (Convolution2D, Deconvolution2D, AtrousConvolution2D) -> Keras 2 ones. "
        "Arguments Keras 2.3.1 ignored are dropped and reported. Keras 3 (TensorFlow backend) runs "
        "channels_first convolutions only on a GPU: dim_ordering='th' is converted and reported."
    )
    examples = (
        Example(
            before=textwrap.dedent(
                """\
                from tensorflow.keras.layers import Convolution2D, Dense, LSTM

                conv = Convolution2D(32, 3, 3, border_mode='same', init='he_normal', subsample=(2, 2))
                dense = Dense(output_dim=10, W_regularizer=None, init='uniform')
                lstm = LSTM(32, inner_activation='sigmoid', dropout_W=0.2, consume_less='gpu')
                """
            ),
            after=textwrap.dedent(
                """\
                from tensorflow.keras.layers import Conv2D, Dense, LSTM

                conv = Conv2D(32, (3, 3), padding='same', kernel_initializer='he_normal', strides=(2, 2))
                dense = Dense(units=10, kernel_regularizer=None, kernel_initializer='uniform')
                lstm = LSTM(32, recurrent_activation='sigmoid', dropout=0.2, implementation=2)
                """
            ),
        ),
        Example(
            before=textwrap.dedent(
                """\
                from tensorflow.keras.layers import Conv2D, Dense

                conv = Conv2D(32, (3, 3), padding='same')
                dense = Dense(10, kernel_initializer='uniform')
                """
            ),
        ),
    )

    # -- class renames ---------------------------------------------------------------
    def leave_ImportFrom(self, original_node: cst.ImportFrom, updated_node: cst.ImportFrom):
        if isinstance(original_node.names, cst.ImportStar) or original_node.relative or original_node.module is None:
            return updated_node
        module = dotted_name(original_node.module) or ""
        if keras_path(module + ".x") is None:
            return updated_node
        names = list(updated_node.names)
        seen = {
            f"{a.name.value} {a.asname.name.value if a.asname else a.name.value}"
            for a in names
            if isinstance(a.name, cst.Name) and a.name.value not in RENAMES
        }
        changed = False
        renamed_all = True
        new_names = []
        for alias in names:
            name = alias.name.value if isinstance(alias.name, cst.Name) else None
            new = RENAMES.get(name) if name and keras_path(f"{module}.{name}") == f"layers.{name}" else None
            if new is None:
                renamed_all = False
                new_names.append(alias)
                continue
            changed = True
            local = alias.asname.name.value if alias.asname else new
            if f"{new} {local}" in seen:
                continue  # `Conv2D` is already imported by this statement
            seen.add(f"{new} {local}")
            new_names.append(alias.with_changes(name=cst.Name(new)))
        if not changed:
            return updated_node
        new_names[-1] = new_names[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        result = updated_node.with_changes(names=new_names)
        if renamed_all and (module == "keras" or module.startswith("keras.")):
            # K101 leaves names that no longer exist on standalone keras; their Keras 2
            # names do exist in tensorflow.keras.
            result = result.with_changes(module=cst.parse_expression("tensorflow.keras.layers"))
        return result

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name):
        new = RENAMES.get(original_node.value)
        if new is None:
            return updated_node
        path = keras_path(self.qualified_name(original_node))
        if path == f"layers.{original_node.value}":
            return updated_node.with_changes(value=new)
        return updated_node

    def leave_Attribute(self, original_node: cst.Attribute, updated_node: cst.Attribute):
        new = RENAMES.get(original_node.attr.value)
        if new is None:
            return updated_node
        path = keras_path(self.qualified_name(original_node))
        if path == f"layers.{original_node.attr.value}":
            return updated_node.with_changes(attr=cst.Name(new))
        return updated_node

    # -- arguments -------------------------------------------------------------------
    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call):
        path = keras_path(self.qualified_name(original_node.func))
        if path is None:
            return updated_node
        found = _spec_for(path)
        if found is None:
            return updated_node
        canonical, spec = found
        old_name = path.partition(".")[2]
        call = updated_node
        if has_star(call):
            return updated_node
        call = self._preprocess(original_node, call, canonical, spec, old_name)
        call = self._convert_keywords(original_node, call, spec)
        return call

    def _preprocess(self, original: cst.Call, call: cst.Call, canonical: str, spec: LayerSpec, old_name: str) -> cst.Call:
        kind = spec.kind
        if old_name in _ATROUS:
            rate = find_kw(call, "atrous_rate")
            if rate is not None:
                call = with_args(call, [as_keyword(a, "dilation_rate") if a is rate else a for a in call.args])
        if kind == "embedding" and find_kw(call, "dropout") is not None:
            self.report(original, "`Embedding(dropout=)` was ignored by Keras 2.3.1 (apply SpatialDropout1D after the layer for that effect); dropped", "converted")
            call = drop_args(call, lambda a: keyword(a) == "dropout")
        if kind == "batchnorm":
            mode = find_kw(call, "mode")
            if mode is not None:
                if literal_value(mode.value) == 0:
                    call = drop_args(call, lambda a: keyword(a) == "mode")
                else:
                    self.report(original, "`BatchNormalization(mode=...)` other than 0 has no Keras 2 or 3 equivalent (Keras 2.3.1 raised TypeError); left as it was")
        if kind in ("recurrent", "convlstm"):
            forget = find_kw(call, "forget_bias_init")
            if forget is not None:
                if literal_value(forget.value) == "one":
                    call = with_args(call, [kwarg("unit_forget_bias", "True") if a is forget else a for a in call.args])
                else:
                    self.report(original, "`forget_bias_init` other than 'one' was ignored by Keras 2.3.1; dropped", "converted")
                    call = drop_args(call, lambda a: a is forget)
        if kind in ("recurrent", "conv1d"):
            call = self._input_dim_to_shape(call)
        if kind == "separable":
            init = find_kw(call, "init")
            if init is not None:
                args = []
                for a in call.args:
                    if a is init:
                        args += [as_keyword(a, "depthwise_initializer"), as_keyword(a, "pointwise_initializer").with_changes(value=a.value.deep_clone())]
                    else:
                        args.append(a)
                call = with_args(call, args)
        if kind == "deconv":
            # Keras 1: Deconvolution2D(nb_filter, nb_row, nb_col, output_shape, ...)
            pos = positional(call)
            by_position = len(pos) == 4 and isinstance(pos[3].value, (cst.Tuple, cst.List))
            if by_position or find_kw(call, "output_shape") is not None:
                self.report(original, "`output_shape` of Deconvolution2D was ignored by Keras 2.3.1 (Conv2DTranspose computes it); dropped", "converted")
                drop = pos[3] if by_position else find_kw(call, "output_shape")
                call = drop_args(call, lambda a: a is drop)
        if kind in ("conv2d", "deconv", "separable", "convlstm"):
            call = self._kernel_2d(call)
        if kind == "conv3d":
            call = self._kernel_3d(call)
        return call

    def _input_dim_to_shape(self, call: cst.Call) -> cst.Call:
        dim = find_kw(call, "input_dim")
        if dim is None:
            return call
        length = find_kw(call, "input_length")
        length_value = length.value if length is not None else cst.Name("None")
        shape = kwarg("input_shape", _tuple_of(length_value, dim.value))
        args = []
        for a in call.args:
            if a is dim:
                args.append(shape)
            elif a is not length:
                args.append(a)
        return with_args(call, args)

    def _kernel_2d(self, call: cst.Call) -> cst.Call:
        pos = positional(call)
        nb_row, nb_col = find_kw(call, "nb_row"), find_kw(call, "nb_col")
        if len(pos) == 3 and _is_int_like(pos[1].value) and _is_int_like(pos[2].value):
            kernel = pos[1].with_changes(value=_tuple_of(pos[1].value, pos[2].value), comma=pos[2].comma)
            args = [kernel if a is pos[1] else a for a in call.args if a is not pos[2]]
            return with_args(call, args)
        if len(pos) == 2 and nb_col is not None and _is_int_like(pos[1].value):
            kernel = pos[1].with_changes(value=_tuple_of(pos[1].value, nb_col.value), comma=nb_col.comma if nb_col is call.args[-1] else pos[1].comma)
            return with_args(call, [kernel if a is pos[1] else a for a in call.args if a is not nb_col])
        if len(pos) <= 1 and nb_row is not None and nb_col is not None:
            kernel = _tuple_of(nb_row.value, nb_col.value)
            rest = [a for a in call.args if a is not nb_row and a is not nb_col]
            if not pos:
                return with_args(call, rest + [kwarg("kernel_size", kernel)])
            index = rest.index(pos[0]) + 1
            return with_args(call, rest[:index] + [cst.Arg(kernel)] + rest[index:])
        return call

    def _kernel_3d(self, call: cst.Call) -> cst.Call:
        pos = positional(call)
        dims = [find_kw(call, f"kernel_dim{i}") for i in (1, 2, 3)]
        if len(pos) == 4 and all(_is_int_like(p.value) for p in pos[1:4]):
            kernel = pos[1].with_changes(value=_tuple_of(*(p.value for p in pos[1:4])), comma=pos[3].comma)
            return with_args(call, [kernel if a is pos[1] else a for a in call.args if a not in (pos[2], pos[3])])
        if len(pos) == 1 and all(d is not None for d in dims):
            kernel = cst.Arg(_tuple_of(*(d.value for d in dims)))
            rest = [a for a in call.args if a not in dims]
            index = rest.index(pos[0]) + 1
            return with_args(call, rest[:index] + [kernel] + rest[index:])
        return call

    def _convert_keywords(self, original: cst.Call, call: cst.Call, spec: LayerSpec) -> cst.Call:
        renames = dict(spec.conversions)
        args = []
        changed = False
        for arg in call.args:
            name = keyword(arg)
            if name in spec.values:
                value = literal_value(arg.value)
                table = spec.values[name]
                if value is not NOT_LITERAL and value in table:
                    new_value = table[value]
                    changed = True
                    if new_value is None:
                        continue  # 'default': Keras' own default
                    arg = arg.with_changes(value=cst.parse_expression(repr(new_value)))
                    if new_value == "channels_first":
                        self.report(original, "channels_first layout: Keras 3 with TensorFlow runs channels_first convolutions and pooling only on a GPU", "converted")
                elif value is NOT_LITERAL:
                    self.report(original, f"`{name}` is not a literal; its Keras 1 values ({', '.join(map(repr, table))}) were converted by Keras 2.3.1 at run time and must be converted by hand")
            if name in renames:
                arg = arg.with_changes(keyword=cst.Name(renames[name]))
                changed = True
            args.append(arg)
        return with_args(call, args) if changed else call
