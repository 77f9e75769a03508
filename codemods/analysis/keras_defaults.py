"""Keras 2.3.1 vs Keras 3 (TF 2.21's ``tensorflow.keras``): the defaults and formulas that
changed, and what migrator does about each.

``DEFAULTS`` is the table; ``tests/test_keras_defaults.py`` checks every entry against
Keras 2.3.1 (the snapshot ``codemods/data/keras2_defaults.json``, written by
``scripts/snapshot_keras2_defaults.py`` running in the legacy runtime) and against the
installed Keras 3, and checks that no other default of the covered classes differs.

``OPTIMIZERS`` describes the Keras 2 optimizer constructors the rules rewrite.
Nothing here imports Keras.
"""

from __future__ import annotations

from dataclasses import dataclass


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


# The parameter does not exist on that side.
MISSING = _Missing()

# What migrator does with a difference.
WRITTEN_OUT = "written out"  # the Keras 2 value is passed explicitly
CONVERTED = "converted"  # the argument or value is renamed to its Keras 3 spelling
REPORTED = "reported"  # no faithful Keras 3 form: the finding says how results differ
FALLBACK = "fallback"  # no Keras 3 form: only tf_keras (Keras 2) keeps it; reported
EQUAL = "equal in effect"  # spelled differently, computes the same


@dataclass(frozen=True)
class Default:
    owner: str  # "optimizers.Adadelta": module below keras / tensorflow.keras, and name
    param: str
    keras2: object
    keras3: object
    action: str
    rule: str  # the rule that acts on it ("" for EQUAL)
    note: str = ""
    # "signature": both values are constructor defaults (inspect.signature);
    # "attribute": read from a default-constructed instance (snapshot "attributes");
    # "source": a formula, documented here and checked by a behaviour test.
    source: str = "signature"


DEFAULTS: tuple[Default, ...] = (
    # -- optimizers ------------------------------------------------------------------
    Default("optimizers.Adadelta", "learning_rate", 1.0, 0.001, WRITTEN_OUT, "K203"),
    Default("optimizers.Adagrad", "learning_rate", 0.01, 0.001, WRITTEN_OUT, "K203"),
    Default(
        "optimizers.Adagrad", "initial_accumulator_value", 0.0, 0.1, WRITTEN_OUT, "K203",
        "Keras 2 starts the accumulators at zero (not a parameter there)", source="attribute",
    ),
    Default("optimizers.Adamax", "learning_rate", 0.002, 0.001, WRITTEN_OUT, "K203"),
    Default("optimizers.Nadam", "learning_rate", 0.002, 0.001, WRITTEN_OUT, "K203"),
    Default(
        "optimizers.Nadam", "schedule_decay", 0.004, MISSING, REPORTED, "K203",
        "Keras 3's Nadam momentum schedule is beta_1*(1-0.5*0.96**t); Keras 2's "
        "beta_1*(1-0.5*0.96**(0.004*t)): about 4e-4 relative after 5 steps on the test problem",
        source="attribute",
    ),
    Default(
        "optimizers.Optimizer", "decay", 0.0, MISSING, CONVERTED, "K203",
        "Keras 2 scaled the learning rate by 1/(1 + decay*iterations) per step: "
        "InverseTimeDecay(lr, decay_steps=1, decay_rate=decay)", source="attribute",
    ),
    Default(
        "optimizers.Optimizer", "lr", "alias of learning_rate", MISSING, CONVERTED, "K203",
        "Keras 3 accepts only learning_rate", source="source",
    ),
    Default(
        "optimizers.RMSprop", "epsilon placement", "lr*g/(sqrt(v)+eps)", "lr*g/sqrt(v+eps)",
        WRITTEN_OUT, "K203",
        "epsilon written squared (1e-14): sqrt(v + eps**2) lies between sqrt(v) and sqrt(v) + eps, "
        "so the denominator stays within eps of Keras 2's (Keras 3's own default is off by a factor "
        "of several when v is below eps)",
        source="source",
    ),
    Default(
        "optimizers.Adagrad", "epsilon placement", "lr*g/(sqrt(a)+eps)", "lr*g/sqrt(a+eps)",
        WRITTEN_OUT, "K203", "epsilon written squared, as for RMSprop", source="source",
    ),
    # -- layers ----------------------------------------------------------------------
    Default("layers.GRU", "reset_after", False, True, WRITTEN_OUT, "K205", "other weights and outputs"),
    Default("layers.GRUCell", "reset_after", False, True, WRITTEN_OUT, "K205"),
    Default(
        "layers.ConvLSTM2D", "recurrent_activation", "hard_sigmoid", "sigmoid", WRITTEN_OUT, "K205",
        "written as Keras 2's hard sigmoid, clip(0.2*x + 0.5, 0, 1)",
    ),
    Default(
        "activations.hard_sigmoid", "formula", "clip(0.2*x + 0.5, 0, 1)", "relu6(x + 3) / 6",
        CONVERTED, "K205", "the string 'hard_sigmoid' becomes keras.ops.clip(0.2 * x + 0.5, 0.0, 1.0)",
        source="source",
    ),
    Default(
        "layers.LeakyReLU", "alpha", 0.3, MISSING, CONVERTED, "K205",
        "Keras 3 calls it negative_slope (same default 0.3)",
    ),
    Default(
        "layers.Embedding", "input_length", None, MISSING, EQUAL, "",
        "Keras 3 accepts and ignores it with a warning",
    ),
    Default("layers.Conv1D", "data_format", "channels_last", None, EQUAL, "", "None means image_data_format()"),
    Default("layers.Convolution1D", "data_format", "channels_last", None, EQUAL, ""),
    Default("layers.SeparableConv1D", "data_format", "channels_last", None, EQUAL, ""),
    *(
        Default(f"layers.{name}", "data_format", "channels_last", None, EQUAL, "")
        for name in (
            "AveragePooling1D", "AvgPool1D", "MaxPool1D", "MaxPooling1D",
            "GlobalAveragePooling1D", "GlobalAvgPool1D", "GlobalMaxPool1D", "GlobalMaxPooling1D",
        )
    ),
    *(
        Default(f"layers.{name}", "pool_size", size, "<required>", WRITTEN_OUT, "K205",
                "Keras 3 requires it; a call without it is written with Keras 2's default by K205")
        for name, size in (
            ("AveragePooling1D", 2), ("AvgPool1D", 2),
            ("AveragePooling2D", (2, 2)), ("AvgPool2D", (2, 2)),
            ("AveragePooling3D", (2, 2, 2)), ("AvgPool3D", (2, 2, 2)),
        )
    ),
    Default("layers.ConvLSTM2D", "dilation_rate", (1, 1), 1, EQUAL, ""),
    Default("layers.ConvLSTM2D", "strides", (1, 1), 1, EQUAL, ""),
    Default("layers.ZeroPadding3D", "padding", (1, 1, 1), ((1, 1), (1, 1), (1, 1)), EQUAL, ""),
    Default("layers.Input", "sparse", False, None, EQUAL, ""),
    Default("layers.InputLayer", "sparse", False, None, EQUAL, ""),
    Default("layers.PReLU", "alpha_initializer", "zeros", "Zeros", EQUAL, ""),
    Default("layers.dot", "axes", "<required>", -1, EQUAL, "", "Keras 2 required it"),
    # -- initializers ----------------------------------------------------------------
    Default(
        "initializers.VarianceScaling", "distribution", "normal", "truncated_normal", CONVERTED, "K205",
        "Keras 2's 'normal' drew from a truncated normal; Keras 3's 'normal' does not: "
        "distribution='normal' is written 'truncated_normal'",
    ),
    Default("initializers.Constant", "value", 0, 0.0, EQUAL, ""),
    Default("initializers.constant", "value", 0, 0.0, EQUAL, ""),
    # -- losses and metrics ----------------------------------------------------------
    Default("losses.BinaryCrossentropy", "label_smoothing", 0, 0.0, EQUAL, ""),
    Default("losses.CategoricalCrossentropy", "label_smoothing", 0, 0.0, EQUAL, ""),
    Default("losses.binary_crossentropy", "label_smoothing", 0, 0.0, EQUAL, ""),
    Default("losses.categorical_crossentropy", "label_smoothing", 0, 0.0, EQUAL, ""),
    Default("metrics.binary_crossentropy", "label_smoothing", 0, 0.0, EQUAL, ""),
    Default("metrics.categorical_crossentropy", "label_smoothing", 0, 0.0, EQUAL, ""),
    Default(
        "losses.KLDivergence", "name", "kullback_leibler_divergence", "kl_divergence", REPORTED, "",
        "only the name (history key) differs",
    ),
    Default("metrics.KLDivergence", "name", "kullback_leibler_divergence", "kl_divergence", REPORTED, ""),
    Default("losses.LogCosh", "name", "logcosh", "log_cosh", REPORTED, ""),
    # -- callbacks -------------------------------------------------------------------
    Default(
        "callbacks.ModelCheckpoint", "period", 1, MISSING, CONVERTED, "K305",
        "save_freq='epoch' is Keras 3's every-epoch default; period=N>1 is reported",
    ),
    Default("callbacks.ReduceLROnPlateau", "min_lr", 0, 0.0, EQUAL, ""),
    Default("callbacks.TensorBoard", "log_dir", "./logs", "logs", EQUAL, ""),
    Default("callbacks.TensorBoard", "batch_size", 32, MISSING, CONVERTED, "K305", "dropped (unused since TF 2)"),
    Default("callbacks.TensorBoard", "write_grads", False, MISSING, CONVERTED, "K305", "dropped"),
    Default("callbacks.TensorBoard", "embeddings_layer_names", None, MISSING, CONVERTED, "K305", "dropped"),
    Default("callbacks.TensorBoard", "embeddings_data", None, MISSING, CONVERTED, "K305", "dropped"),
    Default("callbacks.ProgbarLogger", "count_mode", "samples", MISSING, CONVERTED, "K305", "dropped: Keras 3 counts steps"),
    Default("callbacks.ProgbarLogger", "stateful_metrics", None, MISSING, CONVERTED, "K305", "dropped"),
    Default("callbacks.CallbackList", "queue_length", 10, MISSING, EQUAL, "", "internal"),
    Default("callbacks.LambdaCallback", "on_batch_begin", None, MISSING, EQUAL, "",
            "Keras 3 still calls an on_batch_begin attribute from on_train_batch_begin"),
    Default("callbacks.LambdaCallback", "on_batch_end", None, MISSING, EQUAL, ""),
    Default("layers.GRU", "implementation", 2, MISSING, EQUAL, "", "an execution detail"),
    Default("layers.GRUCell", "implementation", 2, MISSING, EQUAL, ""),
    Default("layers.LSTM", "implementation", 2, MISSING, EQUAL, ""),
    Default("layers.LSTMCell", "implementation", 2, MISSING, EQUAL, ""),
    Default("layers.InputLayer", "batch_input_shape", None, MISSING, CONVERTED, "K206", "batch_shape"),
    Default("layers.InputLayer", "input_shape", None, MISSING, EQUAL, "", "Keras 3 still accepts input_shape"),
    Default("layers.Embedding", "activity_regularizer", None, MISSING, EQUAL, "", "Keras 3 takes it as a Layer keyword"),
    Default("layers.dot", "normalize", False, MISSING, EQUAL, "", "passed through to Dot"),
)


def lookup(owner: str, param: str) -> Default | None:
    for entry in DEFAULTS:
        if entry.owner == owner and entry.param == param:
            return entry
    return None


# -- optimizers ---------------------------------------------------------------------


@dataclass(frozen=True)
class OptimizerSpec:
    name: str
    # Keras 2.3.1's positional parameters, in order.
    positional: tuple[str, ...]
    # Keras 2 value -> written out in Keras 3 when the call leaves it out.
    written_out: tuple[tuple[str, str], ...] = ()
    # A numeric difference Keras 3 cannot avoid, for the report.
    caveat: str = ""
    # Keras 3 adds epsilon under the square root, Keras 2 after it: write epsilon**2.
    square_epsilon: bool = False


OPTIMIZERS: dict[str, OptimizerSpec] = {
    "SGD": OptimizerSpec("SGD", ("learning_rate", "momentum", "nesterov")),
    "RMSprop": OptimizerSpec(
        "RMSprop", ("learning_rate", "rho"),
        caveat="Keras 3's RMSprop divides by sqrt(v + epsilon), Keras 2's by sqrt(v) + epsilon: "
        "epsilon is written squared so the two stay within epsilon of each other",
        square_epsilon=True,
    ),
    "Adagrad": OptimizerSpec(
        "Adagrad", ("learning_rate",),
        written_out=(("learning_rate", "0.01"), ("initial_accumulator_value", "0.0")),
        caveat="Keras 3's Adagrad divides by sqrt(a + epsilon), Keras 2's by sqrt(a) + epsilon: "
        "epsilon is written squared so the two stay within epsilon of each other",
        square_epsilon=True,
    ),
    "Adadelta": OptimizerSpec("Adadelta", ("learning_rate", "rho"), written_out=(("learning_rate", "1.0"),)),
    "Adam": OptimizerSpec("Adam", ("learning_rate", "beta_1", "beta_2", "amsgrad")),
    "Adamax": OptimizerSpec("Adamax", ("learning_rate", "beta_1", "beta_2"), written_out=(("learning_rate", "0.002"),)),
    "Nadam": OptimizerSpec(
        "Nadam", ("learning_rate", "beta_1", "beta_2"),
        written_out=(("learning_rate", "0.002"),),
        caveat="Keras 3's Nadam has another momentum schedule (0.96**t where Keras 2 had "
        "0.96**(0.004*t), schedule_decay=0.004): updates differ by about 1e-4 relative per step",
    ),
}
# Keras 2's lowercase aliases (``keras.optimizers.adam``) and compile() strings.
OPTIMIZER_ALIASES = {name.lower(): name for name in OPTIMIZERS}
# Keyword arguments Keras 2 optimizers took through **kwargs.
OPTIMIZER_KWARGS = ("lr", "decay", "epsilon", "clipnorm", "clipvalue", "schedule_decay")
