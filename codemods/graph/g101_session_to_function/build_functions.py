"""G101 feature: a function that builds the graph and returns its tensors, run outside it.

TF1 tutorials write the model as a function and run it elsewhere::

    def autoencoder(dimensions=[784, 512, 256, 64]):
        x = tf.placeholder(tf.float32, [None, dimensions[0]])
        ...  # variables and layers, often in loops over `dimensions`
        return {'x': x, 'z': z, 'y': y, 'cost': cost}

    ae = autoencoder(dimensions=[784, 256, 64])
    optimizer = tf.train.AdamOptimizer(0.001).minimize(ae['cost'])
    sess.run(optimizer, feed_dict={ae['x']: batch})

The function becomes a ``tf.Module`` class (``Autoencoder``) built where the function was
called: ``__init__`` keeps its parameters, ``__call__`` is its body with the
placeholders as parameters and the placeholders left out of what it returns. The body
runs at every trace of the functions that call it, so its variables are kept in
creation order by ``self.variable(lambda: tf.Variable(...))``: created eagerly at the
first call, the same variables at every later one. Loops over layer sizes and shapes
read from tensors (``int(h.get_shape()[1])``) work as in TF1, and the variables are
created in TF1's order (verify draws the same initial values).

The caller is read by G101's stages as if the function had returned one placeholder
per fed tensor and one tensor per returned one (``flatten``): ``ae['x']`` is a
placeholder ``x``, ``ae['cost']`` the tensor ``cost = ae_outputs['cost']`` of the unit
``ae_outputs = ae(x)``; the generated functions (``train_step(x)``, ``compute_cost(x)``)
call the module, and train ``ae.trainable_variables``.

A training op the function builds (``train_op = tf.train.AdamOptimizer(lr).minimize(loss)``)
is the caller's: its optimizer is created there from the module's attributes
(``tf.keras.optimizers.Adam(learning_rate=g.lr, ...)``) and ``__call__`` returns the loss.

``read_function`` reads the function alone (``BuildCall`` is its call site): a module
that only defines it (a project's ``model.py``) can be converted from what the project
index says about who runs it.

Anything this cannot prove raises ``CannotConvert``: placeholders created in a loop or
condition, several calls, the result used other than as ``ae['key']`` (or unpacked),
other training constructs, a ``print``, a session or a change to an object it does not
own inside the function (they would happen at every trace), a returned variable,
variables whose initial value reads a tensor, helpers that create variables other than
by returning one, a run that does not feed every placeholder the module takes.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

import libcst as cst

from codemods.analysis.cst_tools import bound_names, code, is_docstring, nodes_of
from codemods.analysis.graph import argument, assigned_names, calls_in, names_read, single_assignment
from codemods.analysis.names import is_import_line
from codemods.analysis.positions import locate
from codemods.graph.g101_session_to_function.analysis import UNSUPPORTED
from codemods.graph.g101_session_to_function.feature import Feature
from codemods.graph.g101_session_to_function.model import CannotConvert, Graph, Note, Variable
from codemods.graph.g101_session_to_function.model_classes import _unscoped_placeholders
from codemods.graph.g101_session_to_function.scope import SESSIONS, Sym
from codemods.graph.g101_session_to_function.variable_helpers import camel, is_random

PLACEHOLDERS = ("placeholder", "placeholder_with_default")
# Attributes tf.Module defines: a parameter of that name is kept under another one.
MODULE_ATTRIBUTES = {
    "name", "name_scope", "variables", "trainable_variables", "non_trainable_variables", "submodules",
    "with_name_scope",
}
# Reading a tensor through these gives its static shape or type: Python values, known at
# every trace (`n_input = int(h.get_shape()[1])`).
STATIC = {"get_shape", "shape", "dtype", "name", "ndim"}
# Methods that change the object they are called on.
MUTATING = {"append", "extend", "insert", "update", "add", "pop", "remove", "clear", "setdefault", "discard"}
# Verbs of build functions' names, left out of the class name (`build_model` -> `Model`).
VERBS = ("build_", "create_", "make_", "construct_", "define_", "get_", "setup_")


@dataclass
class Fed:
    """A placeholder of the function: the parameter it becomes, and how the caller sees it."""

    name: str  # in the function's body: the name of ``__call__``'s parameter
    call: cst.Call
    dtype: str | None  # code, for the caller (its parameters' names read as `inst.param`)
    shape: str | None
    default: str | None
    cast: str | None = None  # dtype code when ``__call__`` converts the fed value itself


@dataclass
class Training:
    """``train_op = optimizer.minimize(loss)`` in the function (the optimizer created by
    ``optimizer = tf.train.XOptimizer(...)`` before it, or inline)."""

    op: str  # the training op's name in the body
    loss: str
    constructor: cst.Call  # tf.train.XOptimizer(...)
    optimizer: str | None  # the optimizer's name in the body (None: created inline)
    statements: set[int]  # ids of the statements that build it


@dataclass
class Returned:
    """One element of what the function returns: a placeholder, a training op or a value."""

    key: str | None  # dict key (`repr`), tuple position, or None for the single value
    name: str | None  # the element's name in the body, when it is a plain name
    placeholder: Fed | None
    training: Training | None = None
    spelled: str | None = None  # the dict key as the function writes it


@dataclass
class Output:
    """One value ``__call__`` returns: a returned value, or the loss of a returned
    training op that the function did not return itself (``returned`` None)."""

    key: str | None  # its dict key as the function writes it (`'cost'`), None in a tuple
    name: str
    returned: Returned | None


@dataclass
class BuildFunction:
    """The function and the class it becomes: read from the function alone."""

    definition: cst.FunctionDef  # as the module has it
    fn: cst.FunctionDef  # as it is read: placeholders out of their `with tf.name_scope(...)` blocks
    class_name: str
    shape: str  # "dict", "tuple" or "single": what the function returns
    returned: list[Returned]
    fed: list[Fed]
    trainings: list[Training]
    outputs: list[Output]
    params: list[str]
    attributes: dict[str, str]  # parameter -> the attribute holding it
    random: bool = False  # it draws random numbers (initial values or ops)
    class_def: cst.ClassDef | None = None


@dataclass
class BuildCall:
    """Where the function is called: `ae = autoencoder(...)` or `x, y, loss = build()`."""

    creation: cst.SimpleStatementLine
    call: cst.Call
    targets: list[str]  # the names the creation binds (one, or the unpacked tuple's)
    instance: str = ""  # the module instance in the flat caller


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
    class_name = _fresh(_class_base(name), names_read(module))
    attributes = {param: f"{param}_" if param in MODULE_ATTRIBUTES else param for param in params}
    built = BuildFunction(definition, fn, class_name, shape, returned, fed, trainings, outputs, params, attributes)
    built.random = any(is_random(sym(c.func)) for c in calls_in(fn))
    built.class_def = _class_def(built, sym, tf, module)
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


def _literal_key(node: cst.BaseExpression) -> str | None:
    """A dict key or subscript written as a literal, in one spelling (``repr``)."""
    if isinstance(node, cst.SimpleString) and isinstance(node.evaluated_value, str):
        return repr(node.evaluated_value)
    if isinstance(node, cst.Integer):
        return repr(int(node.value, 0))
    return None


def _creation(module: cst.Module, call: cst.Call, name: str) -> tuple[cst.SimpleStatementLine, list[str]]:
    found: list[tuple[cst.SimpleStatementLine, list[str]]] = []

    class _Find(cst.CSTVisitor):
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
    owned = set(_params(fn)) | {n for st in _statements(fn) if (a := single_assignment(st)) is not None for n in a[0]}
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
    returns = [n for n in _statements(fn) if isinstance(n, cst.Return)]
    if len(returns) != 1:
        raise CannotConvert(fn, f"`{name}` returns from more than one place")
    for node in _statements(fn):
        if isinstance(node, (cst.Global, cst.Nonlocal)):
            raise CannotConvert(node, f"`{name}` declares global or nonlocal names")
    if fn.decorators or fn.asynchronous:
        raise CannotConvert(fn, f"`{name}` is decorated or asynchronous")


def _bound_anywhere(node: cst.CSTNode) -> set[str]:
    """Names a statement binds other than by `name = value`: loop targets, `with ... as`, tuples."""
    found: set[str] = set()

    class _Targets(cst.CSTVisitor):
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
    assigned = {n for s in _statements(fn) if (a := single_assignment(s)) is not None for n in a[0]}
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
            key = _literal_key(item.key) if isinstance(item, cst.DictElement) else None
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


def _fresh(base: str, taken: set[str]) -> str:
    name, n = base, 2
    while name in taken:
        name, n = f"{base}{n}", n + 1
    return name


# -- the class --------------------------------------------------------------------------
def _tensor_names(fn: cst.FunctionDef, fed: list[Fed], sym: Sym, variables: set[str]) -> set[str]:
    """Names of the body that may hold a graph tensor (flow-insensitive): placeholders and
    names assigned from TensorFlow ops or from other tensors read other than through
    their static shape or type."""
    tensors = {f.name for f in fed}
    changed = True
    assignments = [a for s in _statements(fn) if (a := single_assignment(s)) is not None]
    while changed:
        changed = False
        for names, value in assignments:
            if set(names) <= tensors:
                continue
            if isinstance(value, cst.Call) and id(value) in variables:
                continue
            if _dynamic_reads(value) & tensors or any(
                sym(c.func) is not None and id(c) not in variables for c in calls_in(value)
            ):
                tensors |= set(names)
                changed = True
    return tensors


def _dynamic_reads(node: cst.CSTNode) -> set[str]:
    """Names read other than as ``name.get_shape()``, ``name.shape``, ``name.dtype``."""
    found: set[str] = set()

    class _Reads(cst.CSTVisitor):
        def visit_Attribute(self, n: cst.Attribute) -> bool:
            if n.attr.value in STATIC and isinstance(n.value, cst.Name):
                return False
            return True

        def visit_Name(self, n: cst.Name) -> None:
            found.add(n.value)

        def visit_Param(self, n: cst.Param) -> bool:
            return False

        def visit_Arg(self, n: cst.Arg) -> bool:
            n.value.visit(self)
            return False

    node.visit(_Reads())
    # Attribute names (`.append`) are not reads: only those names_read knows.
    return found & names_read(node) if not isinstance(node, cst.Name) else found


def _factories(module: cst.Module, sym: Sym) -> dict[str, cst.FunctionDef]:
    """Module-level functions that return a new variable: ``def weight_variable(shape):
    initial = tf.truncated_normal(shape, stddev=0.1); return tf.Variable(initial)``."""
    found = {}
    for stmt in module.body:
        if not isinstance(stmt, cst.FunctionDef) or not isinstance(stmt.body, cst.IndentedBlock):
            continue
        variables = [c for c in calls_in(stmt) if sym(c.func) == "Variable"]
        if len(variables) != 1:
            continue
        body = list(stmt.body.body)
        if not all(isinstance(s, cst.SimpleStatementLine) and len(s.body) == 1 for s in body):
            continue
        last = body[-1].body[0]
        if not isinstance(last, cst.Return) or last.value is None:
            continue
        value = last.value
        if value is variables[0]:
            found[stmt.name.value] = stmt
            continue
        if isinstance(value, cst.Name):
            creating = [s for s in body[:-1] if (a := single_assignment(s)) is not None and a[1] is variables[0]]
            if creating and single_assignment(creating[0])[0] == [value.value]:
                found[stmt.name.value] = stmt
    return found


def _creates_variables(fn: cst.FunctionDef, sym: Sym) -> bool:
    return any(sym(c.func) in ("Variable", "get_variable") for c in calls_in(fn))


class _Wrap(cst.CSTTransformer):
    """``tf.Variable(...)`` (or a factory's call) -> ``self.variable(lambda: tf.Variable(...))``."""

    def __init__(self, creations: set[int], method: str) -> None:
        self.creations = creations
        self.method = method

    def leave_Call(self, original_node, updated_node):
        if id(original_node) not in self.creations:
            return updated_node
        return cst.parse_expression(f"self.{self.method}(lambda: __call__)").visit(_Substitute(updated_node))


class _Substitute(cst.CSTTransformer):
    def __init__(self, node: cst.BaseExpression) -> None:
        self.node = node

    def leave_Name(self, original_node, updated_node):
        return self.node if original_node.value == "__call__" else updated_node


def _class_def(built: BuildFunction, sym: Sym, tf: str, module: cst.Module) -> cst.ClassDef:
    fn = built.fn
    name = fn.name.value
    creations = _variable_creations(built, sym, module)
    taken = set(built.params) | names_read(fn)
    method, store, counter = (_fresh(base, taken) for base in ("variable", "graph_variables", "created"))
    statements = list(fn.body.body)
    doc = []
    if statements and is_docstring(statements[0]):
        doc, statements = [statements[0]], statements[1:]
    body = _call_body(built, statements, creations, method, tf)
    read = names_read(cst.Module(body=body))
    prologue = [f"self.{counter} = 0\n"] if creations else []
    prologue += [f"{p} = self.{built.attributes[p]}\n" for p in built.params if p in read]
    init_lines = ["super().__init__()\n"] + [f"self.{built.attributes[p]} = {p}\n" for p in built.params]
    if creations:
        init_lines.append(f"self.{store} = []  # created by the first call, in the order TF1 created them\n")
    indent = module.default_indent
    parts = [f"class {built.class_name}({tf}.Module):\n"]
    if not doc:
        parts.append(f'{indent}"""`{name}`: its graph, built at each call; its variables are made by the first."""\n')
    parts.append(f"\n{indent}def __init__({_init_params(fn, module, indent)}):\n")
    parts += [f"{indent * 2}{line}" for line in init_lines]
    if creations:
        parts.append(
            f"\n{indent}def {method}(self, create):\n"
            f'{indent * 2}"""The graph\'s next variable: made by `create` at the first call, the same one at every later call."""\n'
            f"{indent * 2}if self.{counter} == len(self.{store}):\n"
            f"{indent * 3}with {tf}.init_scope():\n"
            f"{indent * 4}self.{store}.append(create())\n"
            f"{indent * 2}self.{counter} += 1\n"
            f"{indent * 2}return self.{store}[self.{counter} - 1]\n"
        )
    parts.append(f"\n{indent}def __call__(self, {', '.join(_call_params(built))}):\n")
    parts += [f"{indent * 2}{line}" for line in prologue] or [f"{indent * 2}pass\n"]
    skeleton = cst.parse_statement("".join(parts))
    assert isinstance(skeleton, cst.ClassDef)
    members = list(skeleton.body.body)
    head = list(members[-1].body.body) if prologue else []
    members[-1] = members[-1].with_changes(body=members[-1].body.with_changes(body=[*head, *body]))
    if doc:
        members = [doc[0].with_changes(leading_lines=[]), *members]
    return skeleton.with_changes(body=skeleton.body.with_changes(body=members), leading_lines=fn.leading_lines)


def _call_params(built: BuildFunction) -> list[str]:
    """The placeholders, those with a default last (each keeps it)."""
    plain = [f.name for f in built.fed if f.default is None]
    return plain + [f"{f.name}={f.default}" for f in built.fed if f.default is not None]


def _variable_creations(built: BuildFunction, sym: Sym, module: cst.Module) -> set[int]:
    """Ids of the calls that create the body's variables (``tf.Variable(...)``, a
    factory's call), each read nothing but Python values: made once, eagerly."""
    fn = built.fn
    name = fn.name.value
    factories = _factories(module, sym)
    creations: set[int] = set()
    for call in calls_in(fn):
        if sym(call.func) == "Variable" or (isinstance(call.func, cst.Name) and call.func.value in factories):
            creations.add(id(call))
        elif isinstance(call.func, cst.Name):
            helper = next((s for s in module.body if isinstance(s, cst.FunctionDef) and s.name.value == call.func.value), None)
            if helper is not None and _creates_variables(helper, sym):
                raise CannotConvert(call, f"`{call.func.value}` creates variables other than by returning a new one")
    nested = {
        id(inner) for outer in calls_in(fn) if id(outer) in creations
        for inner in calls_in(outer) if inner is not outer and id(inner) in creations
    }
    creations -= nested
    variables = {n for st in _statements(fn) if (a := single_assignment(st)) is not None and id(a[1]) in creations for n in a[0]}
    for output in built.outputs:
        if output.name in variables:
            raise CannotConvert(fn, f"`{name}` returns variable `{output.name}`: the module makes its variables at its first call")
    tensors = _tensor_names(fn, built.fed, sym, creations)
    for call in calls_in(fn):
        leaked = _dynamic_reads(call) & tensors if id(call) in creations else set()
        if leaked:
            raise CannotConvert(call, (
                f"the initial value of a variable of `{name}` reads tensor `{sorted(leaked)[0]}`: "
                "it is created once, eagerly, outside the trace"
            ))
    return creations


def _call_body(
    built: BuildFunction, statements: list[cst.BaseStatement], creations: set[int], method: str, tf: str,
) -> list[cst.BaseStatement]:
    """The function's statements for ``__call__``: placeholders and training ops left out
    (their comments kept), variables made by ``self.variable``, the outputs returned."""
    fed_by_call = {id(f.call): f for f in built.fed}
    training = {i for t in built.trainings for i in t.statements}
    body: list[cst.BaseStatement] = []
    carried: list[cst.EmptyLine] = []
    last = statements[-1]
    last = last.with_changes(body=[last.body[0].with_changes(value=_returned_value(built))])
    for stmt in [*statements[:-1], last]:
        assignment = single_assignment(stmt)
        entry = fed_by_call.get(id(assignment[1])) if assignment is not None else None
        if (entry is not None and entry.cast is None) or id(stmt) in training:
            carried.extend(stmt.leading_lines)  # a parameter now; a training op is the caller's
            continue
        if entry is not None:  # its dtype reads the body: the fed value is converted here
            stmt = cst.parse_statement(f"{entry.name} = {tf}.cast({entry.name}, {entry.cast})\n").with_changes(
                leading_lines=stmt.leading_lines
            )
        elif creations:
            stmt = stmt.visit(_Wrap(creations, method))
        if carried:
            stmt = stmt.with_changes(leading_lines=[*carried, *stmt.leading_lines])
            carried = []
        body.append(stmt)
    return body


def _returned_value(built: BuildFunction) -> cst.BaseExpression:
    """What ``__call__`` returns: the function's value without its placeholders and
    training ops, with the losses of those ops it did not return."""
    returned = built.fn.body.body[-1].body[0].value
    if built.shape == "single":
        return returned
    extra = [cst.parse_expression(o.name) for o in built.outputs if o.returned is None]
    kept_ids = {id(o.returned) for o in built.outputs if o.returned is not None}
    hidden = [o for o in built.outputs if o.returned is None]
    if built.shape == "dict" and isinstance(returned, cst.Call):
        args = [a for a, r in zip(returned.args, built.returned) if id(r) in kept_ids]
        equal = cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace(""))
        args += [cst.Arg(value, keyword=cst.Name(o.name), equal=equal) for o, value in zip(hidden, extra)]
        comma = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
        args = [a.with_changes(comma=comma) for a in args[:-1]] + [args[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)]
        return returned.with_changes(args=args)
    if built.shape == "dict":
        elements = [e for e, r in zip(returned.elements, built.returned) if id(r) in kept_ids]
        elements += [cst.DictElement(cst.SimpleString(o.key or ""), value) for o, value in zip(hidden, extra)]
    else:
        elements = [e for e, r in zip(returned.elements, built.returned) if id(r) in kept_ids]
        elements += [cst.Element(value) for value in extra]
        if len(elements) == 1:
            return elements[0].value
    comma = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    elements = [e.with_changes(comma=comma) for e in elements[:-1]] + [elements[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)]
    return returned.with_changes(elements=elements)


def _init_params(fn: cst.FunctionDef, module: cst.Module, indent: str) -> str:
    """``self`` and the function's parameters, one per line if they were written so."""
    params = fn.params
    parts = ["self"] + [module.code_for_node(p.with_changes(comma=cst.MaybeSentinel.DEFAULT)).strip() for p in params.params]
    if params.kwonly_params:
        parts.append("*")
        parts += [module.code_for_node(p.with_changes(comma=cst.MaybeSentinel.DEFAULT)).strip() for p in params.kwonly_params]
    if "\n" in module.code_for_node(params):
        return (",\n" + " " * len(f"{indent}def __init__(")).join(parts)
    return ", ".join(parts)


# -- the flat caller --------------------------------------------------------------------
def flatten(built: BuildFunction, site: BuildCall, module: cst.Module, tf: str) -> cst.Module:
    """The module with the function replaced by its class and its call by the module's
    creation, one placeholder per fed tensor and the units computing what it returned;
    ``ae['key']`` (or the unpacked names) read as those names."""
    fn = built.definition
    rest = module.with_changes(body=[s for s in module.body if s is not fn])
    # The function's own name is free once its class replaces it.
    taken = (names_read(rest) - {fn.name.value}) | {built.class_name}
    by_target = len(site.targets) > 1
    instance = site.targets[0] if not by_target else _fresh(re.sub(r"^_+", "", _instance_base(fn.name.value)), taken)
    taken.add(instance)
    site.instance = instance
    # The caller's name for each returned element (by the element's key or position).
    flat: dict[str, str] = {}
    names: dict[int, str] = {}  # id(Returned) -> flat name
    for position, r in enumerate(built.returned):
        if by_target:
            name = site.targets[position]
        else:
            base = _key_name(r.key or "") or (r.name or "value")
            name = base if base not in taken else _fresh(f"{instance}_{base}", taken)
            taken.add(name)
        flat[r.key or ""] = names[id(r)] = name
    # Every use of the instance is `inst[key]` with a key the function returns.
    if not by_target:
        _check_uses(rest, built, site)
    lines: list[str] = []
    fed_names = []
    for f in sorted(built.fed, key=lambda f: f.default is not None):
        r = next((r for r in built.returned if r.placeholder is f), None)
        if r is None:
            continue  # a placeholder with a default the caller cannot feed
        target = names[id(r)]
        fed_names.append(target if f.default is None else f"{f.name}={target}")
        shape = _resolve(f.shape or "None", built, instance)
        if f.default is not None:
            lines.append(f"{target} = {tf}.placeholder_with_default({_resolve(f.default, built, instance)}, {shape})")
        elif f.dtype is not None:
            lines.append(f"{target} = {tf}.placeholder({_resolve(f.dtype, built, instance)}, {shape})")
        else:
            lines.append(f"{target} = {tf}.placeholder()")  # converted by __call__
    invocation = f"{instance}({', '.join(fed_names)})"  # those with a default, by keyword
    losses: dict[str, str] = {}  # body name of a loss -> its flat name
    outputs: list[str] = []
    for output in built.outputs:
        if output.returned is not None:
            outputs.append(names[id(output.returned)])
        else:
            name = output.name if output.name not in taken else _fresh(f"{instance}_{output.name}", taken)
            taken.add(name)
            outputs.append(name)
        losses[output.name] = outputs[-1]
    if built.shape == "dict":
        results = _fresh(f"{instance}_outputs", taken)
        taken.add(results)
        lines.append(f"{results} = {invocation}")
        lines += [f"{name} = {results}[{o.key}]" for name, o in zip(outputs, built.outputs)]
    elif outputs:
        lines.append(f"{', '.join(outputs)} = {invocation}")
    for training in built.trainings:
        op = next(names[id(r)] for r in built.returned if r.training is training)
        constructor = _resolve(code(training.constructor), built, instance)
        if training.optimizer is None:
            lines.append(f"{op} = {constructor}.minimize({losses[training.loss]})")
            continue
        optimizer = training.optimizer if training.optimizer not in taken else _fresh(f"{instance}_{training.optimizer}", taken)
        taken.add(optimizer)
        lines.append(f"{optimizer} = {constructor}")
        lines.append(f"{op} = {optimizer}.minimize({losses[training.loss]})")
    creation = site.creation
    assignment = creation.body[0]
    kept = assignment.with_changes(
        targets=[cst.AssignTarget(cst.Name(instance))],
        value=site.call.with_changes(func=cst.Name(built.class_name)),
    )
    first = creation.with_changes(body=[kept])
    spliced = [first, *(cst.parse_statement(f"{line}\n") for line in lines)]
    found: list[int] = []

    class _Flatten(cst.CSTTransformer):
        def visit_FunctionDef(self, node) -> bool:
            return node is not fn

        def leave_Subscript(self, original_node, updated_node):
            if by_target or not (isinstance(original_node.value, cst.Name) and original_node.value.value == instance):
                return updated_node
            key = _subscript_key(original_node)
            return cst.Name(flat[key]) if key in flat else updated_node

        def _splice(self, original, updated):
            out = []
            for old, new in zip(original.body, updated.body):
                if old is fn:
                    out.append(built.class_def)
                elif old is creation:
                    out.extend(spliced)
                    found.append(1)
                else:
                    out.append(new)
            return updated.with_changes(body=out)

        def leave_IndentedBlock(self, original_node, updated_node):
            return self._splice(original_node, updated_node)

        def leave_Module(self, original_node, updated_node):
            return self._splice(original_node, updated_node)

    result = module.visit(_Flatten())
    if len(found) != 1:
        raise CannotConvert(creation, f"`{fn.name.value}(...)` is not called where the graph is run")
    return result


def _instance_base(name: str) -> str:
    for verb in VERBS:
        if name.startswith(verb) and len(name) > len(verb):
            return name[len(verb):]
    return name


def _key_name(key: str) -> str | None:
    """The identifier a literal key spells (``'cost'`` -> ``cost``), if it spells one."""
    try:
        value = ast.literal_eval(key)
    except (ValueError, SyntaxError):
        return None
    return value if isinstance(value, str) and value.isidentifier() else None


def _subscript_key(node: cst.Subscript) -> str | None:
    if len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Index):
        return None
    return _literal_key(node.slice[0].slice.value)


def _check_uses(rest: cst.Module, built: BuildFunction, site: BuildCall) -> None:
    instance = site.instance
    keys = {r.key for r in built.returned}
    uses = [n for n in nodes_of(rest, cst.Name) if n.value == instance]
    subscripts: list[cst.Subscript] = []

    class _Subscripts(cst.CSTVisitor):
        def visit_Subscript(self, n: cst.Subscript) -> None:
            if isinstance(n.value, cst.Name) and n.value.value == instance:
                subscripts.append(n)

    rest.visit(_Subscripts())
    for node in subscripts:
        if _subscript_key(node) not in keys:
            raise CannotConvert(node, f"`{instance}` is read with a key `{built.fn.name.value}` does not return")
    if len(uses) != len(subscripts) + 1:
        raise CannotConvert(site.creation, (
            f"`{instance}` (what `{built.fn.name.value}` returned) is used other than as `{instance}[key]`"
        ))


def _resolve(code: str, built: BuildFunction, instance: str) -> str:
    """Code of the function's body read in the caller: parameters as the instance's attributes."""

    class _Params(cst.CSTTransformer):
        def leave_Name(self, original_node, updated_node):
            if original_node.value in built.attributes:
                return cst.parse_expression(f"{instance}.{built.attributes[original_node.value]}")
            return updated_node

        def leave_Attribute(self, original_node, updated_node):
            return updated_node.with_changes(attr=original_node.attr)

        def leave_Arg(self, original_node, updated_node):
            return updated_node.with_changes(keyword=original_node.keyword)

    return cst.Module(body=[]).code_for_node(cst.parse_expression(code).visit(_Params()))


# -- helpers ----------------------------------------------------------------------------
def _statements(fn: cst.FunctionDef) -> list[cst.CSTNode]:
    """The small statements of ``fn``'s body at any depth, nested definitions left out."""
    return nodes_of(
        fn.body, (cst.SimpleStatementLine, cst.Return, cst.Global, cst.Nonlocal), skip=(cst.FunctionDef, cst.ClassDef, cst.Lambda)
    )


# -- the feature --------------------------------------------------------------------------
class BuiltModules(Feature):
    """The module a build function became, for G101's stages on the flat caller: state
    created once whose ``trainable_variables`` are trained (its variables exist once it
    has been called: made lazily, like Keras layers)."""

    def __init__(self, built: BuildFunction, site: BuildCall) -> None:
        self.built = built
        self.site = site

    def classify_call(self, graph: Graph, index: int, names: list[str], call: cst.Call) -> bool:
        instance = self.site.instance
        if not (isinstance(call.func, cst.Name) and call.func.value == self.built.class_name and names == [instance]):
            return False
        graph.variables.append(Variable(index, instance, "layer"))
        graph.trainable[instance] = True
        return True

    def keras_statement(self, graph: Graph, stmt: cst.BaseStatement) -> bool:
        return stmt is self.built.class_def

    def check(self, graph: Graph) -> None:
        """The module draws its random initial values at its first call: no other random
        initial value may be drawn between its creation and that call."""
        if not self.built.random:
            return
        instance = self.site.instance
        creation = next((v.statement for v in graph.variables if v.name == instance), None)
        if creation is None:
            return
        units = {u.index for u in graph.units}
        for index, stmt in enumerate(graph.body):
            if index <= creation or index in units or isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
                continue
            for call in calls_in(stmt):
                if is_random(graph.sym(call.func)):
                    raise CannotConvert(call, (
                        f"a random initial value drawn after `{instance}` is created: its variables "
                        "are drawn at its first call, so the order of random draws would change"
                    ))

    def note(self, graph: Graph) -> None:
        built = self.built
        graph.report(built.definition, (
            f"`{built.fn.name.value}` builds the graph and returns it -> tf.Module class `{built.class_name}` "
            f"(`__call__` takes the placeholders, variables made by its first call); "
            f"runs call `{self.site.instance}` from @tf.function"
        ), kind="converted")


def user_notes(tree: cst.Module, site: BuildCall, notes: list[Note]) -> list[Note]:
    """Notes on the flat module, at nodes of ``tree`` (the creation's stand-ins at the creation)."""
    located = locate(tree, [n.node for n in notes])
    return [Note(node if id(node) in located else site.creation, message, kind) for node, message, kind in notes]


def in_tree(tree: cst.Module, node: cst.CSTNode, site: BuildCall) -> cst.CSTNode:
    return node if id(node) in locate(tree, [node]) else site.creation
