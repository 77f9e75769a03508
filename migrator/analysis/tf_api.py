"""TensorFlow 1 -> 2 API knowledge: `tf_upgrade_v2`'s tables plus migrator's native choices.

The tables come from `migrator/data/tf_upgrade_v2.json`, a snapshot of the tables in the
installed TensorFlow package made by `scripts/snapshot_tf_upgrade_tables.py`. Loaded
once per process, on first use; nothing here imports TensorFlow.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data" / "tf_upgrade_v2.json"

# TF1 symbols that tf_upgrade_v2 sends to tf.compat.v1 but that have a native TF2
# spelling with the same behaviour.
NATIVE_OVERRIDES = {
    "tf.set_random_seed": "tf.random.set_seed",
    "tf.random.set_random_seed": "tf.random.set_seed",
    "tf.assert_equal": "tf.debugging.assert_equal",
    "tf.log_sigmoid": "tf.math.log_sigmoid",
    "tf.random_shuffle": "tf.random.shuffle",
    "tf.sparse_tensor_to_dense": "tf.sparse.to_dense",
    "tf.Dimension": None,
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

# TF1 modules that became absl modules.
ABSL_MODULES = {
    "tf.app.flags": "absl.flags",
    "tf.flags": "absl.flags",
    "tf.logging": "absl.logging",
}

# Calls that only configured TF1's graph mode; TF2 code does not need them.
GRAPH_ERA_CALLS = {"tf.enable_eager_execution", "tf.reset_default_graph", "tf.enable_v2_behavior"}


@functools.lru_cache(maxsize=1)
def tables() -> dict:
    return json.loads(DATA.read_text())


def native_rename(symbol: str) -> str | None:
    """The TF2-native name of TF1 ``symbol`` (``tf.log`` -> ``tf.math.log``), if it was renamed."""
    if symbol in NATIVE_OVERRIDES:
        return NATIVE_OVERRIDES[symbol]
    if symbol.startswith("tf.keras."):
        return None  # tf.keras is Keras 3 in TF 2.21: the Keras rules own it
    target = tables()["symbol_renames"].get(symbol)
    if target is None or target.startswith("tf.compat.v1."):
        return None
    if target in tables()["missing_in_tf2"]:
        return None
    return target


def compat_rename(symbol: str) -> str | None:
    """``tf.compat.v1.X`` for a TF1 symbol that TF2 dropped, else None."""
    target = tables()["symbol_renames"].get(symbol)
    if target is not None and target.startswith("tf.compat.v1.") and target not in tables()["missing_in_tf2"]:
        return target
    return None


def removed(symbol: str) -> bool:
    """TF1 symbols whose tf_upgrade_v2 replacement no longer exists in the installed TF 2."""
    return tables()["symbol_renames"].get(symbol) in set(tables()["missing_in_tf2"])


def keyword_renames(symbol: str) -> dict[str, str | None]:
    return tables()["keyword_renames"].get(symbol, {})


def reorder(symbol: str) -> list[str | None] | None:
    return tables()["reorders"].get(symbol)


def count_symbol_uses(source: bytes) -> tuple[int, int]:
    """(native, compat.v1) uses of TensorFlow symbols in a file, resolved through its
    imports: what the benchmark reports for migrator's and tf_upgrade_v2's output."""
    import libcst as cst

    from migrator.analysis.names import ImportResolver

    module = cst.parse_module(source)
    resolver = ImportResolver(module)
    counts = [0, 0]

    class _Count(cst.CSTVisitor):
        def visit_Attribute(self, node: cst.Attribute) -> bool:
            name = resolver.qualified_name(node)
            if name is None or not name.startswith("tensorflow."):
                return True
            counts[1 if name.startswith("tensorflow.compat.v1.") else 0] += 1
            return False  # one use per chain

    module.visit(_Count())
    return counts[0], counts[1]
