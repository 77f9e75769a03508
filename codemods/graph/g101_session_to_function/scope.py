"""Stage 1, scope: which block builds the graph, with its session blocks opened.

The graph is built at the module's top level, or in one top-level ``def main():`` /
``if __name__ == "__main__":`` body. ``with tf.Session() as sess:`` blocks of that level
are opened (scripts keep building graph inside them; in eager code the block has no
meaning), and so are ``with tf.name_scope(...)`` blocks that only create an optimizer
and its step. The result is a ``Graph`` with nothing classified yet.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import cast

import libcst as cst

from codemods.analysis.cst_tools import nodes_of, replace_keeping
from codemods.analysis.graph import argument, assigned_names, calls_in, names_read, single_assignment
from codemods.graph.g101_session_to_function.model import CannotConvert, Graph

SESSIONS = {"Session", "InteractiveSession"}
Sym = Callable[[cst.BaseExpression], "str | None"]


def find_scope(module: cst.Module, tf: str, sym: Sym) -> Graph:
    return scope_in(module, tf, sym, graph_owner(module, sym))


def scope_in(module: cst.Module, tf: str, sym: Sym, owner: cst.FunctionDef | cst.If | None) -> Graph:
    """The graph of the block ``owner`` (None: the module's top level)."""
    sessions: set[str] = set()
    statements = module.body if owner is None else cast(cst.IndentedBlock, owner.body).body
    opened: list[int] = []
    body = _flatten_sessions(list(statements), sym, sessions, opened)
    body = _global_step_runs(body, sym, sessions | _session_names(module, sym))
    graph = Graph(module, owner, body, sessions, tf, sym)
    graph.session_blocks = set(opened)
    return graph


def graph_owner(module: cst.Module, sym: Sym) -> cst.FunctionDef | cst.If | None:
    def builds_graph(statements: Sequence[cst.BaseStatement]) -> bool:
        for stmt in _flatten_sessions(list(statements), sym, set(), []):
            assignment = single_assignment(stmt)
            if assignment and isinstance(assignment[1], cst.Call):
                if sym(assignment[1].func) in ("placeholder", "placeholder_with_default", "Variable"):
                    return True
        return False

    if builds_graph(module.body):
        return None
    owners = [
        stmt
        for stmt in module.body
        if isinstance(stmt, (cst.FunctionDef, cst.If))
        and isinstance(stmt.body, cst.IndentedBlock)
        and builds_graph(stmt.body.body)
    ]
    if len(owners) == 1:
        owner = owners[0]

        def opens_session(node: cst.CSTNode) -> bool:
            return any(sym(call.func) in SESSIONS for call in calls_in(node))

        script = [s for s in module.body if s is not owner and not isinstance(s, cst.ClassDef)]
        if not opens_session(owner) and any(opens_session(s) for s in script):
            name = owner.name.value if isinstance(owner, cst.FunctionDef) else "the `if` block"
            raise CannotConvert(owner, f"the graph is built in `{name}` but run outside it")
        return owner
    if owners:
        names = ", ".join(f"`{o.name.value}`" if isinstance(o, cst.FunctionDef) else "an `if` block" for o in owners)
        raise CannotConvert(owners[1], f"the graph is built in more than one function ({names})")
    return None


def _flatten_sessions(
    statements: list[cst.BaseStatement], sym: Sym, sessions: set[str], opened: list[int]
) -> list[cst.BaseStatement]:
    """Open ``with tf.Session() as sess:`` blocks of the graph's own level (their
    aliases are added to ``sessions``, the index of their first statement to
    ``opened``) and training name scopes (graph blocks were opened before:
    ``analysis.graph_blocks``)."""
    flat: list[cst.BaseStatement] = []
    for stmt in statements:
        item = stmt.items[0].item if isinstance(stmt, cst.With) else None
        if (
            isinstance(stmt, cst.With)
            and isinstance(item, cst.Call)
            and sym(item.func) in SESSIONS
            and len(stmt.items) == 1
            and argument(item, 1, "graph") is None
            and isinstance(stmt.body, cst.IndentedBlock)
        ):
            alias = stmt.items[0].asname
            if alias is not None:
                sessions.update(assigned_names(alias.name))
            opened.append(len(flat))
            flat.extend(_opened(stmt, stmt.body))
        elif isinstance(stmt, cst.With) and isinstance(stmt.body, cst.IndentedBlock) and training_scope(stmt, sym):
            flat.extend(_opened(stmt, stmt.body))
        elif isinstance(stmt, cst.With) and isinstance(stmt.body, cst.IndentedBlock):
            flat.extend(_hoisted_training(stmt, sym))
        else:
            flat.append(stmt)
    return flat


def _session_names(module: cst.Module, sym: Sym) -> set[str]:
    """Names bound to a new session anywhere in the module (``sess = tf.Session(...)``)."""
    names: set[str] = set()
    for stmt in _statements(module):
        assignment = single_assignment(stmt)
        if assignment is not None and isinstance(assignment[1], cst.Call) and sym(assignment[1].func) in SESSIONS:
            names.update(assignment[0])
    return names


def _statements(node: cst.CSTNode) -> list[cst.SimpleStatementLine]:
    return nodes_of(node, cst.SimpleStatementLine)


def _global_step_runs(body: list[cst.BaseStatement], sym: Sym, sessions: set[str]) -> list[cst.BaseStatement]:
    """``tf.train.global_step(sess, step)`` -> ``int(sess.run(step))``, what TF1 computes (a
    run of the step's variable). Only the path to the call is rebuilt: the other nodes stay
    the ones the symbol resolver knows."""
    out = []
    for stmt in body:
        for call in calls_in(stmt):
            args = call.args
            if (
                sym(call.func) == "train.global_step" and len(args) == 2
                and all(a.keyword is None and a.star == "" for a in args)
                and isinstance(args[0].value, cst.Name) and args[0].value.value in sessions
            ):
                run = cst.Call(cst.Attribute(args[0].value, cst.Name("run")), [cst.Arg(args[1].value)])
                stmt = replace_keeping(stmt, call, cst.Call(cst.Name("int"), [cst.Arg(run)]))
        out.append(stmt)
    return out


def _hoisted_training(stmt: cst.With, sym: Sym) -> list[cst.BaseStatement]:
    """``with tf.name_scope("Train"):`` holding ``with tf.name_scope("Optimizer"): step =
    opt.minimize(loss)`` beside other scopes, or ``opt = tf.train.XOptimizer(...)`` /
    ``step = opt.minimize(loss)`` beside a loss and its summary: the training statements
    follow the block, opened (the scope only names the optimizer's ops, which eager code
    does not have), when nothing after them in the block reads what they define or
    binds again what they read."""
    item = stmt.items[0].item if len(stmt.items) == 1 else None
    if not (isinstance(item, cst.Call) and sym(item.func) == "name_scope") or stmt.items[0].asname:
        return [stmt]
    body = list(cast(cst.IndentedBlock, stmt.body).body)
    kept: list[cst.BaseStatement] = []
    hoisted: list[cst.BaseStatement] = []
    for position, inner in enumerate(body):
        if isinstance(inner, cst.With) and training_scope(inner, sym):
            block = cast(cst.IndentedBlock, inner.body)
            statements = list(block.body)
            opened = _opened(inner, block)
        elif _training_statement(inner, sym):
            # `with tf.name_scope("optimizer"): cost = ...; opt = ...; train_op = opt.minimize(cost);
            # tf.summary.scalar("cost", cost)`: the optimizer and its step follow the block.
            statements = opened = [inner]
        else:
            kept.append(inner)
            continue
        defined = {name for s in statements for name in (single_assignment(s) or ([], None))[0]}
        read = set().union(*(names_read(s) for s in statements))
        later = [s for s in body[position + 1:] if not _training_statement(s, sym)]
        if any(defined & names_read(s) for s in later) or any(read & set(_bound(s)) for s in later):
            return [stmt]
        hoisted.extend(opened)
    if not hoisted or not kept:
        return [stmt]
    return [stmt.with_changes(body=stmt.body.with_changes(body=kept)), *hoisted]


def _training_statement(stmt: cst.CSTNode, sym: Sym) -> bool:
    """``opt = tf.train.XOptimizer(...)`` / ``step = opt.minimize(...)`` (or apply_gradients)."""
    assignment = single_assignment(stmt)
    if assignment is None or len(assignment[0]) != 1 or not isinstance(assignment[1], cst.Call):
        return False
    value = assignment[1]
    symbol = sym(value.func) or ""
    return (symbol.startswith("train.") and symbol.endswith("Optimizer")) or (
        isinstance(value.func, cst.Attribute) and value.func.attr.value in ("minimize", "apply_gradients")
    )


def _bound(stmt: cst.CSTNode) -> list[str]:
    """The names an assignment statement binds (none for other statements)."""
    assignment = single_assignment(stmt)
    return assignment[0] if assignment is not None else []


def _opened(stmt: cst.With, block: cst.IndentedBlock) -> list[cst.BaseStatement]:
    """The statements of ``stmt``'s block, its comments and blank lines before the first."""
    inner = list(block.body)
    first = inner[0]
    assert isinstance(first, (cst.SimpleStatementLine, cst.BaseCompoundStatement))
    inner[0] = first.with_changes(leading_lines=[*stmt.leading_lines, *first.leading_lines])
    return inner


def training_scope(stmt: cst.CSTNode, sym: Sym) -> bool:
    """``with tf.name_scope("train"): optimizer = ...; training_op = optimizer.minimize(loss)``:
    the scope only names ops; the optimizer and its step are read as if at the graph's level."""
    if not (isinstance(stmt, cst.With) and len(stmt.items) == 1 and isinstance(stmt.body, cst.IndentedBlock)):
        return False
    item = stmt.items[0].item
    if not (isinstance(item, cst.Call) and sym(item.func) == "name_scope") or stmt.items[0].asname:
        return False
    trains = False
    for inner in stmt.body.body:
        assignment = single_assignment(inner)
        if assignment is None or len(assignment[0]) != 1:
            return False
        value = assignment[1]
        symbol = (sym(value.func) or "") if isinstance(value, cst.Call) else ""
        if symbol.startswith("train.") and symbol.endswith("Optimizer"):
            trains = True
        elif isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute) and value.func.attr.value in (
            "minimize", "apply_gradients", "compute_gradients"
        ):
            trains = True
    return trains


def runs_sessions(statements: Sequence[cst.CSTNode], sym: Sym) -> bool:
    """Script code (not the functions and classes it defines) opens a session."""
    return any(
        sym(call.func) in SESSIONS
        for stmt in statements
        if not isinstance(stmt, (cst.FunctionDef, cst.ClassDef))
        for call in calls_in(stmt)
    )
