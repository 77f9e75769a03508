"""G101 build functions (``build_functions``): finding the function that builds the graph
and returns it (``find``) and reading it alone (``read_function``), refusing what the
class could not do at every trace."""

from __future__ import annotations

import libcst as cst

from codemods.analysis.cst_tools import bound_names, code, nodes_of
from codemods.analysis.graph import argument, assigned_names, calls_in, names_read, single_assignment
from codemods.analysis.names import FastVisitor, is_import_line
from codemods.graph.g101_session_to_function.analysis import UNSUPPORTED
from codemods.graph.g101_session_to_function.build_class import module_class_def
from codemods.graph.g101_session_to_function.build_values import (
    MODULE_ATTRIBUTES,
    MUTATING,
    PLACEHOLDERS,
    VERBS,
    BuildCall,
    BuildFunction,
    Fed,
    Output,
    Returned,
    Training,
    body_statements,
    fresh_name,
)
from codemods.graph.g101_session_to_function.model import CannotConvert
from codemods.graph.g101_session_to_function.model_classes import _unscoped_placeholders
from codemods.graph.g101_session_to_function.scope import SESSIONS, Sym
from codemods.graph.g101_session_to_function.variable_helpers import camel, is_random


def find(module: cst.Module, sym: Sym, tf: str) -> tuple[BuildFunction, BuildCall] | None:
    """The function of ``module`` that builds the graph and returns it, and its one call;
    None when there is none."""
    candidates = [
        s for s in module.body
        if isinstance(s, cst.FunctionDef) and _placeholders(s, sym) and not any(sym(c.func) in SESSIONS for c in calls_in(s))
    ]
    candidates = [fn for fn in candidates if _returns(fn) is not None]
    if not candidates:
        return None
    if len(candidates) > 1:
        raise CannotConvert(candidates[1], "more than one function builds a graph and returns it")
    fn = candidates[0]
    name = fn.name.value
    calls = [c for c in calls_in(module) if isinstance(c.func, cst.Name) and c.func.value == name]
    if not calls:
        return None
    if len(calls) > 1:
        raise CannotConvert(calls[1], f"`{name}` builds the graph and is called {len(calls)} times (once is supported)")
    references = [n for n in nodes_of(module, cst.Name) if n.value == name]
    if len(references) != 2:  # its definition's name and the one call
        raise CannotConvert(fn, f"`{name}` builds the graph and is used other than by calling it once")
    creation, targets = _creation(module, calls[0], name)
    built = read_function(fn, module, sym, tf)
    if built.shape == "tuple" and len(targets) > 1 and len(targets) != len(built.returned):
        raise CannotConvert(creation, f"`{name}` returns {len(built.returned)} values, unpacked into {len(targets)}")
    if built.shape != "tuple" and len(targets) != 1:
        raise CannotConvert(creation, f"the result of `{name}` is unpacked")
    return built, BuildCall(creation, calls[0], targets)


def read_function(fn: cst.FunctionDef, module: cst.Module, sym: Sym, tf: str) -> BuildFunction:
    """The class ``fn`` becomes. Reads nothing of its callers: a module that only defines
    the function (a project's ``model.py``) converts from this alone."""
    definition = fn
    body = [inner for stmt in fn.body.body for inner in _unscoped_placeholders(sym, stmt)]
    fn = fn.with_changes(body=fn.body.with_changes(body=body))
    name = fn.name.value
    trainings = _trainings(fn, sym)
    _check_body(fn, sym, {i for t in trainings for i in t.statements})
    params = _params(fn)
    fed = _fed(fn, sym, params, _imported(module))
    shape, returned = _returned(fn, fed, trainings)
    if shape == "single" and (returned[0].placeholder is not None or returned[0].training is not None):
        raise CannotConvert(fn, f"`{name}` returns only a placeholder or a training op")
    fed_names = {f.name for f in fed}
    if len(fed_names) != len(fed):
        raise CannotConvert(fn, f"`{name}` creates two placeholders under one name")
    returned_fed = {r.placeholder.name for r in returned if r.placeholder is not None}
    for f in fed:
        if f.name not in returned_fed and f.default is None:
            raise CannotConvert(f.call, f"placeholder `{f.name}` of `{name}` is not returned: nothing could feed it")
    returned_ops = {r.training.op for r in returned if r.training is not None}
    for training in trainings:
        if training.op not in returned_ops:
            raise CannotConvert(training.constructor, f"training op `{training.op}` of `{name}` is not returned: nothing could run it")
    outputs = _outputs(fn, shape, returned, trainings)
    class_name = fresh_name(_class_base(name), names_read(module))
    attributes = {param: f"{param}_" if param in MODULE_ATTRIBUTES else param for param in params}
    built = BuildFunction(definition, fn, class_name, shape, returned, fed, trainings, outputs, params, attributes)
    built.random = any(is_random(sym(c.func)) for c in calls_in(fn))
    built.class_def = module_class_def(built, sym, tf, module)
    return built


# -- reading the function ---------------------------------------------------------------
def _imported(module: cst.Module) -> set[str]:
    """Names the module's top-level imports bind."""
    return bound_names([s for s in module.body if is_import_line(s)])


def _placeholders(fn: cst.FunctionDef, sym: Sym) -> list[cst.Call]:
    return [c for c in calls_in(fn) if sym(c.func) in PLACEHOLDERS]


def _returns(fn: cst.FunctionDef) -> cst.BaseExpression | None:
    """The value of the body's last statement, ``return value``."""
    body = fn.body.body if isinstance(fn.body, cst.IndentedBlock) else []
    last = body[-1] if body else None
    if isinstance(last, cst.SimpleStatementLine) and len(last.body) == 1 and isinstance(last.body[0], cst.Return):
        value = last.body[0].value
        if isinstance(value, (cst.Dict, cst.Tuple, cst.List, cst.Name)) or _dict_call(value):
            return value
    return None


def _dict_call(node: cst.BaseExpression | None) -> bool:
    """``dict(x=x, cost=cost)``."""
    return (
        isinstance(node, cst.Call) and isinstance(node.func, cst.Name) and node.func.value == "dict"
        and all(a.keyword is not None for a in node.args)
    )


def literal_key(node: cst.BaseExpression) -> str | None:
    """A dict key or subscript written as a literal, in one spelling (``repr``)."""
    if isinstance(node, cst.SimpleString) and isinstance(node.evaluated_value, str):
        return repr(node.evaluated_value)
    if isinstance(node, cst.Integer):
        return repr(int(node.value, 0))
    return None


def _creation(module: cst.Module, call: cst.Call, name: str) -> tuple[cst.SimpleStatementLine, list[str]]:
    found: list[tuple[cst.SimpleStatementLine, list[str]]] = []

    class _Find(FastVisitor):
        def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
            assignment = single_assignment(node)
            if assignment is None or assignment[1] is not call or not isinstance(node.body[0], cst.Assign):
                return
            target = node.body[0].targets[0].target
            if isinstance(target, cst.Name):
                found.append((node, [target.value]))
            elif isinstance(target, (cst.Tuple, cst.List)) and all(isinstance(e.value, cst.Name) for e in target.elements):
                found.append((node, [e.value.value for e in target.elements]))

    module.visit(_Find())
    if not found:
        raise CannotConvert(call, f"the result of `{name}(...)` is not assigned to names")
    return found[0]


def _trainings(fn: cst.FunctionDef, sym: Sym) -> list[Training]:
    """The training ops of the body: ``train_op = optimizer.minimize(loss)`` at its own
    level, after ``optimizer = tf.train.XOptimizer(...)`` (or with the optimizer inline)."""
    constructors: dict[str, tuple[cst.Call, int]] = {}
    found: list[Training] = []
    for stmt in fn.body.body:
        assignment = single_assignment(stmt)
        if assignment is None or len(assignment[0]) != 1 or not isinstance(assignment[1], cst.Call):
            continue
        target, value = assignment[0][0], assignment[1]
        if _optimizer_class(value, sym):
            constructors[target] = (value, id(stmt))
            continue
        func = value.func
        if not (isinstance(func, cst.Attribute) and func.attr.value == "minimize"):
            continue
        loss = argument(value, 0, "loss")
        if len(value.args) != 1 or not isinstance(loss, cst.Name):
            raise CannotConvert(value, f"`{fn.name.value}` calls minimize with more than the loss (a name)")
        receiver = func.value
        if isinstance(receiver, cst.Call) and _optimizer_class(receiver, sym):
            found.append(Training(target, loss.value, receiver, None, {id(stmt)}))
        elif isinstance(receiver, cst.Name) and receiver.value in constructors:
            constructor, statement = constructors.pop(receiver.value)
            found.append(Training(target, loss.value, constructor, receiver.value, {statement, id(stmt)}))
    for training in found:
        if training.optimizer is not None and sum(n.value == training.optimizer for n in nodes_of(fn, cst.Name)) != 2:
            raise CannotConvert(training.constructor, f"optimizer `{training.optimizer}` of `{fn.name.value}` is used other than by its minimize")
    return found


def _optimizer_class(call: cst.Call, sym: Sym) -> bool:
    symbol = sym(call.func) or ""
    return symbol.startswith("train.") and symbol.endswith("Optimizer")


def _check_body(fn: cst.FunctionDef, sym: Sym, training: set[int]) -> None:
    name = fn.name.value
    exempt = {id(c) for stmt in fn.body.body if id(stmt) in training for c in calls_in(stmt)}
    for call in calls_in(fn):
        symbol = sym(call.func)
        if symbol and any(symbol == u or (u.endswith(".") and symbol.startswith(u)) for u in UNSUPPORTED):
            raise CannotConvert(call, f"`{code(call.func)}` has no eager equivalent this rule can prove")
        if id(call) in exempt:
            continue
        if (symbol or "").startswith("train.") or (
            isinstance(call.func, cst.Attribute) and call.func.attr.value in ("minimize", "apply_gradients", "compute_gradients")
        ):
            raise CannotConvert(call, (
                f"`{name}` builds a training op other than by `train_op = optimizer.minimize(loss)` at its own level"
            ))
        if symbol == "gradients":
            raise CannotConvert(call, f"`{name}` computes gradients with tf.gradients")
        if isinstance(call.func, cst.Name) and call.func.value == "print":
            raise CannotConvert(call, (
                f"`{name}` prints while it builds the graph: TF1 printed once, its body now runs at every trace"
            ))
    owned = set(_params(fn)) | {n for st in body_statements(fn) if (a := single_assignment(st)) is not None for n in a[0]}
    owned |= _bound_anywhere(fn.body)
    for call in calls_in(fn):
        func = call.func
        if (
            isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and func.attr.value in MUTATING
            and func.value.value not in owned and sym(func) is None
        ):
            raise CannotConvert(call, (
                f"`{name}` changes `{func.value.value}`, which it does not own: its body now runs at every trace"
            ))
    returns = [n for n in body_statements(fn) if isinstance(n, cst.Return)]
    if len(returns) != 1:
        raise CannotConvert(fn, f"`{name}` returns from more than one place")
    for node in body_statements(fn):
        if isinstance(node, (cst.Global, cst.Nonlocal)):
            raise CannotConvert(node, f"`{name}` declares global or nonlocal names")
    if fn.decorators or fn.asynchronous:
        raise CannotConvert(fn, f"`{name}` is decorated or asynchronous")


def _bound_anywhere(node: cst.CSTNode) -> set[str]:
    """Names a statement binds other than by `name = value`: loop targets, `with ... as`, tuples."""
    found: set[str] = set()

    class _Targets(FastVisitor):
        def visit_AssignTarget(self, n: cst.AssignTarget) -> None:
            found.update(assigned_names(n.target))

        def visit_For(self, n: cst.For) -> None:
            found.update(assigned_names(n.target))

        def visit_AsName(self, n: cst.AsName) -> None:
            found.update(assigned_names(n.name))

        def visit_CompFor(self, n: cst.CompFor) -> None:
            found.update(assigned_names(n.target))

    node.visit(_Targets())
    return found


def _params(fn: cst.FunctionDef) -> list[str]:
    params = fn.params
    name = fn.name.value
    if params.star_arg not in (cst.MaybeSentinel.DEFAULT, None) or params.star_kwarg is not None:
        raise CannotConvert(fn, f"`{name}` takes *args or **kwargs")
    if params.posonly_params:
        raise CannotConvert(fn, f"`{name}` takes positional-only parameters")
    names = [p.name.value for p in [*params.params, *params.kwonly_params]]
    if "self" in names:
        raise CannotConvert(fn, f"`{name}` has a parameter named `self`")
    return names


def _fed(fn: cst.FunctionDef, sym: Sym, params: list[str], imported: set[str]) -> list[Fed]:
    """The placeholders, in creation order: each a plain ``name = tf.placeholder(...)``
    statement of the body's own level."""
    name = fn.name.value
    top = {id(s) for s in fn.body.body}
    assigned = {n for s in body_statements(fn) if (a := single_assignment(s)) is not None for n in a[0]}
    fed: list[Fed] = []
    for call in _placeholders(fn, sym):
        stmt = next((s for s in fn.body.body if (a := single_assignment(s)) is not None and a[1] is call), None)
        if stmt is None or id(stmt) not in top or len(single_assignment(stmt)[0]) != 1:
            raise CannotConvert(call, f"`{name}` creates a placeholder inside a loop, condition or expression")
        target = single_assignment(stmt)[0][0]
        symbol = sym(call.func)
        if symbol == "placeholder":
            dtype_node, shape_node, default_node = argument(call, 0, "dtype"), argument(call, 1, "shape"), None
        else:
            dtype_node, shape_node, default_node = None, argument(call, 1, "shape"), argument(call, 0, "input")
        dtype = code(dtype_node) if dtype_node is not None else None
        shape = code(shape_node) if shape_node is not None else "None"
        default = code(default_node) if default_node is not None else None
        resolvable = (set(params) - assigned) | imported
        if default is not None and not _static(default_node, imported, literal_only=True):
            raise CannotConvert(call, f"placeholder `{target}` of `{name}` has a default computed in `{name}`")
        known = dtype_node is not None and _static(dtype_node, resolvable) and (
            shape_node is None or _static(shape_node, resolvable)
        )
        entry = Fed(target, call, dtype if known else None, shape if known else None, default)
        if not known and dtype is not None:
            entry.cast = dtype  # converted where the placeholder was: its dtype reads the body
        fed.append(entry)
    return fed


def _static(node: cst.BaseExpression, known: set[str], literal_only: bool = False) -> bool:
    """Code the caller can evaluate: literals, imported modules (`tf.float32`) and the
    function's parameters no statement of the body reassigns (``known``)."""
    if literal_only and calls_in(node):
        return False
    return names_read(node) <= {"None", "True", "False"} | known


def _returned(fn: cst.FunctionDef, fed: list[Fed], trainings: list[Training]) -> tuple[str, list[Returned]]:
    value = _returns(fn)
    assert value is not None, "find() checked it"
    by_name = {f.name: f for f in fed}
    ops = {t.op: t for t in trainings}

    def element(key: str | None, node: cst.BaseExpression, spelled: str | None = None) -> Returned:
        name = node.value if isinstance(node, cst.Name) else None
        return Returned(key, name, by_name.get(name) if name else None, ops.get(name) if name else None, spelled)

    if isinstance(value, cst.Dict):
        items = []
        for item in value.elements:
            key = literal_key(item.key) if isinstance(item, cst.DictElement) else None
            if key is None:
                raise CannotConvert(value, f"`{fn.name.value}` returns a dict whose keys are not literals")
            items.append(element(key, item.value, code(item.key)))
        return "dict", items
    if isinstance(value, cst.Call):  # dict(x=x, cost=cost)
        return "dict", [element(repr(a.keyword.value), a.value, repr(a.keyword.value)) for a in value.args]
    if isinstance(value, (cst.Tuple, cst.List)):
        if any(isinstance(e, cst.StarredElement) for e in value.elements):
            raise CannotConvert(value, f"`{fn.name.value}` returns a starred element")
        return "tuple", [element(str(i), e.value) for i, e in enumerate(value.elements)]
    return "single", [element(None, value)]


def _outputs(fn: cst.FunctionDef, shape: str, returned: list[Returned], trainings: list[Training]) -> list[Output]:
    """What ``__call__`` returns: the returned values, then the losses of returned
    training ops that are not returned values themselves (the caller differentiates them)."""
    outputs = [Output(r.spelled, r.name or "", r) for r in returned if r.placeholder is None and r.training is None]
    if not outputs and not trainings:
        raise CannotConvert(fn, f"`{fn.name.value}` returns only placeholders")
    values = {r.name for r in returned if r.name}
    keys = {r.key for r in returned}
    for training in trainings:
        if training.loss in values or training.loss in {o.name for o in outputs if o.returned is None}:
            continue
        if shape == "dict" and repr(training.loss) in keys:
            raise CannotConvert(fn, f"`{fn.name.value}` returns key '{training.loss}' for another value than its loss")
        quote = next((r.spelled[0] for r in returned if r.spelled and r.spelled[0] in "'\""), "'")
        outputs.append(Output(f"{quote}{training.loss}{quote}" if shape == "dict" else None, training.loss, None))
    return outputs


def _class_base(name: str) -> str:
    for verb in VERBS:
        if name.startswith(verb) and len(name) > len(verb):
            name = name[len(verb):]
            break
    return camel(name) if "_" in name or name.islower() else name[:1].upper() + name[1:]

