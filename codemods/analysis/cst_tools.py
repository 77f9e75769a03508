"""The CST toolkit the rules share: node to code, call arguments (read, bound to their
parameters, edited without losing their formatting), literal values, where new top-level
statements go, and collecting the nodes of a kind.

Imports are added with ``insert_statements`` at ``after_imports``, not with LibCST's
``AddImportsVisitor``: that one merges a new name into an existing ``from x import ...``
and places new lines after the opening block of imports only, which would change what
every rule writes today (and a ``from tensorflow.keras import ops`` must follow the
program's own TensorFlow import, not precede it). ``RemoveImportsVisitor`` needs LibCST's
scope analysis, measured at several times the cost of parsing, for what the rules decide
from ``ImportResolver`` already.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Collection, Sequence
from typing import Generic, TypeVar, cast

import libcst as cst

from codemods.analysis.names import FastVisitor, is_import_line, walk

NodeT = TypeVar("NodeT", bound=cst.CSTNode)
_PARSING = threading.Lock()


def parse_source(source: bytes | str) -> cst.Module:
    """``cst.parse_module``, without validating again each node the parser builds.

    Every LibCST node checks its fields when it is constructed (``__post_init__``); for
    the nodes of a parse those checks only repeat the grammar's (LibCST's own "PERF"
    comment there says so), at a sixth of the parse time. Nodes the rules build are
    still checked: the switch holds only while the parser runs. Another thread building
    nodes meanwhile would skip its checks too, which never changes a valid tree, and the
    migrated code is compiled before it is written anyway.
    """
    node_class = cst.CSTNode
    with _PARSING:
        validate = node_class.__dict__["__post_init__"]
        node_class.__post_init__ = _unchecked  # type: ignore[method-assign]
        try:
            return cst.parse_module(source)
        finally:
            node_class.__post_init__ = validate  # type: ignore[method-assign]


def _unchecked(self: cst.CSTNode) -> None:
    pass


def code(node: cst.CSTNode) -> str:
    """The source code of ``node`` (default module settings: four-space indents, ``\\n``)."""
    return cst.Module([]).code_for_node(node)


# -- arguments ---------------------------------------------------------------------------


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


def bind_arguments(
    args: Sequence[cst.Arg], params: Sequence[str], keyword_only: Sequence[str] = ()
) -> dict[str, cst.Arg] | None:
    """Parameter name -> the argument passed for it, for a function taking ``params``
    by position or keyword and ``keyword_only`` by keyword; None when the arguments do
    not bind (``*args``/``**kwargs``, more positional arguments than ``params``, an
    unknown keyword, a parameter given twice)."""
    bound: dict[str, cst.Arg] = {}
    for position, arg in enumerate(args):
        if arg.star:
            return None
        if arg.keyword is None:
            if position >= len(params):
                return None
            name = params[position]
        else:
            name = arg.keyword.value
            if name not in params and name not in keyword_only:
                return None
        if name in bound:
            return None
        bound[name] = arg
    return bound


_NO_SPACE = cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace(""))


def kwarg(name: str, value: cst.BaseExpression | str) -> cst.Arg:
    """``name=value`` (no spaces around ``=``)."""
    if isinstance(value, str):
        value = cst.parse_expression(value)
    return cst.Arg(value=value, keyword=cst.Name(name), equal=_NO_SPACE)


def as_keyword(arg: cst.Arg, name: str) -> cst.Arg:
    """The same argument passed (or renamed) as ``name=``."""
    if arg.keyword is not None:
        return arg.with_changes(keyword=cst.Name(name))
    return arg.with_changes(keyword=cst.Name(name), equal=_NO_SPACE)


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


# -- literal values ----------------------------------------------------------------------


class _NotLiteral:
    def __repr__(self) -> str:
        return "NOT_LITERAL"


NOT_LITERAL = _NotLiteral()


def literal_value(expr: cst.BaseExpression) -> object:
    """The Python value of a simple literal (numbers, strings, True/False/None, tuples
    and lists of those, unary minus); ``NOT_LITERAL`` otherwise."""
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


# -- where top-level statements go ------------------------------------------------------


def is_docstring(statement: cst.BaseStatement) -> bool:
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], cst.Expr)
        and isinstance(statement.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
    )


def after_imports(
    body: Sequence[cst.BaseStatement],
    counts: Callable[[cst.SimpleStatementLine], bool] = lambda line: True,
    opening_only: bool = False,
    used: Collection[str] = (),
) -> int:
    """Where statements that follow a module's imports go: right after its last import
    line that ``counts`` (``opening_only``: among the docstring and imports the module
    opens with), else right after its docstring, else first. Statements binding the
    names ``used`` go before the first statement that reads one of them: a late
    ``from matplotlib import cm`` below the model code is not where its imports end."""
    position = 1 if body and is_docstring(body[0]) else 0
    for index, statement in enumerate(body):
        if used and not is_import_line(statement) and reads_any(statement, used):
            break
        if is_import_line(statement):
            assert isinstance(statement, cst.SimpleStatementLine)
            if counts(statement):
                position = index + 1
        elif opening_only and not (index == 0 and is_docstring(statement)):
            break
    return position


class StatementSplicer(cst.CSTTransformer):
    """A transformer that replaces statements of every block (the module's and indented
    ones) by what ``spliced(original, updated)`` returns (None: the updated statement)."""

    def spliced(self, original: cst.BaseStatement, updated: cst.BaseStatement) -> list[cst.BaseStatement] | None:
        return None

    def _spliced_body(
        self, original: Sequence[cst.BaseStatement], updated: Sequence[cst.BaseStatement]
    ) -> list[cst.BaseStatement]:
        out: list[cst.BaseStatement] = []
        for old, new in zip(original, updated):
            replacement = self.spliced(old, new)
            out.extend([new] if replacement is None else replacement)
        return out

    def leave_IndentedBlock(self, original_node: cst.IndentedBlock, updated_node: cst.IndentedBlock) -> cst.IndentedBlock:
        return updated_node.with_changes(body=self._spliced_body(original_node.body, updated_node.body))

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        return updated_node.with_changes(body=self._spliced_body(original_node.body, updated_node.body))


def insert_definitions(
    body: Sequence[cst.BaseStatement], position: int, statements: Sequence[cst.BaseStatement]
) -> list[cst.BaseStatement]:
    """``body`` with module-level ``statements`` (imports, helper definitions) inserted at
    ``position``; the statement after them starts two blank lines below (its own blank
    lines dropped, its comment lines kept), as PEP 8 puts them after a definition."""
    rest = list(body[position:])
    if rest:
        assert isinstance(rest[0], (cst.SimpleStatementLine, cst.BaseCompoundStatement))
        lines = list(rest[0].leading_lines)
        while lines and lines[0].comment is None:
            lines.pop(0)
        rest[0] = rest[0].with_changes(leading_lines=[cst.EmptyLine(), cst.EmptyLine(), *lines])
    return [*body[:position], *statements, *rest]


def bound_names(statements: Sequence[cst.BaseStatement]) -> set[str]:
    """The names ``statements`` bind at their level: what they import, define or assign."""
    names: set[str] = set()
    for statement in statements:
        if isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
            names.add(statement.name.value)
        elif isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, (cst.Import, cst.ImportFrom)) and not isinstance(small.names, cst.ImportStar):
                    for alias in small.names:
                        names.add(alias.evaluated_alias or alias.evaluated_name.split(".")[0])
                elif isinstance(small, (cst.Assign, cst.AnnAssign)):
                    targets = [t.target for t in small.targets] if isinstance(small, cst.Assign) else [small.target]
                    names.update(t.value for t in targets if isinstance(t, cst.Name))
    return names


def reads_any(node: cst.CSTNode, names: Collection[str]) -> bool:
    """Does ``node`` mention one of ``names`` as a name (not as an attribute ``x.name``)?"""
    candidates = [n for n in nodes_of(node, cst.Name) if n.value in names]
    if not candidates:  # most often: then the attributes are not collected at all
        return False
    attributes = {id(a.attr) for a in nodes_of(node, cst.Attribute)}
    return any(id(n) not in attributes for n in candidates)


def insert_statements(
    module: cst.Module, index: int, statements: Sequence[cst.BaseStatement]
) -> cst.Module:
    """``statements`` inserted at ``index`` of the module's body; at the top, the comments
    above the first statement stay above them."""
    if not statements:
        return module
    body = list(module.body)
    new = list(statements)
    if index == 0 and body and body[0].leading_lines:
        new[0] = new[0].with_changes(leading_lines=body[0].leading_lines)
        body[0] = body[0].with_changes(leading_lines=())
    return module.with_changes(body=[*body[:index], *new, *body[index:]])


def insert_helper(module: cst.Module, definition: cst.BaseStatement, name: str) -> cst.Module:
    """``module`` with the helper ``definition`` (which binds ``name``) after the imports
    above the first use of ``name``, two blank lines around it (the next statement's
    comments kept)."""
    blank = [cst.EmptyLine(indent=False), cst.EmptyLine(indent=False)]
    index = after_imports(module.body, used={name})
    body = list(module.body)
    if index < len(body):
        kept = [line for line in body[index].leading_lines if line.comment is not None]
        body[index] = body[index].with_changes(leading_lines=blank + kept)
    return insert_statements(module.with_changes(body=body), index, [definition.with_changes(leading_lines=blank)])


def replace_keeping(root: NodeT, target: cst.CSTNode, new: cst.CSTNode) -> NodeT:
    """``root`` with the node ``target`` replaced by ``new``: only the nodes on the path to it
    are rebuilt, every other node stays the same object (what analyses keyed by node
    identity, such as the import resolver, know stays known). ``root`` itself when
    ``target`` is not in it."""
    if root is target:
        return cast(NodeT, new)
    for field in dataclasses.fields(root):
        value = getattr(root, field.name)
        if isinstance(value, cst.CSTNode):
            replaced = replace_keeping(value, target, new)
            if replaced is not value:
                return root.with_changes(**{field.name: replaced})
        elif isinstance(value, (list, tuple)):
            for position, item in enumerate(value):
                if isinstance(item, cst.CSTNode):
                    replaced = replace_keeping(item, target, new)
                    if replaced is not item:
                        items = [*value[:position], replaced, *value[position + 1:]]
                        return root.with_changes(**{field.name: type(value)(items)})
    return root


# -- collecting --------------------------------------------------------------------------


def nodes_of(
    node: cst.CSTNode,
    kind: type[NodeT] | tuple[type[NodeT], ...],
    skip: tuple[type[cst.CSTNode], ...] = (),
) -> list[NodeT]:
    """Every node of the type ``kind`` (or types) in ``node`` (itself included), in source order, not
    looking inside nodes of the types ``skip`` names (e.g. function and class bodies)."""
    collector = _Collect(kind, skip)
    walk(node, collector)
    return collector.found


class _Collect(FastVisitor, Generic[NodeT]):
    """``nodes_of``'s collector: one class for all calls (a class made per call costs more
    than walking a small node), looking up no ``visit_X``/``leave_X`` methods."""

    def __init__(self, kind: type[NodeT] | tuple[type[NodeT], ...], skip: tuple[type[cst.CSTNode], ...]) -> None:
        self.kind = kind
        self.skip = skip
        self.found: list[NodeT] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        if isinstance(node, self.kind):
            self.found.append(node)
        return not isinstance(node, self.skip)

    def on_leave(self, original_node: cst.CSTNode) -> None:
        pass
