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
    in a later cell built its first cells' ops eagerly, then ran an empty Session)."""
    body = list(tree.body)
    first_import: int | None = None
    has_disable = False
    for i, stmt in enumerate(body):
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                if isinstance(small, cst.Import):
                    names = []
                    for a in small.names:
                        if a.evaluated_name == "tensorflow" and (a.evaluated_alias or "tensorflow") == alias:
                            a = a.with_changes(
                                name=cst.parse_expression("tensorflow.compat.v1"),
                                asname=cst.AsName(name=cst.Name(alias)),
                            )
                            first_import = i if first_import is None else first_import
                        names.append(a)
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
    # `def main(): import tensorflow as tf` (tutorials import it again inside functions)
    # binds the same module: compat.v1 there too.
    nested = [s if not isinstance(s, cst.BaseCompoundStatement) else s.visit(_NestedImports(alias)) for s in body]
    return tree.with_changes(body=nested)


class _NestedImports(cst.CSTTransformer):
    def __init__(self, alias: str) -> None:
        self.alias = alias

    def leave_ImportAlias(self, original_node: cst.ImportAlias, updated_node: cst.ImportAlias) -> cst.ImportAlias:
        if original_node.evaluated_name == "tensorflow" and (original_node.evaluated_alias or "tensorflow") == self.alias:
            return updated_node.with_changes(
                name=cst.parse_expression("tensorflow.compat.v1"), asname=cst.AsName(name=cst.Name(self.alias))
            )
        return updated_node

