"""The rules, in the one order the engine runs them.

Order matters: Keras imports are moved first (later rules see ``tensorflow.keras``
names), the graph-to-eager conversion runs on the original TF1 names, the symbol
renames run over what the conversion left, and TF1 names TF 2.21 lacks get their homes last.

``RULES`` is that order as plain data, and the one place each rule's code, slug, summary
and text gate (``triggers``/``requires``) are written: the rule class (named by
``module``/``class_name``) receives them from its entry when it is defined
(``codemods.base.Rule``) and holds what only it needs (``examples``, ``details``).
Nothing here imports LibCST or a rule module: the engine imports a rule only when a
file's text passes its gate, so a file no rule can change, ``--help``, ``--version``
and reports never pay for the rules. ``PIPELINE`` is the same order as rule classes
(importing every rule module).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from codemods.base import Rule

def text_gate(data: bytes, triggers: tuple[str | tuple[str, ...], ...], requires: tuple[str, ...]) -> bool:
    """Does ``data`` contain every word of ``requires`` and one of ``triggers`` (a
    tuple trigger: all of its words)?"""
    if not all(word.encode() in data for word in requires):
        return False
    return any(
        all(word.encode() in data for word in ((trigger,) if isinstance(trigger, str) else trigger))
        for trigger in triggers
    )


@dataclass(frozen=True)
class RuleSpec:
    """A rule as the engine sees it before importing it."""

    code: str
    slug: str
    summary: str
    module: str  # the module that defines (or re-exports) the rule class
    class_name: str
    triggers: tuple[str | tuple[str, ...], ...]
    requires: tuple[str, ...] = ()

    def load(self) -> type[Rule]:
        return getattr(importlib.import_module(self.module), self.class_name)

    def applies_to(self, data: bytes) -> bool:
        """The text gate first (no import); then the rule's own test, which may be narrower."""
        return text_gate(data, self.triggers, self.requires) and self.load().applies_to(data)


RULES: tuple[RuleSpec, ...] = (
    # K203 before K101: it tells standalone Keras 2.3.1 optimizers (whose defaults it
    # writes out) from TF 1.15 tf.keras ones (Keras 3's defaults already) by their imports.
    RuleSpec(
        "K203", "optimizer-arguments",
        "Keras 2 optimizers: `lr` -> `learning_rate`, `decay` -> an `InverseTimeDecay` schedule, "
        "Keras 2 defaults Keras 3 changed written out.",
        "codemods.keras.k203_optimizer_arguments", "OptimizerArguments",
        triggers=("keras",),
    ),
    RuleSpec(
        "K101", "keras-imports",
        "Standalone `keras` imports become `tensorflow.keras` imports, private Keras 2 modules their public homes.",
        "codemods.keras.k101_keras_imports", "KerasImports",
        triggers=("keras",),
    ),
    RuleSpec(
        "K201", "keras1-layer-arguments",
        "Keras 1 layer names and arguments (`Convolution2D(32, 3, 3)`, `border_mode`, `init`, `output_dim`, "
        "`W_regularizer`, `dim_ordering`, ...) -> the Keras 2 spelling Keras 3 accepts.",
        "codemods.keras.k201_keras1_layer_arguments", "Keras1LayerArguments",
        triggers=("keras",),
    ),
    RuleSpec(
        "K202", "training-api",
        "`fit_generator`/`evaluate_generator`/`predict_generator` -> `fit`/`evaluate`/`predict`; "
        "`nb_epoch`, `samples_per_epoch`, `nb_val_samples` -> Keras 2 keywords; multi-output results, "
        "`class_weight` lists and 1-D inputs as Keras 2 handled them.",
        "codemods.keras.k202_training_api", "TrainingApi",
        triggers=("_generator", "nb_epoch", "samples_per_epoch", "nb_val_samples", "val_samples", "workers", "max_q", "metrics",
                  "predict", "fit", "_on_batch", "evaluate"),
        requires=("keras",),
    ),
    RuleSpec(
        "K205", "keras2-defaults",
        "Layer/initializer/activation/loss defaults Keras 3 changed (`GRU` reset_after, `'hard_sigmoid'`, "
        "`VarianceScaling('normal')`, loss names) -> Keras 2's, written out.",
        "codemods.keras.k205_keras2_defaults", "Keras2Defaults",
        triggers=("keras",),
    ),
    RuleSpec(
        "K206", "stateful-rnn",
        "`batch_input_shape=` / `batch_size=` on layers -> `Input(batch_shape=...)`; "
        "`model.reset_states()` -> reset each stateful layer.",
        "codemods.keras.k206_stateful_rnn", "StatefulRnn",
        triggers=("batch_input_shape", "reset_states", ("batch_size", "input_shape"), ("batch_size", "input_dim")),
        requires=("keras",),
    ),
    # K207 on layer calls of either spelling (keras.* or tensorflow.keras.*)
    RuleSpec(
        "K207", "integer-arguments",
        "NumPy integers passed as layer sizes (`Dense(np.prod(shape))`), which Keras 3 refuses, "
        "are wrapped in `int()`.",
        "codemods.keras.k207_integer_arguments", "IntegerArguments",
        triggers=(("keras", "numpy"),),
    ),
    RuleSpec(
        "K208", "trainable-at-compile",
        "`model.trainable` changed after `compile` (the GAN idiom), which Keras 2 ignored for that model and "
        "Keras 3 does not, is set back to its compile-time value before each training call (BatchNormalization "
        "and shared layers as Keras 2 froze them).",
        "codemods.keras.k208_trainable_at_compile", "TrainableAtCompile",
        triggers=(("trainable", "compile"),),
        requires=("keras",),
    ),
    RuleSpec(
        "K301", "backend-session",
        "Keras 2 backend session/global-state functions (`K.function`, `K.image_dim_ordering`, `K.set_session`, "
        "`K.get_session`, ...) -> Keras 3, or reported.",
        "codemods.keras.k301_backend_session", "BackendSession",
        triggers=("keras",),
    ),
    RuleSpec(
        "K302", "backend-math-to-ops",
        "Keras 2 backend math (`K.mean`, `K.square`, `K.sqrt`, `K.concatenate`, ...) -> `keras.ops`, "
        "with Keras 2's default axes written out.",
        "codemods.keras.k302_backend_math_to_ops", "BackendMathToOps",
        triggers=("keras",),
    ),
    RuleSpec(
        "K303", "predict-classes",
        "`predict_classes` / `predict_proba` (gone in Keras 3) -> `predict` with Keras 2's argmax / 0.5 threshold.",
        "codemods.keras.k303_predict_classes", "PredictClasses",
        triggers=("predict_classes", "predict_proba"),
        requires=("keras",),
    ),
    RuleSpec(
        "K304", "saving-formats",
        "Save paths Keras 3 refuses or cannot read back (`save_weights('w.h5')`, `save('m.h5')`, checkpoints) -> "
        "`.weights.h5` / `.keras`, renamed wherever the module uses them.",
        "codemods.keras.k304_saving_formats", "SavingFormats",
        triggers=("save", "ModelCheckpoint"),
        requires=("keras",),
    ),
    RuleSpec(
        "K305", "callbacks",
        "Keras 2 callback arguments (`ModelCheckpoint(period=)`, `mode='auto'`, TensorBoard's removed options, "
        "`optimizer.lr`) -> Keras 3.",
        "codemods.keras.k305_callbacks", "Callbacks",
        triggers=("callbacks", "Checkpoint", "EarlyStopping", "ReduceLROnPlateau", "TensorBoard", "ProgbarLogger", ".lr"),
        requires=("keras",),
    ),
    RuleSpec(
        "K306", "sequential-input-output",
        "`<Sequential model>.input` / `.output` (gone from Keras 3's Sequential) -> `.inputs[0]` / `.outputs[0]`.",
        "codemods.keras.k306_sequential_input_output", "SequentialInputOutput",
        triggers=("Sequential",),
        requires=("keras",),
    ),
    # G104 before the graph and API rules: it reads the model_fn's TF 1 names (tf.layers,
    # tf.train optimizers, tf.metrics) and leaves the rest of its code to T101.
    RuleSpec(
        "G104", "estimator-to-loop",
        "tf.estimator.Estimator with a custom model_fn (train, evaluate, predict, numpy_input_fn) becomes an eager "
        "training loop: tf.function steps, Keras layers, optimizer and metrics, tf.train.Checkpoint in model_dir.",
        "codemods.graph.g104_estimator_to_loop", "EstimatorToLoop",
        triggers=("estimator", "Estimator"),
        requires=("tensorflow",),
    ),
    # G102 before G101: layer objects G101 then keeps as state. Only graphs that a session
    # runs are converted (G101 undoes this rule otherwise).
    RuleSpec(
        "G102", "layers-to-keras",
        "TF1 functional layers (tf.layers.dense, conv2d, pooling, flatten, dropout, batch_normalization; "
        "tf.contrib.layers; LSTM/GRU/basic RNN cells under dynamic_rnn/static_rnn, bidirectional too) become Keras "
        "layer objects "
        "created once.",
        "codemods.graph.g102_layers_to_keras", "LayersToKeras",
        triggers=("layers.", "slim.", "get_variable", "variable_scope", "rnn_cell", "contrib.rnn", "static_rnn",
                  "dynamic_rnn", "bidirectional_rnn"),
        requires=("Session",),
    ),
    # Nothing is converted unless the module runs a session (Session, InteractiveSession).
    RuleSpec(
        "G101", "session-to-function",
        "TF1 placeholders, Sessions and optimizer steps become tf.function, GradientTape and Keras optimizers.",
        "codemods.graph.g101_session_to_function", "GraphToEager",
        triggers=("Session",),
    ),
    # T105 after G101: the graph conversion sees the program's own code only
    RuleSpec(
        "T105", "mnist-input-data",
        "tensorflow.examples.tutorials.mnist.input_data.read_data_sets becomes an inlined equivalent on "
        "tf.keras.datasets.mnist with TF 1's splits, scaling and next_batch shuffling.",
        "codemods.api.t105_mnist_input_data", "MnistInputData",
        triggers=("read_data_sets", "input_data"),
    ),
    # T106 before T103 (the tf.enable_eager_execution() it removes is T106's evidence) and T101
    RuleSpec(
        "T106", "contrib-eager",
        "TF 1's eager API under tf.contrib.eager (tfe.Variable, tfe.Iterator, implicit_gradients, tfe.Network) "
        "and the tf.train optimizers of eager code become TF 2's: tf.Variable, iter(), tf.GradientTape, "
        "tf.keras.Model, Keras optimizers.",
        "codemods.api.t106_contrib_eager", "ContribEager",
        triggers=("contrib.eager", ("contrib", "eager"), "enable_eager_execution"),
        requires=("tensorflow",),
    ),
    RuleSpec(
        "T102", "absl-flags-logging",
        "tf.app.flags, tf.flags, tf.logging and tf.app.run become absl.flags, absl.logging and absl.app.run.",
        "codemods.api.t102_absl_flags_logging", "AbslFlagsLogging",
        triggers=("flags", "logging", "app.run", "from tensorflow import app"),
    ),
    RuleSpec(
        "T103", "eager-by-default",
        "tf.enable_eager_execution(), tf.reset_default_graph() and other graph-mode switches are removed.",
        "codemods.api.t103_eager_by_default", "EagerByDefault",
        triggers=("enable_eager_execution", "enable_v2_behavior", "reset_default_graph", "enable_resource_variables",
                  "enable_v2_tensorshape", "enable_control_flow_v2", "disable_v2_behavior", "disable_eager_execution"),
    ),
    RuleSpec(
        "T104", "tf-print",
        "Statements `y = tf.Print(x, data, message)` become `tf.print(message, *data)` and `y = x`.",
        "codemods.api.t104_tf_print", "TFPrint",
        triggers=("Print",),
    ),
    # T101 after T102-T104: they act on TF1 names it would otherwise keep on compat.v1
    RuleSpec(
        "T101", "tf2-api",
        "Renamed, moved and re-signatured TF1 functions get their native TF2 names and arguments.",
        "codemods.api.t101_tf2_api", "TF2Api",
        triggers=("tensorflow",),
    ),
    # G103 after every TF rule: whatever G101's fallback and T101 left that TF 2.21 + Keras 3
    # lacks (tf.layers, tf.nn.rnn_cell, tf.contrib) gets its home, whichever rule left it.
    RuleSpec(
        "G103", "legacy-homes",
        "tf.layers, tf.nn.rnn_cell and tf.contrib, gone from TF 2.21, come from tf-keras' legacy module and tf-slim.",
        "codemods.graph.g103_legacy_homes", "LegacyHomes",
        triggers=(("tensorflow", "layers"), ("tensorflow", "rnn_cell"), ("tensorflow", "contrib")),
    ),
    # N101: NumPy 1 names NumPy 2 removed; independent of the TF rules (its applies_to
    # narrows the gate)
    RuleSpec(
        "N101", "numpy2",
        "NumPy 1 names NumPy 2 removed (`np.float`, `np.int`, `np.float_`, `np.NaN`, `np.product`, `np.asscalar`, "
        "`newshape=`, `tostring()`, ...) -> their exact NumPy 2 spelling.",
        "codemods.ecosystem.n101_numpy2", "Numpy2",
        triggers=("numpy",),
    ),
    RuleSpec(
        "S101", "sklearn-keywords",
        "scikit-learn 1.0 keywords 1.9 removed (`TSNE(n_iter=)`, `OneHotEncoder(sparse=)`) -> their new names, "
        "with `TSNE`'s 1.0 defaults written out; `load_boston` reported.",
        "codemods.ecosystem.s101_sklearn_keywords", "SklearnKeywords",
        triggers=(("sklearn", "TSNE"), ("sklearn", "OneHotEncoder"), ("sklearn", "load_boston")),
    ),
    # R001 last: reports what the others left (changes nothing)
    RuleSpec(
        "R001", "remaining-tf1",
        "Reports (changes nothing) every use left of tf.compat.v1, TF 1-only names, tf.contrib and tf.estimator.",
        "codemods.api.r001_remaining_legacy", "RemainingLegacy",
        triggers=("tensorflow",),
    ),
)


_BY_CODE = {spec.code: spec for spec in RULES}


def registered(code: str) -> RuleSpec | None:
    """The registry entry of the rule ``code``, if it is one of the pipeline's."""
    return _BY_CODE.get(code)


def __getattr__(name: str) -> object:
    # ``PIPELINE``: the rule classes in ``RULES`` order, imported on first use only.
    if name == "PIPELINE":
        pipeline = tuple(spec.load() for spec in RULES)
        globals()["PIPELINE"] = pipeline
        return pipeline
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
