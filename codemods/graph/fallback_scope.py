"""The graph-mode fallback, scoped to the programs that need it.

G101 keeps a module it cannot convert on ``tensorflow.compat.v1`` and switches the process
to graph mode (``tf.compat.v1.disable_v2_behavior()``). That switch is process-wide: in
a module that other modules of the tree import, it would turn every importer (and each
native TF 2 module they use) into graph code, silently. So:

* a library module (imported by others, ``ProjectFacts.is_library``) keeps its graph
  code on ``tf.compat.v1`` without the switch (``library_fallback``), and the finding
  names the entry scripts that import it (or says that whatever runs it must call the
  switch, when no entry script of the tree does);
* each entry script that imports such a module gets the switch before it imports them
  (``switch_entry_to_graph_mode``, applied by the engine once those modules are migrated).
"""

from __future__ import annotations

import os

import libcst as cst

from codemods.analysis.names import dotted_name
from codemods.analysis.project import ProjectFacts

SWITCHES = ("disable_v2_behavior", "disable_eager_execution")


def _is_switch(stmt: cst.CSTNode) -> bool:
    """A top-level ``<...>.disable_v2_behavior()`` / ``disable_eager_execution()`` statement."""
    if not isinstance(stmt, cst.SimpleStatementLine) or len(stmt.body) != 1:
        return False
    small = stmt.body[0]
    if not isinstance(small, cst.Expr) or not isinstance(small.value, cst.Call):
        return False
    func = small.value.func
    name = func.attr.value if isinstance(func, cst.Attribute) else func.value if isinstance(func, cst.Name) else ""
    return name in SWITCHES


def library_fallback(fallback: cst.Module, facts: ProjectFacts | None, reason: str) -> tuple[cst.Module, str] | None:
    """G101's fallback ``fallback`` without the process-wide switch, and the finding to
    report, when other modules of the tree import this one; None when none does (the
    module keeps the switch)."""
    if facts is None or not facts.is_library:
        return None
    if facts.entry_points:
        where = f"the entry scripts that import it switch to graph mode instead: {_listing(facts.entry_points)}"
    else:
        where = (
            "no entry script of this tree imports it: every program that does must call "
            "tf.compat.v1.disable_v2_behavior() before it builds a graph"
        )
    message = (
        f"kept on tf.compat.v1 in graph mode: {reason}; not switched to graph mode here, because other modules "
        f"import this one ({_listing(facts.imported_by)}) and the switch is process-wide; {where}"
    )
    return fallback.with_changes(body=[stmt for stmt in fallback.body if not _is_switch(stmt)]), message


def switch_entry_to_graph_mode(module: cst.Module, facts: ProjectFacts) -> tuple[cst.Module, int]:
    """``tf.compat.v1.disable_v2_behavior()`` added to an entry script whose imported
    modules (``facts.graph_mode_imports``) were kept in graph mode, before the first
    statement that imports one of the tree's modules (their graph is built when they are
    imported), and the line it is on; ``module`` itself and 0 when the script switches
    already."""
    if any(_is_switch(stmt) for stmt in module.body):
        return module, 0
    here = os.path.dirname(facts.path)
    modules = ", ".join(os.path.relpath(path, here).replace(os.sep, "/") for path, _ in facts.graph_mode_imports)
    comment = f"  # graph mode: {modules} kept on tf.compat.v1 (see the migration report)"
    tree_names = {_module_name(path) for path in facts.imports}
    body = list(module.body)
    position = 0
    while position < len(body) and (_is_docstring(body[position]) or _is_future(body[position])):
        position += 1
    switch: str | None = None  # the call through a TensorFlow import made before `position`
    while position < len(body) and _is_import(body[position]) and not _imports_any(body[position], tree_names):
        switch = _switch_after(body[position]) or switch
        position += 1
    added = [] if switch is not None else [cst.parse_statement("import tensorflow.compat.v1\n")]
    added.append(cst.parse_statement(f"{switch or 'tensorflow.compat.v1.disable_v2_behavior'}(){comment}\n"))
    if position < len(body):
        # The statement after the switch keeps its comments and blank lines above them.
        first = body[position]
        added[0] = added[0].with_changes(leading_lines=first.leading_lines)
        body[position] = first.with_changes(leading_lines=[])
    switched = module.with_changes(body=body[:position] + added + body[position:])
    line = next(n for n, text in enumerate(switched.code.splitlines(), 1) if text.endswith(comment))
    return switched, line


def _module_name(path: str) -> str:
    """The name a module file is imported by (its package's for an ``__init__.py``)."""
    folder, name = os.path.split(path)
    return os.path.basename(folder) if name == "__init__.py" else os.path.splitext(name)[0]


def _is_import(stmt: cst.CSTNode) -> bool:
    return isinstance(stmt, cst.SimpleStatementLine) and all(
        isinstance(small, (cst.Import, cst.ImportFrom)) for small in stmt.body
    )


def _imports_any(stmt: cst.SimpleStatementLine, names: set[str]) -> bool:
    """Does the import line name one of ``names`` (a module of the tree) anywhere in it?"""
    for small in stmt.body:
        words: list[str] = []
        if isinstance(small, cst.Import):
            words = [dotted_name(alias.name) or "" for alias in small.names]
        elif isinstance(small, cst.ImportFrom):
            words = [dotted_name(small.module) or ""] if small.module is not None else []
            if not isinstance(small.names, cst.ImportStar):
                words += [dotted_name(alias.name) or "" for alias in small.names]
        if any(part in names for word in words for part in word.split(".")):
            return True
    return False


def _switch_after(stmt: cst.SimpleStatementLine) -> str | None:
    """The switch to call right after ``stmt`` when it imports tensorflow (or its compat.v1)."""
    for small in stmt.body:
        if not isinstance(small, cst.Import):
            continue
        for alias in small.names:
            name = dotted_name(alias.name)
            bound = alias.asname.name.value if alias.asname and isinstance(alias.asname.name, cst.Name) else None
            if name == "tensorflow":
                return f"{bound or 'tensorflow'}.compat.v1.disable_v2_behavior"
            if name == "tensorflow.compat.v1":
                return f"{bound}.disable_v2_behavior" if bound else "tensorflow.compat.v1.disable_v2_behavior"
    return None


def _is_docstring(stmt: cst.CSTNode) -> bool:
    return (isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1
            and isinstance(stmt.body[0], cst.Expr) and isinstance(stmt.body[0].value, cst.SimpleString))


def _is_future(stmt: cst.CSTNode) -> bool:
    return isinstance(stmt, cst.SimpleStatementLine) and any(
        isinstance(small, cst.ImportFrom) and isinstance(small.module, cst.Name) and small.module.value == "__future__"
        for small in stmt.body
    )


def entry_finding(facts: ProjectFacts) -> str:
    """The finding on an entry script switched to graph mode for the modules it imports."""
    return (
        "runs in graph mode: tf.compat.v1.disable_v2_behavior() added (process-wide) for the modules it imports "
        f"that were kept on tf.compat.v1: {graph_mode_reasons(facts)}"
    )


def graph_mode_reasons(facts: ProjectFacts) -> str:
    return "; ".join(f"{path}: {reason}" for path, reason in facts.graph_mode_imports)


def _listing(paths: tuple[str, ...], most: int = 5) -> str:
    shown = ", ".join(paths[:most])
    return shown + (f" and {len(paths) - most} more" if len(paths) > most else "")
