"""Snapshot the public `tensorflow.keras` modules of the installed TensorFlow 2.

Writes `codemods/data/tf_keras_api.json`: for each public module under
`tensorflow.keras` (as `from tensorflow.keras.X import name` sees it), its public names.
Rule K101 reads it to know where a Keras 2 symbol lives now, without importing
TensorFlow. Re-run after upgrading TensorFlow:

    .venv/bin/python scripts/snapshot_tf_keras_api.py
"""

from __future__ import annotations

import importlib
import importlib.metadata
import json
import types
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "codemods" / "data" / "tf_keras_api.json"


def main() -> None:
    import tensorflow as tf  # only this script imports TensorFlow, never the migrate path

    modules: dict[str, list[str]] = {}
    pending = [("", tf.keras)]
    while pending:
        prefix, module = pending.pop()
        names = sorted(n for n in dir(module) if not n.startswith("_"))
        modules[prefix] = names
        for name in names:
            value = getattr(module, name, None)
            if isinstance(value, types.ModuleType) and prefix.count(".") < 3:
                sub = f"{prefix}.{name}" if prefix else name
                try:
                    importlib.import_module(f"tensorflow.keras.{sub}")
                except ImportError:
                    continue  # reachable as an attribute only, not importable by path
                pending.append((sub, value))
    OUT.write_text(json.dumps({
        "source": {"package": "tensorflow-cpu", "version": importlib.metadata.version("tensorflow-cpu")},
        "modules": dict(sorted(modules.items())),
    }, indent=1) + "\n")
    print(f"wrote {OUT} ({len(modules)} modules)")


if __name__ == "__main__":
    main()
