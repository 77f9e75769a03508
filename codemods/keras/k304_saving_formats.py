"""K304: file names Keras 3 refuses or cannot read back -> names it handles, renamed
consistently through the module.

Keras 2.3.1 wrote HDF5 whatever the name. Keras 3 decides the format by the name:

* ``save_weights(path)`` and ``ModelCheckpoint(path, save_weights_only=True)`` need
  ``.weights.h5``: ``'w.h5'`` / ``'w.hdf5'`` / ``'w'`` -> ``'w.weights.h5'``;
* whole models (``model.save``, ``ModelCheckpoint`` without ``save_weights_only``) ->
  ``.keras``: Keras 3 refuses names without an extension and ``.hdf5`` checkpoints, and a
  ``.h5`` model it writes does not load back for further training (measured with Keras
  3.15: the compiled loss and the optimizer variables fail to deserialize), while
  ``.keras`` round-trips.

Every other occurrence of the same string in the module (``load_weights``,
``load_model``, ``os.path.exists``...) is renamed with it, so the program reads what it
wrote; files the module only reads (Keras 2 HDF5 files from elsewhere) keep their names:
Keras 3 loads them through its legacy HDF5 reader. A path held in a name assigned once in
its scope is renamed where it is assigned; the last literal of an ``os.path.join``, the
text tail of an f-string and the template of ``"saved_model/%s_weights.hdf5" % name`` are
handled too, also through a dict literal (``options['file_weight']``). Other computed
paths are reported.
"""

from __future__ import annotations

import textwrap

import libcst as cst

from codemods.analysis.bindings import Bindings
from codemods.analysis.cst_tools import code, find_kw, literal_value
from codemods.analysis.keras_calls import keras_path, may_use_keras
from codemods.analysis.keras_models import model_names
from codemods.analysis.names import FastVisitor, walk
from codemods.base import Example, Rule

WEIGHTS = ".weights.h5"
MODEL = ".keras"


def _renamed(path: str, kind: str) -> str | None:
    """The Keras 3 name for a Keras 2 path, None when it is acceptable as it is."""
    if kind == WEIGHTS:
        if path.endswith(WEIGHTS):
            return None
        for ext in (".h5", ".hdf5", ".keras"):
            if path.endswith(ext):
                return path[: -len(ext)] + WEIGHTS
        return path + WEIGHTS
    # Whole models (model.save, checkpoints without save_weights_only): Keras 3's .keras.
    if path.endswith(MODEL):
        return None
    for ext in (".h5", ".hdf5"):
        if path.endswith(ext):
            return path[: -len(ext)] + MODEL
    return path + MODEL


def _quote(original: cst.SimpleString, value: str) -> cst.SimpleString:
    prefix = original.prefix
    quote = original.quote
    if "\\" in value or quote in value or "\n" in value:
        return cst.SimpleString(repr(value))
    return cst.SimpleString(f"{prefix}{quote}{value}{quote}")


class SavingFormats(Rule):
    code = "K304"
    keras3_keeps = "its save paths are Keras 3's and are left as they are"
    details = (
        "save_weights and weights-only ModelCheckpoint paths get the .weights.h5 Keras 3 requires; "
        "whole-model saves and checkpoints get .keras (Keras 3's .h5 models do not load back for "
        "training). The same string elsewhere in the module (load_weights, load_model, os.path "
        "calls) is renamed with it; files the module only reads keep their names (Keras 3 reads "
        "Keras 2 HDF5). Paths computed at run time are reported."
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

                checkpoint = ModelCheckpoint('best.keras', save_best_only=True)
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
                model = load_model('pretrained.h5')
                """
            ),
        ),
    )

    def rewrite(self, tree: cst.Module) -> cst.Module:
        if not may_use_keras(self.resolver):
            return tree
        self.models = model_names(tree, self.qualified_name)
        self.bindings = Bindings.of(tree)
        self.scopes: list[cst.CSTNode] = [tree]
        self.renames: dict[str, str] = {}
        self.both: set[str] = set()  # paths saved as weights and as a model
        self.fstring_renames: dict[str, str] = {}
        walk(tree, _Writers(self))
        if not self.renames and not self.fstring_renames:
            return tree
        return self.transformed(tree)

    # -- pass 1: which paths are written, and what they become -----------------------
    def writer(self, call: cst.Call) -> None:
        """Note the path a save call writes and the Keras 3 name it needs."""
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
            kind = WEIGHTS if weights_only is not None and literal_value(weights_only.value) is True else MODEL
            if weights_only is not None and literal_value(weights_only.value) not in (True, False):
                self.report(call, "`save_weights_only` is not a literal: Keras 3 needs .weights.h5 paths for weights, .keras/.h5 for models; path left as it was")
                return
            path_arg = _path_arg(call, "filepath")
        if kind is None or path_arg is None:
            return
        self._plan(call, path_arg, kind)

    def _source(self, expr: cst.BaseExpression, hops: int = 3) -> cst.BaseExpression:
        """What a path expression is made of: through ``os.path.join``'s last part, names
        assigned once in their scope, ``d['key']`` of a dict literal, a ``%`` template."""
        expr = _join_tail(expr, self.qualified_name)
        if hops and isinstance(expr, cst.Name):
            value = self.bindings.value(self.scopes, expr.value)
            return expr if value is None else self._source(value, hops - 1)
        if hops and isinstance(expr, cst.Subscript) and isinstance(expr.value, cst.Name) and len(expr.slice) == 1:
            table = self.bindings.value(self.scopes, expr.value.value)
            index = expr.slice[0].slice
            key = literal_value(index.value) if isinstance(index, cst.Index) else None
            if isinstance(table, cst.Dict) and isinstance(key, str):
                found = [e.value for e in table.elements if isinstance(e, cst.DictElement) and literal_value(e.key) == key]
                return self._source(found[0], hops - 1) if len(found) == 1 else expr
        if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Modulo) and isinstance(expr.left, cst.SimpleString):
            return expr.left  # "saved_model/%s_weights.hdf5" % name: the template's tail is the name's
        return expr

    def _plan(self, call: cst.Call, expr: cst.BaseExpression, kind: str) -> None:
        expr = self._source(expr)
        if isinstance(expr, cst.SimpleString):
            value = expr.evaluated_value
            if not isinstance(value, str):
                return
            new = _renamed(value, kind)
            if new is None:
                return
            if value in self.both or self.renames.get(value, new) != new:
                # neither name fits both uses: the path is left everywhere, and said where it is saved
                both = f"{value!r} is saved both as weights and as a model; left as it was"
                if value not in self.both:
                    self.both.add(value)
                    del self.renames[value]
                    renamed = f"{value!r} -> "
                    self._reports = [(node, both, "declined") if message.startswith(renamed) else (node, message, kind)
                                     for node, message, kind in self._reports]
                self.report(call, both)
                return
            self.renames[value] = new
            self.report(call, f"{value!r} -> {new!r}: Keras 3 {_why(kind)}; every use of the name in this module renamed", "converted")
            return
        if isinstance(expr, cst.FormattedString) and expr.parts and isinstance(expr.parts[-1], cst.FormattedStringText):
            tail = expr.parts[-1].value
            new_tail = _renamed(tail, kind)
            if new_tail is not None:
                self.fstring_renames[code(expr)] = new_tail
                self.report(call, f"the path's tail {tail!r} -> {new_tail!r}: Keras 3 {_why(kind)}", "converted")
                return
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
        text = code(original_node)
        if text in self.fstring_renames:
            parts = list(updated_node.parts)
            parts[-1] = parts[-1].with_changes(value=self.fstring_renames[text])
            return updated_node.with_changes(parts=parts)
        return updated_node


def _why(kind: str) -> str:
    if kind == WEIGHTS:
        return "save_weights/weights-only checkpoints need names ending in .weights.h5"
    return (
        "saves whole models as .keras (a legacy .h5 file it writes does not load back for "
        "further training: the compiled loss and optimizer state fail to deserialize)"
    )


class _Writers(FastVisitor):
    def __init__(self, rule: SavingFormats) -> None:
        self.rule = rule

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.rule.scopes.append(node)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.rule.scopes.pop()

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
