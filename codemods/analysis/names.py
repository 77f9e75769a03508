"""Resolve names to the modules they were imported from.

LibCST's ``QualifiedNameProvider`` measured at about five times the cost of parsing
the file (scope analysis of every name); this resolver does only what the rules need:
map each load of an imported name to its dotted origin, honouring local shadowing
(a parameter or local variable named ``tf`` is not the module).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ClassVar

import libcst as cst

# LibCST's visitor classes define an empty ``visit_X`` / ``leave_X`` for every node type.
_LIBCST_STUBS = "libcst._typed_visitor"


class Hooks:
    """A visitor's or transformer's ``visit_X`` / ``leave_X`` by node class, each looked up
    once per class (``visit_hook``, ``leave_hook``) instead of by name at every node;
    LibCST's empty ones are not called at all."""

    _visit_hooks: ClassVar[dict[type, Callable | None]] = {}
    _leave_hooks: ClassVar[dict[type, Callable | None]] = {}

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        cls._visit_hooks = {}
        cls._leave_hooks = {}


def _hook_of(cls: type, table: dict[type, Callable | None], prefix: str, kind: type) -> Callable | None:
    hook = getattr(cls, prefix + kind.__name__, None)
    if hook is not None and getattr(hook, "__module__", None) == _LIBCST_STUBS:
        hook = None
    table[kind] = hook
    return hook


def visit_hook(visitor: Hooks, node: cst.CSTNode) -> bool:
    """``visit_X(node)`` of the visitor's class, if it has one: whether to enter ``node``."""
    table = visitor.__class__._visit_hooks
    kind = node.__class__
    try:
        hook = table[kind]
    except KeyError:
        hook = _hook_of(visitor.__class__, table, "visit_", kind)
    return hook is None or hook(visitor, node) is not False


def leave_hook(visitor: Hooks, node: cst.CSTNode) -> Callable | None:
    """The ``leave_X`` function of the visitor's class for ``node`` (None: none)."""
    table = visitor.__class__._leave_hooks
    kind = node.__class__
    try:
        return table[kind]
    except KeyError:
        return _hook_of(visitor.__class__, table, "leave_", kind)


class FastVisitor(Hooks, cst.CSTVisitor):
    """A visitor without per-field hooks (``visit_Node_field``), which none of ours use
    and which LibCST otherwise looks up for every field of every node, and whose
    ``visit_X`` / ``leave_X`` are found once per node type (``Hooks``). Run it with
    ``walk``, not ``node.visit``."""

    # Whether ``walk`` enters whitespace, comments and punctuation.
    visits_trivia: ClassVar[bool] = False

    def on_visit(self, node: cst.CSTNode) -> bool:
        return visit_hook(self, node)

    def on_leave(self, original_node: cst.CSTNode) -> None:
        hook = leave_hook(self, original_node)
        if hook is not None:
            hook(self, original_node)

    def on_visit_attribute(self, node: cst.CSTNode, attribute: str) -> None:
        pass

    def on_leave_attribute(self, original_node: cst.CSTNode, attribute: str) -> None:
        pass


# Each node type's child fields in the order LibCST visits them, with how it visits each
# (``visit_required``, ``visit_sequence``...): read from the calls its
# ``_visit_and_replace_children`` makes, in source order.
_CHILD_FIELDS: dict[type, tuple[tuple[str, str], ...]] = {}
# The same without the fields that hold only trivia: whitespace, comments and punctuation
# are three in five nodes of a module, and only the suppression scan looks at them.
_CODE_FIELDS: dict[type, tuple[tuple[str, str], ...]] = {}
_TRIVIA = (
    cst.BaseParenthesizableWhitespace, cst.TrailingWhitespace, cst.Newline, cst.EmptyLine, cst.Comment,
    cst.Comma, cst.Dot, cst.Colon, cst.Semicolon, cst.AssignEqual, cst.LeftParen, cst.RightParen,
    cst.LeftSquareBracket, cst.RightSquareBracket, cst.LeftCurlyBrace, cst.RightCurlyBrace,
)


def _only_trivia(annotation: object) -> bool:
    """Whether a field of this type annotation can hold nothing but trivia (or None, a
    MaybeSentinel, a string)."""
    import typing

    origin = typing.get_origin(annotation)
    if origin is typing.Literal:
        return True
    if origin is not None:  # Sequence[...], Optional[...], Union[...]
        return all(_only_trivia(arg) for arg in typing.get_args(annotation))
    if annotation in (type(None), str, cst.MaybeSentinel):
        return True
    return isinstance(annotation, type) and issubclass(annotation, _TRIVIA)


def _child_fields(kind: type) -> tuple[tuple[str, str], ...]:
    import ast
    import dataclasses
    import inspect
    import textwrap

    tree = ast.parse(textwrap.dedent(inspect.getsource(kind._visit_and_replace_children)))
    calls = sorted(
        (call for call in ast.walk(tree) if isinstance(call, ast.Call) and isinstance(call.func, ast.Name)
         and call.func.id.startswith("visit_") and len(call.args) > 1 and isinstance(call.args[1], ast.Constant)),
        key=lambda call: (call.lineno, call.col_offset),
    )
    found: dict[str, str] = {}
    for call in calls:  # ImportFrom visits ``names`` one way or the other
        found.setdefault(call.args[1].value, call.func.id)
    fields = tuple(found.items())
    types = {f.name: f.type for f in dataclasses.fields(kind)}
    _CODE_FIELDS[kind] = tuple((name, how) for name, how in fields if not _only_trivia(types.get(name)))
    _CHILD_FIELDS[kind] = fields
    return fields


def is_statement(node: object) -> bool:
    """``isinstance(node, cst.BaseStatement)``, by the node's class once (LibCST's classes
    are ABCs: ``isinstance`` against them is costly at every node of a walk)."""
    kind = node.__class__
    known = _STATEMENTS.get(kind)
    if known is None:
        known = _STATEMENTS[kind] = isinstance(node, cst.BaseStatement)
    return known


_STATEMENTS: dict[type, bool] = {}
_MAYBE = cst.MaybeSentinel


def walk(node: cst.CSTNode, visitor: cst.CSTVisitor) -> None:
    """``node.visit(visitor)`` for a visitor that only reads: the same calls of
    ``on_visit`` and ``on_leave`` in the same order, without LibCST rebuilding every node
    it passes (its visit copies the tree even for a read-only visitor: several times the
    cost of the walk itself), and without entering trivia (whitespace, comments,
    punctuation) unless the visitor ``visits_trivia``."""
    _walk(node, visitor, _CHILD_FIELDS if getattr(visitor, "visits_trivia", False) else _CODE_FIELDS)


def _walk(node: cst.CSTNode, visitor: cst.CSTVisitor, table: dict[type, tuple[tuple[str, str], ...]]) -> None:
    if visitor.on_visit(node):
        kind = type(node)
        fields = table.get(kind)
        if fields is None:
            _child_fields(kind)
            fields = table[kind]
        for name, _ in fields:
            value = getattr(node, name)
            # A field holds a node, a sequence of them, None or a MaybeSentinel: told apart
            # by class first (a class in _CHILD_FIELDS is a node's), ``isinstance`` last.
            cls = value.__class__
            if cls is tuple or cls is list:
                for child in value:
                    _walk(child, visitor, table)
            elif cls in _CHILD_FIELDS:
                _walk(value, visitor, table)
            elif value is None or cls is _MAYBE:
                continue
            elif isinstance(value, cst.CSTNode):
                _walk(value, visitor, table)
            elif isinstance(value, (tuple, list)):
                for child in value:
                    _walk(child, visitor, table)
    visitor.on_leave(node)


def transform(node: cst.CSTNode, transformer: cst.CSTTransformer) -> cst.CSTNode:
    """``node.visit(transformer)`` for a transformer without per-field hooks: the same
    calls of ``on_visit`` and ``on_leave`` in the same order and the same result, but a
    node none of whose children changed is passed on as it is (``updated_node`` is
    ``original_node``) instead of being rebuilt: most rules change a few lines of a file.
    Trivia are passed on as they are too (no rule rewrites whitespace or punctuation on its
    own) unless the transformer ``visits_trivia``."""
    return _transform(node, transformer, _CHILD_FIELDS if getattr(transformer, "visits_trivia", False) else _CODE_FIELDS)


def _transform(node, transformer, table):
    updated = node
    if transformer.on_visit(node):
        kind = type(node)
        fields = table.get(kind)
        if fields is None:
            _child_fields(kind)
            fields = table[kind]
        changes = {}
        for name, how in fields:
            value = getattr(node, name)
            cls = value.__class__  # as in ``walk``: by class before ``isinstance``
            if cls in _CHILD_FIELDS or (
                cls is not tuple and cls is not list and value is not None and cls is not _MAYBE
                and isinstance(value, cst.CSTNode)
            ):
                new = _transform(value, transformer, table)
                if new is value:
                    continue
                if isinstance(new, cst.RemovalSentinel):
                    if how == "visit_required":
                        raise TypeError(f"We got a RemovalSentinel while visiting a {type(value).__name__}. "
                                        "This node's parent does not allow it to be removed.")
                    new = None if how == "visit_optional" else cst.MaybeSentinel.DEFAULT
                elif isinstance(new, cst.FlattenSentinel) and how != "visit_sequence":
                    raise TypeError(f"We got a FlattenSentinel while visiting a {type(value).__name__}. "
                                    "This node's parent does not allow for it to be replaced with a sequence.")
                changes[name] = new
            elif isinstance(value, (tuple, list)) and value:
                items, changed = _transform_sequence(value, transformer, table, how == "visit_body_sequence")
                if changed:
                    changes[name] = items
        if changes:
            updated = node.with_changes(**changes)
    return transformer.on_leave(node, updated)


def _transform_sequence(children, transformer, table, body: bool):
    """The children after the transformer, as LibCST's ``visit_sequence`` and
    ``visit_body_sequence`` build them (a body drops a statement its children emptied)."""
    items = []
    changed = False
    for child in children:
        new = _transform(child, transformer, table)
        if new is child:
            items.append(child)
            continue
        changed = True
        if isinstance(new, cst.RemovalSentinel):
            continue
        for item in (new if isinstance(new, cst.FlattenSentinel) else (new,)):
            if body and not child._is_removable() and item._is_removable():
                continue
            items.append(item)
    return tuple(items), changed


@dataclass
class _Scope:
    node: cst.CSTNode
    parent: _Scope | None
    is_class: bool = False
    imports: dict[str, str] = field(default_factory=dict)
    locals: set[str] = field(default_factory=set)
    star_modules: list[str] = field(default_factory=list)
    # Names bound only in `except ...:` handlers (`except ImportError: tf = None`), and
    # names bound anywhere else: a fallback does not make the guarded import another name.
    fallbacks: set[str] = field(default_factory=set)
    bound_outside_handlers: set[str] = field(default_factory=set)
    # Every binding of each name (imports, definitions, parameters, targets): the value of
    # a one-target `name = value`, None for any other (read by ``assigned_value``).
    values: dict[str, list[cst.BaseExpression | None]] = field(default_factory=dict)
    # The module scope as one top-level statement sees it (``_Fragment``): stands for the
    # module scope of whichever module the statement is in.
    fragment_root: bool = False


def is_import_line(statement: cst.BaseStatement) -> bool:
    """A line of imports only (``import a, b`` / ``from x import y; import z``)."""
    return isinstance(statement, cst.SimpleStatementLine) and all(
        isinstance(s, (cst.Import, cst.ImportFrom)) for s in statement.body
    )


def _chain(expr: cst.BaseExpression) -> tuple[cst.Name, list[str]] | None:
    """The first name of a Name/Attribute chain and the attribute names after it
    (``a``, ``[b, c]`` for ``a.b.c``); None for any other expression."""
    attrs: list[str] = []
    while isinstance(expr, cst.Attribute):
        attrs.append(expr.attr.value)
        expr = expr.value
    if not isinstance(expr, cst.Name):
        return None
    attrs.reverse()
    return expr, attrs


def dotted_name(expr: cst.BaseExpression) -> str | None:
    """``a.b.c`` for a Name/Attribute chain, else None."""
    chain = _chain(expr)
    return None if chain is None else ".".join([chain[0].value, *chain[1]])


def _import_origin(alias: cst.ImportAlias) -> tuple[str, str]:
    """(bound local name, dotted origin) of one ``import a.b as c`` alias."""
    full = dotted_name(alias.name) or ""
    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
        return alias.asname.name.value, full
    first = full.split(".", 1)[0]
    return first, first


def _from_module(node: cst.ImportFrom) -> str | None:
    if node.relative or node.module is None:
        return None
    return dotted_name(node.module)


class _BindingCollector(FastVisitor):
    """One pass: the names each scope imports and binds otherwise, and every name read
    (with the scope reading it), resolved once the pass has seen every binding."""

    def __init__(self, module: cst.CSTNode, fragment: bool = False) -> None:
        self.scopes: dict[cst.CSTNode, _Scope] = {}
        self.stack: list[_Scope] = []
        self.handler_depth = 0
        if fragment:  # one top-level statement: the module scope is a stand-in, not a scope of its own
            self.stack.append(_Scope(module, None, fragment_root=True))
        else:
            self._open(module, is_class=False)
        self.imported_names: set[str] = set()
        self.loads: list[tuple[cst.Name, _Scope, cst.CSTNode | None]] = []
        # The statements being visited, and each statement's enclosing statement.
        self.statements: list[cst.CSTNode] = []
        self.enclosing: dict[cst.CSTNode, cst.CSTNode | None] = {}
        self.import_statements: list[cst.CSTNode] = []
        # For the evidence of which world the module lives in (codemods.analysis.evidence),
        # gathered in this same pass: attribute chains, calls with keywords, strings.
        self.attributes: list[cst.Attribute] = []
        self.keyword_calls: list[cst.Call] = []
        self.strings: list[str] = []
        self._inner_attribute = False

    def on_visit(self, node: cst.CSTNode) -> bool:
        if is_statement(node):
            self.enclosing[node] = self.statements[-1] if self.statements else None
            self.statements.append(node)
        return super().on_visit(node)

    def on_leave(self, original_node: cst.CSTNode) -> None:
        if is_statement(original_node):
            self.statements.pop()
        super().on_leave(original_node)

    def visit_Name(self, node: cst.Name) -> None:
        self.loads.append((node, self.stack[-1], self.statements[-1] if self.statements else None))

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        # Only the leftmost name of an attribute chain can be an import.
        if not self._inner_attribute:  # the whole chain once, not each of its prefixes
            self.attributes.append(node)
        self._inner_attribute = isinstance(node.value, cst.Attribute)
        walk(node.value, self)
        self._inner_attribute = False
        return False

    def visit_Call(self, node: cst.Call) -> None:
        if any(arg.keyword is not None for arg in node.args):
            self.keyword_calls.append(node)

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        self.strings.append(node.value)

    def visit_Arg(self, node: cst.Arg) -> bool:
        # A keyword (`f(tf=1)`) names a parameter, not a variable.
        walk(node.value, self)
        return False

    def visit_Param(self, node: cst.Param) -> bool:
        for part in (node.annotation, node.default):
            if part is not None:
                walk(part, self)
        return False

    def _open(self, node: cst.CSTNode, is_class: bool) -> None:
        parent = self.stack[-1] if self.stack else None
        scope = _Scope(node, parent, is_class)
        self.scopes[node] = scope
        self.stack.append(scope)

    @property
    def scope(self) -> _Scope:
        return self.stack[-1]

    def _note(self, name: str, value: cst.BaseExpression | None = None) -> None:
        self.scope.values.setdefault(name, []).append(value)

    def _bind_local(self, name: str, value: cst.BaseExpression | None = None) -> None:
        self.scope.locals.add(name)
        self._note(name, value)

    def _open_function(self, node: cst.FunctionDef | cst.Lambda) -> None:
        self._open(node, is_class=False)
        for param in _all_params(node.params):
            self._bind_local(param.name.value)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._bind_local(node.name.value)
        self._open_function(node)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.stack.pop()

    def visit_Lambda(self, node: cst.Lambda) -> None:
        self._open_function(node)

    def leave_Lambda(self, original_node: cst.Lambda) -> None:
        self.stack.pop()

    def _comprehension(self, node, parts: tuple[cst.CSTNode, ...]) -> bool:
        """A comprehension is a scope of its own (its targets do not leak); its first
        iterable is evaluated in the enclosing scope."""
        clauses = []
        clause: cst.CompFor | None = node.for_in
        while clause is not None:
            clauses.append(clause)
            clause = clause.inner_for_in
        walk(clauses[0].iter, self)
        self._open(node, is_class=False)
        for index, clause in enumerate(clauses):
            self._bind_target(clause.target)
            if index:
                walk(clause.iter, self)
            for condition in clause.ifs:
                walk(condition, self)
        for part in parts:
            walk(part, self)
        self.stack.pop()
        return False

    def visit_ListComp(self, node: cst.ListComp) -> bool:
        return self._comprehension(node, (node.elt,))

    def visit_SetComp(self, node: cst.SetComp) -> bool:
        return self._comprehension(node, (node.elt,))

    def visit_GeneratorExp(self, node: cst.GeneratorExp) -> bool:
        return self._comprehension(node, (node.elt,))

    def visit_DictComp(self, node: cst.DictComp) -> bool:
        return self._comprehension(node, (node.key, node.value))

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._bind_local(node.name.value)
        self._open(node, is_class=True)

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self.stack.pop()

    # Import statements bind, they do not read: their names are not visited.
    def visit_Import(self, node: cst.Import) -> bool:
        self.import_statements.append(self.statements[-1] if self.statements else None)
        for alias in node.names:
            local, origin = _import_origin(alias)
            self.scope.imports[local] = origin
            self._note(local)
            self.imported_names.add(local)
        return False

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        self.import_statements.append(self.statements[-1] if self.statements else None)
        module = _from_module(node)
        if isinstance(node.names, cst.ImportStar):
            if module:
                self.scope.star_modules.append(module)
            return False
        for alias in node.names:
            name = dotted_name(alias.name) or ""
            local = name
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                local = alias.asname.name.value
            self._note(local)
            if module:
                self.scope.imports[local] = f"{module}.{name}"
                self.imported_names.add(local)
            else:
                self.scope.locals.add(local)
        return False

    def _bind_target(self, target: cst.BaseExpression, value: cst.BaseExpression | None = None) -> None:
        if isinstance(target, cst.Name):
            self._bind_local(target.value, value)
            if self.handler_depth:
                self.scope.fallbacks.add(target.value)
            else:
                self.scope.bound_outside_handlers.add(target.value)
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self._bind_target(element.value)
        elif isinstance(target, cst.StarredElement):
            self._bind_target(target.value)

    def visit_Assign(self, node: cst.Assign) -> None:
        value = node.value if len(node.targets) == 1 else None
        for target in node.targets:
            self._bind_target(target.target, value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._bind_target(node.target)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._bind_target(node.target)

    def visit_For(self, node: cst.For) -> None:
        self._bind_target(node.target)

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None:
            self._bind_target(node.asname.name)

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        if node.name is not None:
            self._bind_target(node.name.name)
        self.handler_depth += 1

    def leave_ExceptHandler(self, original_node: cst.ExceptHandler) -> None:
        self.handler_depth -= 1

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._bind_target(node.target)


def _all_params(params: cst.Parameters) -> list[cst.Param]:
    result = [*params.posonly_params, *params.params, *params.kwonly_params]
    if isinstance(params.star_arg, cst.Param):
        result.append(params.star_arg)
    if params.star_kwarg is not None:
        result.append(params.star_kwarg)
    return result


def _resolve_loads(collector: _BindingCollector | _Module, module_scope: _Scope) -> dict[cst.Name, str]:
    """The origin of every read name that some scope imported (or a star import may bind)."""
    has_star = any(scope.star_modules for scope in collector.scopes.values())
    interesting = collector.imported_names
    resolved: dict[cst.Name, str] = {}
    for node, scope, _ in collector.loads:
        name = node.value
        if name not in interesting and not has_star:
            continue
        innermost = True
        star_candidates: list[str] = []
        current: _Scope | None = scope
        while current is not None:
            if current.fragment_root:
                current = module_scope
            if current.is_class and not innermost:
                current = current.parent
                continue
            if name in current.imports:
                resolved[node] = current.imports[name]
                break
            if name in current.locals:
                break
            star_candidates.extend(current.star_modules)
            innermost = False
            current = current.parent
        else:
            if star_candidates:
                resolved[node] = f"{star_candidates[-1]}.{name}"
    return resolved


class _Fragment:
    """The binding pass over one top-level statement: what it binds in the module scope
    (on its stand-in, ``fragment_root``), its own scopes and everything it reads. A module's
    pass is its statements' fragments in order (the pass keeps no other state from one
    top-level statement to the next), so a statement the rules left as it was (the same
    node) is not walked again for the next stage of the file."""

    __slots__ = ("node", "root", "scopes", "loads", "enclosing", "import_statements", "attributes",
                 "keyword_calls", "strings", "imported_names")

    def __init__(self, statement: cst.CSTNode) -> None:
        collector = _BindingCollector(statement, fragment=True)
        walk(statement, collector)
        self.node = statement  # kept: the ids and keys stay its nodes'
        self.root = collector.stack[0]
        self.scopes = collector.scopes
        self.loads = collector.loads
        self.enclosing = collector.enclosing
        self.import_statements = collector.import_statements
        self.attributes = collector.attributes
        self.keyword_calls = collector.keyword_calls
        self.strings = collector.strings
        self.imported_names = collector.imported_names


class _Module:
    """A module's binding pass, put together from its statements' fragments: what a
    ``_BindingCollector`` walking the whole module holds at the end."""

    def __init__(self, module: cst.Module, fragments: list[_Fragment]) -> None:
        scope = _Scope(module, None)
        self.scopes: dict[cst.CSTNode, _Scope] = {module: scope}
        self.loads: list[tuple[cst.Name, _Scope, cst.CSTNode | None]] = []
        self.enclosing: dict[cst.CSTNode, cst.CSTNode | None] = {}
        self.import_statements: list[cst.CSTNode | None] = []
        self.attributes: list[cst.Attribute] = []
        self.keyword_calls: list[cst.Call] = []
        self.strings: list[str] = []
        self.imported_names: set[str] = set()
        for fragment in fragments:
            # In statement order, as one pass would have made them (a dict keeps the place
            # of a name's first binding and the value of its last).
            root = fragment.root
            scope.imports.update(root.imports)
            scope.locals |= root.locals
            scope.star_modules += root.star_modules
            scope.fallbacks |= root.fallbacks
            scope.bound_outside_handlers |= root.bound_outside_handlers
            for name, values in root.values.items():
                scope.values.setdefault(name, []).extend(values)
            self.scopes.update(fragment.scopes)
            self.loads += fragment.loads
            self.enclosing.update(fragment.enclosing)
            self.import_statements += fragment.import_statements
            self.attributes += fragment.attributes
            self.keyword_calls += fragment.keyword_calls
            self.strings += fragment.strings
            self.imported_names |= fragment.imported_names


def _fragments(module: cst.Module, cache: dict[int, _Fragment] | None) -> list[_Fragment]:
    if cache is None:
        return [_Fragment(statement) for statement in module.body]
    fragments = []
    for statement in module.body:
        fragment = cache.get(id(statement))
        if fragment is None:
            fragment = cache[id(statement)] = _Fragment(statement)
        fragments.append(fragment)
    return fragments


class ImportResolver:
    """Answers "which imported thing does this expression name?" for one module."""

    def __init__(self, module: cst.Module, fragments: dict[int, _Fragment] | None = None) -> None:
        """``fragments``: the statements' binding passes by statement id, shared by the
        resolvers of one file's stages (``resolver_for``)."""
        collector = _Module(module, _fragments(module, fragments))
        self._module_scope = collector.scopes[module]
        self._resolved = _resolve_loads(collector, self._module_scope)
        self._collector = collector
        self._relevant: dict[str, set[int]] = {}
        self._scopes = collector.scopes
        self._load_scopes: dict[cst.Name, _Scope] | None = None
        self._names_read: frozenset[str] | None = None

    def assigned_value(self, name: cst.Name) -> cst.BaseExpression | None:
        """The value of the name read at ``name`` when the scope it belongs to binds it
        once, by ``name = value``; None when it is bound any other way or more than once."""
        if self._load_scopes is None:
            self._load_scopes = {node: scope for node, scope, _ in self._collector.loads}
        current = self._load_scopes.get(name)
        innermost = True
        while current is not None:
            if current.fragment_root:
                current = self._module_scope
            # a class body's names are not visible to the functions inside it
            if not (current.is_class and not innermost):
                values = current.values.get(name.value)
                if values is not None:
                    return values[0] if len(values) == 1 else None
            innermost = False
            current = current.parent
        return None

    def statements_using(self, package: str) -> set[int]:
        """Ids of the statements that read a name imported from ``package`` (with every
        statement enclosing them) and of those holding imports: a rule about that
        package can skip any other statement whole."""
        cached = self._relevant.get(package)
        if cached is not None:
            return cached
        collector = self._collector
        prefix = package + "."
        relevant: set[int] = set()

        def mark(statement: cst.CSTNode | None) -> None:
            while statement is not None and id(statement) not in relevant:
                relevant.add(id(statement))
                statement = collector.enclosing.get(statement)

        for node, _, statement in collector.loads:
            origin = self._resolved.get(node)
            if origin is not None and (origin == package or origin.startswith(prefix)):
                mark(statement)
        for statement in collector.import_statements:
            mark(statement)
        self._relevant[package] = relevant
        return relevant

    def names_read(self) -> frozenset[str]:
        """Every dotted name the module reads that resolves through an import
        (``tensorflow.nn.max_pool``: whole chains); computed once (several rules ask)."""
        if self._names_read is None:
            names = set(self._resolved.values())
            for node in self._collector.attributes:
                name = self.qualified_name(node)
                if name is not None:
                    names.add(name)
            self._names_read = frozenset(names)
        return self._names_read

    def keyword_calls(self) -> list[tuple[str, list[str]]]:
        """(qualified name, keywords) of every call by keyword of an imported function."""
        calls = []
        for node in self._collector.keyword_calls:
            name = self.qualified_name(node.func)
            if name is not None:
                calls.append((name, [arg.keyword.value for arg in node.args if arg.keyword is not None]))
        return calls

    def strings(self) -> list[str]:
        return self._collector.strings

    def qualified_name(self, expr: cst.BaseExpression) -> str | None:
        """``tensorflow.train.AdamOptimizer`` for ``tf.train.AdamOptimizer``."""
        chain = _chain(expr)
        origin = None if chain is None else self._resolved.get(chain[0])
        return None if origin is None else ".".join([origin, *chain[1]])

    def matches(self, expr: cst.BaseExpression, *names: str) -> bool:
        return self.qualified_name(expr) in names

    def module_imports(self) -> dict[str, str]:
        """Local name -> origin for the module-level imports."""
        return dict(self._module_scope.imports)

    def alias_for(self, origin: str) -> str | None:
        """The module-level name bound to ``origin`` (``tf`` for ``tensorflow``)."""
        scope = self._module_scope
        for local, bound in scope.imports.items():
            if bound == origin and (local not in scope.locals or _only_a_fallback(scope, local)):
                return local
        return None

    def imports_from(self, package: str) -> bool:
        """Does any scope import ``package`` or something inside it?"""
        prefix = package + "."
        return any(
            origin == package or origin.startswith(prefix)
            for scope in self._scopes.values()
            for origin in [*scope.imports.values(), *scope.star_modules]
        )

    def import_origins(self) -> set[str]:
        """What the imports of every scope bind (``tensorflow.contrib.slim``), star imports' modules too."""
        return {origin for scope in self._scopes.values() for origin in [*scope.imports.values(), *scope.star_modules]}

    def is_bound_anywhere(self, name: str) -> bool:
        return any(
            name in scope.locals or name in scope.imports for scope in self._scopes.values()
        )


def _only_a_fallback(scope: _Scope, name: str) -> bool:
    """``try: import tensorflow as tf / except ImportError: tf = None``: ``tf`` is the import
    wherever the module can use it."""
    return name in scope.fallbacks and name not in scope.bound_outside_handlers


_CACHE_KEY = "codemods.analysis.resolver"
_FRAGMENTS_KEY = "codemods.analysis.resolver.fragments"


def resolver_for(module: cst.Module, scratch: dict) -> ImportResolver:
    """The resolver of ``module``, computed once per distinct tree (from the passes over
    its statements, each made once per file)."""
    cached = scratch.get(_CACHE_KEY)
    if cached is not None and cached[0] is module:
        return cached[1]
    resolver = ImportResolver(module, scratch.setdefault(_FRAGMENTS_KEY, {}))
    scratch[_CACHE_KEY] = (module, resolver)
    return resolver
