"""The fallback: a module G101 cannot prove keeps running on ``tensorflow.compat.v1``.

The rule reports why (``CannotConvert``'s node and reason) and rewrites only the
import, with v2 behaviour disabled, so the TF1 program runs on TF 2 as it did.
"""

from __future__ import annotations

import libcst as cst

from codemods.analysis.names import is_import_line, transform


def install_fallback(tree: cst.Module, alias: str) -> cst.Module:
    """Every ``import tensorflow as <alias>`` -> ``tensorflow.compat.v1`` (those inside
    functions too: ``import tensorflow as tf`` in a tutorial's ``test_mnist()`` rebinds the
    name its graph code uses), and
    ``<alias>.disable_v2_behavior()`` right after the imports around the first of them:
    graph ops created before the switch would be eager (a notebook that imports TF again
    in a later cell built its first cells' ops eagerly, then ran an empty Session)."""
    body: list[cst.BaseStatement] = list(cst.ensure_type(transform(tree, _NestedImports(alias)), cst.Module).body)
    first_import: int | None = None
    has_disable = False
    for i, stmt in enumerate(body):
        if isinstance(stmt, cst.SimpleStatementLine):
            smalls = []  # the line's statements, each kept (``import os; import tensorflow as tf``)
            for small in stmt.body:
                if isinstance(small, cst.Import):
                    names = [_compat_v1(a, alias) for a in small.names]
                    if first_import is None and names != list(small.names):
                        first_import = i
                    small = small.with_changes(names=names)
                elif isinstance(small, cst.Expr) and isinstance(small.value, cst.Call):
                    code = cst.Module([]).code_for_node(small.value.func)
                    if code.endswith(("disable_v2_behavior", "disable_eager_execution")):
                        has_disable = True
                smalls.append(small)
            body[i] = stmt.with_changes(body=smalls)
    position = -1 if first_import is None else first_import
    while position + 1 < len(body) and is_import_line(body[position + 1]):
        position += 1
    if first_import is not None:
        position = _bind_after_star_imports(body, first_import, position, alias)
    if not has_disable:
        body.insert(position + 1, cst.parse_statement(f"{alias}.disable_v2_behavior()\n"))
    return tree.with_changes(body=body)


def _compat_v1(alias: cst.ImportAlias, bound: str) -> cst.ImportAlias:
    """``tensorflow [as <bound>]`` -> ``tensorflow.compat.v1 as <bound>``; other names as they are."""
    if alias.evaluated_name == "tensorflow" and (alias.evaluated_alias or "tensorflow") == bound:
        return alias.with_changes(
            name=cst.parse_expression("tensorflow.compat.v1"), asname=cst.AsName(name=cst.Name(bound))
        )
    return alias


class _NestedImports(cst.CSTTransformer):
    """The TensorFlow imports in indented blocks (functions, classes, ``try:``);
    ``install_fallback`` rewrites the module's own lines."""

    def __init__(self, alias: str):
        super().__init__()
        self.alias = alias
        self.depth = 0

    def visit_IndentedBlock(self, node: cst.IndentedBlock) -> bool:
        self.depth += 1
        return True

    def leave_IndentedBlock(self, original_node: cst.IndentedBlock, updated_node: cst.IndentedBlock) -> cst.IndentedBlock:
        self.depth -= 1
        return updated_node

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> bool:
        return self.depth > 0

    def leave_Import(self, original_node: cst.Import, updated_node: cst.Import) -> cst.Import:
        return updated_node.with_changes(names=[_compat_v1(a, self.alias) for a in updated_node.names])


def _is_star_import(stmt: cst.CSTNode) -> bool:
    return isinstance(stmt, cst.SimpleStatementLine) and any(
        isinstance(small, cst.ImportFrom) and isinstance(small.names, cst.ImportStar) for small in stmt.body
    )


def _bind_after_star_imports(body: list[cst.BaseStatement], first_import: int, last: int, alias: str) -> int:
    """The ``import tensorflow.compat.v1 as <alias>`` at ``body[first_import]`` moved below
    the star imports that follow it in its run of imports (up to ``body[last]``), and the
    index of the run's last line: a star import from a module that imports TensorFlow
    (``from libs.utils import *``) rebinds ``<alias>``, and that module may be TF 2 now
    (migrated natively, or not TensorFlow 1 code at all), so the switch and the graph code
    would get TF 2's ``tensorflow``. In TF 1 both names were the same module."""
    stars = [i for i in range(first_import + 1, last + 1) if _is_star_import(body[i])]
    if not stars:
        return last
    line = body[first_import]
    assert isinstance(line, cst.SimpleStatementLine)
    moved = cst.parse_statement(f"import tensorflow.compat.v1 as {alias}\n")
    kept: list[cst.BaseSmallStatement] = []
    for small in line.body:
        if isinstance(small, cst.Import):
            names = [a for a in small.names if cst.Module([]).code_for_node(a.name) != "tensorflow.compat.v1"
                     or a.evaluated_alias != alias]
            if names:
                names[-1] = names[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
                kept.append(small.with_changes(names=names))
        else:
            kept.append(small)
    body.insert(stars[-1] + 1, moved)
    if kept:
        body[first_import] = line.with_changes(body=kept)
        return last + 1
    # The line's comments and blank lines stay where they were, above the next statement.
    following = body[first_import + 1]
    assert isinstance(following, (cst.SimpleStatementLine, cst.BaseCompoundStatement))
    body[first_import + 1] = following.with_changes(leading_lines=[*line.leading_lines, *following.leading_lines])
    del body[first_import]
    return last

