"""The fallback: a module G101 cannot prove keeps running on ``tensorflow.compat.v1``.

The rule reports why (``CannotConvert``'s node and reason) and rewrites only the
import, with v2 behaviour disabled, so the TF1 program runs on TF 2 as it did.
"""

from __future__ import annotations

import libcst as cst


def install_fallback(tree: cst.Module, alias: str) -> cst.Module:
    """``import tensorflow.compat.v1 as tf`` and ``tf.disable_v2_behavior()`` after the imports."""
    body = list(tree.body)
    last_import = -1
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
                        names.append(a)
                    body[i] = stmt.with_changes(body=[small.with_changes(names=names)])
                    last_import = i
                elif isinstance(small, cst.ImportFrom):
                    last_import = i
                elif isinstance(small, cst.Expr) and isinstance(small.value, cst.Call):
                    code = cst.Module([]).code_for_node(small.value.func)
                    if code.endswith(("disable_v2_behavior", "disable_eager_execution")):
                        has_disable = True
    if not has_disable:
        body.insert(last_import + 1, cst.parse_statement(f"{alias}.disable_v2_behavior()\n"))
    return tree.with_changes(body=body)
