"""TF1's layers, initializers and regularizers and their Keras counterparts: the tables
the rules that make Keras layers of TF1 graph code share (G102 at the graph's level and
in helpers, G104 in an estimator's model_fn)."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import libcst as cst

from codemods.analysis.cst_tools import literal_value


class LayerSpec:
    """A TF1 functional layer: its Keras class, its TF1 parameters in order, and how
    many leading Keras parameters are the same (passed positionally)."""

    def __init__(
        self, keras: str, params: tuple[str, ...], positional: int, weights: bool,
        rename: dict[str, str] | None = None, defaults: dict[str, str] | None = None,
        unsupported: tuple[str, ...] = (),
    ) -> None:
        self.keras = keras
        self.params = params
        self.positional = positional
        self.weights = weights
        # TF1 parameter -> Keras keyword, where the names differ (tf.contrib.layers).
        self.rename = rename or {}
        # Keras keyword -> TF1's default (code, ``{tf}`` for the alias), where Keras' differs.
        self.defaults = defaults or {}
        # TF1 parameters Keras has no place for: the call is left alone unless they are None/False.
        self.unsupported = unsupported

    def keras_name(self, param: str) -> str:
        return self.rename.get(param, param)


_DENSE_TAIL = (
    "activation", "use_bias", "kernel_initializer", "bias_initializer", "kernel_regularizer",
    "bias_regularizer", "activity_regularizer", "kernel_constraint", "bias_constraint", "trainable", "name", "reuse",
)
_POOL = ("inputs", "pool_size", "strides", "padding", "data_format", "name")

LAYERS: dict[str, LayerSpec] = {
    "layers.dense": LayerSpec("Dense", ("inputs", "units", *_DENSE_TAIL), 1, True),
    "layers.conv2d": LayerSpec(
        "Conv2D", ("inputs", "filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate", *_DENSE_TAIL), 2, True
    ),
    "layers.conv1d": LayerSpec(
        "Conv1D", ("inputs", "filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate", *_DENSE_TAIL), 2, True
    ),
    "layers.conv2d_transpose": LayerSpec(
        "Conv2DTranspose", ("inputs", "filters", "kernel_size", "strides", "padding", "data_format", *_DENSE_TAIL), 2, True
    ),
    "layers.max_pooling2d": LayerSpec("MaxPooling2D", _POOL, 2, False),
    "layers.average_pooling2d": LayerSpec("AveragePooling2D", _POOL, 2, False),
    "layers.max_pooling1d": LayerSpec("MaxPooling1D", _POOL, 2, False),
    "layers.average_pooling1d": LayerSpec("AveragePooling1D", _POOL, 2, False),
    "layers.flatten": LayerSpec("Flatten", ("inputs", "name", "data_format"), 0, False),
    # Keras' defaults are TF1's (momentum 0.99, epsilon 1e-3, zeros/ones initializers);
    # `training` goes to the call (see _LayerCalls._batch_norm).
    "layers.batch_normalization": LayerSpec(
        "BatchNormalization",
        (
            "inputs", "axis", "momentum", "epsilon", "center", "scale", "beta_initializer", "gamma_initializer",
            "moving_mean_initializer", "moving_variance_initializer", "beta_regularizer", "gamma_regularizer",
            "beta_constraint", "gamma_constraint", "training", "trainable", "name", "reuse", "renorm",
            "renorm_clipping", "renorm_momentum", "fused", "virtual_batch_size", "adjustment",
        ),
        0, True,
        unsupported=("renorm", "renorm_clipping", "renorm_momentum", "virtual_batch_size", "adjustment"),
    ),
}
# tf.contrib.layers: other parameter names and other defaults (ReLU, "SAME" padding).
_CONTRIB_TAIL = (
    "activation_fn", "normalizer_fn", "normalizer_params", "weights_initializer", "weights_regularizer",
    "biases_initializer", "biases_regularizer", "reuse", "variables_collections", "outputs_collections",
    "trainable", "scope",
)
_CONTRIB_RENAME = {
    "num_outputs": "units", "activation_fn": "activation", "weights_initializer": "kernel_initializer",
    "weights_regularizer": "kernel_regularizer", "biases_initializer": "bias_initializer",
    "biases_regularizer": "bias_regularizer", "scope": "name", "stride": "strides", "rate": "dilation_rate",
}
_CONTRIB_UNSUPPORTED = ("normalizer_fn", "normalizer_params", "variables_collections", "outputs_collections")
CONTRIB_LAYERS: dict[str, LayerSpec] = {
    "contrib.layers.fully_connected": LayerSpec(
        "Dense", ("inputs", "num_outputs", *_CONTRIB_TAIL), 1, True,
        _CONTRIB_RENAME, {"activation": "{tf}.nn.relu"}, _CONTRIB_UNSUPPORTED,
    ),
    "contrib.layers.conv2d": LayerSpec(
        "Conv2D",
        ("inputs", "num_outputs", "kernel_size", "stride", "padding", "data_format", "rate", *_CONTRIB_TAIL), 2, True,
        {**_CONTRIB_RENAME, "num_outputs": "filters"}, {"activation": "{tf}.nn.relu", "padding": '"same"'},
        _CONTRIB_UNSUPPORTED,
    ),
    "contrib.layers.flatten": LayerSpec("Flatten", ("inputs", "outputs_collections", "scope"), 0, False,
                                        {"scope": "name"}, None, ("outputs_collections",)),
    "contrib.layers.max_pool2d": LayerSpec(
        "MaxPooling2D", ("inputs", "kernel_size", "stride", "padding", "data_format", "outputs_collections", "scope"),
        1, False, {"kernel_size": "pool_size", "stride": "strides", "scope": "name"}, {"strides": "2"},
        ("outputs_collections",),
    ),
}
LAYERS.update({**CONTRIB_LAYERS, "contrib.layers.convolution2d": CONTRIB_LAYERS["contrib.layers.conv2d"]})
# TF1 regularizers -> Keras regularizers. TF1's l2_regularizer(scale) is
# scale * tf.nn.l2_loss(w) = scale * sum(w ** 2) / 2; Keras' L2(l) is l * sum(w ** 2).
REGULARIZERS = {
    "contrib.layers.l2_regularizer": ("L2", "{scale} / 2"),
    "contrib.layers.l1_regularizer": ("L1", "{scale}"),
}
DROPOUT = ("inputs", "rate", "noise_shape", "seed", "training", "name")
GET_VARIABLE = (
    "name", "shape", "dtype", "initializer", "regularizer", "trainable", "collections", "caching_device",
    "partitioner", "validate_shape", "use_resource", "custom_getter", "constraint",
)
# Keras layer classes whose objects hold weights (G101 trains their trainable_variables).
WEIGHTED = {spec.keras for spec in LAYERS.values() if spec.weights} | {"RNN"}
# TF1 initializers -> Keras initializers, with TF1's defaults written out where Keras'
# differ: (Keras class, ((TF1 parameter, Keras keyword, TF1 default or None), ...)).
INITIALIZERS = {
    "random_normal_initializer": ("RandomNormal", (("mean", "mean", "0.0"), ("stddev", "stddev", "1.0"))),
    "initializers.random_normal": ("RandomNormal", (("mean", "mean", "0.0"), ("stddev", "stddev", "1.0"))),
    "truncated_normal_initializer": ("TruncatedNormal", (("mean", "mean", "0.0"), ("stddev", "stddev", "1.0"))),
    "initializers.truncated_normal": ("TruncatedNormal", (("mean", "mean", "0.0"), ("stddev", "stddev", "1.0"))),
    "random_uniform_initializer": ("RandomUniform", (("minval", "minval", "0.0"), ("maxval", "maxval", "1.0"))),
    "initializers.random_uniform": ("RandomUniform", (("minval", "minval", "0.0"), ("maxval", "maxval", "1.0"))),
    "zeros_initializer": ("Zeros", ()),
    "initializers.zeros": ("Zeros", ()),
    "ones_initializer": ("Ones", ()),
    "initializers.ones": ("Ones", ()),
    "constant_initializer": ("Constant", (("value", "value", "0.0"),)),
    "initializers.constant": ("Constant", (("value", "value", "0.0"),)),
    "glorot_uniform_initializer": ("GlorotUniform", ()),
    "initializers.glorot_uniform": ("GlorotUniform", ()),
    "glorot_normal_initializer": ("GlorotNormal", ()),
    "initializers.glorot_normal": ("GlorotNormal", ()),
    "contrib.layers.xavier_initializer": ("GlorotUniform", ()),
    # TF1's VarianceScaling is Keras' (same fans; "normal" is truncated in both).
    "variance_scaling_initializer": ("VarianceScaling", (
        ("scale", "scale", "1.0"), ("mode", "mode", '"fan_in"'), ("distribution", "distribution", '"truncated_normal"'))),
    "initializers.variance_scaling": ("VarianceScaling", (
        ("scale", "scale", "1.0"), ("mode", "mode", '"fan_in"'), ("distribution", "distribution", '"truncated_normal"'))),
    "initializers.he_normal": ("HeNormal", ()),
    "initializers.he_uniform": ("HeUniform", ()),
    "initializers.lecun_normal": ("LecunNormal", ()),
    "initializers.lecun_uniform": ("LecunUniform", ()),
    "orthogonal_initializer": ("Orthogonal", (("gain", "gain", "1.0"),)),
    "initializers.orthogonal": ("Orthogonal", (("gain", "gain", "1.0"),)),
}
# TF1 initializers with no Keras initializer of the same distribution: why not.
UNMAPPED_INITIALIZERS = {
    "contrib.layers.variance_scaling_initializer": (
        "its truncated normal has stddev sqrt(1.3 * factor / n), Keras' VarianceScaling sqrt(scale / n) / 0.8796"
    ),
    "uniform_unit_scaling_initializer": "Keras has no unit-scaling initializer (TF1 deprecated it)",
    "initializers.uniform_unit_scaling": "Keras has no unit-scaling initializer (TF1 deprecated it)",
}
XAVIER_NORMAL = (
    "xavier_initializer(uniform=False) draws a truncated normal with stddev sqrt(1.3 / fan_avg), "
    "Keras' GlorotNormal sqrt(1 / fan_avg) / 0.8796"
)


def initializer_parameters(symbol: str) -> tuple[str, ...]:
    """The parameters of the TF1 initializer ``symbol`` (a key of INITIALIZERS) that a
    call's arguments bind to, in order."""
    if symbol == "contrib.layers.xavier_initializer":
        return ("uniform", "seed", "dtype")
    return tuple(param for param, _, _ in INITIALIZERS[symbol][1]) + ("seed", "dtype")


def keras_initializer(
    symbol: str, bound: Mapping[str, cst.BaseExpression], code: Callable[[cst.BaseExpression], str], tf: str
) -> str:
    """The Keras initializer (code) drawing what the TF1 initializer ``symbol`` called with
    the ``bound`` arguments drew, TF1's defaults written out; ValueError with the reason when
    there is none (a seed of its own, xavier's truncated normal)."""
    uniform = bound.get("uniform")
    if symbol == "contrib.layers.xavier_initializer" and uniform is not None and literal_value(uniform) is not True:
        raise ValueError(XAVIER_NORMAL)
    seed = bound.get("seed")
    if seed is not None and literal_value(seed) is not None:
        raise ValueError("an initializer with its own seed")
    keras, params = INITIALIZERS[symbol]
    arguments = []
    for param, keyword, default in params:
        given = bound.get(param)
        value = code(given) if given is not None and literal_value(given) is not None else default
        arguments.append(f"{keyword}={value}")
    return f"{tf}.keras.initializers.{keras}({', '.join(arguments)})"
