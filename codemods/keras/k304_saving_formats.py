"""K304: file names Keras 3 refuses when saving -> names it accepts, consistently
through the module.

Keras 2.3.1 wrote HDF5 whatever the name. Keras 3 decides the format by the name and
refuses the others:

* ``save_weights(path)`` needs ``.weights.h5``: ``'w.h5'`` / ``'w.hdf5'`` / ``'w'`` ->
  ``'w.weights.h5'``;
* ``ModelCheckpoint(path, save_weights_only=True)`` likewise; without
  ``save_weights_only`` it needs ``.keras`` or ``.h5``: ``'best.hdf5'`` -> ``'best.h5'``;
* ``model.save(path)`` needs ``.keras``, ``.h5`` or ``.hdf5``: a name without one gets
  ``.h5`` (the HDF5 file Keras 2 wrote).

Every other occurrence of the same string in the module (``load_weights``,
``load_model``, ``os.path.exists``...) is renamed with it, so the program reads what it
wrote. A path held in a module-level constant is renamed at the constant; the last
literal of an ``os.path.join`` and the text tail of an f-string are handled too. Other
computed paths are reported. ``.h5`` saves and loads are kept and noted: Keras 3 reads
and writes them in the legacy HDF5 format (its native format is ``.keras``).
"""

from __future__ import annotations

import textwrap

import libcst as cst

from codemods.base import Example, Rule
from migrator.analysis.keras_calls import find_kw, keras_path, literal_value
from migrator.analysis.keras_models import model_names

WEIGHTS = ".weights.h5"
MODEL = ".h5"


def _renamed(path: str, kind: str) -> str | None:
    """The Keras 3 name for a Keras 2 path, None when it is acceptable as it is."""
    if kind == WEIGHTS:
        if path.endswith(WEIGHTS):
            return None
        for ext in (".h5", ".hdf5", ".keras"):
            if path.endswith(ext):
                return path[: -len(ext)] + WEIGHTS
        return path + WEIGHTS
    if kind == "checkpoint":
        if path.endswith((".h5", ".keras")):
            return None
        if path.endswith(".hdf5"):
            return path[: -len(".hdf5")] + MODEL
        return path + MODEL
    if path.endswith((".h5", ".hdf5", ".keras")):
        return None
    return path + MODEL


def _quote(original: cst.SimpleString, value: str) -> cst.SimpleString:
    prefix = original.prefix
    quote = original.quote
    if "\\" in value or quote in value or "\n" in value:
        return cst.SimpleString(repr(value))
    return cst.SimpleString(f"{prefix}{quote}{value}{quote}")


class SavingFormats(Rule):
    code = "K304"
    slug = "saving-formats"
    summary = "File names Keras 3 refuses (`save_weights('w.h5')`, checkpoints `.hdf5`, `save('model')`) -> names it accepts, renamed wherever the module uses them."
    triggers = ("save", "ModelCheckpoint")
    details = (
        "save_weights and weights-only ModelCheckpoint paths get the .weights.h5 Keras 3 requires; "
        "ModelCheckpoint .hdf5 -> .h5; model.save without an extension gets .h5 (Keras 2 wrote "
        "HDF5). The same string elsewhere in the module (load_weights, load_model, os.path "
        "calls) is renamed with it. Paths computed at run time are reported. .h5 model files "
        "are kept: Keras 3 reads and writes them in the legacy HDF5 format (noted)."
    )
    examples = (
        Example(
            before=textwrap.dedent(
                """\
                from tensorflow.keras.callbacks import ModelCheckpoint

                checkpoint = ModelCheckpoint('best.hdf5', save_best_only=True)
                model.save_weights('weights.h5')
                model.load_weights('weights.h5')
                """
            ),
            after=textwrap.dedent(
                """\
                from tensorflow.keras.callbacks import ModelCheckpoint

                checkpoint = ModelCheckpoint('best.h5', save_best_only=True)
                model.save_weights('weights.weights.h5')
                model.load_weights('weights.weights.h5')
                """
            ),
        ),
        Example(
            before=textwrap.dedent(
                """\
                from tensorflow.keras.callbacks import ModelCheckpoint

                checkpoint = ModelCheckpoint('best.keras', save_best_only=True)
                model.save_weights('weights.weights.h5')
                """
            ),
        ),
    )

    def rewrite(self, tree: cst.Module) -> cst.Module:
        if not (self.resolver.imports_from("keras") or self.resolver.imports_from("tensorflow")):
            return tree
        self.models = model_names(tree, self.qualified_name)
        self.constants = _module_string_constants(tree)
        self.renames: dict[str, str] = {}
        self.fstring_renames: dict[str, str] = {}
        finder = _Writers(self)
        tree.visit(finder)
        if not self.renames and not self.fstring_renames:
            return tree
        return tree.visit(self)

    # -- pass 1: which paths are written, and what they become -----------------------
    def writer(self, call: cst.Call) -> None:
        func = call.func
        kind = None
        path_arg = None
        if isinstance(func, cst.Attribute) and func.attr.value == "save_weights":
            kind = WEIGHTS
            path_arg = _path_arg(call, "filepath")
        elif isinstance(func, cst.Attribute) and func.attr.value == "save" and self._is_model(func.value):
            kind = MODEL
            path_arg = _path_arg(call, "filepath")
        elif keras_path(self.qualified_name(func)) == "callbacks.ModelCheckpoint":
            weights_only = find_kw(call, "save_weights_only")
            kind = WEIGHTS if weights_only is not None and literal_value(weights_only.value) is True else "checkpoint"
            if weights_only is not None and literal_value(weights_only.value) not in (True, False):
                self.report(call, "`save_weights_only` is not a literal: Keras 3 needs .weights.h5 paths for weights, .keras/.h5 for models; path left as it was")
                return
            path_arg = _path_arg(call, "filepath")
        if kind is None or path_arg is None:
            return
        self._plan(call, path_arg, kind)

    def _plan(self, call: cst.Call, expr: cst.BaseExpression, kind: str) -> None:
        expr = _join_tail(expr, self.qualified_name)
        if isinstance(expr, cst.Name) and expr.value in self.constants:
            expr = self.constants[expr.value]
        if isinstance(expr, cst.SimpleString):
            value = expr.evaluated_value
            if not isinstance(value, str):
                return
            new = _renamed(value, kind)
            if new is None:
                if kind == MODEL and value.endswith((".h5", ".hdf5")):
                    self.report(call, "kept: Keras 3 writes .h5 files in the legacy HDF5 format (its native format is .keras)", "converted")
                return
            if self.renames.get(value, new) != new:
                self.report(call, f"{value!r} is saved both as weights and as a model; left as it was")
                return
            self.renames[value] = new
            self.report(call, f"{value!r} -> {new!r}: Keras 3 {_why(kind)}; every use of the name in this module renamed", "converted")
            return
        if isinstance(expr, cst.FormattedString) and expr.parts and isinstance(expr.parts[-1], cst.FormattedStringText):
            tail = expr.parts[-1].value
            new_tail = _renamed(tail, kind) if kind != WEIGHTS or not tail.endswith(WEIGHTS) else None
            if new_tail is not None and (tail.endswith((".h5", ".hdf5", ".keras")) or kind != MODEL):
                code = cst.Module([]).code_for_node(expr)
                self.fstring_renames[code] = new_tail
                self.report(call, f"the path's tail {tail!r} -> {new_tail!r}: Keras 3 {_why(kind)}", "converted")
                return
            if new_tail is None:
                return
        self.report(call, f"the path is computed at run time: Keras 3 {_why(kind)}; left as it was")

    def _is_model(self, expr: cst.BaseExpression) -> bool:
        if isinstance(expr, cst.Name):
            return expr.value in self.models
        if isinstance(expr, cst.Attribute) and isinstance(expr.value, cst.Name):
            return f"{expr.value.value}.{expr.attr.value}" in self.models or expr.attr.value == "model"
        return False

    # -- pass 2: rename every occurrence ----------------------------------------------
    def leave_SimpleString(self, original_node: cst.SimpleString, updated_node: cst.SimpleString):
        value = original_node.evaluated_value
        if isinstance(value, str) and value in self.renames:
            return _quote(updated_node, self.renames[value])
        return updated_node

    def leave_FormattedString(self, original_node: cst.FormattedString, updated_node: cst.FormattedString):
        code = cst.Module([]).code_for_node(original_node)
        if code in self.fstring_renames:
            parts = list(updated_node.parts)
            parts[-1] = parts[-1].with_changes(value=self.fstring_renames[code])
            return updated_node.with_changes(parts=parts)
        return updated_node


def _why(kind: str) -> str:
    if kind == WEIGHTS:
        return "save_weights/weights-only checkpoints need names ending in .weights.h5"
    if kind == "checkpoint":
        return "model checkpoints need names ending in .keras or .h5"
    return "model.save needs a .keras or .h5 name"


class _Writers(cst.CSTVisitor):
    def __init__(self, rule: SavingFormats) -> None:
        self.rule = rule

    def visit_Call(self, node: cst.Call) -> None:
        self.rule.writer(node)


def _path_arg(call: cst.Call, name: str) -> cst.BaseExpression | None:
    arg = find_kw(call, name)
    if arg is not None:
        return arg.value
    for a in call.args:
        if a.keyword is None and not a.star:
            return a.value
    return None


def _join_tail(expr: cst.BaseExpression, resolve) -> cst.BaseExpression:
    """The last argument of ``os.path.join(...)``, else ``expr``."""
    if isinstance(expr, cst.Call) and resolve(expr.func) == "os.path.join" and expr.args:
        last = expr.args[-1]
        if last.keyword is None and not last.star:
            return last.value
    return expr


def _module_string_constants(tree: cst.Module) -> dict[str, cst.SimpleString]:
    """Module-level names assigned a string literal exactly once."""
    seen: dict[str, cst.SimpleString | None] = {}
    for statement in tree.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if isinstance(small, cst.Assign) and len(small.targets) == 1 and isinstance(small.targets[0].target, cst.Name):
                name = small.targets[0].target.value
                value = small.value if isinstance(small.value, cst.SimpleString) else None
                seen[name] = None if name in seen else value
    return {k: v for k, v in seen.items() if v is not None}

