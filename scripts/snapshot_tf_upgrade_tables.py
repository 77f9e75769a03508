"""Snapshot the rename tables of TensorFlow's own `tf_upgrade_v2` as data, plus the
TF1 and TF2 signatures of every function whose arguments changed.

The tables live in the installed `tensorflow` package
(`tensorflow/tools/compatibility/*.py`). They are read with `ast`, without importing
TensorFlow, and written to `codemods/data/tf_upgrade_v2.json`, which the migrate path
loads. Two more parts need the installed TensorFlow 2 itself (only this script imports
it, never the migrate path):

* ``missing_in_tf2``: rename targets the installed TensorFlow does not have (the tables
  are older than the package);
* ``in_tf2``: table symbols the installed TensorFlow still has under the same name;
* ``signatures``: for each TF1 function that migrator writes with a native TF2 name
  whose TF2 object is not TF1's own (``tf.compat.v1.X is not tf.Y``), the TF1 parameter
  order and the TF2 parameters, so that T101 can turn positional arguments whose place
  changed into keywords and keep calls that pass a TF1-only argument on ``tf.compat.v1``.

Re-run after upgrading TensorFlow:

    .venv/bin/python scripts/snapshot_tf_upgrade_tables.py
"""

from __future__ import annotations

import ast
import importlib.metadata
import importlib.util
import inspect
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "codemods" / "data" / "tf_upgrade_v2.json"
FILES = ["renames_v2.py", "all_renames_v2.py", "reorders_v2.py", "tf_upgrade_v2.py", "module_deprecations_v2.py"]
# TF1 API modules whose functions are not migrator's business (Keras has its own rules,
# the rest are internal or gone).
SKIPPED_MODULES = {"keras", "estimator", "compat", "raw_ops", "lite", "tools", "python", "core", "contrib"}


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
                    try:
                        found[target.id] = ast.literal_eval(node.value)
                    except ValueError:
                        pass  # tables built from function references are not data
    return found


def _module_deprecations(path: Path) -> dict[str, str]:
    """``MODULE_DEPRECATIONS``: module -> the message tf_upgrade_v2 prints for it.

    The values name module constants holding ``(level, message)`` tuples."""
    tree = ast.parse(path.read_text())
    constants = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            value = node.value.elts[-1] if isinstance(node.value, ast.Tuple) else node.value
            try:
                constants[node.targets[0].id] = ast.literal_eval(value)
            except ValueError:
                pass
    result = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "MODULE_DEPRECATIONS":
            for key, value in zip(node.value.keys, node.value.values):
                message = value.elts[1] if isinstance(value, ast.Tuple) else value
                if isinstance(message, ast.Name):
                    text = constants.get(message.id, "")
                else:
                    text = ast.literal_eval(message)
                result[ast.literal_eval(key)] = " ".join(str(text).split())
    return result


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


def _resolve(root, symbol: str):
    obj = root
    for part in symbol.split(".")[1:]:
        obj = getattr(obj, part)
    return obj


def _missing(tf, symbols: list[str]) -> list[str]:
    """Rename targets that the installed TF 2 does not have (the tables are older)."""
    missing = []
    for symbol in symbols:
        try:
            _resolve(tf, symbol)
        except Exception:  # noqa: BLE001 - lazy modules raise all kinds
            missing.append(symbol)
    return missing


def _in_tf2(tf, symbols: list[str]) -> list[str]:
    """Table symbols that TF 2 still has under the same name (``tf.where``,
    ``tf.nn.max_pool``): in TF 2 code they mean TF 2's function, so renaming them needs
    evidence that the code is TF 1."""
    present = []
    for symbol in symbols:
        try:
            _resolve(tf, symbol)
        except Exception:  # noqa: BLE001 - lazy modules raise all kinds
            continue
        present.append(symbol)
    return present


def _tf1_callables(tf) -> list[str]:
    """Every public callable of the TF1 API (``tf.compat.v1``), as ``tf.X`` names."""
    found: set[str] = set()
    seen: set[int] = set()

    def walk(module, prefix: str) -> None:
        try:
            names = dir(module)
        except Exception:  # noqa: BLE001 - lazy modules of optional packages
            return
        for name in names:
            if name.startswith("_") or name in SKIPPED_MODULES:
                continue
            try:
                obj = getattr(module, name)
                is_module = inspect.ismodule(obj)
            except Exception:  # noqa: BLE001
                continue
            if is_module:
                origin = getattr(obj, "__name__", "")
                if id(obj) in seen or not origin.startswith("tensorflow"):
                    continue
                seen.add(id(obj))
                walk(obj, f"{prefix}.{name}")
            elif callable(obj):
                found.add(f"{prefix}.{name}")

    walk(tf.compat.v1, "tf")
    return sorted(found)


def _parameters(obj) -> list[inspect.Parameter] | None:
    try:
        target = obj.__init__ if inspect.isclass(obj) else obj
        params = list(inspect.signature(target).parameters.values())
    except (TypeError, ValueError):
        return None
    if inspect.isclass(obj) and params and params[0].name == "self":
        params = params[1:]
    return params


def _signature_entry(v1, v2) -> dict | None:
    """What T101 needs to move a call from ``v1`` to ``v2``."""
    p1, p2 = _parameters(v1), _parameters(v2)
    if p1 is None or p2 is None:
        return None
    positional_kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    keyword_kinds = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    v1_positional = [p.name for p in p1 if p.kind in positional_kinds]
    v1_star = any(p.kind is inspect.Parameter.VAR_POSITIONAL for p in p1)
    v2_positional = [p.name for p in p2 if p.kind in positional_kinds]
    v2_star = any(p.kind is inspect.Parameter.VAR_POSITIONAL for p in p2)
    v2_any_keyword = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in p2)
    return {
        "v1": v1_positional,
        "v1_star": v1_star,
        "v2": v2_positional,
        "v2_star": v2_star,
        "v2_keywords": None if v2_any_keyword else [p.name for p in p2 if p.kind in keyword_kinds],
    }


def _signatures(tf, tf_api) -> dict[str, dict]:
    symbols = set(_tf1_callables(tf)) | set(tf_api.tables()["symbol_renames"])
    result = {}
    for symbol in sorted(symbols):
        target = tf_api.native_target(symbol)
        if target is None:
            continue
        try:
            v1 = _resolve(tf.compat.v1, symbol)
            v2 = _resolve(tf, target)
        except Exception:  # noqa: BLE001 - not in TF1's API (contrib) or not in TF2
            continue
        if v1 is v2 or not callable(v1) or not callable(v2):
            continue
        entry = _signature_entry(v1, v2)
        if entry is not None:
            result[symbol] = entry
    return result


def main() -> None:
    folder = _compat_dir()
    renames = _module_dicts(folder / "renames_v2.py")["renames"]
    manual = _module_dicts(folder / "all_renames_v2.py")["manual_symbol_renames"]
    reorders = _module_dicts(folder / "reorders_v2.py")["reorders"]
    spec = _spec_dicts(folder / "tf_upgrade_v2.py")
    reorders.update(spec.get("manual_function_reorders", {}))
    package = "tensorflow-cpu" if _has_dist("tensorflow-cpu") else "tensorflow"
    snapshot = {
        "source": {
            "package": package,
            "version": importlib.metadata.version(package),
            "folder": "tensorflow/tools/compatibility",
            "files": FILES,
            "generated_by": "scripts/snapshot_tf_upgrade_tables.py",
        },
        "symbol_renames": dict(sorted({**renames, **manual}.items())),
        "keyword_renames": dict(sorted(spec["function_keyword_renames"].items())),
        "reorders": dict(sorted(reorders.items())),
        "module_deprecations": dict(sorted(_module_deprecations(folder / "module_deprecations_v2.py").items())),
    }

    import tensorflow as tf  # only this script imports TensorFlow, never the migrate path

    snapshot["missing_in_tf2"] = _missing(tf, sorted(set(snapshot["symbol_renames"].values())))
    tabled = {*snapshot["symbol_renames"], *snapshot["keyword_renames"], *snapshot["reorders"]}
    snapshot["in_tf2"] = _in_tf2(tf, sorted(s for s in tabled if s.startswith("tf.") and not s.startswith("tf.compat.")))
    # The native choices (codemods.analysis.tf_api) read the tables just made.
    snapshot["signatures"] = {}
    OUT.write_text(json.dumps(snapshot, indent=1) + "\n")
    sys.path.insert(0, str(ROOT))
    from codemods.analysis import tf_api

    tf_api.tables.cache_clear()
    snapshot["signatures"] = _signatures(tf, tf_api)
    OUT.write_text(json.dumps(snapshot, indent=1) + "\n")
    print(
        f"wrote {OUT.relative_to(ROOT)} from {package} {snapshot['source']['version']}: "
        f"{len(snapshot['symbol_renames'])} renames, {len(snapshot['keyword_renames'])} keyword tables, "
        f"{len(snapshot['reorders'])} reorders, {len(snapshot['module_deprecations'])} module deprecations, "
        f"{len(snapshot['signatures'])} changed signatures"
    )


def _has_dist(name: str) -> bool:
    try:
        importlib.metadata.version(name)
        return True
    except importlib.metadata.PackageNotFoundError:
        return False


if __name__ == "__main__":
    main()
