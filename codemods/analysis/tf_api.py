"""TensorFlow 1 -> 2 API knowledge: `tf_upgrade_v2`'s tables plus migrator's native choices.

The tables come from `codemods/data/tf_upgrade_v2.json`, a snapshot of the tables in the
installed TensorFlow package made by `scripts/snapshot_tf_upgrade_tables.py` (which also
records, from the installed TF 2, the signatures of the functions whose arguments
changed). Loaded once per process, on first use; nothing here imports TensorFlow.

Symbols are written the way `tf_upgrade_v2` writes them: ``tf.X`` for TensorFlow's
``tensorflow.X``.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import libcst as cst

from codemods.analysis.cst_tools import after_imports, bound_names, insert_statements
from codemods.analysis.graph_outcome import graph_outcome
from codemods.analysis.names import walk
from codemods.analysis.optimizers import OPTIMIZERS
from codemods.analysis.private_names import public_qualified

DATA = Path(__file__).resolve().parent.parent / "data" / "tf_upgrade_v2.json"

_ASSERTS = (
    "assert_equal", "assert_greater", "assert_greater_equal", "assert_integer", "assert_less",
    "assert_less_equal", "assert_near", "assert_negative", "assert_non_negative", "assert_non_positive",
    "assert_none_equal", "assert_positive", "assert_rank", "assert_rank_at_least", "assert_rank_in",
    "assert_scalar", "assert_type",
)

# TF1 symbols that tf_upgrade_v2 sends to tf.compat.v1 but that have a native TF2
# spelling with the same behaviour. Arguments that the TF2 function lacks (the asserts'
# ``data``) keep a call on tf.compat.v1: the signature table decides per call.
NATIVE_OVERRIDES = {
    "tf.set_random_seed": "tf.random.set_seed",
    "tf.random.set_random_seed": "tf.random.set_seed",
    # both are script_ops.py_func_common(func, inp, Tout, stateful, name)
    "tf.py_func": "tf.numpy_function",
    # both are gfile._FileIO(name, mode), the same reads and writes; FastGFile only warns
    "tf.gfile.FastGFile": "tf.io.gfile.GFile",
    **{f"tf.{name}": f"tf.debugging.{name}" for name in _ASSERTS},
    **{f"tf.debugging.{name}": f"tf.debugging.{name}" for name in _ASSERTS},
}

# TF1 symbols whose TF2 namesake computes something else: kept on tf.compat.v1, with
# the reason (tf_upgrade_v2 renames some of them natively and changes the numbers).
SEMANTIC_COMPAT = {
    "tf.image.resize_images": "TF 2's tf.image.resize samples at half-pixel centers, TF 1's did not (different numbers)",
    "tf.image.resize_image_with_pad": "TF 2's tf.image.resize_with_pad resizes at half-pixel centers (different numbers)",
    "tf.image.resize_area": "TF 2's tf.image.resize(method='area') samples at half-pixel centers (different numbers)",
    "tf.image.resize_bicubic": "TF 2's tf.image.resize(method='bicubic') samples at half-pixel centers (different numbers)",
    "tf.image.resize_bilinear": "TF 2's tf.image.resize samples at half-pixel centers (different numbers)",
    "tf.image.resize_nearest_neighbor": "TF 2's tf.image.resize(method='nearest') samples at half-pixel centers",
    "tf.nn.space_to_batch": "TF 1 took one block_size for both spatial dimensions, TF 2 takes a block_shape list",
    "tf.div": "TF 1's div floors integer division and divides floats exactly; no TF 2 op does both",
    "tf.where": "TF 2's tf.where broadcasts x and y; TF 1's selected whole rows with a vector condition",
    "tf.string_split": "TF 2's tf.strings.split returns a RaggedTensor and splits on a separator string, "
    "not on each delimiter character",
    "tf.sparse_to_dense": "TF 2 builds a SparseTensor and calls tf.sparse.to_dense; argument forms differ",
    "tf.Print": "TF 1's Print returned its input; only `y = tf.Print(x, ...)` statements become tf.print (T104)",
}

# TF1 initializers whose TF 2 class of the same name (init_ops_v2) draws the same numbers
# from the same ops, in graph mode and eagerly, when built alike: TF1's parameters in
# positional order, and TF1's defaults written out where TF 2's differ (TF 2's stddev is
# 0.05, its minval/maxval -0.05/0.05). T101 decides per call: a seed keeps TF1's class
# (TF 2's seeded initializers draw from stateless ops), so does a dtype (TF 2's take it
# when called), and tf.constant_initializer goes native only with a float literal (TF 2's
# gives an int value int32 when called without a dtype; TF 1's gave float32).
V1_INITIALIZERS: dict[str, tuple[tuple[str, ...], tuple[tuple[str, str], ...]]] = {
    "tf.random_normal_initializer": (("mean", "stddev", "seed", "dtype"), (("stddev", "1.0"),)),
    "tf.random_uniform_initializer": (("minval", "maxval", "seed", "dtype"), (("minval", "0"), ("maxval", "1"))),
    "tf.zeros_initializer": (("dtype",), ()),
    "tf.ones_initializer": (("dtype",), ()),
    "tf.constant_initializer": (("value", "dtype", "verify_shape"), ()),
}

_KERAS_DRAWS = "draws other random numbers"
_NO_SESSION = "(G101 does this in the Session programs it converts)"
_INITIALIZED = (
    "TF 2 initializes variables when they are created: delete the initializer and the session run of it "
    + _NO_SESSION
)
_COLLECTIONS = (
    "TF 2 has no graph collections: keep the variables (or ops) in a Python list, or read them from the "
    "tf.Module or Keras layer that owns them (.trainable_variables, .variables) " + _NO_SESSION
)
_RNN = (
    "TF 2 runs recurrent networks as Keras layers: tf.keras.layers.RNN(cell, return_sequences=True, "
    "return_state=True)(inputs) (or LSTM / GRU), which create their own weights (G102 converts {what} over TF 1's "
    "common cells, with TF 1's weight layout, in the programs G101 converts)"
)
_SAVED_MODEL = (
    "TF 1's SavedModelBuilder signatures have no TF 2 form: export with tf.saved_model.save(obj, export_dir, "
    "signatures=a_tf_function.get_concrete_function(tf.TensorSpec(shape, dtype)))"
)

# Why common symbols have no native TF2 form and what to write instead (the report
# says it next to the symbol).
COMPAT_REASONS = {
    "tf.placeholder": "TF 2 has no placeholders (the graph conversion G101 replaces them where it can)",
    "tf.Session": "TF 2 has no sessions (the graph conversion G101 replaces them where it can)",
    "tf.InteractiveSession": "TF 2 has no sessions (the graph conversion G101 replaces them where it can)",
    "tf.get_variable": "TF 2 has no variable scopes (the graph conversion G101 turns get_variable into "
    "tf.Variable where it can; otherwise use tf.Variable or a Keras layer)",
    "tf.variable_scope": "TF 2 has no variable scopes (the graph conversion G101 drops them where it can; "
    "otherwise give variables explicit names or use Keras layers)",
    "tf.global_variables_initializer": _INITIALIZED,
    "tf.initialize_all_variables": _INITIALIZED,
    "tf.variables_initializer": _INITIALIZED,
    "tf.initialize_variables": _INITIALIZED,
    "tf.local_variables_initializer": _INITIALIZED + "; tf.keras.metrics objects replace tf.metrics' local variables",
    "tf.initialize_local_variables": _INITIALIZED + "; tf.keras.metrics objects replace tf.metrics' local variables",
    "tf.get_default_session": "TF 2 has no sessions: call the computation (a tf.function) directly and read its "
    "results with .numpy() " + _NO_SESSION,
    "tf.reset_default_graph": "it clears TF 1's default graph, which this module still builds; in eager code it has "
    "nothing to clear (T103 deletes it once the module uses nothing graph-only)",
    "tf.get_variable_scope": "TF 2 has no variable scopes: create each variable once (tf.Variable, Keras layers) "
    "and pass the objects to the code that reused them by name",
    **{f"tf.{name}": _COLLECTIONS for name in (
        "get_collection", "get_collection_ref", "add_to_collection", "add_to_collections", "GraphKeys",
        "trainable_variables", "global_variables", "local_variables", "all_variables", "model_variables",
    )},
    "tf.assign": "TF 2 assigns through the variable: ref.assign(value) (T101 writes it for tf.assign(ref, value))",
    "tf.assign_add": "TF 2 assigns through the variable: ref.assign_add(value) (T101 writes it for "
    "tf.assign_add(ref, value))",
    "tf.assign_sub": "TF 2 assigns through the variable: ref.assign_sub(value) (T101 writes it for "
    "tf.assign_sub(ref, value))",
    "tf.truncated_normal_initializer": "TF 2 has it only as a Keras initializer (tf.keras.initializers.TruncatedNormal, "
    f"which {_KERAS_DRAWS}, stddev 0.05 by default); "
    + "create the variable as tf.Variable(tf.random.truncated_normal(shape, mean, stddev), name=...), the same draw "
    "(G102 turns get_variable helpers into tf.Variables in the programs G101 converts)",
    "tf.variance_scaling_initializer": "TF 2 has it only as a Keras initializer (tf.keras.initializers.VarianceScaling, "
    f"which {_KERAS_DRAWS})",
    "tf.glorot_uniform_initializer": "TF 2 has it only as a Keras initializer (tf.keras.initializers.GlorotUniform, "
    f"which {_KERAS_DRAWS})",
    "tf.glorot_normal_initializer": "TF 2 has it only as a Keras initializer (tf.keras.initializers.GlorotNormal, "
    f"which {_KERAS_DRAWS})",
    "tf.orthogonal_initializer": "TF 2 has it only as a Keras initializer (tf.keras.initializers.Orthogonal, "
    f"which {_KERAS_DRAWS})",
    "tf.GraphDef": "the GraphDef protocol buffer class, which TF 2 exports only under tf.compat.v1 (the same class); "
    "a frozen graph runs in TF 2 through tf.compat.v1.wrap_function(lambda: tf.graph_util.import_graph_def(graph_def, "
    "name=''), []) pruned to its input and output tensors, or re-export the model as a SavedModel (tf.saved_model.load)",
    "tf.train.import_meta_graph": "TF 2 has no meta graphs to import into: load a SavedModel with "
    "tf.saved_model.load, or import the graph inside tf.compat.v1.wrap_function",
    "tf.Summary": "TF 2 writes summaries with ops, not Summary protocol buffers: tf.summary.scalar(tag, value, "
    "step=step) under `with tf.summary.create_file_writer(logdir).as_default():` replaces "
    "writer.add_summary(tf.Summary(value=[tf.Summary.Value(tag=tag, simple_value=value)]), step) (TensorBoard shows "
    "the same scalars)",
    "tf.summary.FileWriter": "TF 2 writes with tf.summary.create_file_writer(logdir) and tf.summary.scalar / "
    "histogram / image(..., step=step) under writer.as_default() " + _NO_SESSION,
    "tf.summary.merge_all": "TF 2 has no summary ops to merge: each tf.summary.scalar / histogram(..., step=step) "
    "call writes when it runs, under a writer's as_default() " + _NO_SESSION,
    "tf.summary.merge": "TF 2 has no summary ops to merge: each tf.summary.scalar / histogram(..., step=step) "
    "call writes when it runs, under a writer's as_default() " + _NO_SESSION,
    "tf.nn.dynamic_rnn": _RNN.format(what="dynamic_rnn"),
    "tf.nn.static_rnn": _RNN.format(what="static_rnn") + "; stack the list of steps with tf.stack(steps, axis=1)",
    "tf.contrib.rnn.static_rnn": _RNN.format(what="static_rnn")
    + "; stack the list of steps with tf.stack(steps, axis=1)",
    "tf.nn.bidirectional_dynamic_rnn": "TF 2 runs it as tf.keras.layers.Bidirectional(tf.keras.layers.RNN(cell, "
    "return_sequences=True), backward_layer=...), which creates its own weights",
    "tf.nn.static_bidirectional_rnn": "TF 2 runs it as tf.keras.layers.Bidirectional(tf.keras.layers.RNN(cell, "
    "return_sequences=True)) over tf.stack(steps, axis=1), which creates its own weights",
    "tf.contrib.rnn.static_bidirectional_rnn": "TF 2 runs it as tf.keras.layers.Bidirectional(tf.keras.layers.RNN("
    "cell, return_sequences=True)) over tf.stack(steps, axis=1), which creates its own weights",
    "tf.train.Saver": "TF 2 saves objects, not graph variables: tf.train.Checkpoint(model=..., optimizer=...) with "
    ".save(prefix) / .restore(path) (other checkpoint keys: a TF 1 checkpoint loads with "
    "tf.train.load_checkpoint) " + _NO_SESSION,
    "tf.train.checkpoint_exists": "use tf.train.latest_checkpoint(directory) is not None, or "
    "tf.io.gfile.exists(prefix + '.index') for one checkpoint prefix",
    "tf.train.get_global_step": "TF 2 has no graph-wide step: count steps in the optimizer (optimizer.iterations) "
    "or in a tf.Variable(0, dtype=tf.int64) the loop increments",
    "tf.train.get_or_create_global_step": "TF 2 has no graph-wide step: count steps in the optimizer "
    "(optimizer.iterations) or in a tf.Variable(0, dtype=tf.int64) the loop increments",
    "tf.saved_model.utils.build_tensor_info": _SAVED_MODEL,
    "tf.saved_model.build_tensor_info": _SAVED_MODEL,
    "tf.saved_model.signature_def_utils.build_signature_def": _SAVED_MODEL,
    "tf.saved_model.builder.SavedModelBuilder": _SAVED_MODEL,
    "tf.saved_model.Builder": _SAVED_MODEL,
    "tf.saved_model.simple_save": _SAVED_MODEL,
}

# `tf.to_float(x)` and friends: a cast to this dtype.
CASTS = {
    "tf.to_float": "float32",
    "tf.to_double": "float64",
    "tf.to_int32": "int32",
    "tf.to_int64": "int64",
    "tf.to_bfloat16": "bfloat16",
    "tf.to_complex64": "complex64",
    "tf.to_complex128": "complex128",
}

# TF1 modules that became absl modules (T102).
ABSL_MODULES = {
    "tf.app.flags": "absl.flags",
    "tf.flags": "absl.flags",
    "tf.logging": "absl.logging",
}

# Calls that only configured TF1's graph mode; TF2 code does not need them (T103).
ENABLING_CALLS = {
    "tf.enable_eager_execution", "tf.enable_v2_behavior", "tf.enable_resource_variables",
    "tf.enable_v2_tensorshape", "tf.enable_control_flow_v2",
}
# ... in a module that uses nothing graph-only (no placeholders, sessions, ...) any more,
# clearing the default graph does nothing; and in such a module written against
# ``tensorflow.compat.v1``, which migrator moves to plain ``tensorflow``, neither do the
# calls that switched TF2 back to graph mode.
GRAPH_RESET_CALLS = {"tf.reset_default_graph"}
DISABLING_CALLS = {"tf.disable_v2_behavior", "tf.disable_eager_execution"}
GRAPH_ERA_CALLS = ENABLING_CALLS | GRAPH_RESET_CALLS

# Arguments TF2 dropped whose only TF1 value equals TF2's behaviour (from tf_upgrade_v2's
# function transformers): dropped when the call passes exactly that value.
DROPPABLE = {
    ("tf.zeros_like", "optimize"): "True",
    ("tf.ones_like", "optimize"): "True",
    ("tf.while_loop", "return_same_structure"): "True",
    ("tf.nn.ctc_beam_search_decoder", "merge_repeated"): "False",
}


@functools.lru_cache(maxsize=1)
def tables() -> dict:
    return json.loads(DATA.read_text())


def _is_keras(symbol: str) -> bool:
    return symbol.startswith("tf.keras.") or symbol == "tf.keras"


def native_target(symbol: str) -> str | None:
    """The native TF2 name for TF1 ``symbol``: its new name, itself when it kept its
    name, None when TF2 has no native equivalent (or Keras, which other rules own)."""
    if symbol in NATIVE_OVERRIDES:
        return NATIVE_OVERRIDES[symbol]
    if _is_keras(symbol) or symbol in SEMANTIC_COMPAT or symbol in CASTS:
        return None
    target = tables()["symbol_renames"].get(symbol)
    if target is None:
        return symbol
    if target.startswith(("tf.compat.v1.", "tf.compat.v2.")) or target in _missing():
        return None
    return target


def native_rename(symbol: str) -> str | None:
    """The TF2-native name of TF1 ``symbol`` (``tf.log`` -> ``tf.math.log``), if it was renamed."""
    target = native_target(symbol)
    return target if target is not None and target != symbol else None


def compat_rename(symbol: str) -> str | None:
    """``tf.compat.v1.X`` for a TF1 symbol that TF2 has no native form of, else None."""
    if symbol in NATIVE_OVERRIDES or _is_keras(symbol):
        return None
    if symbol in SEMANTIC_COMPAT:
        return "tf.compat.v1." + symbol[len("tf.") :]
    target = tables()["symbol_renames"].get(symbol)
    if target is not None and target.startswith("tf.compat.v1.") and target not in _missing():
        return target
    return None


def compat_name(symbol: str) -> str:
    """TF1's own ``symbol`` as TF2 keeps it: ``tf.compat.v1.X``."""
    return "tf.compat.v1." + symbol[len("tf.") :]


def compat_reason(symbol: str) -> str:
    if symbol in V1_INITIALIZERS:  # named without being called (a call is decided by its arguments)
        return (
            f"TF 2's {symbol} is another class (other defaults, dtype given when called); calls of TF 1's that "
            "mean the same become TF 2's"
        )
    return (
        SEMANTIC_COMPAT.get(symbol) or COMPAT_REASONS.get(symbol) or _optimizer_reason(symbol)
        or _metric_reason(symbol) or "TF 2 has no native equivalent"
    )


def _optimizer_reason(symbol: str) -> str | None:
    """What replaces a TF1 ``tf.train.*Optimizer``: its Keras optimizer, with the TF1
    defaults that differ from Keras' written out."""
    mapping = OPTIMIZERS.get(symbol[len("tf.train."):]) if symbol.startswith("tf.train.") else None
    if mapping is None:
        return None
    defaults = {keras: default for _, keras, default in mapping.params if keras in mapping.explicit}
    keywords = ", ".join(f"{k}={v}" for k, v in {**defaults, **mapping.extra}.items())
    call = f"tf.keras.optimizers.{mapping.keras_name}(learning_rate{', ' + keywords if keywords else ''})"
    slots = "; TF 1 started its accumulator at 1.0, Keras starts it at 0.0" if mapping.ones_slots else ""
    return (
        f"TF 2's optimizers are Keras': {call} applied with tf.GradientTape and apply_gradients, they have no "
        f"minimize() or global_step{slots} {_NO_SESSION}"
    )


def _metric_reason(symbol: str) -> str | None:
    if not symbol.startswith("tf.metrics."):
        return None
    return (
        "TF 2's metrics are Keras objects (tf.keras.metrics: update_state(...) then result()); TF 1's returned "
        "(value, update_op) over local variables"
    )


@functools.lru_cache(maxsize=1)
def _missing() -> frozenset[str]:
    return frozenset(tables()["missing_in_tf2"])


@functools.lru_cache(maxsize=1)
def in_tf2() -> frozenset[str]:
    """Table symbols TF 2 still has under the same name: in TF 2 code they are TF 2's."""
    return frozenset(tables()["in_tf2"])


def removed(symbol: str) -> bool:
    """TF1 symbols whose tf_upgrade_v2 replacement no longer exists in the installed TF 2."""
    return tables()["symbol_renames"].get(symbol) in _missing()


# What replaces common tf.contrib names (after ``tf.contrib.``), for the reports.
CONTRIB_ADVICE = {
    "layers.layer_norm": "use tf.keras.layers.LayerNormalization (its epsilon default is 1e-3, tf.contrib's was 1e-12)",
    "layers.xavier_initializer": "use tf.keras.initializers.GlorotUniform (GlorotNormal for uniform=False)",
    "layers.variance_scaling_initializer": "use tf.keras.initializers.VarianceScaling",
    "layers.l2_regularizer": "use tf.keras.regularizers.L2 (its factor is twice tf.contrib's scale: L2(scale / 2))",
    "layers.": "use the tf.keras.layers counterpart (G102 converts the common tf.contrib.layers calls)",
    "slim.": "use tf.keras.layers (G102 converts slim's layer functions where it can)",
    "rnn.": "use tf.keras.layers.LSTMCell / GRUCell / RNN",
    "training.HParams": "use a dict or a dataclass",
    "tpu.": "use tf.distribute.TPUStrategy",
    "data.": "use tf.data (most of tf.contrib.data moved to tf.data.experimental)",
    "opt.": "use a tf.keras.optimizers optimizer",
}


def contrib_advice(symbol: str) -> str | None:
    """What to use instead of ``tf.contrib.X`` (None when there is no one answer)."""
    if not symbol.startswith("tf.contrib."):
        return None
    rest = symbol[len("tf.contrib.") :]
    for key, text in CONTRIB_ADVICE.items():
        if rest == key or (key.endswith(".") and rest.startswith(key)):
            return text
    return None


def module_deprecation(symbol: str) -> str | None:
    """tf_upgrade_v2's message for symbols of a module TF2 removed (``tf.contrib``...),
    with what to use instead where migrator knows it."""
    for module, message in tables().get("module_deprecations", {}).items():
        if symbol == module or symbol.startswith(module + "."):
            message = message or f"`{module}` was removed from TF 2"
            advice = contrib_advice(symbol)
            return f"{message} Instead: {advice}." if advice else message
    return None


def keyword_renames(symbol: str) -> dict[str, str | None]:
    return tables()["keyword_renames"].get(symbol, {})


def reorder(symbol: str) -> list[str | None] | None:
    return tables()["reorders"].get(symbol)


def signature(symbol: str) -> dict | None:
    """TF1 positional parameters and TF2 parameters of a function whose arguments changed."""
    return tables().get("signatures", {}).get(symbol)


def mapping_summary() -> dict[str, int]:
    """Distinct TF1 symbols of tf_upgrade_v2's tables by where migrator sends them."""
    counts = {"native": 0, "compat.v1": 0, "cast": 0, "absl": 0, "removed": 0, "keras (other rules)": 0}
    for symbol in tables()["symbol_renames"]:
        if _is_keras(symbol):
            counts["keras (other rules)"] += 1
        elif symbol in CASTS:
            counts["cast"] += 1
        elif any(symbol == m or symbol.startswith(m + ".") for m in ABSL_MODULES) or symbol == "tf.app.run":
            counts["absl"] += 1
        elif native_target(symbol) is not None:
            counts["native"] += 1
        elif compat_rename(symbol) is not None:
            counts["compat.v1"] += 1
        else:
            counts["removed"] += 1
    return counts


# -- names in a module ---------------------------------------------------------------
class TF1Names:
    """How one module names TensorFlow, for the T1xx rules.

    ``symbol(expr)`` is the TF1 symbol an expression names (``tf.log``), resolved through
    the module's imports. In a module that imports ``tensorflow.compat.v1`` as its
    TensorFlow (what tf_upgrade_v2 leaves behind), ``tf.X`` is TF1's X; elsewhere an
    explicit ``tf.compat.v1.X`` is a deliberate choice and names nothing here.
    """

    def __init__(self, resolver) -> None:
        self.resolver = resolver
        self.alias = resolver.alias_for("tensorflow")
        self.compat_module = self.alias is None and resolver.alias_for("tensorflow.compat.v1") is not None
        if self.compat_module:
            self.alias = resolver.alias_for("tensorflow.compat.v1")
        self.needs_import: str | None = None  # set when a rewrite needs `import tensorflow as <it>`

    @property
    def uses_tensorflow(self) -> bool:
        return self.resolver.imports_from("tensorflow")

    def symbol(self, expr: cst.BaseExpression) -> str | None:
        return tf1_symbol(self.resolver.qualified_name(expr), self.compat_module)

    def spell(self, symbol: str, near: cst.BaseExpression | None = None) -> str:
        """Source text naming TF ``symbol`` (``tf.math.log``) in this module: through the
        import that ``near`` (the expression being replaced) starts from when the target
        lives under it, else through the module's TensorFlow alias (adding one if needed)."""
        full = "tensorflow" + symbol[len("tf") :]
        root = near
        while isinstance(root, cst.Attribute):
            root = root.value
        if isinstance(root, cst.Name):
            origin = self.resolver.qualified_name(root)
            if origin and origin != "tensorflow.compat.v1" and full.startswith(origin + "."):
                return root.value + full[len(origin) :]
        if self.alias is not None:
            return self.alias + symbol[len("tf") :]
        if self.needs_import is None:
            self.needs_import = "tensorflow" if self.resolver.is_bound_anywhere("tf") else "tf"
        return self.needs_import + symbol[len("tf") :]

    def import_statement(self) -> str | None:
        if self.needs_import is None:
            return None
        return "import tensorflow" if self.needs_import == "tensorflow" else "import tensorflow as tf"


def tf1_symbol(qualified: str | None, compat_module: bool) -> str | None:
    if qualified is None or not qualified.startswith("tensorflow."):
        return None
    qualified = public_qualified(qualified)  # tensorflow.python.framework.ops.X -> tensorflow.X
    if qualified.startswith("tensorflow.compat.v1."):
        return "tf." + qualified[len("tensorflow.compat.v1.") :] if compat_module else None
    if qualified.startswith("tensorflow.compat."):
        return None
    return "tf." + qualified[len("tensorflow.") :]


def graph_fallback(scratch: dict) -> bool:
    """Did the graph conversion keep this module on tf.compat.v1 on purpose?"""
    return graph_outcome(scratch).fallback


def api_names(scratch: dict, resolver) -> TF1Names | None:
    """How the module names TensorFlow, for an API rule (T101-T104); None when it has
    nothing for them: it does not use TensorFlow, or the graph conversion kept it on
    tf.compat.v1 on purpose."""
    if graph_fallback(scratch):
        return None
    names = TF1Names(resolver)
    return names if names.uses_tensorflow else None


def add_imports(module: cst.Module, lines: list[str], before: int | None = None) -> cst.Module:
    """Insert import statements (not already there) after the module's top-level imports
    (with ``before``: after those above statement ``before``, the first to need them)."""
    # Only a line starting with an import can read "import ..." / "from ...": the others
    # are not rendered (a whole module's code, for each rule adding an import).
    imports_only = all(line.startswith(("import ", "from ")) for line in lines)
    existing = {
        module.code_for_node(s).strip() for s in module.body if isinstance(s, cst.SimpleStatementLine)
        and (not imports_only or isinstance(s.body[0], (cst.Import, cst.ImportFrom)))
    }
    new = [cst.parse_statement(line + "\n") for line in lines if line not in existing]
    return insert_statements(module, after_imports(module.body[:before], used=bound_names(new)), new)


# -- the benchmark's measure ---------------------------------------------------------
def count_symbol_uses(source: bytes) -> tuple[int, int]:
    """(native, compat.v1) uses of TensorFlow symbols in a file, resolved through its
    imports: what the benchmark reports for migrator's and tf_upgrade_v2's output.
    Uses of TF1-only names that neither form covers are left out (see ``classify_uses``)."""
    counts = classify_uses(source)
    return counts["native"], counts["compat.v1"]


def tf1_only(symbol: str) -> bool:
    """Is ``tf.X`` a TF1 name that TF 2 does not have under that name with that meaning?"""
    if symbol in NATIVE_OVERRIDES:
        return NATIVE_OVERRIDES[symbol] != symbol
    if _is_keras(symbol):
        # tf_upgrade_v2 renames tf.keras.optimizers.Adam to ...legacy.Adam (a TF 2.11
        # change, not a TF 1 name): tf.keras belongs to the Keras rules.
        return False
    if module_deprecation(symbol) is not None or any(
        symbol == m or symbol.startswith(m + ".") for m in (*ABSL_MODULES, "tf.app")
    ):
        return True
    return symbol in tables()["symbol_renames"] and native_target(symbol) != symbol


def classify_uses(source: bytes) -> dict[str, int]:
    """Uses of TensorFlow symbols in a file, by kind: ``native`` (a TF 2 name outside
    ``tf.compat``), ``compat.v1`` (inside ``tensorflow.compat.v1``), ``tf1_only`` (a TF1
    name TF 2 lacks, left as it was: ``tf.placeholder``, ``tf.contrib.*``).

    A use is one reference to something inside ``tensorflow`` (``tf.math.log``,
    ``nn.relu`` after ``from tensorflow import nn``, ``relu`` after ``from tensorflow.nn
    import relu``), counted once per dotted chain. Imports themselves are not uses; bare
    references to the package (``tf``) are not either.
    """
    from codemods.analysis.names import FastVisitor, ImportResolver

    module = cst.parse_module(source)
    resolver = ImportResolver(module)
    counts = {"native": 0, "compat.v1": 0, "tf1_only": 0}

    class _Count(FastVisitor):
        def _count(self, node: cst.BaseExpression) -> bool:
            name = resolver.qualified_name(node)
            if name is None or not name.startswith("tensorflow."):
                return True
            if name.startswith("tensorflow.compat.v1.") or name == "tensorflow.compat.v1":
                counts["compat.v1"] += 1
            elif tf1_only("tf." + name[len("tensorflow.") :]):
                counts["tf1_only"] += 1
            else:
                counts["native"] += 1
            return False  # one use per chain

        def visit_Import(self, node: cst.Import) -> bool:
            return False

        def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
            return False

        def visit_Attribute(self, node: cst.Attribute) -> bool:
            return self._count(node)

        def visit_Name(self, node: cst.Name) -> bool:
            self._count(node)
            return False

    walk(module, _Count())
    return counts
