"""K101's tables against the real libraries: TF 2.21's tensorflow.keras and Keras 2.3.1.

The migrate path never imports TensorFlow; these tests do, to prove that every place the
rule sends a name to exists, and that every name it calls gone really is.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import subprocess

import pytest

from codemods.keras import k101_keras_imports as k101
from migrator.verify import runtimes

MODULES = sorted(k101._api())
# Keras 2's count_params(weights) sums a list of weights; TF 2.21's backend.count_params
# counts the elements of one tensor.
DIFFERENT = {("engine.base_layer", "count_params"), ("utils.layer_utils", "count_params")}
TARGETS = sorted({(path, name, new) for path, names in k101.PRIVATE_HOMES.items() for name, new in names.items()})


def _resolve(dotted: str):
    """``layers.Dense`` -> the object ``from tensorflow.keras.layers import Dense`` gives."""
    module, _, name = dotted.rpartition(".")
    imported = importlib.import_module("tensorflow.keras" + (f".{module}" if module else ""))
    return getattr(imported, name)


@pytest.mark.parametrize("module", MODULES)
def test_snapshot_module_and_names_exist(module: str) -> None:
    imported = importlib.import_module("tensorflow.keras" + (f".{module}" if module else ""))
    missing = [name for name in k101._api()[module] if not hasattr(imported, name)]
    assert not missing


def test_every_private_home_exists_in_tf_2_21() -> None:
    missing = []
    for path, name, new in TARGETS:
        try:
            _resolve(new)
        except (ImportError, AttributeError):
            missing.append(f"keras.{path}.{name} -> tensorflow.keras.{new}")
    assert not missing
    # The common ones the rule's users meet first, spelled out.
    assert k101.PRIVATE_HOMES["layers.core"]["Dense"] == "layers.Dense"
    assert k101.PRIVATE_HOMES["engine.topology"]["Layer"] == "layers.Layer"
    assert k101.PRIVATE_HOMES["engine.training"]["Model"] == "models.Model"
    assert k101.PRIVATE_HOMES["utils.np_utils"]["to_categorical"] == "utils.to_categorical"
    assert k101.PRIVATE_HOMES["layers.convolutional"]["Deconv2D"] == "layers.Conv2DTranspose"


def test_gone_names_are_really_gone() -> None:
    found = []
    for path, names in k101.PRIVATE_GONE.items():
        for name in names:
            if (path, name) in DIFFERENT:
                continue  # same name, different meaning: gone on purpose
            for module in ("", "layers", "models", "utils", "callbacks", "backend", "losses"):
                try:
                    _resolve(f"{module}.{name}" if module else name)
                except (ImportError, AttributeError):
                    continue
                found.append(f"keras.{path}.{name} is tensorflow.keras.{module}.{name}")
    assert not found


def test_module_homes_exist() -> None:
    for path in k101.PRIVATE_MODULES:
        home = k101.module_home(path)
        if home is not None:
            importlib.import_module(f"tensorflow.keras.{home}")
    assert k101.module_home("layers.core") == "layers"
    assert k101.module_home("utils.np_utils") == "utils"
    assert k101.module_home("objectives") == "losses"


def test_tables_match_keras_2_3_1() -> None:
    """Re-running the introspection of Keras 2.3.1 gives the checked-in tables."""
    try:
        python = runtimes.require_legacy_runtime().python
    except runtimes.LegacyEnvError as exc:
        pytest.fail(str(exc), pytrace=False)
    script = k101.__file__.replace("codemods/keras/k101_keras_imports.py", "scripts/snapshot_keras_homes.py")
    spec = importlib.util.spec_from_file_location("snapshot_keras_homes", script)
    snapshot = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(snapshot)
    api = json.loads(k101.API.read_text())["modules"]
    public = sorted(p for p in api if p not in ("legacy", "wrappers"))
    out = subprocess.run([python, "-c", snapshot.INTROSPECT, json.dumps(public)], check=True,
                         capture_output=True, text=True, timeout=300).stdout
    keras2 = json.loads(out.strip().splitlines()[-1])
    assert tuple(sorted(keras2)) == k101.PRIVATE_MODULES
    for path, names in keras2.items():
        for name, (origin, candidates) in names.items():
            assert snapshot.home(api, path, name, origin, candidates) == k101.PRIVATE_HOMES.get(path, {}).get(name), (path, name)
