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
"""

from __future__ import annotations

import textwrap

import libcst as cst

from codemods.base import Example, Rule

_TRAINING = ("train_on_batch", "fit", "fit_generator")


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
    """The model of ``m.train_on_batch(...)`` / ``loss = m.fit(...)`` as a statement."""
    if not (isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1):
        return None
    small = stmt.body[0]
    value = small.value if isinstance(small, (cst.Expr, cst.Assign)) else None
    if isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute) and value.func.attr.value in _TRAINING:
        return value.func.value
    return None


class _Compiles(cst.CSTVisitor):
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


class TrainableAtCompile(Rule):
    code = "K208"
    details = (
        "Keras 2 fixed each model's trainable weights at compile; Keras 3 reads trainable when the model "
        "first trains, so a discriminator frozen after its compile (to build the combined model) never "
        "learns. Before each train_on_batch/fit of a model compiled in the module, the flags its compiling "
        "function changed are set to their value at that model's compile. Flags set in several functions "
        "are reported and left alone."
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
        if self.evidence.keras3:
            return tree
        scan = _Compiles()
        scan.enter(tree)
        tree.visit(scan)
        scan.leave()
        self.needed = self._needed_flags(scan)
        if not self.needed:
            return tree
        self.scan = scan
        self.classes: list[str] = []
        return tree.visit(self)

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
                lines = [
                    cst.parse_statement(f"{self._spelled(toggled)}.trainable = {value}\n")
                    for toggled, value in self.needed[model].items() if known.get(toggled) != value
                ]
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
