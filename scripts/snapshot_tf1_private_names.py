"""Regenerate ``codemods/data/tf1_private_names.json``: what each name of a private
TensorFlow 1.15 module (``tensorflow.python.framework.ops``, ``tensorflow.python.ops.math_ops``
...) is in the public TF1 API.

TF 1.15.5 is introspected in the legacy runtime (Python 3.7): the public API tree
(``tf``, then ``tf.compat.v2`` for the TF2 twins that private modules define, like
``math_ops.reduce_sum``) is walked, and every name of every loaded
``tensorflow.python.*`` module whose object is a public one, by identity, is recorded
under the public name (the shortest: ``reduce_sum`` rather than ``math.reduce_sum``).
``from tensorflow.python.framework import ops`` + ``ops.reset_default_graph()`` then
reads as ``tf.reset_default_graph()`` to every rule (``codemods/analysis/private_names.py``).
Keras, Estimator, contrib and the generated ``gen_*`` op modules are left out (other
rules and tables own them). Re-run after changing the legacy runtime:

    .venv/bin/python scripts/snapshot_tf1_private_names.py [legacy-python]
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "codemods" / "data" / "tf1_private_names.json"
LEGACY = Path.home() / ".cache" / "migrator" / "legacy-py37-tf1.15.5" / "bin" / "python"

# Runs under TF 1.15.5: {private module: {name: public TF1 name}}.
INTROSPECT = r"""
import json, os, sys, types
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import tensorflow as tf
from tensorflow.python.ops import rnn, rnn_cell_impl  # noqa: F401 (graph-era modules users import)

SKIP = {"compat", "contrib", "keras", "estimator", "raw_ops", "lite", "tools", "experimental"}
API_PACKAGES = ("tensorflow_core._api.v1", "tensorflow._api.v1", "tensorflow_core._api.v2", "tensorflow._api.v2")
PRIMITIVE = (int, float, str, bytes, bool, type(None), tuple, list, dict)


def walk(module, prefix, found, seen):
    if id(module) in seen:
        return
    seen.add(id(module))
    for name, obj in sorted(vars(module).items()):
        if name.startswith("_"):
            continue
        if isinstance(obj, types.ModuleType):
            if obj.__name__.startswith(API_PACKAGES) and name not in SKIP:
                walk(obj, prefix + name + ".", found, seen)
        elif not isinstance(obj, PRIMITIVE):  # small ints and strings are shared objects
            found.setdefault(id(obj), []).append(prefix + name)


public = {}
walk(tf, "", public, set())
v2 = {}
walk(tf.compat.v2, "", v2, set())
for key, names in v2.items():
    public.setdefault(key, names)

table = {}
for module_name, module in sorted(sys.modules.items()):
    if module is None or not module_name.startswith(("tensorflow_core.python.", "tensorflow.python.")):
        continue
    parts = module_name.split(".")
    if {"keras", "estimator", "contrib"} & set(parts) or parts[-1].startswith("gen_"):
        continue
    entries = {}
    for name, obj in vars(module).items():
        if name.startswith("_") or isinstance(obj, (types.ModuleType,) + PRIMITIVE):
            continue
        names = public.get(id(obj))
        if names:
            entries[name] = sorted(names, key=lambda n: (n.count("."), n))[0]
    if entries:
        table["tensorflow." + module_name.split(".", 1)[1]] = dict(sorted(entries.items()))
json.dump(table, sys.stdout, sort_keys=True)
"""


def main() -> None:
    python = sys.argv[1] if len(sys.argv) > 1 else str(LEGACY)
    output = subprocess.run([python, "-c", INTROSPECT], check=True, capture_output=True, text=True).stdout
    table = json.loads(output)
    # One module per line: readable diffs when the table is regenerated.
    lines = [f"  {json.dumps(module)}: {json.dumps(names, sort_keys=True)}" for module, names in sorted(table.items())]
    OUT.write_text("{\n" + ",\n".join(lines) + "\n}\n")
    print(f"{OUT.relative_to(ROOT)}: {len(table)} modules, {sum(map(len, table.values()))} names")


if __name__ == "__main__":
    main()
