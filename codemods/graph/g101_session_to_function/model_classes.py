"""G101 feature: a model class that builds its graph in ``__init__``.

TF1 research code often writes ``class Model: def __init__(...): self.x = tf.placeholder(...);
self.W = tf.Variable(...); ...; self.train_op = opt.minimize(self.loss)`` and runs
``sess.run([model.train_op, model.loss], feed_dict={model.x: ...})``; tutorials give the
class the session and run the graph in its methods (``def train(self, x, y): return
self.sess.run([self.cost, self.optimizer], feed_dict={self.X: x, ...})``). G101 reads such
a module as if the body of ``__init__`` (and of ``self._build()``-style methods it calls)
stood where the one instance is created and its other methods were functions right after
it (``flatten``: ``self.A`` and ``model.A`` become one name, ``self.sess`` the session the
instance is given), G101's stages analyse and plan that flat module as any other, and
``class_layout.ClassLayout`` (the emission layout of a model class) puts the result back into the class:

* ``__init__`` keeps what is state, in creation order: variables (``self.W1 = tf.Variable(...)``),
  the Keras optimizer (``self.optimizer``), plain Python attributes; the session parameter goes;
* every generated function becomes a ``@tf.function`` method whose parameters are the
  fed placeholders (``def train_step(self, x, y)``); tensors are its locals, state is
  read as ``self.W1``;
* the class's own methods call them (``return [self.train_step(x, y).numpy(), None]``);
* call sites become ``model.train_step(xb, yb)`` and ``model.W1.numpy()``.

A ``with tf.variable_scope(self.name):`` over tf.Variables only names things: it is read
as a name scope. Classes whose instances are used only through their methods, however
many, are converted one at a time (``Instances``, ``model_instances``).

Placeholders the module creates at its top level and ``__init__`` reads (``tf_x`` in
``tf.matmul(tf_x, self.W)``) are read as the class's own: they become its methods'
parameters. What cannot be proven raises ``CannotConvert``: placeholders created outside
the class otherwise (given to ``__init__``, or with variables created at module level too),
the instance used other than as ``model.attr``, methods creating graph state, setting
attributes or opening sessions, a generated method reading ``__init__``'s parameters or
Python locals, several instances of a class whose graph the script runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import libcst as cst

from codemods.analysis.cst_tools import StatementSplicer, bind_arguments
from codemods.analysis.graph import (
    ReadNamesVisitor,
    argument,
    assign_targets,
    build_calls,
    calls_in,
    names_read,
    single_assignment,
    target_parts,
)
from codemods.analysis.names import FastVisitor
from codemods.graph.g101_session_to_function.model import CannotConvert
from codemods.graph.g101_session_to_function.scope import SESSIONS, Sym

PLACEHOLDERS = ("placeholder", "placeholder_with_default")
# Calls that build graph state inside a method: the class is a model class.
GRAPH_CALLS = ("placeholder", "placeholder_with_default", "Variable", "get_variable")


@dataclass
class ClassParts:
    """A model class as read from its definition, before any instance is looked at."""

    cls: cst.ClassDef
    index: int  # position of the class in the module body
    init: cst.FunctionDef
    body: list[cst.BaseStatement]  # __init__'s statements, build methods inlined, the session's binding left out
    build_methods: set[str]
    params: set[str]
    methods: list[cst.FunctionDef] = field(default_factory=list)  # the other methods, read as functions of the script
    # `self.sess = sess` + `self.sess.run(...)`: the attribute holding the session the
    # class is given, and the parameter of `__init__` it comes from (both go).
    session_attr: str | None = None
    session_param: str | None = None


@dataclass
class ModelClass:
    """A model class with its one instance, read with the script that creates it."""

    cls: cst.ClassDef
    index: int
    init: cst.FunctionDef
    body: list[cst.BaseStatement]
    build_methods: set[str]
    params: set[str]
    methods: list[cst.FunctionDef]
    session_attr: str | None
    session_param: str | None
    instance: str
    creation: cst.SimpleStatementLine  # `model = Model(...)`
    session: str | None  # the script's session given to `__init__` (its name in the flat module)
    attrs: list[str] = field(default_factory=list)
    locals: set[str] = field(default_factory=set)
    # (attr|local|method, name) -> its flat name, and back
    synthetic: dict[tuple[str, str], str] = field(default_factory=dict)
    origin: dict[str, tuple[str, str]] = field(default_factory=dict)


@dataclass
class Instances:
    """Model classes used only through their methods (any number of instances, or several
    classes): each class is converted alone, with a script of its own
    (``model_instances``), and then the module's script."""

    classes: list[ClassParts]


def methods_of(cls: cst.ClassDef) -> dict[str, cst.FunctionDef]:
    return {s.name.value: s for s in cls.body.body if isinstance(s, cst.FunctionDef)}


def _graph_class(sym: Sym, stmt) -> bool:
    if not isinstance(stmt, cst.ClassDef):
        return False
    for method in methods_of(stmt).values():
        if any(sym(call.func) in PLACEHOLDERS for call in calls_in(method)):
            return True
    return False


def _creates_graph_state(sym: Sym, stmt) -> bool:
    return isinstance(stmt, cst.ClassDef) and any(
        sym(call.func) in GRAPH_CALLS or (isinstance(call.func, cst.Attribute) and call.func.attr.value == "minimize")
        for method in methods_of(stmt).values() for call in calls_in(method)
    )


def find(
    module: cst.Module, sym: Sym, g102_classes: set[str], g102_declined: Mapping[int, str] | None = None
) -> ModelClass | Instances | None:
    """The model class of ``module`` and its one instance (read with the script), or the
    model classes whose instances are used only through their methods (``Instances``);
    None when there is no model class; ``CannotConvert`` for a model class this cannot
    prove. ``g102_classes`` are G102's layer classes (Keras code, not model classes),
    ``g102_declined`` why G102 left calls on TF1 (by call id), given in the reasons."""
    outside = _module_placeholder_names(sym, module)
    classes = [
        (i, s) for i, s in enumerate(module.body) if (_graph_class(sym, s) or _reads_placeholders(sym, s, outside))
        and s.name.value not in g102_classes
    ]
    if not classes:
        for stmt in module.body:
            if _creates_graph_state(sym, stmt) and stmt.name.value not in g102_classes and _instantiated(module, stmt.name.value):
                if _module_placeholders(sym, module):
                    variables = _module_variables(sym, module)
                    raise CannotConvert(stmt, f"model class `{stmt.name.value}` builds graph on placeholders created outside `__init__`" + (
                        " while the module creates variables too (the class would keep only its own in `__init__`)"
                        if variables else ""))
        return None
    if _module_placeholders(sym, module) and any(_graph_class(sym, c) for _, c in classes):
        raise CannotConvert(classes[0][1], f"the graph is built both in model class `{classes[0][1].name.value}` and outside it")
    parts = [_read_class(sym, index, cls, g102_declined or {}, outside) for index, cls in classes]
    if len(parts) == 1:
        named = _named_instance(module, parts[0])
        if named is not None:
            model = ModelClass(
                parts[0].cls, parts[0].index, parts[0].init, parts[0].body, parts[0].build_methods, parts[0].params,
                parts[0].methods, parts[0].session_attr, parts[0].session_param, *named,
            )
            _read_names(model, module)
            return model
    names = [part.cls.name.value for part in parts]
    for part in parts:
        name = part.cls.name.value
        if part.session_param is None:
            # Classes are converted one at a time only when each runs its own graph.
            several = (
                f"more than one model class builds a graph (`{'`, `'.join(names)}`)" if len(parts) > 1
                else f"model class `{name}` is instantiated {len(_creations(module, name))} times"
            )
            raise CannotConvert(part.cls, (
                f"{several} and `{name}`'s graph is not run by its own methods, through a session `__init__` "
                "is given (`self.sess = sess`)"
            ))
        for other in names:
            if other != name and any(isinstance(c.func, cst.Name) and c.func.value == other for c in calls_in(part.cls)):
                raise CannotConvert(part.cls, f"model class `{name}` creates `{other}`, another model class")
    return Instances(parts)


def _read_class(
    sym: Sym, index: int, cls: cst.ClassDef, g102_declined: Mapping[int, str], outside: set[str]
) -> ClassParts:
    """What ``__init__`` builds (build methods inlined, variable scopes as name scopes),
    the other methods, and the session the class runs; ``CannotConvert`` for what this
    cannot read."""
    name = cls.name.value
    if cls.decorators or any(not (isinstance(b.value, cst.Name) and b.value.value == "object") for b in cls.bases) or cls.keywords:
        raise CannotConvert(cls, f"model class `{name}` has base classes or decorators")
    methods = methods_of(cls)
    init = methods.get("__init__")
    if init is None or not any(sym(c.func) in PLACEHOLDERS for c in calls_in(init)) and not build_calls(init, methods) and not (
            _globals_read(init) & outside):
        raise CannotConvert(cls, f"model class `{name}` creates placeholders outside `__init__`")
    params = init.params
    if params.star_arg not in (cst.MaybeSentinel.DEFAULT, None) or params.star_kwarg is not None or params.kwonly_params or params.posonly_params:
        raise CannotConvert(init, f"`{name}.__init__` takes *args, **kwargs or keyword-only parameters")
    if not params.params or params.params[0].name.value != "self":
        raise CannotConvert(init, f"`{name}.__init__` has no `self` parameter")
    for call in calls_in(cls):
        symbol = sym(call.func) or ""
        if symbol == "get_variable" or symbol.startswith("layers."):
            # TF1 looks these variables up by name in the scope the class opens.
            why = g102_declined.get(id(call))
            raise CannotConvert(call, (
                f"model class `{name}` creates variables with `tf.{symbol}` (looked up by name in its variable "
                "scope): not converted inside a class" + (f" (G102: {why})" if why else "")
            ))
    build = build_calls(init, methods)
    build_methods = set(build.values())
    others = [m for n, m in methods.items() if n != "__init__" and n not in build_methods]
    session_attr, session_param, binding = _session(sym, cls, init, others)
    body: list[cst.BaseStatement] = []
    for stmt in docless(init.body.body):
        if stmt is binding:
            continue
        method = build.get(id(stmt))
        inner = [stmt] if method is None else docless(methods[method].body.body)
        if method is not None:
            inner[0] = inner[0].with_changes(leading_lines=[*stmt.leading_lines, *inner[0].leading_lines])
        for statement in inner:
            body.extend(_unscoped_placeholders(sym, _named_scope(sym, cls, statement)))
    converted: list[cst.FunctionDef] = []
    for method in others:
        method_name = method.name.value
        if any(sym(c.func) in SESSIONS for c in calls_in(method)):
            raise CannotConvert(method, f"method `{name}.{method_name}` opens a session")
        if any(sym(c.func) in GRAPH_CALLS for c in calls_in(method)):
            raise CannotConvert(method, (
                f"method `{name}.{method_name}` creates placeholders or variables (only `__init__` and the "
                "methods it calls may build the graph)"
            ))
        if method.decorators:
            if _self_attributes(method) or any(n.value == "self" for n in _names(method)):
                raise CannotConvert(method, f"decorated method `{name}.{method_name}` uses the model")
            continue  # a static or class method of plain Python stays as it is
        first = method.params.params[0].name.value if method.params.params else None
        if first != "self" or method.params.posonly_params:
            raise CannotConvert(method, f"method `{name}.{method_name}` takes no `self`")
        assigned = [t for t in assign_targets(method.body) if isinstance(t, cst.Attribute) and _is_self(t.value)]
        if assigned:
            raise CannotConvert(assigned[0], (
                f"method `{name}.{method_name}` sets `self.{assigned[0].attr.value}`: only `__init__` may set the "
                "model's attributes"
            ))
        converted.append(method)
    return ClassParts(
        cls, index, init, body, build_methods, {p.name.value for p in params.params[1:]}, converted,
        session_attr, session_param,
    )


def _is_self(node: cst.CSTNode) -> bool:
    return isinstance(node, cst.Name) and node.value == "self"


def _session(
    sym: Sym, cls: cst.ClassDef, init: cst.FunctionDef, methods: list[cst.FunctionDef]
) -> tuple[str | None, str | None, cst.BaseStatement | None]:
    """``self.sess = sess`` in ``__init__`` with ``self.sess.run(...)`` in its methods: the
    attribute, the parameter and the binding statement; Nones when the class is given
    no session. A session the class opens itself is state of the flat module like any
    other (``self.sess = tf.Session()``)."""
    attrs = {
        call.func.value.attr.value
        for method in [init, *methods] for call in calls_in(method)
        if isinstance(call.func, cst.Attribute) and call.func.attr.value == "run"
        and isinstance(call.func.value, cst.Attribute) and _is_self(call.func.value.value)
    }
    params = {p.name.value for p in init.params.params[1:]}
    found = []
    for stmt in init.body.body:
        small = stmt.body[0] if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 else None
        if not isinstance(small, cst.Assign) or len(small.targets) != 1:
            continue
        target, value = small.targets[0].target, small.value
        if (
            isinstance(target, cst.Attribute) and _is_self(target.value) and target.attr.value in attrs
            and isinstance(value, cst.Name) and value.value in params
        ):
            found.append((target.attr.value, value.value, stmt))
    if not found:
        return None, None, None
    if len(found) > 1:
        raise CannotConvert(found[1][2], f"model class `{cls.name.value}` is given more than one session")
    attr, param, binding = found[0]
    uses = [n for n in _read_names_of(init) if n.value == param]
    if len(uses) != 2:  # the parameter and its binding
        raise CannotConvert(binding, f"`{cls.name.value}.__init__` uses its session `{param}` other than as `self.{attr}`")
    for method in methods:
        for call in calls_in(method):
            if isinstance(call.func, cst.Attribute) and isinstance(call.func.value, cst.Attribute) and _is_self(
                call.func.value.value
            ) and call.func.value.attr.value == attr and call.func.attr.value not in ("run", "close"):
                raise CannotConvert(call, f"`self.{attr}.{call.func.attr.value}(...)` of the session `{cls.name.value}` is given")
    return attr, param, binding


def _named_scope(sym: Sym, cls: cst.ClassDef, stmt: cst.BaseStatement) -> cst.BaseStatement:
    """``with tf.variable_scope(self.name):`` over tf.Variables, placeholders and tensors
    names their ops and variables, as a name scope does: nothing looks a variable up by
    name there (``_read_class`` refused get_variable and TF1 layers; no reuse here)."""
    if not (isinstance(stmt, cst.With) and len(stmt.items) == 1 and stmt.items[0].asname is None):
        return stmt
    item = stmt.items[0].item
    if not (isinstance(item, cst.Call) and isinstance(item.func, cst.Attribute) and sym(item.func) == "variable_scope"):
        return stmt
    keyword = item.args[0].keyword if len(item.args) == 1 else None
    if len(item.args) != 1 or (keyword is not None and keyword.value != "name_or_scope"):
        return stmt
    for call in calls_in(cls):
        symbol = sym(call.func) or ""
        if symbol in ("get_variable_scope", "make_template"):
            return stmt
        if symbol == "variable_scope" and argument(call, 8, "reuse") is not None:
            return stmt
        if isinstance(call.func, cst.Attribute) and call.func.attr.value == "reuse_variables":
            return stmt
    scope = item.with_changes(func=item.func.with_changes(attr=cst.Name("name_scope")))
    return stmt.with_changes(items=[stmt.items[0].with_changes(item=scope)])


def _unscoped_placeholders(sym: Sym, stmt) -> list[cst.BaseStatement]:
    """``with tf.name_scope("inputs"): self.x = tf.placeholder(...)``: the scope only named
    the feed points, which become parameters; the placeholders are read without it."""
    if not (isinstance(stmt, cst.With) and len(stmt.items) == 1 and isinstance(stmt.body, cst.IndentedBlock)):
        return [stmt]
    item = stmt.items[0].item
    if not (isinstance(item, cst.Call) and sym(item.func) == "name_scope") or stmt.items[0].asname:
        return [stmt]
    inner = list(stmt.body.body)
    for statement in inner:
        small = statement.body[0] if isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1 else None
        if not (isinstance(small, cst.Assign) and isinstance(small.value, cst.Call) and sym(small.value.func) in PLACEHOLDERS):
            return [stmt]
    inner[0] = inner[0].with_changes(leading_lines=[*stmt.leading_lines, *inner[0].leading_lines])
    return inner


def docless(statements) -> list[cst.BaseStatement]:
    statements = list(statements)
    first = statements[0] if statements else None
    if isinstance(first, cst.SimpleStatementLine) and isinstance(first.body[0], cst.Expr) and isinstance(
        first.body[0].value, (cst.SimpleString, cst.ConcatenatedString)
    ):
        statements = statements[1:]
    return statements


def _self_attributes(node) -> bool:
    return any(isinstance(n, cst.Name) and n.value == "self" for n in _names(node)) and bool(
        [a for a in _attribute_reads(node, "self")]
    )


def _names(node) -> list[cst.Name]:
    found: list[cst.Name] = []

    class _Collect(FastVisitor):
        def visit_Name(self, n: cst.Name) -> None:
            found.append(n)

    node.visit(_Collect())
    return found


def _read_names_of(node) -> list[cst.Name]:
    """The names ``node`` mentions, not attribute names (``x.attr``) or keywords."""
    found: list[cst.Name] = []

    class _Collect(ReadNamesVisitor):
        def visit_Name(self, n: cst.Name) -> None:
            found.append(n)

    node.visit(_Collect())
    return found


def _attribute_reads(node, receiver: str) -> list[cst.Attribute]:
    found: list[cst.Attribute] = []

    class _Collect(FastVisitor):
        def visit_Attribute(self, n: cst.Attribute) -> None:
            if isinstance(n.value, cst.Name) and n.value.value == receiver:
                found.append(n)

    node.visit(_Collect())
    return found


def _module_placeholders(sym: Sym, module: cst.Module) -> bool:
    for stmt in module.body:
        if isinstance(stmt, cst.ClassDef):
            continue
        if any(sym(c.func) in PLACEHOLDERS for c in calls_in(stmt)):
            return True
    return False


def _module_variables(sym: Sym, module: cst.Module) -> bool:
    return any(not isinstance(stmt, cst.ClassDef) and any(
        sym(c.func) in GRAPH_CALLS and sym(c.func) not in PLACEHOLDERS for c in calls_in(stmt)) for stmt in module.body)


def _module_placeholder_names(sym: Sym, module: cst.Module) -> set[str]:
    """Names the module's top level binds to a placeholder (``tf_x = tf.placeholder(...)``);
    none when it creates variables too (state the class layout keeps only in ``__init__``)."""
    if _module_variables(sym, module):
        return set()
    names: set[str] = set()
    for stmt in module.body:
        assignment = single_assignment(stmt)
        if assignment is not None and isinstance(assignment[1], cst.Call) and sym(assignment[1].func) in PLACEHOLDERS:
            names.update(assignment[0])
    return names


def _reads_placeholders(sym: Sym, stmt, names: set[str]) -> bool:
    """A class creating graph state on the module's placeholders (``tf.matmul(tf_x, self.W)``
    in ``__init__``): read as if ``__init__`` created them, they become its methods'
    parameters as its own placeholders do."""
    return _creates_graph_state(sym, stmt) and any(_globals_read(method) & names for method in methods_of(stmt).values())


def _globals_read(method: cst.FunctionDef) -> set[str]:
    """The names a method reads that none of its parameters or assignments binds."""
    params = method.params
    bound = {p.name.value for p in [*params.posonly_params, *params.params, *params.kwonly_params]}
    for extra in (params.star_arg, params.star_kwarg):
        if isinstance(extra, cst.Param):
            bound.add(extra.name.value)
    for target in assign_targets(method.body):
        bound.update(part.value for part in target_parts(target) if isinstance(part, cst.Name))
    return names_read(method) - bound


def _instantiated(module: cst.Module, name: str) -> bool:
    return any(isinstance(c.func, cst.Name) and c.func.value == name for c in calls_in(module))


def _creations(module: cst.Module, name: str) -> list[cst.Call]:
    return [c for c in calls_in(module) if isinstance(c.func, cst.Name) and c.func.value == name]


def _named_instance(module: cst.Module, parts: ClassParts) -> tuple[str, cst.SimpleStatementLine, str | None] | None:
    """The class's one instance, bound to a name where the graph is run, and the name of
    the script's session it is given; None when there is no such one instance."""
    creations = _creations(module, parts.cls.name.value)
    if len(creations) != 1:
        return None
    for stmt in _script_statements(module):
        assignment = single_assignment(stmt)
        if assignment is not None and assignment[1] is creations[0] and len(assignment[0]) == 1 and isinstance(
            stmt.body[0], cst.Assign
        ) and isinstance(stmt.body[0].targets[0].target, cst.Name):
            session = None
            if parts.session_param is not None:
                session = session_argument(creations[0], parts)
                if session is None:
                    return None
            return assignment[0][0], stmt, session
    return None


def session_argument(call: cst.Call, parts: ClassParts) -> str | None:
    """The name ``Model(sess, ...)`` gives ``__init__``'s session parameter, or None."""
    bound = bind_arguments(call.args, [p.name.value for p in parts.init.params.params[1:]])
    arg = bound.get(parts.session_param) if bound is not None and parts.session_param is not None else None
    return arg.value.value if arg is not None and isinstance(arg.value, cst.Name) else None


def _script_statements(module: cst.Module) -> list[cst.BaseStatement]:
    """Top-level statements, and those of top-level functions and `if` blocks, and of the
    `with` blocks (sessions, default graphs) in them, at any depth."""
    found: list[cst.BaseStatement] = []

    def inside(statements, functions: bool) -> None:
        for stmt in statements:
            found.append(stmt)
            nested = isinstance(stmt, cst.With) or functions and isinstance(stmt, (cst.FunctionDef, cst.If))
            if nested and isinstance(stmt.body, cst.IndentedBlock):
                inside(stmt.body.body, False)

    inside(module.body, True)
    return found


def _read_names(model: ModelClass, module: cst.Module) -> None:
    """The attributes and locals ``__init__`` binds, the methods, and their names in the
    flat module."""
    body = cst.Module(body=model.body)
    # What the methods name (not the methods themselves, which keep their names if free).
    in_methods = {n for m in model.methods for n in names_read(m.params) | names_read(m.body)}
    attrs: list[str] = []
    assigned_attrs: set[str] = set()
    for node in assign_targets(body):
        for target in target_parts(node):
            if isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name) and target.value.value == "self":
                if target.attr.value not in assigned_attrs:
                    assigned_attrs.add(target.attr.value)
                    attrs.append(target.attr.value)
            elif isinstance(target, cst.Name):
                model.locals.add(target.value)
    method_names = [m.name.value for m in model.methods]
    known = assigned_attrs | set(method_names) | ({model.session_attr} if model.session_attr else set())
    for part, owner in ((body, "`__init__`"), *((m, f"`{model.cls.name.value}.{m.name.value}`") for m in model.methods)):
        for attribute in _attribute_reads(part, "self"):
            if attribute.attr.value not in known:
                raise CannotConvert(attribute, f"`self.{attribute.attr.value}` is read but `__init__` does not assign it")
        self_names = [n for n in _names(part) if n.value == "self"]
        parameter = 1 if isinstance(part, cst.FunctionDef) else 0
        if len(self_names) != len(_attribute_reads(part, "self")) + parameter:
            raise CannotConvert(part if parameter else model.init, f"{owner} uses `self` other than as `self.attribute`")
    model.attrs = attrs
    # Names in the flat module: the attribute's, local's or method's own name unless the
    # script, a method (or, for an attribute, __init__) already uses it.
    outside = names_read(module.with_changes(body=[s for s in module.body if s is not model.cls]))
    taken = outside | model.params | {model.instance} | in_methods | ({model.session} if model.session else set())
    for kind, names in (("attr", attrs), ("local", sorted(model.locals)), ("method", method_names)):
        for name in names:
            candidate, n = name, 2
            while candidate in taken or candidate in model.origin or (kind != "local" and candidate in names_read(body)):
                candidate, n = f"{name}_{n}", n + 1
            model.synthetic[(kind, name)] = candidate
            model.origin[candidate] = (kind, name)
    # Every use of the instance is `model.attr` with `attr` bound by `__init__`, or a method.
    rest = module.with_changes(body=[s for s in module.body if s is not model.cls])
    instance_names = [n for n in _names(rest) if n.value == model.instance]
    reads = _attribute_reads(rest, model.instance)
    if len(instance_names) != len(reads) + 1:
        raise CannotConvert(model.creation, f"instance `{model.instance}` is used other than as `{model.instance}.attribute`")
    for attribute in reads:
        if attribute.attr.value not in known:
            raise CannotConvert(attribute, f"`{model.instance}.{attribute.attr.value}` is not bound by `__init__`")


class _Rename(cst.CSTTransformer):
    """Names -> code (``self.W1``), and ``receiver.attr`` -> code; attribute names,
    keywords and parameters stay as they were."""

    def __init__(self, names: dict[str, str], receiver: str | None = None, attrs: dict[str, str] | None = None) -> None:
        self.names = names
        self.receiver = receiver
        self.attrs = attrs or {}

    def leave_Name(self, original_node, updated_node):
        code = self.names.get(original_node.value)
        return updated_node if code is None else cst.parse_expression(code)

    def leave_Attribute(self, original_node, updated_node):
        value = original_node.value
        if self.receiver and isinstance(value, cst.Name) and value.value == self.receiver:
            code = self.attrs.get(original_node.attr.value)
            if code is not None:
                return cst.parse_expression(code)
        return updated_node.with_changes(attr=original_node.attr)

    def leave_Arg(self, original_node, updated_node):
        return updated_node.with_changes(keyword=original_node.keyword)

    def leave_Param(self, original_node, updated_node):
        return updated_node.with_changes(name=original_node.name)


def rename(node, names: dict[str, str], receiver: str | None = None, attrs: dict[str, str] | None = None):
    return node.visit(_Rename(names, receiver, attrs))


# -- the flat module ------------------------------------------------------------------
@dataclass
class Flat:
    module: cst.Module
    spliced: list[cst.BaseStatement]
    creation: cst.BaseStatement  # the instance's creation statement as the flat module holds it
    methods: list[cst.FunctionDef] = field(default_factory=list)  # the methods as functions, after the creation


def flatten(model: ModelClass, module: cst.Module) -> Flat:
    """The module with ``__init__``'s statements right before the instance is created and
    its methods as functions right after it, ``self.A`` and ``model.A`` read as one name
    (``self.sess`` as the session the instance is given), and the class reduced to a stub."""
    locals_ = {name: model.synthetic[("local", name)] for name in model.locals}
    attrs = {name: model.synthetic[("attr", name)] for name in model.attrs}
    attrs.update({m.name.value: model.synthetic[("method", m.name.value)] for m in model.methods})
    if model.session_attr is not None and model.session is not None:
        attrs[model.session_attr] = model.session
    spliced = [rename(s, locals_, "self", attrs) for s in model.body]
    functions = [
        rename(m.with_changes(
            name=cst.Name(attrs[m.name.value]), params=m.params.with_changes(params=m.params.params[1:]), decorators=(),
        ), {}, "self", attrs)
        for m in model.methods
    ]
    stub = cst.parse_statement(f"class {model.cls.name.value}:\n    pass\n").with_changes(leading_lines=model.cls.leading_lines)
    found: list[cst.BaseStatement] = []

    class _Flatten(StatementSplicer):
        def visit_ClassDef(self, node) -> bool:
            return node is not model.cls

        def leave_Attribute(self, original_node, updated_node):
            value = original_node.value
            if isinstance(value, cst.Name) and value.value == model.instance and original_node.attr.value in attrs:
                return cst.Name(attrs[original_node.attr.value])
            return updated_node

        def spliced(self, original, updated):
            if original is model.cls:
                return [stub]
            if original is model.creation:
                found.append(updated)
                return [*spliced, updated, *functions]
            return None

    flat = module.visit(_Flatten())
    if len(found) != 1:
        raise CannotConvert(model.creation, f"`{model.instance} = {model.cls.name.value}(...)` is not where the graph is run")
    return Flat(flat, spliced, found[0], functions)
