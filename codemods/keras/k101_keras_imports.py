"""K101: standalone ``keras`` imports -> ``tensorflow.keras``.

Public Keras 2 modules map one to one (``keras.layers`` -> ``tensorflow.keras.layers``).
Keras 2's private modules (``keras.layers.core``, ``keras.engine.topology``,
``keras.utils.np_utils`` ...) have no counterpart: each imported name goes to the public
``tensorflow.keras`` module that has it in TF 2.21 (from the snapshot
``migrator/data/tf_keras_api.json``); a name that exists nowhere is left and reported.
"""

from __future__ import annotations

import functools
import json
import textwrap
from pathlib import Path

import libcst as cst

from codemods.base import Example, Rule
from migrator.analysis.names import dotted_name

API = Path(__file__).resolve().parent.parent.parent / "migrator" / "data" / "tf_keras_api.json"

# Where the names of Keras 2's private modules are looked for, in order.
PRIVATE_HOMES = {
    "layers.": ("layers",),
    "engine": ("layers", "models", "utils"),
    "legacy": ("layers", "models", "utils"),
    "utils.": ("utils",),
    "backend.": ("backend",),
    "optimizers.": ("optimizers",),
    "wrappers": ("layers",),
}

# Keras 2 utility modules whose functions moved into a public module.
MODULE_ALIASES = {
    f"utils.{name}": "utils"
    for name in ("np_utils", "generic_utils", "data_utils", "vis_utils", "layer_utils", "io_utils")
}


@functools.lru_cache(maxsize=1)
def _api() -> dict[str, list[str]]:
    return json.loads(API.read_text())["modules"]


def public_module(path: str) -> bool:
    """``layers`` -> True: ``tensorflow.keras.layers`` exists (path is below ``keras``)."""
    return path in _api()


def home_of(private: str, name: str) -> str | None:
    """The public module (below tensorflow.keras) that has ``name`` from ``keras.<private>``."""
    for prefix, homes in PRIVATE_HOMES.items():
        if private == prefix.rstrip(".") or private.startswith(prefix):
            for home in homes:
                if name in _api()[home]:
                    return home
    return None


class KerasImports(Rule):
    code = "K101"
    slug = "keras-imports"
    summary = "Standalone `keras` imports become `tensorflow.keras` imports, private Keras 2 modules their public homes."
    triggers = ("keras",)
    details = (
        "TF 2.21's tensorflow.keras is Keras 3. Keras 2 submodules that were never public "
        "(keras.layers.core, keras.engine.topology, keras.utils.np_utils, ...) are replaced by the "
        "public module that has each imported name; names that no longer exist are reported."
    )
    examples = (
        Example(
            before=textwrap.dedent(
                """\
                import keras
                import keras.backend as K
                from keras.models import Sequential
                from keras.layers.core import Dense, Activation
                from keras.utils.np_utils import to_categorical
                """
            ),
            after=textwrap.dedent(
                """\
                from tensorflow import keras
                from tensorflow.keras import backend as K
                from tensorflow.keras.models import Sequential
                from tensorflow.keras.layers import Dense, Activation
                from tensorflow.keras.utils import to_categorical
                """
            ),
        ),
        Example(
            before=textwrap.dedent(
                """\
                from tensorflow.keras.layers import Dense


                def build(keras):
                    return keras.layers.Dense(3)
                """
            ),
        ),
    )

    def rewrite(self, tree: cst.Module) -> cst.Module:
        if not self.resolver.imports_from("keras"):
            return tree  # "keras" only appears in text: nothing to move
        return tree.visit(self)

    def leave_SimpleStatementLine(self, original_node, updated_node):
        if not any(isinstance(s, (cst.Import, cst.ImportFrom)) for s in original_node.body):
            return updated_node
        if len(original_node.body) != 1:
            return updated_node
        small = original_node.body[0]
        new = self._import(small) if isinstance(small, cst.Import) else self._import_from(small)
        if new is None:
            return updated_node
        lines = [cst.parse_statement(code + "\n") for code in new]
        lines[0] = lines[0].with_changes(leading_lines=original_node.leading_lines)
        trailing = original_node.trailing_whitespace
        lines[-1] = lines[-1].with_changes(trailing_whitespace=trailing)
        return cst.FlattenSentinel(lines) if len(lines) > 1 else lines[0]

    def _import(self, node: cst.Import) -> list[str] | None:
        """``import keras[.x] [as y]`` (other modules of the statement stay as they were)."""
        kept, new = [], []
        for alias in node.names:
            name = dotted_name(alias.name) or ""
            asname = alias.asname.name.value if alias.asname and isinstance(alias.asname.name, cst.Name) else None
            if name != "keras" and not name.startswith("keras."):
                kept.append(cst.Module([]).code_for_node(alias.with_changes(comma=cst.MaybeSentinel.DEFAULT)))
                continue
            if asname is None or name == "keras":
                # `import keras.layers` binds `keras`, as does `import keras`.
                new.append(f"from tensorflow import keras{f' as {asname}' if asname else ''}")
                continue
            path = name[len("keras.") :]
            parent, _, leaf = path.rpartition(".")
            if public_module(path):
                where = f"tensorflow.keras.{parent}" if parent else "tensorflow.keras"
                new.append(f"from {where} import {leaf} as {asname}" if leaf != asname else f"from {where} import {leaf}")
            else:
                self.report(node, f"`keras.{path}` has no counterpart in tensorflow.keras (TF 2.21); import left as it was")
                kept.append(cst.Module([]).code_for_node(alias.with_changes(comma=cst.MaybeSentinel.DEFAULT)))
        if not new:
            return None
        return ([f"import {', '.join(kept)}"] if kept else []) + list(dict.fromkeys(new))

    def _import_from(self, node: cst.ImportFrom) -> list[str] | None:
        if node.relative or node.module is None:
            return None
        module = dotted_name(node.module) or ""
        if module != "keras" and not module.startswith("keras."):
            return None
        path = module[len("keras") :].lstrip(".")
        if isinstance(node.names, cst.ImportStar):
            if path and not public_module(path):
                self.report(node, f"`from keras.{path} import *`: no public tensorflow.keras module to import from")
                return None
            return [f"from tensorflow.keras{'.' + path if path else ''} import *"]
        lines_for_module: list[str] = []
        by_home: dict[str, list[str]] = {}
        missing: list[str] = []
        for alias in node.names:
            name = dotted_name(alias.name) or ""
            text = cst.Module([]).code_for_node(alias.with_changes(comma=cst.MaybeSentinel.DEFAULT))
            full = f"{path}.{name}" if path else name
            if not path or public_module(path):
                if name in _api()[path] or public_module(full):
                    by_home.setdefault(path, []).append(text)
                elif full in MODULE_ALIASES:
                    # `from keras.utils import np_utils`: its names now live in a public
                    # module, imported under the old name (`np_utils.to_categorical` works).
                    parent, _, leaf = MODULE_ALIASES[full].rpartition(".")
                    local = alias.asname.name.value if alias.asname and isinstance(alias.asname.name, cst.Name) else name
                    lines_for_module.append(f"from tensorflow.keras{'.' + parent if parent else ''} import {leaf} as {local}")
                else:
                    missing.append(text)
                    self.report(node, f"`{name}` from `keras.{path}` does not exist in tensorflow.keras (TF 2.21); left as it was")
                continue
            home = home_of(path, name)
            if home is None:
                missing.append(text)
                self.report(node, f"`{name}` from `keras.{path}` does not exist in tensorflow.keras (TF 2.21); left as it was")
            else:
                by_home.setdefault(home, []).append(text)
        lines = [
            f"from tensorflow.keras{'.' + home if home else ''} import {', '.join(names)}" for home, names in by_home.items()
        ] + lines_for_module
        if missing:
            lines.append(f"from keras.{path} import {', '.join(missing)}")
        return lines

    def leave_Attribute(self, original_node: cst.Attribute, updated_node: cst.Attribute):
        """``keras.layers.core.Dense`` -> ``keras.layers.Dense`` after ``import keras``."""
        qualified = self.qualified_name(original_node)
        if not qualified or not qualified.startswith("keras."):
            return updated_node
        parts = qualified.split(".")
        module, name = ".".join(parts[1:-1]), parts[-1]
        if len(parts) < 3 or public_module(module) or not _is_module_path(module):
            return updated_node
        home = home_of(module, name)
        if home is None:
            return updated_node
        spelled = (dotted_name(original_node) or "").split(".")
        root_parts = len(spelled) - (len(parts) - 1)
        # Only chains that spell the private path out (`keras.layers.core.Dense`); a name
        # imported from a private module is handled at its import.
        if root_parts < 1 or spelled[root_parts:] != parts[1:]:
            return updated_node
        root = ".".join(spelled[:root_parts])
        return cst.parse_expression(f"{root}.{home}.{name}")


def _is_module_path(module: str) -> bool:
    """``layers.core`` and ``engine``: Keras 2 modules with no public counterpart."""
    return not public_module(module.rstrip(".")) and any(
        module == p.rstrip(".") or module.startswith(p) for p in PRIVATE_HOMES
    )
