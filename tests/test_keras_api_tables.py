"""K101's snapshot of tensorflow.keras matches the installed TensorFlow 2.21."""

from __future__ import annotations

import importlib

import pytest

from codemods.keras import k101_keras_imports as k101

MODULES = sorted(k101._api())


@pytest.mark.parametrize("module", MODULES)
def test_snapshot_module_and_names_exist(module: str) -> None:
    imported = importlib.import_module("tensorflow.keras" + (f".{module}" if module else ""))
    missing = [name for name in k101._api()[module] if not hasattr(imported, name)]
    assert not missing


@pytest.mark.parametrize("private", sorted(k101.MODULE_ALIASES))
def test_utility_module_targets_exist(private: str) -> None:
    importlib.import_module("tensorflow.keras." + k101.MODULE_ALIASES[private])
