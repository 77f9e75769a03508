"""Regenerate ``codemods/data/legacy_homes.json``: where TF1 graph-mode names that TF 2.21 +
Keras 3 no longer has (``tf.layers``, ``tf.nn.rnn_cell``, ``tf.contrib``) live on TF 2.21.

Read from the installed packages of the modern runtime (this script imports them; the
migrate path never does):

* ``tf_keras_legacy``: what ``tf_keras.api._v1.keras.__internal__.legacy`` exports in its
  ``layers`` and ``rnn_cell`` modules (TF1's ``tf.layers`` and ``tf.nn.rnn_cell``, kept by
  the tf-keras package; they create TF1's variables in graph mode);
* ``tf_slim``: the public functions, classes and modules of the ``tf_slim`` package
  (``tf.contrib.slim`` and the ``tf.contrib.layers`` functions it was built from), and its
  subpackages that ``import tf_slim`` does not load (``tf_slim.nets``);
* ``contrib_renames``: tf_upgrade_v2's renames of ``tf.contrib`` symbols (from
  ``codemods/data/tf_upgrade_v2.json``) whose target exists under ``tf.compat.v1`` of the
  installed TensorFlow, written relative to it (``contrib.rnn.static_rnn`` -> ``nn.static_rnn``);
* ``tensorboard_projector``: the functions and classes of ``tensorboard.plugins.projector``
  (``tf.contrib.tensorboard.plugins.projector``; tensorboard ships with TensorFlow).

    .venv/bin/python scripts/snapshot_legacy_homes.py
"""

from __future__ import annotations

import inspect
import json
import pkgutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "codemods" / "data" / "legacy_homes.json"
RENAMES = ROOT / "codemods" / "data" / "tf_upgrade_v2.json"


def _public(module, package: str) -> list[str]:
    """Functions, classes and submodules of ``module`` that ``package`` defines."""
    names = []
    for name, obj in vars(module).items():
        if name.startswith("_"):
            continue
        if inspect.ismodule(obj):
            if obj.__name__.startswith(package + ".") and obj.__name__.endswith("." + name):
                names.append(name)  # slim.losses, slim.metrics (not the TF modules slim imports)
        elif (inspect.isfunction(obj) or inspect.isclass(obj)) and getattr(obj, "__module__", "").startswith(package):
            names.append(name)
    return sorted(names)


def _resolves(root, dotted: str) -> bool:
    obj = root
    for part in dotted.split("."):
        try:
            obj = getattr(obj, part)
        except (AttributeError, ImportError):
            return False
    return True


def main() -> None:
    import tensorflow as tf
    import tf_slim
    from tensorboard.plugins import projector
    from tf_keras.api._v1.keras.__internal__ import legacy

    renames = json.loads(RENAMES.read_text())["symbol_renames"]
    contrib = {}
    for symbol, target in sorted(renames.items()):
        if not symbol.startswith("tf.contrib.") or target.startswith("tf.compat.v2."):
            continue  # tf.compat.v2 targets (contrib.summary) are TF2 behaviour, not TF1's
        relative = target[len("tf.compat.v1."):] if target.startswith("tf.compat.v1.") else target[len("tf."):]
        if _resolves(tf.compat.v1, relative):
            contrib[symbol[len("tf."):]] = relative
    data = {
        "tf_keras_legacy": {
            "layers": _public(legacy.layers, "tf_keras"),
            "rnn_cell": _public(legacy.rnn_cell, "tf_keras"),
        },
        "tf_slim": _public(tf_slim, "tf_slim"),
        # Subpackages ``import tf_slim`` does not load (``tf_slim.nets``): imported by name.
        "tf_slim_subpackages": sorted(
            info.name for info in pkgutil.iter_modules(tf_slim.__path__)
            if info.ispkg and not hasattr(tf_slim, info.name)
        ),
        "contrib_renames": contrib,
        "tensorboard_projector": [
            name for name in _public(projector, "tensorboard") if not inspect.ismodule(getattr(projector, name))
        ],
    }
    OUT.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")
    print(f"{OUT.relative_to(ROOT)}: {sum(len(v) for v in data['tf_keras_legacy'].values())} tf_keras legacy names, "
          f"{len(data['tf_slim'])} tf_slim names, {len(contrib)} contrib renames")


if __name__ == "__main__":
    main()
