"""G101 feature, model classes: the emission layout that puts the result back into the class.

``model_classes`` read the class's ``__init__`` as a flat module; G101's stages converted
it; ``ClassLayout`` (the ``emit.Layout`` of a model class) keeps state in ``__init__``,
writes every generated function as a ``@tf.function`` method and the script's calls as
``model.method(...)``; ``user_notes`` reports in the class's own names.
"""

from __future__ import annotations

import re

import libcst as cst

from codemods.analysis.cst_tools import nodes_of
from codemods.analysis.graph import assigned_names, names_read, single_assignment
from codemods.analysis.names import FastVisitor, dotted_name
from codemods.analysis.positions import locate
from codemods.graph.g101_session_to_function.emit import Emitter
from codemods.graph.g101_session_to_function.model import CannotConvert, Function, Graph, Note
from codemods.graph.g101_session_to_function.model_classes import Flat, ModelClass, docless, methods_of, rename
from codemods.graph.g101_session_to_function.plan import TRAIN_OP_NAMES
from codemods.graph.g101_session_to_function.rebinding import bound_in
from codemods.graph.g101_session_to_function.scope import training_scope
from codemods.graph.g101_session_to_function.signatures import relaxed_shape, static_shape_read


def in_tree(tree: cst.Module, node: cst.CSTNode, model: ModelClass) -> cst.CSTNode:
    """A node of the flat module as the user's tree has it (``__init__``'s are reported at ``__init__``)."""
    return node if id(node) in locate(tree, [node]) else model.init


def user_notes(tree: cst.Module, model: ModelClass, notes: list[Note]) -> list[Note]:
    """Notes on the flat module, at nodes of ``tree`` and in the class's own names."""
    return [Note(in_tree(tree, node, model), _user_names(model, message), kind) for node, message, kind in notes]


def _user_names(model: ModelClass, message: str) -> str:
    """A report in the class's own names (``self.learning_rate``, not its flat name)."""
    for flat, (kind, name) in model.origin.items():
        if flat != name or kind != "local":
            message = re.sub(rf"(?<![\w.]){re.escape(flat)}\b(?!=)", name if kind == "local" else f"self.{name}", message)
    return message


def _origin_name(model: ModelClass, name: str) -> str:
    return model.origin.get(name, ("", name))[1]


def _method_name(model: ModelClass, fn: Function) -> str:
    """The name G101 gives a module-level function, from the user's names in the class."""
    if fn.train is not None:
        op = _origin_name(model, fn.train.defines[0])
        return "train_step" if op in TRAIN_OP_NAMES else f"train_{re.sub(r'_(op|step)$', '', op)}"
    words = []
    for value in fn.values[:3]:
        match = re.fullmatch(r"(\w+)(\[.*\])?", value)
        words.append(_origin_name(model, match.group(1)) if match else "value")
    return "compute_" + "_and_".join(dict.fromkeys(words))


class ClassLayout:
    """The emission layout of a model class: state in ``__init__`` (the statements
    spliced from it), every generated function a ``@tf.function`` method, the script
    calling ``model.method(...)``."""

    def __init__(self, graph: Graph, model: ModelClass, flat: Flat) -> None:
        self.g = graph
        self.model = model
        self.flat = flat
        self.init_body: list[cst.BaseStatement] = []
        self.script: list[cst.BaseStatement] = []
        self.gap_after: set[int] = set()  # script positions after a feature's function
        self.methods: list[cst.FunctionDef] = []
        self.tail: list[cst.BaseStatement] = []
        self.state: set[str] = set()
        self.lo = self.hi = 0
        self.method_at: dict[int, cst.FunctionDef] = {}  # index of a method's function -> the method
        self.method_out: dict[int, list[cst.BaseStatement]] = {}  # what each became
        self.script_comments: list[cst.EmptyLine] = []
        # `__init__` parameters a method reads (`l2_reg_lambda` in the loss): kept as attributes.
        self.kept_params: dict[str, str] = {}
        self.taken_attrs: set[str] = set()  # the class's attributes and methods, old and new
        self.local_attrs: dict[str, str] = {}  # flat name of a local holding state -> its attribute
        # Python locals `__init__` binds once and a method reads: kept as attributes.
        self.kept_locals: dict[str, str] = {}
        # Methods whose exact input_signature `__init__` binds: (method, specs in flat names).
        self.bound: list[tuple[str, str]] = []

    def name_functions(self, emitter: Emitter) -> None:
        model = self.model
        methods = {name for name in methods_of(model.cls)} | set(model.attrs)
        for fn in emitter.functions():
            base = _method_name(model, fn)
            name, n = base, 2
            while name in methods:
                name, n = f"{base}_{n}", n + 1
            methods.add(name)
            fn.name = name
        self.taken_attrs = methods
        g = self.g
        self.state = (
            {name for _, name, _ in g.variables} | set(g.optimizers) | set(g.inline_optimizers.values()) | set(g.schedules)
        )
        # `__init__`'s statements are the ones spliced right before the instance's creation.
        self.hi = next(i for i, s in enumerate(g.body) if s is self.flat.creation)
        self.lo = self.hi - sum(len(s.body.body) if training_scope(s, g.sym) else 1 for s in self.flat.spliced)
        positions = {id(s): i for i, s in enumerate(g.body)}
        for function, method in zip(self.flat.methods, model.methods):
            if id(function) not in positions:
                raise CannotConvert(model.creation, (
                    f"`{model.instance} = {model.cls.name.value}(...)` is inside a loop or condition: its methods "
                    "cannot be read where it is created"
                ))
            self.method_at[positions[id(function)]] = method

    def invocation(self, call: str) -> str:
        return f"{self.model.instance}.{call}"

    def block(self, index: int) -> list[cst.BaseStatement]:
        if index in self.method_at:
            return self.method_out.setdefault(index, [])
        return self.init_body if self.lo <= index < self.hi else self.script

    def carried_comments(self, index: int, carried: list[cst.EmptyLine]) -> list[cst.EmptyLine]:
        # Comments of removed `__init__` statements stay out of the script and the methods;
        # those of removed script statements before `__init__`'s go on with the script.
        if index == self.lo:
            self.script_comments, carried = carried, []
        if index == self.hi:
            return self.script_comments
        return [] if index in self.method_at else carried

    def replace(self, stmt: cst.BaseStatement, replacement: cst.BaseStatement) -> cst.BaseStatement:
        raise CannotConvert(stmt, "a helper creating variables, or a streaming metric, inside a model class is not converted")

    def add_functions(self, emitter: Emitter, index: int, functions: list[Function], block: list[cst.BaseStatement]) -> None:
        for fn in functions:
            method, setup = self._method_def(emitter, fn)
            self.methods.append(method)
            self.tail.extend(setup)

    def add_definition(self, definition: cst.FunctionDef, block: list[cst.BaseStatement]) -> None:
        block.append(definition.with_changes(leading_lines=[cst.EmptyLine(indent=False)] * 2))
        self.gap_after.add(len(block))

    # -- names in each part of the result ----------------------------------------------
    def _attribute(self, name: str) -> str:
        kind, original = self.model.origin.get(name, ("", name))
        if kind != "local":
            return f"self.{original}"
        if name not in self.local_attrs:
            # A local of `__init__` holding state (`W = tf.Variable(...)` beside `self.W`):
            # an attribute of its own name, or a free one.
            taken = (
                set(self.model.attrs) | set(methods_of(self.model.cls)) | self.taken_attrs
                | set(self.local_attrs.values()) | {s for s in self.state if s not in self.model.origin}
            )
            attr, n = original, 2
            while attr in taken:
                attr, n = f"{original}_{n}", n + 1
            self.local_attrs[name] = attr
        return f"self.{self.local_attrs[name]}"

    def _init_names(self) -> dict[str, str]:
        names = {s: n if kind == "local" else f"self.{n}" for s, (kind, n) in self.model.origin.items()}
        names.update({s: self._attribute(s) for s in self.state})
        return names

    def _script_names(self) -> dict[str, str]:
        names = {s: f"{self.model.instance}.{n}" for s, (kind, n) in self.model.origin.items() if kind != "local"}
        for s in self.state:
            if s not in self.model.origin:  # an optimizer or step G101 named
                names[s] = f"{self.model.instance}.{s}"
            elif self.model.origin[s][0] == "local":  # `W = tf.Variable(...)` in `__init__`: its attribute
                names[s] = f"{self.model.instance}.{self._attribute(s).removeprefix('self.')}"
        return names

    def _method_names(self, fn: Function) -> dict[str, str]:
        model = self.model
        local = _locals(fn)
        names: dict[str, str] = {}
        for s, (kind, n) in model.origin.items():
            if s in local:
                names[s] = n
            elif s in self.state or kind != "local":
                names[s] = self._attribute(s)
        names.update({s: self._attribute(s) for s in self.state if s not in local})
        originals = [names[s] for s in local if s in names]
        if len(originals) != len(set(originals)):
            raise CannotConvert(model.init, f"`{fn.name}` would bind one local name for two of `__init__`'s names")
        return names

    def _method_def(self, emitter: Emitter, fn: Function) -> tuple[cst.FunctionDef, list[cst.BaseStatement]]:
        g = self.g
        tf = g.tf
        model = self.model
        lines = emitter.bodies.body_lines(fn)
        setup = emitter.bodies.slot_setup(fn)
        decorator, casts = self._signature(fn, lines)
        for p in fn.params:
            if p.default is not None and names_read(cst.parse_expression(p.default)) - {tf, "True", "False", "None"}:
                raise CannotConvert(model.init, f"placeholder `{_origin_name(model, p.name)}` has a default computed in `__init__`")
        names = self._method_names(fn)
        # The parameters under their names in the class (renaming leaves parameters as they are).
        params = ", ".join(["self", *(names.get(p.name, p.name) for p in fn.params)])
        text = f"{decorator}def {fn.name}({params}):\n" + "".join(
            f"{g.module.default_indent}{line}" if line.strip() else line
            for line in "".join([*casts, *lines]).splitlines(keepends=True)
        )
        method = cst.parse_statement(text)
        local = _locals(fn)
        forbidden = model.params | {
            s for s, (kind, _) in model.origin.items() if kind == "local" and s not in self.state and s not in local
        }
        leaked = names_read(method.body) & forbidden
        for name in sorted(leaked):
            if name in model.params and name not in model.locals:
                # A parameter `__init__` never rebinds: TF1 built its value into the graph.
                names[name] = f"self.{self._kept_param(name)}"
            elif name not in model.params and _bound_once(model.init, _origin_name(model, name)):
                # A Python value `__init__` computes once (`num_filters_total = num_filters * 3`).
                names[name] = f"self.{self._kept_local(_origin_name(model, name))}"
            else:
                raise CannotConvert(model.init, f"`{fn.name}` would read `{_origin_name(model, name)}`, a local of `__init__`")
        method = rename(method, names).with_changes(leading_lines=[cst.EmptyLine(indent=False)])
        tail = list(cst.parse_module(setup).body) if setup else []
        # An optimizer the script creates after the instance (`model.optimizer = ...`) is not
        # there when `__init__` runs: its first step builds it (and is traced twice).
        outside = {name for name, index in g.optimizers.items() if not self.lo <= index < self.hi}
        return method, [s for s in tail if not names_read(s) & outside]

    def _signature(self, fn: Function, lines: list[str]) -> tuple[str, list[str]]:
        """The method's decorator (with its newline; "" when ``__init__`` binds it) and the
        casts of its parameters to their placeholders' dtypes."""
        tf = self.g.tf
        model = self.model
        params = fn.params
        if any(p.dtype and names_read(cst.parse_expression(p.dtype)) - {tf} for p in params):
            p = next(p for p in params if p.dtype and names_read(cst.parse_expression(p.dtype)) - {tf})
            raise CannotConvert(model.init, f"placeholder `{_origin_name(model, p.name)}` has a dtype computed in `__init__`")
        if not params or any(p.dtype is None for p in params):
            # TF1 converted what was fed to the placeholder's dtype.
            return f"@{tf}.function\n", [f"{p.name} = {tf}.cast({p.name}, {p.dtype})\n" for p in params if p.dtype]
        # A signature converts NumPy and Python values to its dtypes as TF1's feed did, and
        # traces once, as TF1 built one graph (a new trace would make new random ops).
        visible = {"None"} | self._class_constants()
        literal = [names_read(cst.parse_expression(p.shape)) <= visible for p in params]
        if all(literal):
            specs = ", ".join(f"{tf}.TensorSpec({p.shape}, {p.dtype})" for p in params)
            return f"@{tf}.function(input_signature=[{specs}])\n", []
        # Shapes naming `__init__`'s values (`[None, sequence_length]`): those dimensions are
        # None where the body reads no static shape computed from them.
        relaxed = [p.shape if known else relaxed_shape(p.shape, visible) for p, known in zip(params, literal)]
        body = cst.parse_module("".join(lines))
        read = static_shape_read(body, {p.name for p, r in zip(params, relaxed) if r != p.shape}, tf)
        if read is None and None not in relaxed:
            specs = ", ".join(f"{tf}.TensorSpec({r}, {p.dtype})" for p, r in zip(params, relaxed))
            return f"@{tf}.function(input_signature=[{specs}])\n", []
        unsafe = sorted(
            _user_names(model, n) for p in params for n in names_read(cst.parse_expression(p.shape)) - {"None", tf}
            if not self._fixed_in_init(n)
        )
        why = f"reads `{read}`" if read else "a placeholder's shape is not a list of dimensions"
        if unsafe:
            self.g.report(model.init, (
                f"`{fn.name}` keeps a bare @tf.function (traced again for each new input shape): its body {why}, "
                f"and `{unsafe[0]}` in a placeholder's shape changes in `__init__`"
            ))
            return f"@{tf}.function\n", [f"{p.name} = {tf}.cast({p.name}, {p.dtype})\n" for p in params]
        # The exact signature, bound where `__init__`'s values exist.
        specs = ", ".join(f"{tf}.TensorSpec({p.shape}, {p.dtype})" for p in params)
        self.bound.append((fn.name, specs))
        return "", []

    def _class_constants(self) -> set[str]:
        """Names of the module a decorator of the class can read: bound once, by a statement
        of the module's level before the class (``N_FEATURES = 6``), and nowhere else."""
        model = self.model
        body = self.g.module.body
        position = next(i for i, s in enumerate(body) if isinstance(s, cst.ClassDef) and s.name.value == model.cls.name.value)
        bound: dict[str, int] = {}
        for stmt in body:
            for name in _bindings(stmt):
                bound[name] = bound.get(name, 0) + 1
        declared = {n.value for g in nodes_of(self.g.module, cst.Global) for n in (name.name for name in g.names)}
        before = {name for s in body[:position] if (a := single_assignment(s)) is not None for name in a[0]}
        return {n for n in before if bound[n] == 1 and n not in declared and n not in model.params and n not in model.origin}

    def _fixed_in_init(self, name: str) -> bool:
        """``name`` (flat) has one value from where ``__init__`` reads it to its end: a parameter
        it never rebinds, a local it binds once, an attribute it sets once, or a name of the module."""
        model = self.model
        if name in model.params:
            return name not in model.locals
        kind, original = model.origin.get(name, ("module", name))
        if kind == "attr":
            targets = [t for s in model.body for t in nodes_of(s, (cst.AssignTarget, cst.AugAssign, cst.AnnAssign))]
            return sum(dotted_name(t.target) == f"self.{original}" for t in targets) == 1
        # A local named like a parameter rebinds it.
        return kind == "module" or kind == "local" and original not in model.params and _bound_once(model.init, original)

    def _kept_param(self, name: str) -> str:
        """The attribute keeping ``__init__``'s parameter ``name`` (its own name when free)."""
        if name not in self.kept_params:
            taken = self.taken_attrs | set(self.kept_params.values()) | set(self.local_attrs.values())
            attr, n = name, 2
            while attr in taken:
                attr, n = f"{name}_{n}", n + 1
            self.kept_params[name] = attr
        return self.kept_params[name]

    def _kept_local(self, name: str) -> str:
        """The attribute keeping ``__init__``'s local ``name``, set at the end of ``__init__``."""
        if name not in self.kept_locals:
            taken = self.taken_attrs | set(self.kept_params.values()) | set(self.local_attrs.values())
            taken |= set(self.kept_locals.values()) | set(self.model.attrs)
            attr, n = name, 2
            while attr in taken:
                attr, n = f"{name}_{n}", n + 1
            self.kept_locals[name] = attr
        return self.kept_locals[name]

    def _methods(self) -> dict[int, cst.FunctionDef]:
        """The class's own methods, converted as functions of the script, as methods again
        (by the id of the method they replace)."""
        model = self.model
        names = {s: f"self.{n}" for s, (kind, n) in model.origin.items() if kind != "local"}
        names.update({s: self._attribute(s) for s in self.state})
        names[model.instance] = "self"
        # `__init__`'s Python locals, and the session the script gave it, are gone.
        forbidden = {s for s, (kind, _) in model.origin.items() if kind == "local" and s not in self.state}
        forbidden |= {model.session} if model.session else set()
        converted = {}
        for index, method in self.method_at.items():
            out = self.method_out.get(index, [])
            function = out[0] if len(out) == 1 else None
            if not isinstance(function, cst.FunctionDef):
                raise CannotConvert(method, f"method `{model.cls.name.value}.{method.name.value}` is not kept as one function")
            leaked = names_read(function.body) & forbidden
            if leaked:
                name = _origin_name(model, sorted(leaked)[0])
                raise CannotConvert(method, (
                    f"method `{model.cls.name.value}.{method.name.value}` uses `{name}` other than to run the graph"
                ))
            function = rename(function, names)
            params = function.params.with_changes(params=[cst.Param(cst.Name("self")), *function.params.params])
            converted[id(method)] = function.with_changes(
                name=method.name, params=params, decorators=method.decorators, leading_lines=method.leading_lines,
            )
        return converted

    # -- the result ------------------------------------------------------------------
    def finish(self, emitter: Emitter) -> cst.Module:
        g = self.g
        model = self.model
        init_names = self._init_names()
        init_body = [rename(s, init_names) for s in [*self.init_body, *self.tail]]
        script_names = self._script_names()
        script = [rename(s, script_names) for s in self.script]
        for position in self.gap_after:  # two blank lines after a feature's function too
            if position < len(script):
                kept = [line for line in script[position].leading_lines if line.comment is not None]
                script[position] = script[position].with_changes(leading_lines=[cst.EmptyLine(indent=False)] * 2 + kept)
        new_class = self._class_def(init_body, self.methods, self._methods())
        if g.owner is None:
            module = g.module.with_changes(body=script)
        else:
            module = g.module.deep_replace(g.owner, g.owner.with_changes(body=g.owner.body.with_changes(body=script)))
        body = [
            new_class if isinstance(s, cst.ClassDef) and s.name.value == model.cls.name.value else s for s in module.body
        ]
        return module.with_changes(body=[emitter.plain_import(s) for s in body if not emitter.disables(s)])

    def _class_def(self, init_body, methods, converted: dict[int, cst.FunctionDef]) -> cst.ClassDef:
        model = self.model
        init = model.init
        doc = [s for s in init.body.body if s not in docless(init.body.body)]
        if not init_body:
            init_body = [cst.SimpleStatementLine([cst.Pass()])]
        init_body[0] = init_body[0].with_changes(leading_lines=_strip_blank(init_body[0].leading_lines))
        # The blank lines of statements that moved to the methods do not add up.
        init_body = [s.with_changes(leading_lines=_one_blank(s.leading_lines)) for s in init_body]
        # The session the class was given has no place in eager code.
        params = [p for p in init.params.params if p.name.value != model.session_param]
        params[-1] = params[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        kept = [cst.parse_statement(f"self.{attr} = {name}\n") for name, attr in self.kept_params.items()]
        if kept:
            init_body[0] = init_body[0].with_changes(leading_lines=[cst.EmptyLine(indent=False), *init_body[0].leading_lines])
        # After everything `__init__` computes: each local has its one value by then.
        kept_locals = [cst.parse_statement(f"self.{attr} = {name}\n") for name, attr in self.kept_locals.items()]
        if self.bound:
            # A signature naming `__init__`'s values (`[None, sequence_length]`) exists only here.
            tf, names = self.g.tf, self._init_names()
            kept_locals += [
                rename(cst.parse_statement(
                    f"self.{method} = {tf}.function(self.{method}, input_signature=[{specs}])\n"
                ), names).with_changes(leading_lines=[
                    cst.EmptyLine(indent=False), cst.EmptyLine(comment=cst.Comment(_BOUND_COMMENT))
                ] if i == 0 else [])
                for i, (method, specs) in enumerate(self.bound)
            ]
        new_init = init.with_changes(
            params=init.params.with_changes(params=params),
            body=init.body.with_changes(body=[*doc, *kept, *init_body, *kept_locals]),
        )
        body = []
        for stmt in model.cls.body.body:
            if isinstance(stmt, cst.FunctionDef) and stmt.name.value in model.build_methods:
                continue
            if stmt is init:
                body.append(new_init)
                body.extend(methods)
            else:
                body.append(converted.get(id(stmt), stmt))
        self.g.report(
            model.cls, f"model class `{model.cls.name.value}`: variables and optimizer kept in `__init__`, "
            f"runs -> @tf.function methods {', '.join(f'`{m.name.value}`' for m in methods)}", kind="converted",
        )
        return model.cls.with_changes(body=model.cls.body.with_changes(body=body))


_BOUND_COMMENT = "# The signature reads __init__'s values: one trace for every batch size, as TF1 built one graph."


def _bindings(stmt: cst.BaseStatement) -> list[str]:
    """The names a statement of the module's level binds there (not in functions and classes it defines)."""
    if isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
        return [stmt.name.value]
    names: list[str] = []
    for node in nodes_of(stmt, (cst.AssignTarget, cst.AugAssign, cst.AnnAssign, cst.For, cst.AsName, cst.ImportAlias,
                                cst.FunctionDef, cst.ClassDef, cst.NamedExpr), skip=(cst.FunctionDef, cst.ClassDef, cst.Lambda)):
        if isinstance(node, (cst.FunctionDef, cst.ClassDef)):
            names.append(node.name.value)
        elif isinstance(node, cst.ImportAlias):
            if node.asname is None:
                names.append((dotted_name(node.name) or "").split(".")[0])
        elif isinstance(node, cst.AsName):
            names.extend(assigned_names(node.name) if isinstance(node.name, cst.BaseExpression) else [])
        else:
            names.extend(assigned_names(node.target))
    return names


def _bound_once(init: cst.FunctionDef, name: str) -> bool:
    """``name`` is bound by one plain assignment at the top level of ``init``'s body, and nowhere else in it."""
    top = [s for s in init.body.body if (a := single_assignment(s)) is not None and name in a[0]]
    count = 0

    class _Count(FastVisitor):
        def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
            nonlocal count
            count += name in assigned_names(node.target)

        def visit_AugAssign(self, node: cst.AugAssign) -> None:
            nonlocal count
            count += name in assigned_names(node.target)

        def visit_For(self, node: cst.For) -> None:
            nonlocal count
            count += name in assigned_names(node.target)

        def visit_AsName(self, node: cst.AsName) -> None:
            nonlocal count
            count += name in assigned_names(node.name)

    init.body.visit(_Count())
    return len(top) == 1 and count == 1


def _locals(fn: Function) -> set[str]:
    """The names a generated method binds: its parameters and tensors (a training op's
    name is not bound: its unit becomes the GradientTape code)."""
    names = {n for u in fn.units if u.kind not in ("train", "apply") for n in u.defines} | {p.name for p in fn.params}
    # A loop's targets and the Python names it binds (a block unit: blocks.py) are the method's too.
    return names | {n for u in fn.units if isinstance(u.node, (cst.For, cst.If)) for n in bound_in(u.node)}


def _one_blank(lines):
    """``lines`` without a blank line right after another."""
    kept = []
    for line in lines:
        blank = line.comment is None
        if not (blank and kept and kept[-1].comment is None):
            kept.append(line)
    return kept


def _strip_blank(lines):
    return [line for line in lines if line.comment is not None]
