"""Helpers the Keras 2 -> 3 rules share: which Keras symbol a call names, argument
lists edited without losing their formatting, and references to ``tensorflow.keras``
symbols through the imports a module already has (or one import added).

Nothing here imports TensorFlow or Keras.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import libcst as cst
from libcst.codemod import CodemodContext

from codemods.analysis.names import ImportResolver, dotted_name, is_import_line

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


# -- arguments -------------------------------------------------------------------------


def keyword(arg: cst.Arg) -> str | None:
    return arg.keyword.value if arg.keyword is not None else None


def find_kw(call: cst.Call, name: str) -> cst.Arg | None:
    for arg in call.args:
        if keyword(arg) == name:
            return arg
    return None


def positional(call: cst.Call) -> list[cst.Arg]:
    return [a for a in call.args if a.keyword is None and not a.star]


def has_star(call: cst.Call) -> bool:
    return any(a.star for a in call.args)


def kwarg(name: str, value: cst.BaseExpression | str) -> cst.Arg:
    """``name=value`` (no spaces around ``=``)."""
    if isinstance(value, str):
        value = cst.parse_expression(value)
    return cst.Arg(
        value=value,
        keyword=cst.Name(name),
        equal=cst.AssignEqual(
            whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")
        ),
    )


def as_keyword(arg: cst.Arg, name: str) -> cst.Arg:
    """The same argument passed (or renamed) as ``name=``."""
    if arg.keyword is not None:
        return arg.with_changes(keyword=cst.Name(name))
    return arg.with_changes(
        keyword=cst.Name(name),
        equal=cst.AssignEqual(
            whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")
        ),
    )


_SPACE_COMMA = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))


def with_args(call: cst.Call, args: Sequence[cst.Arg]) -> cst.Call:
    """``call`` with ``args``; commas follow the call's own style (one line or one
    argument per line, trailing comma kept)."""
    old = list(call.args)
    last_old = old[-1] if old else None
    template: cst.Comma | None = None
    for arg in old[:-1]:
        if isinstance(arg.comma, cst.Comma):
            template = arg.comma
            break
    if template is None:
        template = _SPACE_COMMA
    trailing = last_old.comma if last_old is not None else cst.MaybeSentinel.DEFAULT
    new: list[cst.Arg] = []
    for index, arg in enumerate(args):
        if index == len(args) - 1:
            new.append(arg.with_changes(comma=trailing))
        elif arg is last_old or not isinstance(arg.comma, cst.Comma):
            new.append(arg.with_changes(comma=template))
        else:
            new.append(arg)
    return call.with_changes(args=new)


def set_kw(call: cst.Call, name: str, value: cst.BaseExpression | str) -> cst.Call:
    """Replace ``name=``'s value, or append ``name=value``."""
    if isinstance(value, str):
        value = cst.parse_expression(value)
    args = list(call.args)
    for index, arg in enumerate(args):
        if keyword(arg) == name:
            args[index] = arg.with_changes(value=value)
            return call.with_changes(args=args)
    insert_at = len(args)
    # Keywords go before a trailing **kwargs.
    while insert_at and args[insert_at - 1].star == "**":
        insert_at -= 1
    args.insert(insert_at, kwarg(name, value))
    return with_args(call, args)


def drop_args(call: cst.Call, drop: Callable[[cst.Arg], bool]) -> cst.Call:
    args = [a for a in call.args if not drop(a)]
    if len(args) == len(call.args):
        return call
    if not args:
        return call.with_changes(args=())
    return with_args(call, args)


def literal_value(expr: cst.BaseExpression) -> object:
    """The Python value of a simple literal (numbers, strings, True/False/None, tuples
    and lists of those, unary minus); ``NotLiteral`` otherwise."""
    if isinstance(expr, cst.Integer):
        return int(expr.value.replace("_", ""), 0)
    if isinstance(expr, cst.Float):
        return float(expr.value.replace("_", ""))
    if isinstance(expr, cst.SimpleString):
        return expr.evaluated_value
    if isinstance(expr, cst.ConcatenatedString):
        value = expr.evaluated_value
        return value if isinstance(value, str) else NOT_LITERAL
    if isinstance(expr, cst.Name) and expr.value in ("True", "False", "None"):
        return {"True": True, "False": False, "None": None}[expr.value]
    if isinstance(expr, cst.UnaryOperation) and isinstance(expr.operator, cst.Minus):
        inner = literal_value(expr.expression)
        return -inner if isinstance(inner, (int, float)) and not isinstance(inner, bool) else NOT_LITERAL
    if isinstance(expr, (cst.Tuple, cst.List)):
        values = [literal_value(e.value) for e in expr.elements if not isinstance(e, cst.StarredElement)]
        if len(values) != len(expr.elements) or any(v is NOT_LITERAL for v in values):
            return NOT_LITERAL
        return tuple(values) if isinstance(expr, cst.Tuple) else values
    return NOT_LITERAL


class _NotLiteral:
    def __repr__(self) -> str:
        return "NOT_LITERAL"


NOT_LITERAL = _NotLiteral()


def code(node: cst.CSTNode) -> str:
    return cst.Module([]).code_for_node(node)


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
        body = list(tree.body)
        index = _import_insert_index(body)
        if index == 0 and body and hasattr(body[0], "leading_lines"):
            # the file's leading comments stay above the new import
            lines[0] = lines[0].with_changes(leading_lines=body[0].leading_lines)
            body[0] = body[0].with_changes(leading_lines=())
        return tree.with_changes(body=body[:index] + lines + body[index:])



def _is_docstring(statement: cst.BaseStatement) -> bool:
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], cst.Expr)
        and isinstance(statement.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
    )


def _import_insert_index(body: list[cst.BaseStatement]) -> int:
    """Right after the module's last top-level import of tensorflow/keras (the new import
    names a TensorFlow module; importing it later than the program's own TensorFlow
    import changes nothing), else after the docstring."""
    last = None
    for position, statement in enumerate(body):
        if is_import_line(statement) and any(_imports_tf(s) for s in statement.body):
            last = position
    if last is not None:
        return last + 1
    return 1 if body and _is_docstring(body[0]) else 0


def _imports_tf(statement: cst.BaseSmallStatement) -> bool:
    if isinstance(statement, cst.Import):
        names = [dotted_name(a.name) or "" for a in statement.names]
    elif isinstance(statement, cst.ImportFrom) and statement.module is not None and not statement.relative:
        names = [dotted_name(statement.module) or ""]
    else:
        return False
    return any(n.split(".")[0] in ("tensorflow", "keras", "tf_keras") for n in names)


def names_in(nodes: Iterable[cst.CSTNode]) -> set[str]:
    """Every Name value under ``nodes``."""
    found: set[str] = set()

    class _Collect(cst.CSTVisitor):
        def visit_Name(self, node: cst.Name) -> None:
            found.add(node.value)

    for node in nodes:
        node.visit(_Collect())
    return found
