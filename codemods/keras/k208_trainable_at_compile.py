"""K208: ``model.trainable`` as Keras 2 read it: when the model was compiled.

Keras 2 fixed a model's trainable weights when it was compiled. The GAN idiom relies on
it: the discriminator is compiled, then frozen (``discriminator.trainable = False``)
before the combined model is built and compiled, so the discriminator still learns from
its own ``train_on_batch`` and the combined model only moves the generator. Keras 3
reads ``trainable`` when a model first trains: the frozen discriminator never learns,
and the numbers are another program's. Before each training call (``train_on_batch``,
``fit``) of a model compiled in the module, the ``trainable`` flags that the function
compiling it changed after some compile are set back to what they were at its compile
(``discriminator.trainable = True`` before the discriminator trains, ``False`` before
the combined model does); consecutive calls needing the same flags share one setting.
Flags set in several functions are reported, not followed.

Keras 3 also runs the ``BatchNormalization`` layers of a frozen model in inference mode
(their moving statistics); Keras 2 kept normalising with each batch's statistics, frozen
or not. When a model frozen before a training call may hold such layers (its builder
creates one, or, when the rule cannot tell where it is built, the module does), the
frozen flag is followed by ``use_batch_statistics_when_frozen(model)``, a helper written
once after the imports: those layers train again, their weights (gamma, beta) frozen.

Keras 2 froze a nested model only as a part of the model being compiled: layers it
shares with another part that trains (a discriminator and an auxiliary network built by
one function over shared layers) kept training; Keras 3 freezes every layer inside it.
When a frozen model is built together with a model the training one does not freeze,
``train_layers_shared_with(frozen, model)`` (another helper) makes their shared layers
trainable again before the batch-statistics helper runs.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable

import libcst as cst

from codemods.analysis.cst_tools import after_imports, code, insert_statements, nodes_of
from codemods.analysis.keras_calls import KerasRefs, keras_path
from codemods.analysis.names import FastVisitor, walk
from codemods.base import Example, Rule

_TRAINING = ("train_on_batch", "fit", "fit_generator")
_SHARED_HELPER = "train_layers_shared_with"
_SHARED_HELPER_TEXT = '''\
def {name}(frozen, model):
    """Keras 2 froze `frozen` only as a part of `model`: the layers it shares with another
    part of `model` that trains keep training."""
    def layers_of(layer):
        found = [layer]
        for inner in getattr(layer, "layers", []):
            found += layers_of(inner)
        return found

    inside_frozen = {{id(layer) for layer in layers_of(frozen)}}
    for part in model.layers:
        if part is not frozen and part.trainable:
            for layer in layers_of(part)[1:]:
                if id(layer) in inside_frozen:
                    layer.trainable = True
'''
_BATCH_NORM_HELPER = "use_batch_statistics_when_frozen"
_BATCH_NORM_HELPER_TEXT = '''\
def {name}(model):
    """Keras 2 normalised with each batch's statistics in the BatchNormalization layers of a
    model frozen by `trainable = False`, Keras 3 with their moving statistics: those layers
    train again, their gamma and beta frozen."""
    for layer in model.layers:
        if isinstance(layer, {batch_norm}) and not layer.trainable:
            layer.trainable = True
            for weight in layer.trainable_weights:
                weight.trainable = False
        elif hasattr(layer, "layers"):
            {name}(layer)
'''


def _dotted(expr: cst.BaseExpression) -> str | None:
    if isinstance(expr, cst.Name):
        return expr.value
    if isinstance(expr, cst.Attribute):
        inner = _dotted(expr.value)
        return None if inner is None else f"{inner}.{expr.attr.value}"
    return None


def _flag_assignment(stmt: cst.CSTNode) -> tuple[cst.BaseExpression, bool] | None:
    """``X.trainable = True|False``: (X, the value)."""
    if not (isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 and isinstance(stmt.body[0], cst.Assign)):
        return None
    assign = stmt.body[0]
    target = assign.targets[0].target if len(assign.targets) == 1 else None
    value = assign.value
    if isinstance(target, cst.Attribute) and target.attr.value == "trainable" and isinstance(value, cst.Name) and (
        value.value in ("True", "False")
    ):
        return target.value, value.value == "True"
    return None


def _training_receiver(stmt: cst.CSTNode) -> cst.BaseExpression | None:
    """The model of ``m.train_on_batch(...)`` / ``loss = m.fit(...)`` as a statement (the
    call may be wrapped: ``loss = f(m, m.train_on_batch(..., return_dict=True))``)."""
    if not (isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1):
        return None
    small = stmt.body[0]
    value = small.value if isinstance(small, (cst.Expr, cst.Assign)) else None
    if value is None:
        return None
    for call in nodes_of(value, cst.Call):
        if isinstance(call.func, cst.Attribute) and call.func.attr.value in _TRAINING:
            return call.func.value
    return None


class _Compiles(FastVisitor):
    """In source order, per function: the ``trainable`` flags set, and at each
    ``X.compile(...)`` the flags set so far in that function."""

    def __init__(self) -> None:
        super().__init__()
        self.classes: list[str] = []
        self.functions: list[tuple[cst.CSTNode, dict[str, bool]]] = []
        self.snapshots: dict[str, tuple[int, dict[str, bool]]] = {}  # model -> (function, flags)
        self.twice: set[str] = set()
        self.finals: dict[int, dict[str, bool]] = {}
        self.flag_functions: dict[str, set[int]] = {}
        self.first_flag: dict[str, cst.CSTNode] = {}

    def key(self, expr: cst.BaseExpression) -> str | None:
        dotted = _dotted(expr)
        if dotted is not None and dotted.startswith("self.") and self.classes:
            return f"{self.classes[-1]}:{dotted}"
        return dotted

    def enter(self, node: cst.CSTNode) -> None:
        self.functions.append((node, {}))

    def leave(self) -> None:
        node, flags = self.functions.pop()
        self.finals[id(node)] = flags

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.classes.append(node.name.value)

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self.classes.pop()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.enter(node)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.leave()

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        function, flags = self.functions[-1]
        assignment = _flag_assignment(node)
        if assignment is not None:
            key = self.key(assignment[0])
            if key is not None:
                flags[key] = assignment[1]
                self.flag_functions.setdefault(key, set()).add(id(function))
                self.first_flag.setdefault(key, node.body[0])

    def visit_Call(self, node: cst.Call) -> None:
        if isinstance(node.func, cst.Attribute) and node.func.attr.value == "compile":
            key = self.key(node.func.value)
            if key is None:
                return
            function, flags = self.functions[-1]
            if key in self.snapshots:
                self.twice.add(key)
            self.snapshots[key] = (id(function), dict(flags))


class _Builders(FastVisitor):
    """Where each model name is assigned (the value and the function doing it), the
    module's functions and methods, and which of them create a BatchNormalization layer."""

    def __init__(self, is_batch_norm: Callable[[cst.BaseExpression], bool]) -> None:
        super().__init__()
        self.is_batch_norm = is_batch_norm
        self.classes: list[str] = []
        self.scopes: list[cst.CSTNode] = []
        self.functions: dict[str, cst.FunctionDef] = {}  # "f" or "Class.method"
        self.assigned: dict[str, list[tuple[cst.BaseExpression, cst.CSTNode, str | None]]] = {}
        self.siblings: dict[str, set[str]] = {}  # models assigned together from one value

    def key(self, expr: cst.BaseExpression) -> str | None:
        dotted = _dotted(expr)
        if dotted is not None and dotted.startswith("self.") and self.classes:
            return f"{self.classes[-1]}:{dotted}"
        return dotted

    def visit_Module(self, node: cst.Module) -> None:
        self.scopes.append(node)

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.classes.append(node.name.value)

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self.classes.pop()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        in_class = self.classes and not isinstance(self.scopes[-1], cst.FunctionDef)
        self.functions[f"{self.classes[-1]}.{node.name.value}" if in_class else node.name.value] = node
        self.scopes.append(node)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.scopes.pop()

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            names = target.target.elements if isinstance(target.target, (cst.Tuple, cst.List)) else [target.target]
            keys = [self.key(name.value if isinstance(name, cst.Element) else name) for name in names]
            for key in keys:
                if key is not None:
                    self.assigned.setdefault(key, []).append(
                        (node.value, self.scopes[-1], self.classes[-1] if self.classes else None)
                    )
                    self.siblings.setdefault(key, set()).update(k for k in keys if k is not None and k != key)

    def creates_batch_norm(self, node: cst.CSTNode, cls: str | None, seen: set[int]) -> bool:
        """Does ``node`` create a BatchNormalization layer, itself or through the module's
        functions (and its class's methods) it calls?"""
        if id(node) in seen:
            return False
        seen.add(id(node))
        for call in nodes_of(node, cst.Call):
            if self.is_batch_norm(call.func):
                return True
            callee = self.callee(call.func, cls)
            if callee is not None and self.creates_batch_norm(callee, cls, seen):
                return True
        return False

    def callee(self, func: cst.BaseExpression, cls: str | None) -> cst.FunctionDef | None:
        if isinstance(func, cst.Name):
            return self.functions.get(func.value)
        if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and func.value.value == "self" and cls:
            return self.functions.get(f"{cls}.{func.attr.value}")
        return None

    def may_hold_batch_norm(self, model: str, module: cst.Module) -> bool:
        """Can the model named ``model`` hold a BatchNormalization layer? Built by the
        module's own functions: do they create one; built in place (``Sequential()`` then
        ``add``, ``Model(inputs, outputs)``): does the function building it; not found:
        does the module."""
        places = self.assigned.get(model)
        if not places:
            return self.creates_batch_norm(module, None, set())
        for value, scope, cls in places:
            called = [self.callee(call.func, cls) for call in nodes_of(value, cst.Call)]
            built_here = not any(called)
            if self.creates_batch_norm(scope if built_here else value, cls, set()):
                return True
        return False


class TrainableAtCompile(Rule):
    code = "K208"
    keras3_keeps = "its `trainable` changes mean what Keras 3 makes of them and are left as they are"
    details = (
        "Keras 2 fixed each model's trainable weights at compile; Keras 3 reads trainable when the model "
        "first trains, so a discriminator frozen after its compile (to build the combined model) never "
        "learns. Before each train_on_batch/fit of a model compiled in the module, the flags its compiling "
        "function changed are set to their value at that model's compile. Flags set in several functions "
        "are reported and left alone. A frozen model that may hold BatchNormalization layers is followed by "
        "use_batch_statistics_when_frozen(model) (a helper written after the imports): Keras 3 runs such layers "
        "on their moving statistics when frozen, Keras 2 on each batch's. A frozen model built together with a "
        "model that trains (a discriminator and a recognition network over shared layers) is followed by "
        "train_layers_shared_with(frozen, model): Keras 2 froze it only as a part of the model trained, Keras 3 "
        "freezes the shared layers too."
    )
    examples = (
        Example(
            before=textwrap.dedent(
                """\
                from keras.models import Model

                class GAN:
                    def __init__(self):
                        self.discriminator = self.build_discriminator()
                        self.discriminator.compile(loss='binary_crossentropy', optimizer='adam')
                        self.discriminator.trainable = False
                        self.combined = Model(z, self.discriminator(self.generator(z)))
                        self.combined.compile(loss='binary_crossentropy', optimizer='adam')

                    def train(self, steps):
                        for step in range(steps):
                            # Train the discriminator
                            d_loss_real = self.discriminator.train_on_batch(imgs, valid)
                            d_loss_fake = self.discriminator.train_on_batch(gen_imgs, fake)
                            g_loss = self.combined.train_on_batch(noise, valid)
                """
            ),
            after=textwrap.dedent(
                """\
                from keras.models import Model

                class GAN:
                    def __init__(self):
                        self.discriminator = self.build_discriminator()
                        self.discriminator.compile(loss='binary_crossentropy', optimizer='adam')
                        self.discriminator.trainable = False
                        self.combined = Model(z, self.discriminator(self.generator(z)))
                        self.combined.compile(loss='binary_crossentropy', optimizer='adam')

                    def train(self, steps):
                        for step in range(steps):
                            # Train the discriminator
                            self.discriminator.trainable = True
                            d_loss_real = self.discriminator.train_on_batch(imgs, valid)
                            d_loss_fake = self.discriminator.train_on_batch(gen_imgs, fake)
                            self.discriminator.trainable = False
                            g_loss = self.combined.train_on_batch(noise, valid)
                """
            ),
        ),
        Example(
            before=textwrap.dedent(
                """\
                from keras.layers import BatchNormalization, Dense
                from keras.models import Sequential, Model

                def build_discriminator():
                    return Sequential([Dense(16, input_dim=2), BatchNormalization(), Dense(1, activation='sigmoid')])

                discriminator = build_discriminator()
                discriminator.compile(loss='binary_crossentropy', optimizer='adam')
                discriminator.trainable = False
                combined = Model(z, discriminator(generator(z)))
                combined.compile(loss='binary_crossentropy', optimizer='adam')
                for step in range(steps):
                    discriminator.train_on_batch(points, labels)
                    combined.train_on_batch(noise, valid)
                """
            ),
            after=textwrap.dedent(
                """\
                from keras.layers import BatchNormalization, Dense
                from keras.models import Sequential, Model


                def use_batch_statistics_when_frozen(model):
                    \"\"\"Keras 2 normalised with each batch's statistics in the BatchNormalization layers of a
                    model frozen by `trainable = False`, Keras 3 with their moving statistics: those layers
                    train again, their gamma and beta frozen.\"\"\"
                    for layer in model.layers:
                        if isinstance(layer, BatchNormalization) and not layer.trainable:
                            layer.trainable = True
                            for weight in layer.trainable_weights:
                                weight.trainable = False
                        elif hasattr(layer, "layers"):
                            use_batch_statistics_when_frozen(layer)

                def build_discriminator():
                    return Sequential([Dense(16, input_dim=2), BatchNormalization(), Dense(1, activation='sigmoid')])

                discriminator = build_discriminator()
                discriminator.compile(loss='binary_crossentropy', optimizer='adam')
                discriminator.trainable = False
                combined = Model(z, discriminator(generator(z)))
                combined.compile(loss='binary_crossentropy', optimizer='adam')
                for step in range(steps):
                    discriminator.trainable = True
                    discriminator.train_on_batch(points, labels)
                    discriminator.trainable = False
                    use_batch_statistics_when_frozen(discriminator)
                    combined.train_on_batch(noise, valid)
                """
            ),
        ),
        Example(
            before=textwrap.dedent(
                """\
                from keras.models import Sequential

                base.trainable = False
                model = Sequential([base, head])
                model.compile(loss='mse', optimizer='adam')
                model.fit(x, y)
                """
            ),
        ),
    )

    def rewrite(self, tree: cst.Module) -> cst.Module:
        scan = _Compiles()
        scan.enter(tree)
        walk(tree, scan)
        scan.leave()
        self.needed = self._needed_flags(scan)
        if not self.needed:
            return tree
        self.scan = scan
        self.classes: list[str] = []
        self.refs = KerasRefs(self.resolver, self.context)
        builders = _Builders(lambda func: keras_path(self.qualified_name(func)) == "layers.BatchNormalization")
        walk(tree, builders)
        frozen = {flag for flags in self.needed.values() for flag, value in flags.items() if not value}
        self.batch_norm_models = {model for model in frozen if builders.may_hold_batch_norm(model, tree)}
        self.siblings = builders.siblings
        self.batch_norm_frozen: set[str] = set()
        self.shared_frozen: set[str] = set()
        new = self.transformed(tree)
        for model in sorted(self.shared_frozen):
            self.report(scan.first_flag[model], (
                f"`{self._spelled(model)}` is built together with other models: Keras 2 froze it only as a part of the "
                "model being trained, layers shared with a part that trains kept training, Keras 3 freezes them all -> "
                f"{_SHARED_HELPER}({self._spelled(model)}, <the model trained>) after the flag"
            ), "converted")
        for model in sorted(self.batch_norm_frozen):
            self.report(scan.first_flag[model], (
                "Keras 3 runs the BatchNormalization layers of a frozen model on their moving statistics, Keras 2 "
                f"on each batch's: after `{self._spelled(model)}.trainable = False` before a training call, "
                f"{_BATCH_NORM_HELPER}({self._spelled(model)}) keeps them on batch statistics, their weights frozen"
            ), "converted")
        helpers = []
        if self.shared_frozen:
            helpers.append(_SHARED_HELPER_TEXT.format(name=_SHARED_HELPER))
        if self.batch_norm_frozen:
            helpers.append(_BATCH_NORM_HELPER_TEXT.format(
                name=_BATCH_NORM_HELPER, batch_norm=self.refs.ref("layers.BatchNormalization")
            ))
        if helpers:
            new = self.refs.apply(new)
            index = after_imports(new.body, opening_only=True)
            gap = [cst.EmptyLine(), cst.EmptyLine()]
            new = insert_statements(new, index, [cst.parse_statement(h).with_changes(leading_lines=gap) for h in helpers])
        return new

    def _needed_flags(self, scan: _Compiles) -> dict[str, dict[str, bool]]:
        """Per compiled model, the flags to set before it trains: every flag its compiling
        function leaves at another value than some model compiled there saw, set to the
        value this model saw at its compile."""
        by_function: dict[int, list[str]] = {}
        for model, (function, _) in scan.snapshots.items():
            by_function.setdefault(function, []).append(model)
        needed: dict[str, dict[str, bool]] = {}
        for function, models in by_function.items():
            final = scan.finals.get(function, {})
            toggled = [
                flag for flag, value in final.items()
                if any(scan.snapshots[model][1].get(flag, True) != value for model in models)
            ]
            if not toggled:
                continue
            twice = [m for m in models if m in scan.twice]
            elsewhere = [t for t in toggled if len(scan.flag_functions[t]) > 1]
            if twice or elsewhere:
                why = f"`{twice[0].split(':')[-1]}` is compiled twice" if twice else (
                    f"`{elsewhere[0].split(':')[-1]}.trainable` is set in several functions"
                )
                self.report(scan.first_flag[toggled[0]], (
                    "Keras 2 fixed a model's trainable weights at compile, Keras 3 reads `trainable` when it trains; "
                    f"{why}: left as it was (set `trainable` before each training call to its value at that model's "
                    "compile)"
                ))
                continue
            for flag in toggled:
                self.report(scan.first_flag[flag], (
                    "Keras 2 fixed each model's trainable weights when it was compiled, Keras 3 reads `trainable` when "
                    "the model trains (a model frozen after its own compile would never learn): the flag is set back "
                    "to its value at each model's compile before that model trains"
                ), "converted")
            for model in models:
                needed[model] = {flag: scan.snapshots[model][1].get(flag, True) for flag in toggled}
        return needed

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.classes.append(node.name.value)

    def leave_ClassDef(self, original_node: cst.ClassDef, updated_node: cst.ClassDef) -> cst.ClassDef:
        self.classes.pop()
        return updated_node

    def _key(self, expr: cst.BaseExpression) -> str | None:
        dotted = _dotted(expr)
        if dotted is not None and dotted.startswith("self.") and self.classes:
            return f"{self.classes[-1]}:{dotted}"
        return dotted

    def _spelled(self, key: str) -> str:
        return key.split(":", 1)[1] if ":" in key else key

    def _with_flags(self, body: list[cst.BaseStatement]) -> list[cst.BaseStatement] | None:
        known: dict[str, bool] = {}
        new: list[cst.BaseStatement] = []
        changed = False
        for stmt in body:
            assignment = _flag_assignment(stmt)
            receiver = _training_receiver(stmt)
            model = self._key(receiver) if receiver is not None else None
            if assignment is not None:
                key = self._key(assignment[0])
                if key is not None:
                    known[key] = assignment[1]
            elif model in self.needed:
                lines = []
                for toggled, value in self.needed[model].items():
                    if known.get(toggled) == value:
                        continue
                    lines.append(cst.parse_statement(f"{self._spelled(toggled)}.trainable = {value}\n"))
                    training_others = [
                        sibling for sibling in self.siblings.get(toggled, ())
                        if self.needed[model].get(sibling, True) and sibling != model
                    ]
                    if not value and training_others:
                        lines.append(cst.parse_statement(
                            f"{_SHARED_HELPER}({self._spelled(toggled)}, {code(receiver)})\n"
                        ))
                        self.shared_frozen.add(toggled)
                    if not value and toggled in self.batch_norm_models:
                        lines.append(cst.parse_statement(f"{_BATCH_NORM_HELPER}({self._spelled(toggled)})\n"))
                        self.batch_norm_frozen.add(toggled)
                known.update(self.needed[model])
                if lines:
                    lines[0] = lines[0].with_changes(leading_lines=stmt.leading_lines)
                    new.extend(lines)
                    stmt = stmt.with_changes(leading_lines=())
                    changed = True
            elif not isinstance(stmt, cst.SimpleStatementLine):
                known = {}  # a block may have changed the flags
            new.append(stmt)
        return new if changed else None

    def leave_IndentedBlock(self, original_node: cst.IndentedBlock, updated_node: cst.IndentedBlock) -> cst.IndentedBlock:
        body = self._with_flags(list(updated_node.body))
        return updated_node if body is None else updated_node.with_changes(body=body)

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        body = self._with_flags(list(updated_node.body))
        return updated_node if body is None else updated_node.with_changes(body=body)
