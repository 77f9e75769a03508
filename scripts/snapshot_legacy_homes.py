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
* ``tf_slim_broken``: the tf_slim functions and classes (``batch_norm``,
  ``learning.multiply_gradients``) that cannot run on the installed TensorFlow, with why: their
  code, or tf_slim code they call, reads a TensorFlow attribute that TensorFlow no longer has
  (tf-slim 1.1.0 reads ``tensorflow.python.framework.ops.Tensor``, which TF 2.21 removed),
  found by reading tf_slim's source against the installed TensorFlow;
* ``tensorboard_projector``: the functions and classes of ``tensorboard.plugins.projector``
  (``tf.contrib.tensorboard.plugins.projector``; tensorboard ships with TensorFlow).

    .venv/bin/python scripts/snapshot_legacy_homes.py
"""

from __future__ import annotations

import ast
import importlib
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


def _tf_object(dotted: str):
    """The TensorFlow module or object ``dotted`` names, or None when it does not import."""
    try:
        return importlib.import_module(dotted)
    except ImportError:
        parent, _, leaf = dotted.rpartition(".")
        try:
            return getattr(importlib.import_module(parent), leaf)
        except (ImportError, AttributeError):
            return None


def _has(obj, attribute: str) -> bool:
    try:
        return hasattr(obj, attribute)
    except ImportError:  # tensorflow.python.layers.normalization loads a tf_keras module that is gone
        return False


def _always_reached(unit: ast.AST):
    """The nodes of ``unit`` outside ``if`` branches and nested functions: what tf_slim code
    names there runs on every call (create_train_op calls add_gradients_summaries only
    ``if summarize_gradients``, so that one's failure is not create_train_op's)."""
    stack = list(ast.iter_child_nodes(unit))
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            continue
        if isinstance(node, (ast.If, ast.IfExp)):
            stack.append(node.test)
            continue
        yield node
        stack.extend(ast.iter_child_nodes(node))


def _slim_units(package) -> dict[str, tuple[set[str], set[str]]]:
    """Each top-level function and class of tf_slim (``tf_slim.layers.layers.batch_norm``): the
    TensorFlow attributes it reads that the installed TensorFlow lacks (``ops.Tensor
    (layers/utils.py:163)``), and the tf_slim functions and classes it names."""
    root = Path(package.__file__).parent
    units: dict[str, tuple[set[str], set[str]]] = {}
    for path in sorted(root.rglob("*.py")):
        if path.name.endswith("_test.py"):
            continue
        relative = path.relative_to(root.parent).with_suffix("")
        module = ".".join(relative.parts).removesuffix(".__init__")
        tree = ast.parse(path.read_text())
        tf_names, slim_names = {}, {}  # local name -> the TensorFlow object / the tf_slim module
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                for alias in node.names:
                    dotted = f"{node.module}.{alias.name}"
                    if node.module.startswith("tensorflow"):
                        tf_names[alias.asname or alias.name] = (dotted, _tf_object(dotted))
                    elif node.module.startswith("tf_slim"):
                        slim_names[alias.asname or alias.name] = dotted
        top = {node.name for node in tree.body if isinstance(node, (ast.FunctionDef, ast.ClassDef))}
        for unit in tree.body:
            if not isinstance(unit, (ast.FunctionDef, ast.ClassDef)):
                continue
            missing = set()
            for node in ast.walk(unit):
                if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in tf_names:
                    dotted, obj = tf_names[node.value.id]
                    if obj is None or not _has(obj, node.attr):
                        where = f"{path.relative_to(root.parent)}:{node.lineno}"
                        missing.add(f"{dotted.rsplit('.', 1)[-1]}.{node.attr} ({where})")
            calls = set()
            for node in _always_reached(unit):
                if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in slim_names:
                    calls.add(f"{slim_names[node.value.id]}.{node.attr}")
                elif isinstance(node, ast.Name) and node.id in top and node.id != unit.name:
                    calls.add(f"{module}.{node.id}")
                elif isinstance(node, ast.Name) and node.id in slim_names:
                    calls.add(slim_names[node.id])
            units[f"{module}.{unit.name}"] = (missing, calls)
    return units


def _broken_slim(package, public: list[str]) -> dict[str, str]:
    """The public tf_slim names (``batch_norm``, ``learning.multiply_gradients``) whose code or
    the tf_slim code it calls reads a TensorFlow attribute the installed TensorFlow lacks."""
    units = _slim_units(package)
    reasons = {name: set(missing) for name, (missing, _) in units.items()}
    changed = True
    while changed:  # what a unit calls that cannot run, it cannot run either
        changed = False
        for name, (_, calls) in units.items():
            for called in calls:
                new = reasons.get(called, set()) - reasons[name]
                if new:
                    reasons[name] |= new
                    changed = True
    broken = {}
    for name in public:
        obj = getattr(package, name)
        members = (
            [(f"{name}.{member}", value) for member, value in vars(obj).items() if not member.startswith("_")]
            if inspect.ismodule(obj) else [(name, obj)]
        )
        for path, value in members:
            if not (inspect.isfunction(value) or inspect.isclass(value)):
                continue
            first_place: dict[str, str] = {}  # each missing attribute, at its first place
            for reason in sorted(reasons.get(f"{value.__module__}.{value.__name__}", ())):
                first_place.setdefault(reason.split(" ")[0], reason)
            if first_place:
                broken[path] = ", ".join(first_place.values())
    return broken


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
        "tf_slim_broken": _broken_slim(tf_slim, _public(tf_slim, "tf_slim")),
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
