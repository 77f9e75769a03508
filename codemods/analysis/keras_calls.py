"""Helpers the Keras 2 -> 3 rules share: which Keras symbol a call names, and references
to ``tensorflow.keras`` symbols through the imports a module already has (or one import
added). Argument lists and the rest of the CST toolkit: ``codemods.analysis.cst_tools``.

Nothing here imports TensorFlow or Keras.
"""

from __future__ import annotations

import libcst as cst
from libcst.codemod import CodemodContext

from codemods.analysis.cst_tools import after_imports, bound_names, insert_statements
from codemods.analysis.names import ImportResolver, dotted_name

# Where Keras symbols resolve from: standalone Keras 2 (before K101 moved the imports)
# and TF's Keras (after it).
KERAS_ROOTS = ("tensorflow.keras", "keras", "tensorflow.python.keras")

# Keras 2 private modules -> the public area their names belong to.
_PRIVATE_AREAS = {
    "engine": "models",
    "engine.training": "models",
    "engine.sequential": "models",
    "engine.network": "models",
    "engine.topology": "layers",
    "engine.base_layer": "layers",
    "engine.input_layer": "layers",
    "legacy.layers": "layers",
    "backend.tensorflow_backend": "backend",
    "callbacks.callbacks": "callbacks",
    "utils.np_utils": "utils",
    "utils.generic_utils": "utils",
    "utils.data_utils": "utils",
}
# Top-level names (``keras.Sequential``) -> their area.
_TOP_LEVEL = {"Sequential": "models", "Model": "models", "Input": "layers"}


def keras_path(qualified: str | None) -> str | None:
    """``layers.Dense`` for ``tensorflow.keras.layers.Dense``, ``keras.layers.core.Dense``,
    ``keras.engine.training.Model`` (-> ``models.Model``); None for non-Keras names."""
    if not qualified:
        return None
    for root in KERAS_ROOTS:
        if qualified.startswith(root + "."):
            rest = qualified[len(root) + 1 :]
            break
    else:
        return None
    parts = rest.split(".")
    if len(parts) == 1:
        area = _TOP_LEVEL.get(parts[0])
        return f"{area}.{parts[0]}" if area else rest
    module, name = ".".join(parts[:-1]), parts[-1]
    if module in _PRIVATE_AREAS:
        return f"{_PRIVATE_AREAS[module]}.{name}"
    if parts[0] == "layers" and len(parts) > 2:
        return f"layers.{name}"  # keras.layers.core.Dense, keras.layers.recurrent.LSTM
    return rest


def is_keras_module(qualified: str | None) -> bool:
    return qualified in KERAS_ROOTS


def backend_function(qualified: str | None) -> str | None:
    """``mean`` for ``keras.backend.mean`` (or ``tensorflow.keras.backend.mean``, ...);
    None for anything else."""
    path = keras_path(qualified)
    if path and path.startswith("backend.") and path.count(".") == 1:
        return path[len("backend.") :]
    return None


def may_use_keras(resolver: ImportResolver) -> bool:
    """Does the module import keras or tensorflow (``tf.keras``), anywhere?"""
    return resolver.imports_from("keras") or resolver.imports_from("tensorflow")


# -- references to tensorflow.keras symbols -------------------------------------------


class KerasRefs:
    """Spell ``tensorflow.keras.<path>`` with the module's own imports, adding one import
    when nothing suitable is bound. Call ``apply`` on the final tree."""

    def __init__(self, resolver: ImportResolver, context: CodemodContext) -> None:
        self.resolver = resolver
        self.context = context
        self.imports = resolver.module_imports()
        self._added: set[tuple[str, str | None, str | None]] = set()

    def _bound(self, name: str) -> bool:
        return self.resolver.is_bound_anywhere(name)

    def ref(self, path: str, prefer_import: tuple[str, str] | None = None) -> str:
        """Code naming ``tensorflow.keras.<path>`` (``keras.optimizers.Adam``,
        ``tf.keras.optimizers.Adam``, ``Adam``...).

        ``prefer_import`` = (module, name): when nothing bound reaches the symbol, import
        ``name`` from ``module`` (e.g. ``("tensorflow.keras", "ops")``) if that name is free.
        """
        target = "tensorflow.keras." + path
        best: tuple[int, str] | None = None
        for local, origin in self.imports.items():
            for root in ("tensorflow.keras", "keras"):
                full = root + "." + path
                if origin == full:
                    return local
                if full.startswith(origin + ".") and (origin == root or origin.startswith(root + ".")):
                    rest = full[len(origin) + 1 :]
                    if best is None or len(origin) > best[0]:
                        best = (len(origin), f"{local}.{rest}")
            if origin == "tensorflow" and (best is None or best[0] < len("tensorflow")):
                best = (len("tensorflow"), f"{local}.keras.{path}")
        if best is not None:
            return best[1]
        if prefer_import is not None:
            module, name = prefer_import
            if not self._bound(name) or (module, name, None) in self._added:
                self._add(module, name, None)
                rest = target[len(module) + 1 + len(name) :]
                return name + rest
        if not self._bound("keras") or ("tensorflow", "keras", None) in self._added:
            self._add("tensorflow", "keras", None)
            return "keras." + path
        if not self._bound("tf") or ("tensorflow", None, "tf") in self._added:
            self._add("tensorflow", None, "tf")
            return "tf.keras." + path
        raise LookupError(f"no free name to import tensorflow.keras.{path} under")

    def _add(self, module: str, name: str | None, asname: str | None) -> None:
        self._added.add((module, name, asname))

    def apply(self, tree: cst.Module) -> cst.Module:
        """Add the imports ``ref`` decided on, each on its own line after the module's
        last top-level import."""
        if not self._added:
            return tree
        lines = []
        for module, name, asname in sorted(self._added, key=lambda t: (t[0], t[1] or "", t[2] or "")):
            if name is None:
                text = f"import {module}" + (f" as {asname}" if asname else "")
            else:
                text = f"from {module} import {name}" + (f" as {asname}" if asname else "")
            lines.append(cst.parse_statement(text + "\n"))
        # Right after the module's last top-level import of tensorflow/keras (the new import
        # names a TensorFlow module; importing it later than the program's own TensorFlow
        # import changes nothing), else after the docstring.
        index = after_imports(
            tree.body, counts=lambda line: any(_imports_tf(s) for s in line.body), used=bound_names(lines)
        )
        return insert_statements(tree, index, lines)


def _imports_tf(statement: cst.BaseSmallStatement) -> bool:
    if isinstance(statement, cst.Import):
        names = [dotted_name(a.name) or "" for a in statement.names]
    elif isinstance(statement, cst.ImportFrom) and statement.module is not None and not statement.relative:
        names = [dotted_name(statement.module) or ""]
    else:
        return False
    return any(n.split(".")[0] in ("tensorflow", "keras", "tf_keras") for n in names)
