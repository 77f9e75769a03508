"""Regenerate K101's tables: where each name of a Keras 2.3.1 private module lives now.

Keras 2.3.1 is introspected in the legacy runtime (Python 3.7, TF 1.15.5, Keras 2.3.1):
for every module of the ``keras`` package that TF 2.21's ``tensorflow.keras`` does not
have (``keras.layers.core``, ``keras.engine.topology``, ``keras.utils.np_utils`` ...),
each public name is followed, by object identity, to the public Keras 2 modules that
export the same object (``keras.layers.core.Dense is keras.layers.Dense``,
``keras.layers.convolutional.Deconv2D is keras.layers.Conv2DTranspose``). The first of
those that TF 2.21 still has (``codemods/data/tf_keras_api.json``, written by
``snapshot_tf_keras_api.py``) is the name's new home; a name with none is listed as
gone. The result replaces the generated block of ``codemods/keras/k101_keras_imports.py``:

    .venv/bin/python scripts/snapshot_keras_homes.py [legacy-python]
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RULE = ROOT / "codemods" / "keras" / "k101_keras_imports.py"
API = ROOT / "codemods" / "data" / "tf_keras_api.json"
LEGACY = Path.home() / ".cache" / "migrator" / "legacy-py37-tf1.15.5" / "bin" / "python"

# Runs under Keras 2.3.1: {module: {name: [origin module, [[public module, public name], ...]]}}.
INTROSPECT = r"""
import importlib, inspect, json, os, pkgutil, sys, types
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
stderr, sys.stderr = sys.stderr, open(os.devnull, "w")  # "Using TensorFlow backend."
import keras
sys.stderr = stderr
public = json.loads(sys.argv[1])
modules = {"": keras}
for info in pkgutil.walk_packages(keras.__path__, "keras."):
    name = info.name[len("keras."):]
    if any(part in name for part in ("theano", "cntk", "numpy_backend", "test_utils")):
        continue
    modules[name] = importlib.import_module(info.name)
def exported(module):
    for name, value in vars(module).items():
        if name.startswith("_") or isinstance(value, types.ModuleType):
            continue
        origin = getattr(value, "__module__", None) or ""
        if not (inspect.isclass(value) or inspect.isfunction(value)) or not origin.startswith("keras"):
            continue
        yield name, value
index = {}
for path in public:
    if path in modules:
        for name, value in exported(modules[path]):
            index.setdefault(id(value), []).append([path, name])
result = {}
for path, module in sorted(modules.items()):
    if path in public:
        continue
    names = {}
    for name, value in sorted(exported(module)):
        names[name] = [value.__module__[len("keras."):], index.get(id(value), [])]
    result[path] = names
print(json.dumps(result))
"""

# Keras 2 private packages whose names are looked up by name when identity finds no
# public Keras 2 export that TF 2.21 still has (``keras.callbacks.tensorboard_v2``'s
# TensorBoard is a different class from ``keras.callbacks.TensorBoard``).
# The package of the module that defines the object counts too (``keras.utils.vis_utils``
# imports ``Wrapper`` from ``keras.layers.wrappers``).
FALLBACK = {"layers": ("layers",), "engine": ("layers", "models", "utils"), "utils": ("utils",),
            "backend": ("backend",), "callbacks": ("callbacks",), "objectives": ("losses",),
            "utils.losses_utils": ("losses",), "utils.metrics_utils": ("losses",)}
# Same name, different thing: Keras 2's count_params(weights) counts a list of weights,
# TF 2.21's backend.count_params(x) the elements of one tensor.
DIFFERENT = {("engine.base_layer", "count_params"), ("utils.layer_utils", "count_params")}
# Which public module wins when Keras 2 exports one object from several
# (``keras.activations.Layer`` is an accident of ``from ..engine import Layer``).
PREFERENCE = ("layers", "models", "utils", "callbacks", "losses", "metrics", "optimizers", "backend",
              "initializers", "regularizers", "constraints", "activations", "preprocessing")


def _rank(candidate: list[str]) -> tuple[int, str]:
    module = candidate[0]
    family = module.split(".", 1)[0]
    return (PREFERENCE.index(family) if family in PREFERENCE else len(PREFERENCE) + (module == ""), module)


def home(api: dict[str, list[str]], path: str, name: str, origin: str, candidates: list[list[str]]) -> str | None:
    """Where ``keras.<path>.<name>`` (defined in ``keras.<origin>``) lives in TF 2.21
    (below tensorflow.keras), or None."""
    if (path, name) in DIFFERENT:
        return None
    candidates = sorted(candidates, key=_rank)
    same = [m for m, n in candidates if n == name and name in api.get(m, ())]
    if same:
        return f"{same[0]}.{name}"
    fallback = [FALLBACK.get(p, ()) for where in (path, origin) for p in (where, where.split(".", 1)[0])]
    for module in dict.fromkeys([*(m for f in fallback for m in f), "utils"]):
        if name in api[module]:
            return f"{module}.{name}"
    renamed = [f"{m}.{n}" for m, n in candidates if n in api.get(m, ())]
    return renamed[0] if renamed else None


def _literal(items: list[str], opening: str, closing: str, indent: str = "    ") -> str:
    """Items wrapped at 100 columns, one entry per item, as the rule module spells them."""
    body = textwrap.fill(" ".join(i.replace(" ", "\0") + "," for i in items), width=100 - len(indent),
                         break_long_words=False, break_on_hyphens=False)
    return opening + "\n" + textwrap.indent(body.replace("\0", " "), indent) + "\n" + indent[4:] + closing


def _nested(table: dict) -> str:
    lines = []
    for module, entries in sorted(table.items()):
        if isinstance(entries, dict):
            items = [f"{json.dumps(k)}: {json.dumps(v)}" for k, v in sorted(entries.items())]
            inner = _literal(items, "{", "}", " " * 8)
        else:
            inner = _literal([json.dumps(n) for n in entries], "(", ")", " " * 8)
        lines.append(f"    {json.dumps(module)}: {inner},")
    return "{\n" + "\n".join(lines) + "\n}"


def main() -> None:
    legacy = sys.argv[1] if len(sys.argv) > 1 else str(LEGACY)
    api = json.loads(API.read_text())["modules"]
    public = sorted(p for p in api if p not in ("legacy", "wrappers"))  # same path, new contents
    out = subprocess.run([legacy, "-c", INTROSPECT, json.dumps(public)], check=True,
                         capture_output=True, text=True).stdout
    keras2 = json.loads(out.strip().splitlines()[-1])
    homes: dict[str, dict[str, str]] = {}
    gone: dict[str, list[str]] = {}
    for path, names in keras2.items():
        for name, (origin, candidates) in names.items():
            target = home(api, path, name, origin, candidates)
            if target is None:
                gone.setdefault(path, []).append(name)
            else:
                homes.setdefault(path, {})[name] = target
    version = json.loads(API.read_text())["source"]["version"]
    block = (
        f"# BEGIN GENERATED by scripts/snapshot_keras_homes.py (Keras 2.3.1 -> TF {version})\n"
        "# Every Keras 2.3.1 module TF 2.21 has no equivalent of.\n"
        f"PRIVATE_MODULES: tuple[str, ...] = {_literal([json.dumps(m) for m in sorted(keras2)], '(', ')')}\n"
        "# keras.<private module>.<name> -> where it lives below tensorflow.keras in TF 2.21.\n"
        f"PRIVATE_HOMES: dict[str, dict[str, str]] = {_nested(homes)}\n"
        "# The names of those modules that exist nowhere in TF 2.21.\n"
        f"PRIVATE_GONE: dict[str, tuple[str, ...]] = {_nested(gone)}\n"
        "# END GENERATED\n"
    )
    text = RULE.read_text()
    text, count = re.subn(r"# BEGIN GENERATED.*?# END GENERATED\n", lambda _: block, text, flags=re.S)
    if count != 1:
        raise SystemExit(f"{RULE}: no generated block to replace")
    RULE.write_text(text)
    print(f"{RULE}: {sum(map(len, homes.values()))} names in {len(homes)} private modules, "
          f"{sum(map(len, gone.values()))} gone")


if __name__ == "__main__":
    main()
