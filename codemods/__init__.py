"""The rules, in the one order the engine runs them.

Order matters: Keras imports are moved first (later rules see ``tensorflow.keras``
names), the graph-to-eager conversion runs on the original TF1 names, the symbol
renames run over what the conversion left, and TF1 names TF 2.21 lacks get their homes last.
"""

from __future__ import annotations

from codemods.api.r001_remaining_legacy import RemainingLegacy
from codemods.api.t101_tf2_api import TF2Api
from codemods.api.t102_absl_flags_logging import AbslFlagsLogging
from codemods.api.t103_eager_by_default import EagerByDefault
from codemods.api.t104_tf_print import TFPrint
from codemods.api.t105_mnist_input_data import MnistInputData
from codemods.base import Rule
from codemods.graph.g101_session_to_function import GraphToEager
from codemods.graph.g102_layers_to_keras import LayersToKeras
from codemods.graph.g103_legacy_homes import LegacyHomes
from codemods.keras.k101_keras_imports import KerasImports
from codemods.keras.k201_keras1_layer_arguments import Keras1LayerArguments
from codemods.keras.k202_training_api import TrainingApi
from codemods.keras.k203_optimizer_arguments import OptimizerArguments
from codemods.keras.k205_keras2_defaults import Keras2Defaults
from codemods.keras.k206_stateful_rnn import StatefulRnn
from codemods.keras.k207_integer_arguments import IntegerArguments
from codemods.keras.k301_backend_session import BackendSession
from codemods.keras.k302_backend_math_to_ops import BackendMathToOps
from codemods.keras.k303_predict_classes import PredictClasses
from codemods.keras.k304_saving_formats import SavingFormats
from codemods.keras.k305_callbacks import Callbacks
from codemods.keras.k306_sequential_input_output import SequentialInputOutput
from codemods.numpy.n101_numpy2 import Numpy2

PIPELINE: tuple[type[Rule], ...] = (
    # K203 before K101: it tells standalone Keras 2.3.1 optimizers (whose defaults it
    # writes out) from TF 1.15 tf.keras ones (Keras 3's defaults already) by their imports.
    OptimizerArguments,
    KerasImports,
    Keras1LayerArguments,
    TrainingApi,
    Keras2Defaults,
    StatefulRnn,
    IntegerArguments,  # K207 on layer calls of either spelling (keras.* or tensorflow.keras.*)
    BackendSession,
    BackendMathToOps,
    PredictClasses,
    SavingFormats,
    Callbacks,
    SequentialInputOutput,
    LayersToKeras,  # G102 before G101: layer objects G101 then keeps as state
    GraphToEager,
    MnistInputData,  # T105 after G101: the graph conversion sees the program's own code only
    AbslFlagsLogging,
    EagerByDefault,
    TFPrint,
    TF2Api,  # T101 after T102-T104: they act on TF1 names it would otherwise keep on compat.v1
    # G103 after every TF rule: whatever G101's fallback and T101 left that TF 2.21 + Keras 3
    # lacks (tf.layers, tf.nn.rnn_cell, tf.contrib) gets its home, whichever rule left it.
    LegacyHomes,
    Numpy2,  # N101: NumPy 1 names NumPy 2 removed; independent of the TF rules
    RemainingLegacy,  # R001 last: reports what the others left (changes nothing)
)
