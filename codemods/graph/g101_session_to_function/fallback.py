"""The fallback: a module G101 cannot prove keeps running on ``tensorflow.compat.v1``.

The rule reports why (``CannotConvert``'s node and reason) and rewrites only the
import, with v2 behaviour disabled, so the TF1 program runs on TF 2 as it did.
"""

from __future__ import annotations

import libcst as cst

from codemods.analysis.names import is_import_line


def install_fallback(tree: cst.Module, alias: str) -> cst.Module:
    """Every ``import tensorflow as <alias>`` -> ``tensorflow.compat.v1``, and
    ``<alias>.disable_v2_behavior()`` right after the imports around the first of them:
    graph ops created before the switch would be eager (a notebook that imports TF again
    in a later cell built its first cells' ops eagerly, then ran an empty Session).
    Imports in functions and blocks change too: graph mode is the whole process's, and a
    function importing TensorFlow again would otherwise call TF1 names on TF 2's API."""
    tree = tree.visit(_NestedImports(alias))
    body = list(tree.body)
    first_import: int | None = None
    has_disable = False
    for i, stmt in enumerate(body):
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                if isinstance(small, cst.Import):
                    names = []
                    for a in small.names:
                        converted = _compat_v1(a, alias)
                        if converted is not a:
                            first_import = i if first_import is None else first_import
                        names.append(converted)
                    body[i] = stmt.with_changes(body=[small.with_changes(names=names)])
                elif isinstance(small, cst.Expr) and isinstance(small.value, cst.Call):
                    code = cst.Module([]).code_for_node(small.value.func)
                    if code.endswith(("disable_v2_behavior", "disable_eager_execution")):
                        has_disable = True
    if not has_disable:
        position = -1 if first_import is None else first_import
        while position + 1 < len(body) and is_import_line(body[position + 1]):
            position += 1
        body.insert(position + 1, cst.parse_statement(f"{alias}.disable_v2_behavior()\n"))
    return tree.with_changes(body=body)


class _NestedImports(cst.CSTTransformer):
    """``import tensorflow as <alias>`` in an indented block (a function, a class, an
    ``if __name__ == "__main__":``) -> ``tensorflow.compat.v1``; the module's own import
    lines are handled with the switch's position."""

    def __init__(self, alias: str) -> None:
        super().__init__()
        self.alias = alias
        self.depth = 0

    def visit_IndentedBlock(self, node: cst.IndentedBlock) -> None:
        self.depth += 1

    def leave_IndentedBlock(self, original_node: cst.IndentedBlock, updated_node: cst.IndentedBlock) -> cst.IndentedBlock:
        self.depth -= 1
        return updated_node

    def leave_Import(self, original_node: cst.Import, updated_node: cst.Import) -> cst.Import:
        if not self.depth:
            return updated_node
        return updated_node.with_changes(names=[_compat_v1(a, self.alias) for a in updated_node.names])


def _compat_v1(name: cst.ImportAlias, alias: str) -> cst.ImportAlias:
    if name.evaluated_name == "tensorflow" and (name.evaluated_alias or "tensorflow") == alias:
        return name.with_changes(
            name=cst.parse_expression("tensorflow.compat.v1"), asname=cst.AsName(name=cst.Name(alias))
        )
    return name
