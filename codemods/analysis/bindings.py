"""The value bound to a name: each name assigned exactly once in its scope (the module,
a function; a class body's names are not visible to its methods)."""

from __future__ import annotations

import libcst as cst

from codemods.analysis.names import FastVisitor, walk


class Bindings(FastVisitor):
    """The value of each name assigned exactly once (``name = value``) per scope: the
    module and each function; names bound any other way in the scope count as rebound."""

    def __init__(self) -> None:
        self._stack: list[cst.CSTNode] = []
        self._values: dict[int, dict[str, list[cst.BaseExpression | None]]] = {}

    @classmethod
    def of(cls, module: cst.Module) -> Bindings:
        bindings = cls()
        bindings._stack.append(module)
        walk(module, bindings)
        return bindings

    def value(self, scopes: list[cst.CSTNode], name: str) -> cst.BaseExpression | None:
        for scope in reversed(scopes):
            values = self._values.get(id(scope), {}).get(name)
            if values is not None:
                return values[0] if len(values) == 1 else None
        return None

    def _bind(self, name: str, value: cst.BaseExpression | None) -> None:
        self._values.setdefault(id(self._stack[-1]), {}).setdefault(name, []).append(value)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._bind(node.name.value, None)
        self._stack.append(node)
        for param in (*node.params.params, *node.params.kwonly_params, *node.params.posonly_params):
            self._bind(param.name.value, None)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._stack.pop()

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._bind(node.name.value, None)
        self._stack.append(node)  # a class body's names are not visible to its methods

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self._stack.pop()

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            if isinstance(target.target, cst.Name):
                self._bind(target.target.value, node.value if len(node.targets) == 1 else None)
            elif isinstance(target.target, (cst.Tuple, cst.List)):
                for element in target.target.elements:
                    if isinstance(element.value, cst.Name):
                        self._bind(element.value.value, None)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        if isinstance(node.target, cst.Name):
            self._bind(node.target.value, None)

    def visit_For(self, node: cst.For) -> None:
        if isinstance(node.target, cst.Name):
            self._bind(node.target.value, None)
