"""Snapshot the rename tables of TensorFlow's own `tf_upgrade_v2` as data.

The tables live in the installed `tensorflow` package
(`tensorflow/tools/compatibility/*.py`). They are read with `ast`, without importing
TensorFlow, and written to `migrator/data/tf_upgrade_v2.json`, which the migrate path
loads. Re-run after upgrading TensorFlow:

    .venv/bin/python scripts/snapshot_tf_upgrade_tables.py
"""

from __future__ import annotations

import ast
import importlib.metadata
import importlib.util
import json
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "migrator" / "data" / "tf_upgrade_v2.json"


def _compat_dir() -> Path:
    spec = importlib.util.find_spec("tensorflow")
    assert spec and spec.submodule_search_locations, "tensorflow is not installed"
    return Path(next(iter(spec.submodule_search_locations))) / "tools" / "compatibility"


def _module_dicts(path: Path) -> dict[str, dict]:
    """Top-level `name = {literal dict}` assignments of a module."""
    found = {}
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Dict):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    found[target.id] = ast.literal_eval(node.value)
    return found


def _spec_dicts(path: Path) -> dict[str, dict]:
    """`self.name = {literal dict}` assignments inside the upgrade spec class."""
    found = {}
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Dict):
            for target in node.targets:
                if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and target.value.id == "self":
                    table = {}
                    for key, value in zip(node.value.keys, node.value.values):
                        try:
                            table[ast.literal_eval(key)] = ast.literal_eval(value)
                        except ValueError:
                            pass  # entries built from function references are not data
                    if table:
                        found[target.attr] = table
    return found


def _missing(symbols: list[str]) -> list[str]:
    """Rename targets that the installed TF 2 does not have (the tables are older)."""
    import tensorflow as tf  # only this script imports TensorFlow, never the migrate path

    missing = []
    for symbol in symbols:
        obj = tf
        for part in symbol.split(".")[1:]:
            try:
                obj = getattr(obj, part)
            except Exception:  # noqa: BLE001 - lazy modules raise all kinds
                missing.append(symbol)
                break
    return missing


def main() -> None:
    folder = _compat_dir()
    renames = _module_dicts(folder / "renames_v2.py")["renames"]
    manual = _module_dicts(folder / "all_renames_v2.py")["manual_symbol_renames"]
    reorders = _module_dicts(folder / "reorders_v2.py")["reorders"]
    spec = _spec_dicts(folder / "tf_upgrade_v2.py")
    reorders.update(spec.get("manual_function_reorders", {}))
    snapshot = {
        "source": {
            "package": "tensorflow-cpu",
            "version": importlib.metadata.version("tensorflow-cpu"),
            "files": ["renames_v2.py", "all_renames_v2.py", "reorders_v2.py", "tf_upgrade_v2.py"],
        },
        "symbol_renames": dict(sorted({**renames, **manual}.items())),
        "keyword_renames": dict(sorted(spec["function_keyword_renames"].items())),
        "reorders": dict(sorted(reorders.items())),
    }
    snapshot["missing_in_tf2"] = _missing(sorted(set(snapshot["symbol_renames"].values())))
    OUT.write_text(json.dumps(snapshot, indent=1, sort_keys=False) + "\n")
    print(f"wrote {OUT} ({len(snapshot['symbol_renames'])} renames, "
          f"{len(snapshot['keyword_renames'])} keyword tables, {len(snapshot['reorders'])} reorders)")


if __name__ == "__main__":
    main()
