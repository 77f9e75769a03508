"""Reading TF1 graph-building code: which statements define what, and what they read.

Shared by the graph-to-eager rules. Everything here is about the module's top-level
statements, in order, because that is where TF1 scripts build their graph.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import libcst as cst

from codemods.analysis.cst_tools import nodes_of
from codemods.analysis.names import FastVisitor, walk
from codemods.analysis.private_names import public_qualified

TF1_PREFIXES = ("tensorflow.compat.v1.", "tensorflow.")

# TF1 functions that return several tensors (a tuple, a namedtuple such as TopKV2, or a
# list): sess.run gave the same structure holding NumPy values.
SEVERAL_OUTPUTS = frozenset({
    "self_adjoint_eig", "linalg.eigh", "svd", "linalg.svd", "qr", "linalg.qr", "linalg.slogdet", "linalg.lu",
    "nn.moments", "nn.weighted_moments", "nn.sufficient_statistics", "nn.normalize_moments", "nn.top_k",
    "math.top_k", "unique", "unique_with_counts", "setdiff1d", "split", "unstack", "meshgrid", "dynamic_partition",
    "nn.max_pool_with_argmax", "nn.fused_batch_norm", "nn.dynamic_rnn", "nn.bidirectional_dynamic_rnn",
    "nn.static_rnn",
})


def tf1_symbol(qualified: str | None) -> str | None:
    """``train.AdamOptimizer`` for ``tensorflow[.compat.v1].train.AdamOptimizer`` (and for
    what a private module path such as ``tensorflow.python.training.adam`` exports as it)."""
    if not qualified:
        return None
    qualified = public_qualified(qualified)
    for prefix in TF1_PREFIXES:
        if qualified.startswith(prefix):
            symbol = qualified[len(prefix) :]
            if symbol.startswith("contrib.slim.") and symbol[len("contrib.slim.") :] in SLIM_LAYERS:
                return "contrib.layers." + symbol[len("contrib.slim.") :]
            return symbol
    return None


# tf.contrib.slim re-exports these tf.contrib.layers functions (the same objects).
SLIM_LAYERS = frozenset({
    "fully_connected", "conv2d", "convolution2d", "conv2d_transpose", "max_pool2d", "avg_pool2d",
    "flatten", "dropout", "batch_norm", "l1_regularizer", "l2_regularizer", "xavier_initializer",
})


class ReadNamesVisitor(FastVisitor):
    """Visits the names code reads: not attribute names (``x.attr``), not keywords (``f(k=1)``)."""

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        walk(node.value, self)
        return False

    def visit_Arg(self, node: cst.Arg) -> bool:
        walk(node.value, self)
        return False


class _NameCollector(ReadNamesVisitor):
    def __init__(self) -> None:
        self.names: set[str] = set()
        self.calls: list[cst.Call] = []

    def visit_Name(self, node: cst.Name) -> None:
        self.names.add(node.value)

    def visit_Call(self, node: cst.Call) -> None:
        self.calls.append(node)


def names_read(node: cst.CSTNode) -> set[str]:
    """Every plain name the node mentions (a superset of what it reads)."""
    collector = _NameCollector()
    walk(node, collector)
    return collector.names


def calls_in(node: cst.CSTNode) -> list[cst.Call]:
    collector = _NameCollector()
    walk(node, collector)
    return collector.calls


def assigned_names(target: cst.BaseExpression) -> list[str]:
    """The plain names an assignment target binds (``a, (b, *c)``; not ``x.attr``, ``x[i]``)."""
    return [part.value for part in target_parts(target) if isinstance(part, cst.Name)]


def single_assignment(stmt: cst.CSTNode) -> tuple[list[str], cst.BaseExpression] | None:
    """(target names, value) of ``a = ...`` / ``a, b = ...``; None for anything else."""
    if not isinstance(stmt, cst.SimpleStatementLine) or len(stmt.body) != 1:
        return None
    small = stmt.body[0]
    if isinstance(small, cst.Assign) and len(small.targets) == 1:
        names = assigned_names(small.targets[0].target)
        if names:
            return names, small.value
    if isinstance(small, cst.AnnAssign) and small.value is not None:
        names = assigned_names(small.target)
        if names:
            return names, small.value
    return None


def expression_of(stmt: cst.CSTNode) -> cst.BaseExpression | None:
    if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 and isinstance(stmt.body[0], cst.Expr):
        return stmt.body[0].value
    return None


def standalone_calls(statements: Iterable[cst.CSTNode]) -> set[int]:
    """Ids of the calls that are whole statements (``sess.run(init)`` on its own line),
    at any depth of ``statements``."""
    return {
        id(expr) for stmt in statements for line in nodes_of(stmt, cst.SimpleStatementLine)
        if isinstance(expr := expression_of(line), cst.Call)
    }


def returned_variable(fn: cst.FunctionDef, creates: Callable[[cst.Call], bool]) -> cst.Call | None:
    """The call creating the one variable that ``fn`` returns, when ``fn`` is a variable
    factory: a docstring and plain assignments (the initial value, an initializer), then
    ``return <creation>`` or ``v = <creation>`` + ``return v``; ``creates`` tells which
    calls create a variable. None for any other function."""
    if not isinstance(fn.body, cst.IndentedBlock) or not fn.body.body:
        return None
    *before, last = fn.body.body
    if not (isinstance(last, cst.SimpleStatementLine) and len(last.body) == 1 and isinstance(last.body[0], cst.Return)):
        return None
    creations = [call for call in calls_in(fn) if creates(call)]
    if len(creations) != 1:
        return None
    returned = last.body[0].value
    assigned: dict[str, list[cst.BaseExpression]] = {}
    for position, stmt in enumerate(before):
        if position == 0 and isinstance(expression_of(stmt), (cst.SimpleString, cst.ConcatenatedString)):
            continue  # the docstring
        assignment = single_assignment(stmt)
        if assignment is None or not isinstance(stmt.body[0], cst.Assign):
            return None
        for name in assignment[0]:
            assigned.setdefault(name, []).append(assignment[1])
    if isinstance(returned, cst.Name) and len(assigned.get(returned.value, [])) == 1:
        returned = assigned[returned.value][0]
    return creations[0] if returned is creations[0] else None


def call_parts(call: cst.Call, code: Callable[[cst.CSTNode], str]) -> tuple[list[str], dict[str, str]]:
    """Positional and keyword argument source code of a call (no *args)."""
    positional: list[str] = []
    keywords: dict[str, str] = {}
    for arg in call.args:
        if arg.star:
            raise ValueError("star arguments")
        if arg.keyword is None:
            positional.append(code(arg.value))
        else:
            keywords[arg.keyword.value] = code(arg.value)
    return positional, keywords


def returns_several(symbol: str | None, call: cst.Call) -> bool:
    """Does this call of TF1 ``symbol`` return several tensors?"""
    if symbol in ("svd", "linalg.svd"):
        compute_uv = argument(call, 2, "compute_uv")  # False: the singular values alone
        return not (isinstance(compute_uv, cst.Name) and compute_uv.value == "False")
    return symbol in SEVERAL_OUTPUTS


def argument(call: cst.Call, index: int, keyword: str) -> cst.BaseExpression | None:
    """The argument passed at position ``index`` or as ``keyword``."""
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == keyword:
            return arg.value
    positional = [a for a in call.args if a.keyword is None and not a.star]
    if index < len(positional):
        return positional[index].value
    return None


def drop_unused_contrib_imports(module: cst.Module) -> cst.Module:
    """Drops ``from tensorflow.contrib import rnn`` (and ``from tensorflow.contrib.rnn import
    X``) names the module no longer reads."""
    found: list[set[str]] = []

    def read() -> set[str]:  # the names the module reads: only once a contrib import asks
        if not found:
            found.append(set())
            for stmt in module.body:
                if not (isinstance(stmt, cst.SimpleStatementLine) and all(isinstance(x, (cst.Import, cst.ImportFrom)) for x in stmt.body)):
                    found[0].update(names_read(stmt))
        return found[0]

    body = []
    for stmt in module.body:
        if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 and isinstance(stmt.body[0], cst.Import):
            node = stmt.body[0]
            kept = [alias for alias in node.names if not (
                alias.evaluated_name.startswith("tensorflow.contrib.") and alias.asname is not None
                and module.code_for_node(alias.asname.name) not in read())]
            if not kept:
                continue
            if len(kept) != len(node.names):
                kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
                stmt = stmt.with_changes(body=[node.with_changes(names=kept)])
        if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 and isinstance(stmt.body[0], cst.ImportFrom):
            node = stmt.body[0]
            origin = module.code_for_node(node.module) if node.module is not None and not node.relative else ""
            if (origin == "tensorflow.contrib" or origin.startswith("tensorflow.contrib.")) and not isinstance(
                    node.names, cst.ImportStar):
                kept = [alias for alias in node.names
                        if module.code_for_node(alias.asname.name if alias.asname else alias.name) in read()]
                if not kept:
                    continue
                if len(kept) != len(node.names):
                    kept = [a.with_changes(comma=cst.MaybeSentinel.DEFAULT) for a in kept]
                    stmt = stmt.with_changes(body=[node.with_changes(names=kept)])
        body.append(stmt)
    return module.with_changes(body=body)


def build_calls(init: cst.FunctionDef, methods: dict[str, cst.FunctionDef]) -> dict[int, str]:
    """The ``self._build()`` statements of a class's ``__init__`` (by id) calling one of
    ``methods`` that takes only ``self``: the methods that build a model class's graph
    with ``__init__``, once per instance."""
    found: dict[int, str] = {}
    for stmt in init.body.body:
        if not isinstance(stmt, cst.SimpleStatementLine) or len(stmt.body) != 1 or not isinstance(stmt.body[0], cst.Expr):
            continue
        call = stmt.body[0].value
        if (
            isinstance(call, cst.Call) and not call.args and isinstance(call.func, cst.Attribute)
            and isinstance(call.func.value, cst.Name) and call.func.value.value == "self"
            and call.func.attr.value in methods and call.func.attr.value != "__init__"
        ):
            method = methods[call.func.attr.value]
            if len(method.params.params) == 1 and not method.decorators and call.func.attr.value not in found.values():
                found[id(stmt)] = call.func.attr.value
    return found


class _TargetCollector(FastVisitor):
    def __init__(self) -> None:
        self.found: list[cst.CSTNode] = []

    def visit_AssignTarget(self, n: cst.AssignTarget) -> None:
        self.found.append(n.target)

    def visit_AnnAssign(self, n: cst.AnnAssign) -> None:
        self.found.append(n.target)

    def visit_AugAssign(self, n: cst.AugAssign) -> None:
        self.found.append(n.target)

    def visit_For(self, n: cst.For) -> None:
        self.found.append(n.target)

    def visit_AsName(self, n: cst.AsName) -> None:
        self.found.append(n.name)

    def visit_FunctionDef(self, n: cst.FunctionDef) -> bool:
        return False


def assign_targets(node: cst.CSTNode) -> list[cst.CSTNode]:
    """What ``node`` assigns (targets of =, augmented and annotated assignments, for loops,
    ``as`` names), outside nested functions."""
    collector = _TargetCollector()
    walk(node, collector)
    return collector.found


def target_parts(target: cst.CSTNode) -> list[cst.CSTNode]:
    """The parts of an unpacking target (``a, (b, *c)``)."""
    if isinstance(target, (cst.Tuple, cst.List)):
        return [p for e in target.elements for p in target_parts(e.value)]
    if isinstance(target, cst.StarredElement):
        return target_parts(target.value)
    return [target]
