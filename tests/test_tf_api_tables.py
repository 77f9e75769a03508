"""Every TF2 name T101 can write exists in the installed TensorFlow 2.21."""

from __future__ import annotations

import pytest

from migrator.analysis import tf_api

import tensorflow as tf  # noqa: E402  (tests may import TensorFlow; the migrate path may not)


def _resolve(symbol: str):
    obj = tf
    for part in symbol.split(".")[1:]:
        obj = getattr(obj, part)
    return obj


def _targets() -> list[str]:
    targets = set()
    for symbol in tf_api.tables()["symbol_renames"]:
        for rename in (tf_api.native_rename(symbol), tf_api.compat_rename(symbol)):
            if rename:
                targets.add(rename)
    targets.update(f"tf.{dtype}" for dtype in tf_api.CASTS.values())
    targets.update({"tf.cast", "tf.stop_gradient"})
    return sorted(targets)


@pytest.mark.parametrize("symbol", _targets())
def test_target_exists_in_tf2(symbol: str) -> None:
    assert _resolve(symbol) is not None


def test_the_snapshot_says_where_it_came_from() -> None:
    source = tf_api.tables()["source"]
    assert source["package"] == "tensorflow-cpu" and source["version"].startswith("2.")


def test_native_names_preferred_over_compat() -> None:
    assert tf_api.native_rename("tf.random_normal") == "tf.random.normal"
    assert tf_api.native_rename("tf.log") == "tf.math.log"
    assert tf_api.native_rename("tf.set_random_seed") == "tf.random.set_seed"
    assert tf_api.native_rename("tf.placeholder") is None
    assert tf_api.compat_rename("tf.placeholder") == "tf.compat.v1.placeholder"
    assert tf_api.native_rename("tf.keras.optimizers.Adam") is None
