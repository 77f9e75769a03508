"""Every TF2 name and keyword the T1xx rules can write exists in the installed TF 2.21,
and the snapshot of tf_upgrade_v2's tables is the one this TensorFlow would give."""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path

import pytest
import tensorflow as tf  # noqa: E402  (tests may import TensorFlow; the migrate path may not)

from codemods.analysis import tf_api
from codemods.api.t102_absl_flags_logging import ABSL_LOGGING_NAMES

TABLES = tf_api.tables()
ROOT = Path(__file__).resolve().parent.parent


def _resolve(symbol: str, root=tf):
    obj = root
    for part in symbol.split(".")[1:]:
        obj = getattr(obj, part)
    return obj


def _targets() -> list[str]:
    targets = set()
    for symbol in {*TABLES["symbol_renames"], *TABLES["signatures"], *tf_api.NATIVE_OVERRIDES, *tf_api.SEMANTIC_COMPAT}:
        for rename in (tf_api.native_rename(symbol), tf_api.compat_rename(symbol)):
            if rename:
                targets.add(rename)
    targets.update(f"tf.{dtype}" for dtype in tf_api.CASTS.values())
    # written by the per-call rewrites of T101 and by T104
    targets.update({"tf.cast", "tf.stop_gradient", "tf.gather", "tf.nn.bias_add", "tf.matmul", "tf.nn.relu",
                    "tf.where", "tf.print"})
    targets.update(tf_api.compat_name(symbol) for symbol in ("tf.where", "tf.assign", "tf.batch_gather", "tf.Print"))
    return sorted(targets)


@pytest.mark.parametrize("symbol", _targets())
def test_target_exists_in_tf2(symbol: str) -> None:
    assert _resolve(symbol) is not None


def _renamed_keywords() -> list[tuple[str, str, str]]:
    cases = []
    for symbol, table in TABLES["keyword_renames"].items():
        target = tf_api.native_target(symbol)
        if symbol.startswith("*") or target is None or target.startswith("tf.keras"):
            continue
        cases.extend((symbol, target, new) for new in table.values() if new is not None)
    return cases


@pytest.mark.parametrize(("symbol", "target", "keyword"), _renamed_keywords())
def test_renamed_keywords_exist_in_the_tf2_function_or_keep_the_call_on_compat(symbol, target, keyword) -> None:
    """T101 writes ``keyword`` only where the TF2 function takes it; where the recorded
    signature says it does not, the call stays on tf.compat.v1 instead (checked here)."""
    try:
        function = _resolve(target)
    except AttributeError:
        pytest.fail(f"{target} (native form of {symbol}) is not in TF 2")
    parameters = inspect.signature(function).parameters
    takes_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values())
    if keyword in parameters or takes_any:
        return
    signature = tf_api.signature(symbol)
    assert signature is not None and signature["v2_keywords"] is not None and keyword not in signature["v2_keywords"], (
        f"{symbol} -> {target}: keyword {keyword!r} is not a TF 2 parameter and nothing keeps the call on compat.v1"
    )


def _in_tf1_api(symbol: str) -> bool:
    try:
        _resolve(symbol, tf.compat.v1)
        return True
    except AttributeError:
        return False  # tf.contrib and other names that TF 2's compat.v1 does not keep


def _native_renames() -> list[tuple[str, str]]:
    pairs = []
    for symbol in {*TABLES["symbol_renames"], *tf_api.NATIVE_OVERRIDES}:
        target = tf_api.native_rename(symbol)
        if target is not None and _in_tf1_api(symbol):
            pairs.append((symbol, target))
    return sorted(pairs)


@pytest.mark.parametrize(("symbol", "target"), _native_renames())
def test_a_native_rename_is_tf1s_own_function_or_has_its_arguments_mapped(symbol: str, target: str) -> None:
    """``tf.log`` -> ``tf.math.log`` is safe when ``tf.compat.v1.log is tf.math.log``, or
    takes the same parameters (``gfile.FastGFile`` and ``io.gfile.GFile``: two classes over
    the same file object); otherwise T101 must know both signatures to move the arguments."""
    tf1 = _resolve(symbol, tf.compat.v1)
    tf2 = _resolve(target)
    if tf1 is tf2 or not callable(tf1) or inspect.signature(tf1) == inspect.signature(tf2):
        return
    assert tf_api.signature(symbol) is not None, f"{symbol} -> {target}: different functions, no recorded signature"


@pytest.mark.parametrize("symbol", sorted(tf_api.V1_INITIALIZERS))
def test_tf2_initializers_take_tf1s_parameters_in_tf1s_places(symbol: str) -> None:
    """T101 keeps a TF1 initializer call's arguments for TF 2's class of the same name
    (calls passing dtype= or verify_shape= stay on tf.compat.v1) and writes out TF1's
    defaults by keyword: every other TF1 parameter must sit in the same place in TF 2's."""
    params, defaults = tf_api.V1_INITIALIZERS[symbol]
    tf1 = [p for p in inspect.signature(_resolve(symbol, tf.compat.v1).__init__).parameters if p != "self"]
    tf2 = [p for p in inspect.signature(_resolve(symbol).__init__).parameters if p != "self"]
    kept = [p for p in params if p not in ("dtype", "verify_shape")]
    assert tf1[: len(params)] == list(params) and tf2[: len(kept)] == kept
    assert all(name in tf2 for name, _ in defaults)


def test_recorded_signatures_match_the_installed_tensorflow() -> None:
    checked = 0
    for symbol, recorded in TABLES["signatures"].items():
        v2 = _resolve(tf_api.native_target(symbol))
        target = v2.__init__ if inspect.isclass(v2) else v2
        names = [p.name for p in inspect.signature(target).parameters.values()
                 if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.name != "self"]
        assert names == recorded["v2"], symbol
        checked += 1
    assert checked > 300


def test_semantic_compat_symbols_exist_in_compat_v1() -> None:
    for symbol in tf_api.SEMANTIC_COMPAT:
        assert _resolve(tf_api.compat_name(symbol)) is not None


def test_absl_targets_exist() -> None:
    logging = importlib.import_module("absl.logging")
    flags = importlib.import_module("absl.flags")
    app = importlib.import_module("absl.app")
    assert all(hasattr(logging, name) for name in ABSL_LOGGING_NAMES)
    assert callable(app.run) and hasattr(flags, "FLAGS") and hasattr(flags, "DEFINE_integer")


def test_the_snapshot_says_where_it_came_from() -> None:
    source = TABLES["source"]
    assert source["package"] in ("tensorflow-cpu", "tensorflow") and source["version"] == tf.__version__
    assert "renames_v2.py" in source["files"] and source["generated_by"] == "scripts/snapshot_tf_upgrade_tables.py"


def test_native_names_preferred_over_compat() -> None:
    assert tf_api.native_rename("tf.random_normal") == "tf.random.normal"
    assert tf_api.native_rename("tf.log") == "tf.math.log"
    assert tf_api.native_rename("tf.set_random_seed") == "tf.random.set_seed"
    assert tf_api.native_rename("tf.py_func") == "tf.numpy_function"
    assert tf_api.native_rename("tf.placeholder") is None
    assert tf_api.compat_rename("tf.placeholder") == "tf.compat.v1.placeholder"
    assert tf_api.compat_rename("tf.image.resize_images") == "tf.compat.v1.image.resize_images"
    assert tf_api.native_rename("tf.keras.optimizers.Adam") is None


def test_tf_keras_optimizers_are_not_tf1_names() -> None:
    # tf_upgrade_v2 renames them to tf.keras.optimizers.legacy (TF 2.11), which is not TF 1:
    # G101's and K203's output must not be reported as TF 1 code left over.
    assert not tf_api.tf1_only("tf.keras.optimizers.Adam")
    assert tf_api.tf1_only("tf.train.AdamOptimizer")


def test_mapping_summary_counts_every_table_symbol_once() -> None:
    summary = tf_api.mapping_summary()
    assert sum(summary.values()) == len(TABLES["symbol_renames"])
    assert summary["native"] > summary["removed"] and summary["compat.v1"] > 0


def _fixture_symbols() -> set[str]:
    """TF1 functions called by the API fixtures' TF 1.x programs."""
    import libcst as cst

    from codemods.analysis.names import FastVisitor, ImportResolver

    called: set[str] = set()
    for before in sorted((ROOT / "fixtures" / "api").glob("*/before.py")):
        module = cst.parse_module(before.read_bytes())
        names = tf_api.TF1Names(ImportResolver(module))

        class _Calls(FastVisitor):
            def visit_Call(self, node: cst.Call) -> None:
                symbol = names.symbol(node.func)
                if symbol is not None:
                    called.add(symbol)

        module.visit(_Calls())
    return called


def test_api_fixtures_cover_forty_renamed_or_resignatured_functions_in_every_area() -> None:
    changed = {
        s for s in _fixture_symbols()
        if s in TABLES["symbol_renames"] or s in TABLES["signatures"] or s in TABLES["keyword_renames"]
    }
    assert len(changed) >= 40, sorted(changed)
    areas = {
        area: [s for s in changed if f".{area}." in (tf_api.native_target(s) or tf_api.compat_name(s))]
        for area in ("math", "nn", "image", "random", "strings", "sparse", "linalg")
    }
    assert all(areas.values()), areas


def test_private_module_paths_resolve_to_public_tf1_names() -> None:
    from codemods.analysis.private_names import public_qualified

    assert public_qualified("tensorflow.python.framework.ops.reset_default_graph") == "tensorflow.reset_default_graph"
    assert public_qualified("tensorflow.python.ops.math_ops.reduce_sum") == "tensorflow.reduce_sum"
    assert public_qualified("tensorflow.python.training.adam.AdamOptimizer") == "tensorflow.train.AdamOptimizer"
    assert public_qualified("tensorflow.python.ops.rnn_cell_impl.LSTMCell") == "tensorflow.nn.rnn_cell.LSTMCell"
    # attributes after the name follow it; names TF1 does not export stay private
    assert public_qualified("tensorflow.python.framework.dtypes.float32.max") == "tensorflow.float32.max"
    assert public_qualified("tensorflow.python.client.device_lib.list_local_devices") == (
        "tensorflow.python.client.device_lib.list_local_devices"
    )
    assert public_qualified("tensorflow.nn.relu") == "tensorflow.nn.relu"


def test_every_legacy_home_exists_on_tf_2_21() -> None:
    """What G103 writes (codemods/data/legacy_homes.json) exists in tf-keras, tf-slim and TF 2.21."""
    import tf_slim
    from tf_keras.api._v1.keras.__internal__ import legacy

    from codemods.analysis import legacy_homes

    homes = legacy_homes._tables()
    for module in ("layers", "rnn_cell"):
        for name in homes["tf_keras_legacy"][module]:
            assert hasattr(getattr(legacy, module), name), f"tf_legacy.{module}.{name}"
    assert all(hasattr(tf_slim, name) for name in homes["tf_slim"])
    for symbol, target in homes["contrib_renames"].items():
        assert _resolve("tf." + target, tf.compat.v1) is not None, symbol
    assert legacy_homes.home("layers.dense") == legacy_homes.Home("tf_legacy", "layers.dense")
    assert legacy_homes.home("contrib.rnn.GRUCell") == legacy_homes.Home("tf_legacy", "rnn_cell.GRUCell")
