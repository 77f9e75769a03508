"""K203: Keras 2 optimizer arguments -> Keras 3, with Keras 2's defaults kept.

Where the optimizer comes from decides what "the same optimizer" is, so this rule runs
before K101 moves the imports: standalone Keras 2.3.1 (``keras.optimizers``) had its own
defaults and formulas, TF 1.15's ``tf.keras`` (``tensorflow.keras.optimizers``) already
had Keras 3's, and only gets the ``lr``/``decay`` conversions. (That also makes the
rule idempotent: its output names ``tensorflow.keras`` optimizers.)

* ``lr=`` -> ``learning_rate=`` (Keras 3 rejects ``lr``);
* ``decay=d`` -> ``learning_rate=InverseTimeDecay(lr, decay_steps=1, decay_rate=d)``:
  Keras 2 scaled the rate by ``1 / (1 + d * iterations)`` at every step, reading the
  step counter before incrementing it, which is what Keras 3 does with that schedule;
* positional arguments after the learning rate become keywords (Keras 2's ``Adam``
  took ``amsgrad`` fourth, Keras 3's takes ``epsilon``); ``epsilon=None`` (Keras 2:
  "use ``K.epsilon()``", 1e-7) is dropped, Keras 3's default being 1e-7;
* defaults Keras 3 changed are written out with Keras 2's values: ``Adadelta``
  learning rate 1.0, ``Adagrad`` 0.01 with accumulators starting at 0, ``Adamax`` and
  ``Nadam`` 0.002 (the table is ``codemods/analysis/keras_defaults.py``);
* RMSprop and Adagrad divide by ``sqrt(v) + eps`` in Keras 2 and by ``sqrt(v + eps)`` in
  Keras 3: ``epsilon`` is written squared (1e-14 for Keras 2's 1e-7), which keeps the
  Keras 3 denominator between ``sqrt(v)`` and ``sqrt(v) + eps``, i.e. within eps of
  Keras 2's (Keras 3's default is off by a factor of several once v drops below eps,
  as it does for small gradients);
* ``compile(optimizer='adadelta')`` and other strings whose Keras 3 defaults differ
  become the optimizer object with Keras 2's values;
* Keras 2's lowercase aliases (``optimizers.adam``) -> the class.

A TF 1 optimizer given to ``compile`` (``optimizer=tf.train.AdamOptimizer(0.001)``, or a
name bound to one that nothing else uses), which Keras 2 wrapped and Keras 3 refuses,
becomes the Keras optimizer with the same update (``codemods/analysis/optimizers.py``,
the table G101 uses), TF 1's defaults written out where Keras's differ (Adam's epsilon is
1e-8 in TF 1, 1e-7 in Keras).

One optimizer object compiled into several models (a GAN's discriminator and combined
model): Keras 2 gave each model its own slots and one shared step counter (which Adam's
bias correction reads); a Keras 3 optimizer builds itself for the first model that
trains ("Unknown variable" once the second trains). When the compiles are statements of
one block, the optimizer is built for all the models' weights right after the last one
(``optimizer.build(d.weights + combined.weights)``): per-variable slots and one step
counter, as in Keras 2. Otherwise every compile after the first gets its own copy,
``optimizer.from_config(optimizer.get_config())`` (its own step counter: reported).
Models built together by one call (``self.d1, self.d2 = self.build()``) may share
layers: Keras 2 kept one set of moments per compiled model for a weight both train,
Keras 3 one per weight; that is reported, not converted.

Keras 3's Nadam uses another momentum schedule (0.96**t instead of 0.96**(0.004 t)): no
argument restores it, and the report says so.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import NamedTuple

import libcst as cst

from codemods.analysis.bindings import Bindings
from codemods.analysis.cst_tools import (
    NOT_LITERAL,
    as_keyword,
    code,
    find_kw,
    has_star,
    keyword,
    kwarg,
    literal_value,
    nodes_of,
    with_args,
)
from codemods.analysis.graph import ReadNamesVisitor, call_parts, tf1_symbol
from codemods.analysis.keras_calls import KerasRefs, keras_path, may_use_keras
from codemods.analysis.keras_defaults import OPTIMIZER_ALIASES, OPTIMIZERS, OptimizerSpec
from codemods.analysis.names import walk
from codemods.analysis.optimizers import OPTIMIZERS as TF1_OPTIMIZERS
from codemods.analysis.optimizers import keras_arguments
from codemods.base import Example, Rule


def _spec(path: str | None) -> OptimizerSpec | None:
    if not path or not path.startswith("optimizers."):
        return None
    name = path[len("optimizers.") :]
    name = OPTIMIZER_ALIASES.get(name, name) if name.islower() else name
    return OPTIMIZERS.get(name)


class OptimizerArguments(Rule):
    code = "K203"
    keras3_keeps = "its optimizers are Keras 3's and are left as they are"
    details = (
        "decay=d becomes learning_rate=keras.optimizers.schedules.InverseTimeDecay(lr, "
        "decay_steps=1, decay_rate=d), the per-step 1/(1 + d*iterations) Keras 2 applied. "
        "Adadelta(learning_rate=1.0), Adagrad(learning_rate=0.01, initial_accumulator_value=0.0), "
        "Adamax/Nadam(learning_rate=0.002) keep Keras 2's defaults, also for compile() strings. "
        "Keras 3's RMSprop and Adagrad divide by sqrt(v + epsilon) instead of sqrt(v) + epsilon: "
        "epsilon is written squared (1e-14), keeping the update within epsilon of Keras 2's. "
        "Keras 3's Nadam momentum schedule differs slightly (reported). A TF 1 optimizer passed to "
        "compile() (tf.train.AdamOptimizer(...), Keras 2 wrapped it, Keras 3 refuses it) becomes the "
        "Keras optimizer with the same update and TF 1's defaults written out (Adam epsilon=1e-08); "
        "RMSProp's mean-square accumulator started at 1.0 in TF 1 and starts at 0.0 in Keras (reported). "
        "An optimizer compiled into several models is built for all their weights after the last compile "
        "(opt.build(d.weights + combined.weights)), or copied per model (opt.from_config(opt.get_config())) "
        "when the compiles are in different blocks: a Keras 3 optimizer serves the variables it was built for."
    )
    examples = (
        Example(
            before=textwrap.dedent(
                """\
                import keras
                from keras.optimizers import SGD, Adam

                sgd = SGD(lr=0.1, decay=1e-6, momentum=0.9, nesterov=True)
                adam = Adam(0.01, 0.9, 0.999, True)
                rms = keras.optimizers.RMSprop(lr=0.01)
                model.compile(optimizer='adadelta', loss='mse')
                """
            ),
            after=textwrap.dedent(
                """\
                import keras
                from keras.optimizers import SGD, Adam

                sgd = SGD(learning_rate=keras.optimizers.schedules.InverseTimeDecay(0.1, decay_steps=1, decay_rate=1e-6), momentum=0.9, nesterov=True)
                adam = Adam(0.01, beta_1=0.9, beta_2=0.999, amsgrad=True)
                rms = keras.optimizers.RMSprop(learning_rate=0.01, epsilon=1e-14)
                model.compile(optimizer=keras.optimizers.Adadelta(learning_rate=1.0), loss='mse')
                """
            ),
        ),
        Example(
            before=textwrap.dedent(
                """\
                from tensorflow.keras.optimizers import Adadelta, RMSprop

                model.compile(optimizer=RMSprop(learning_rate=0.01), loss='mse')
                model.compile(optimizer=Adadelta(), loss='mse')
                model.compile(optimizer='adagrad', loss='mse')
                """
            ),
        ),
        Example(
            before=textwrap.dedent(
                """\
                import tensorflow as tf
                from tensorflow import keras

                model.compile(optimizer=tf.train.AdamOptimizer(0.001), loss='mse')
                sgd = tf.train.MomentumOptimizer(0.01, 0.9, use_nesterov=True)
                model.compile(loss='mse', optimizer=sgd)
                """
            ),
            after=textwrap.dedent(
                """\
                import tensorflow as tf
                from tensorflow import keras

                model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.001, epsilon=1e-08), loss='mse')
                sgd = keras.optimizers.SGD(learning_rate=0.01, momentum=0.9, nesterov=True)
                model.compile(loss='mse', optimizer=sgd)
                """
            ),
        ),
        Example(
            before=textwrap.dedent(
                """\
                from keras.optimizers import Adam

                optimizer = Adam(0.0002, 0.5)
                discriminator.compile(loss='binary_crossentropy', optimizer=optimizer)
                combined.compile(loss='binary_crossentropy', optimizer=optimizer)
                """
            ),
            after=textwrap.dedent(
                """\
                from keras.optimizers import Adam

                optimizer = Adam(0.0002, beta_1=0.5)
                discriminator.compile(loss='binary_crossentropy', optimizer=optimizer)
                combined.compile(loss='binary_crossentropy', optimizer=optimizer)
                optimizer.build(discriminator.weights + combined.weights)
                """
            ),
        ),
        Example(
            before=textwrap.dedent(
                """\
                import tensorflow as tf

                opt = tf.train.AdamOptimizer(0.001)
                model.compile(optimizer=opt, loss='mse')
                train_op = opt.minimize(loss)
                """
            ),
        ),
    )

    def rewrite(self, tree: cst.Module) -> cst.Module:
        if not may_use_keras(self.resolver):
            return tree
        self.refs = KerasRefs(self.resolver, self.context)
        self.string_names = _names_bound_to_strings(tree)
        scan = _CompileOptimizers(tree)
        walk(tree, scan)
        self.compile_only_optimizers = self._tf1_optimizers_only_compiled(scan)
        self.optimizer_copies, self.optimizer_builds = self._shared_optimizers(scan)
        return self.refs.apply(self.transformed(tree))

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call):
        if has_star(updated_node):
            return updated_node
        if id(original_node) in self.compile_only_optimizers:
            return self._tf1_optimizer(original_node, updated_node)
        path = keras_path(self.qualified_name(original_node.func))
        spec = _spec(path)
        if spec is not None:
            standalone = (self.qualified_name(original_node.func) or "").startswith("keras.")
            return self._optimizer(original_node, updated_node, spec, path, standalone)
        func = original_node.func
        if isinstance(func, cst.Attribute) and func.attr.value == "compile":
            resolved = self.qualified_name(func)
            if resolved is None or keras_path(resolved) is not None:
                return self._compile(original_node, self._own_optimizer(original_node, updated_node))
        return updated_node

    def _optimizer(self, original: cst.Call, call: cst.Call, spec: OptimizerSpec, path: str, standalone: bool) -> cst.Call:
        """``standalone``: a Keras 2.3.1 optimizer (``keras.optimizers``), whose defaults and
        positional order are written out; else TF 1.15's ``tf.keras`` one, whose defaults,
        formulas and positional order Keras 3 kept: only ``lr`` and ``decay`` change."""
        args = list(call.args)
        pos = [a for a in args if a.keyword is None]
        if standalone and len(pos) > len(spec.positional):
            self.report(original, f"`{spec.name}` called with more positional arguments than Keras 2 accepted; left as it was")
            return call
        new_args: list[cst.Arg] = []
        index = 0
        lr_given = find_kw(call, "lr") is not None
        for arg in args:
            if arg.keyword is None:
                if standalone and (index > 0 or lr_given):
                    arg = as_keyword(arg, spec.positional[index])
                index += 1
            elif keyword(arg) == "lr":
                arg = arg.with_changes(keyword=cst.Name("learning_rate"))
            elif keyword(arg) == "epsilon" and literal_value(arg.value) is None:
                continue  # Keras 2: K.epsilon() = 1e-7, Keras 3's default
            new_args.append(arg)
        rates = [a for a in new_args if keyword(a) == "learning_rate"] + [a for a in new_args if a.keyword is None][:1]
        if len(rates) > 1:
            self.report(original, "both `lr` and `learning_rate` given; left as it was")
            return call
        decay = next((a for a in new_args if keyword(a) == "decay"), None)
        if decay is not None and literal_value(decay.value) in (0, 0.0):
            new_args.remove(decay)
            decay = None
        if standalone and spec.square_epsilon:
            new_args = self._square_epsilon(new_args)
        for name, value in spec.written_out if standalone else ():
            present = any(keyword(a) == name for a in new_args) or (
                name == "learning_rate" and any(a.keyword is None for a in new_args)
            )
            if not present:
                new_args.append(kwarg(name, value))
        if decay is not None:
            new_args = self._decay_schedule(spec, new_args, decay, standalone)
        if path.rpartition(".")[2] != spec.name:
            call = call.with_changes(func=self._rename(call.func, spec.name))
        if standalone and spec.caveat:
            self.report(original, f"`{spec.name}`: {spec.caveat}", "converted")
        if [code(a) for a in new_args] == [code(a) for a in call.args]:
            return call
        return with_args(call, new_args) if new_args else call.with_changes(args=())

    @staticmethod
    def _square_epsilon(args: list[cst.Arg]) -> list[cst.Arg]:
        """Keras 2: lr*g/(sqrt(v) + eps); Keras 3: lr*g/sqrt(v + eps'). With eps' = eps**2 the
        Keras 3 denominator lies between sqrt(v) and sqrt(v) + eps."""
        eps = next((a for a in args if keyword(a) == "epsilon"), None)
        if eps is None:
            return [*args, kwarg("epsilon", "1e-14")]
        value = literal_value(eps.value)
        if isinstance(value, (int, float)) and not isinstance(value, bool) and value < 1e-10:
            return args  # already squared (no Keras 2 epsilon was that small): idempotent
        if isinstance(eps.value, cst.BinaryOperation) and isinstance(eps.value.operator, cst.Power):
            return args
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            squared = cst.parse_expression(f"{value * value:.6g}")
        else:
            inner = code(eps.value)
            squared = cst.parse_expression(f"({inner}) ** 2")
        return [a.with_changes(value=squared) if a is eps else a for a in args]

    def _decay_schedule(self, spec: OptimizerSpec, args: list[cst.Arg], decay: cst.Arg, standalone: bool) -> list[cst.Arg]:
        lr_arg = next((a for a in args if keyword(a) == "learning_rate" or a.keyword is None), None)
        default_lr = (_KERAS2_LR if standalone else _TF_KERAS_LR)[spec.name]
        lr_code = code(lr_arg.value) if lr_arg is not None else default_lr
        decay_code = code(decay.value)
        schedule = cst.parse_expression(
            f"{self.refs.ref('optimizers.schedules.InverseTimeDecay')}({lr_code}, decay_steps=1, decay_rate={decay_code})"
        )
        result = []
        for arg in args:
            if arg is decay:
                continue
            if arg is lr_arg:
                arg = as_keyword(arg, "learning_rate").with_changes(value=schedule)
            result.append(arg)
        if lr_arg is None:
            result.insert(0, kwarg("learning_rate", schedule))
        return result

    @staticmethod
    def _rename(func: cst.BaseExpression, name: str) -> cst.BaseExpression:
        if isinstance(func, cst.Attribute):
            return func.with_changes(attr=cst.Name(name))
        return func

    def _tf1_optimizer_symbol(self, node: cst.BaseExpression) -> str | None:
        """``AdamOptimizer`` for a call of ``tf.train.AdamOptimizer`` (TF 1 or compat.v1)."""
        if not isinstance(node, cst.Call):
            return None
        symbol = tf1_symbol(self.qualified_name(node.func)) or ""
        name = symbol[len("train."):] if symbol.startswith("train.") else None
        return name if name in TF1_OPTIMIZERS else None

    def _tf1_optimizers_only_compiled(self, scan: _CompileOptimizers) -> set[int]:
        """The TF 1 optimizer calls that only reach ``compile``: written inside it, or
        bound to a name assigned once whose every other use is a compile optimizer."""
        calls = {id(c) for c in scan.given if self._tf1_optimizer_symbol(c)}
        for name, (value, count) in scan.assigned.items():
            if count == 1 and self._tf1_optimizer_symbol(value) and scan.loads.get(name) == scan.given_names.get(name, 0) > 0:
                calls.add(id(value))
        return calls

    def _shared_optimizers(self, scan: _CompileOptimizers) -> tuple[dict[int, str], dict[int, str]]:
        """One optimizer object compiled into several models: the names to replace by a
        copy (by the id of the name), and the build statements to add (by the id of the
        last compile's statement)."""
        bindings = Bindings.of(scan.module)
        groups: dict[int, list[_GivenName]] = {}
        for given in scan.given_scoped:
            value = bindings.value(list(given.scopes), given.name.value)
            if not isinstance(value, cst.Call):
                continue
            path = keras_path(self.qualified_name(value.func)) or ""
            if path.startswith("optimizers.") or self._tf1_optimizer_symbol(value):
                groups.setdefault(id(value), []).append(given)
        copies: dict[int, str] = {}
        builds: dict[int, str] = {}
        for group in groups.values():
            if len(group) < 2:
                continue
            name = group[0].name.value
            models = list(dict.fromkeys(g.model for g in group))
            if len({id(g.block) for g in group}) == 1 and all(models):
                if _built_after(group[-1], name):
                    continue  # already migrated
                weights = " + ".join(f"{model}.weights" for model in models)
                builds[id(group[-1].statement)] = f"{name}.build({weights})"
                together = [pair for pair in _built_together(scan.module) if len(pair & set(models)) > 1]
                if together:
                    pair = sorted(together[0] & set(models))
                    self.report(group[-1].call, (
                        f"`{pair[0]}` and `{pair[1]}` are built together and may share layers: Keras 2 gave each "
                        f"compiled model its own `{name}` moments, so a weight both train had two sets; a Keras 3 "
                        "optimizer keeps one per weight and the shared weights' updates differ (one optimizer per "
                        "model keeps the moments apart but not Keras 2's shared step counter)"
                    ))
                self.report(group[-1].call, (
                    f"`{name}` is compiled into {len(models)} models: Keras 2 gave each its own slots and one shared "
                    f"step counter, a Keras 3 optimizer serves the variables it was built for -> {name}.build({weights}) "
                    "after the last compile (per-variable slots, one step counter)"
                ), "converted")
            else:
                copies.update((id(g.name), name) for g in group[1:])
        return copies, builds

    def _with_builds(self, original: Sequence[cst.BaseStatement], updated: Sequence[cst.BaseStatement]) -> list[cst.BaseStatement] | None:
        if not any(id(stmt) in self.optimizer_builds for stmt in original):
            return None
        body: list[cst.BaseStatement] = []
        for before, after in zip(original, updated):
            body.append(after)
            if id(before) in self.optimizer_builds:
                body.append(cst.parse_statement(self.optimizer_builds[id(before)] + "\n"))
        return body

    def leave_IndentedBlock(self, original_node: cst.IndentedBlock, updated_node: cst.IndentedBlock) -> cst.IndentedBlock:
        body = self._with_builds(original_node.body, updated_node.body)
        return updated_node if body is None else updated_node.with_changes(body=body)

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        body = self._with_builds(original_node.body, updated_node.body)
        return updated_node if body is None else updated_node.with_changes(body=body)

    def _own_optimizer(self, original: cst.Call, call: cst.Call) -> cst.Call:
        """``combined.compile(optimizer=optimizer)`` with ``optimizer`` already compiled
        into another model -> a copy of it."""
        for index, arg in enumerate(original.args):
            if id(arg.value) in self.optimizer_copies and (keyword(arg) == "optimizer" or (arg.keyword is None and index == 0)):
                name = self.optimizer_copies[id(arg.value)]
                self.report(original, (
                    f"`{name}` is compiled into another model too (in another block): Keras 2 gave each model its own "
                    f"slots, a Keras 3 optimizer serves one model's variables -> {name}.from_config({name}.get_config()), "
                    "a copy; Keras 2's models also shared the step counter (Adam's bias correction), so the first "
                    "steps differ slightly"
                ), "converted")
                copy = cst.parse_expression(f"{name}.from_config({name}.get_config())")
                return with_args(call, [a.with_changes(value=copy) if i == index else a for i, a in enumerate(call.args)])
        return call

    def _tf1_optimizer(self, original: cst.Call, call: cst.Call) -> cst.Call:
        """A TF 1 optimizer Keras 3 cannot use -> the Keras optimizer with the same update."""
        name = self._tf1_optimizer_symbol(original)
        mapping = TF1_OPTIMIZERS[name]
        code = cst.Module([]).code_for_node
        try:
            positional, keywords = call_parts(call, code)
        except ValueError:
            self.report(original, f"`{name}` given to compile() with *args/**kwargs: Keras 3 cannot use a TF 1 optimizer; use keras.optimizers.{mapping.keras_name}")
            return call
        arguments, dropped = keras_arguments(mapping, positional, keywords)
        unknown = [d for d in dropped if d not in {p[0] for p in mapping.params}]
        if unknown:
            self.report(original, f"`{name}` given to compile() with {', '.join(unknown)}, which it does not take; left as it was")
            return call
        text = ", ".join(f"{k}={v}" for k, v in arguments)
        new = cst.parse_expression(f"{self.refs.ref('optimizers.' + mapping.keras_name)}({text})")
        note = (
            f"{name} given to compile(): Keras 3 refuses TF 1 optimizers (Keras 2 wrapped them); "
            f"-> keras.optimizers.{mapping.keras_name}({text}), the same update"
        )
        given = {p[0] for p in mapping.params[: len(positional)]} | set(keywords)
        defaults = [f"{k}={v}" for t, k, v in mapping.params if k in mapping.explicit and t not in given and v is not None]
        defaults += [f"{k}={v}" for k, v in mapping.extra.items()]
        if defaults:
            note += f" with TF 1's defaults written out where Keras's differ ({', '.join(defaults)})"
        if dropped:
            note += f"; dropped {', '.join(dropped)}"
        if mapping.ones_slots:
            note += (f"; TF 1 started its accumulator at 1.0 and Keras 3's {mapping.keras_name} starts it at 0.0 "
                     "(no option): the first steps differ")
        self.report(original, note, "converted")
        return new.with_changes(lpar=call.lpar, rpar=call.rpar)

    def _compile(self, original: cst.Call, call: cst.Call) -> cst.Call:
        if not self.resolver.imports_from("keras"):
            return call  # tf.keras strings: TF 1.15's tf.keras defaults are Keras 3's
        target = find_kw(call, "optimizer")
        if target is None:
            pos = [a for a in call.args if a.keyword is None]
            target = pos[0] if pos else None
        if target is None:
            return call
        value = literal_value(target.value)
        if isinstance(target.value, cst.Name) and target.value.value in self.string_names:
            self.report(original, (
                f"optimizer given by `{target.value.value}`, a name bound to strings: Keras 3's defaults for "
                "an optimizer named by a string can differ from Keras 2's (adadelta's learning rate was 1.0, "
                "adagrad's 0.01); pass optimizer objects with the values written out"
            ))
            return call
        if value is NOT_LITERAL or not isinstance(value, str):
            return call
        spec = OPTIMIZERS.get(OPTIMIZER_ALIASES.get(value.lower(), ""))
        if spec is None:
            return call
        written = list(spec.written_out) + ([("epsilon", "1e-14")] if spec.square_epsilon else [])
        if not written:
            return call
        keywords = ", ".join(f"{k}={v}" for k, v in written)
        obj = cst.parse_expression(f"{self.refs.ref('optimizers.' + spec.name)}({keywords})")
        self.report(original, f"optimizer {value!r}: Keras 3's {spec.name} defaults differ from Keras 2's; written out ({keywords})", "converted")
        if spec.caveat:
            self.report(original, f"`{spec.name}`: {spec.caveat}", "converted")
        return with_args(call, [a.with_changes(value=obj) if a is target else a for a in call.args])


def _built_after(given: _GivenName, name: str) -> bool:
    """Is the statement after this compile ``<name>.build(...)``?"""
    body = list(given.block.body)
    index = next((i for i, stmt in enumerate(body) if stmt is given.statement), None)
    following = body[index + 1] if index is not None and index + 1 < len(body) else None
    if not (isinstance(following, cst.SimpleStatementLine) and isinstance(following.body[0], cst.Expr)):
        return False
    call = following.body[0].value
    return isinstance(call, cst.Call) and cst.Module([]).code_for_node(call.func) == f"{name}.build"


def _built_together(module: cst.Module) -> list[set[str]]:
    """The names assigned together from one value (``self.d1, self.d2 = self.build()``)."""
    found = []
    for assign in nodes_of(module, cst.Assign):
        for target in assign.targets:
            if isinstance(target.target, (cst.Tuple, cst.List)):
                names = {code(e.value) for e in target.target.elements if isinstance(e, cst.Element)}
                if len(names) > 1:
                    found.append(names)
    return found


class _GivenName(NamedTuple):
    """A name given to ``compile`` as its optimizer."""

    name: cst.Name
    scopes: tuple[cst.CSTNode, ...]
    call: cst.Call
    statement: cst.CSTNode | None  # the simple statement holding the compile call
    block: cst.CSTNode  # the block (or module) holding that statement
    model: str | None  # the compiled model as dotted code (`self.discriminator`)


class _CompileOptimizers(ReadNamesVisitor):
    """What ``compile`` receives as its optimizer (``compile(optimizer=x)`` or first
    positional), the names assigned (value, times) and how often each name is read."""

    def __init__(self, module: cst.Module) -> None:
        super().__init__()
        self.module = module
        self.scopes: list[cst.CSTNode] = [module]
        self.given: list[cst.BaseExpression] = []
        self.given_names: dict[str, int] = {}
        # Names given as optimizers, in source order, with where they are read.
        self.given_scoped: list[_GivenName] = []
        self.blocks: list[cst.CSTNode] = [module]
        self.statement: cst.CSTNode | None = None
        self.assigned: dict[str, tuple[cst.BaseExpression, int]] = {}
        self.loads: dict[str, int] = {}

    def visit_Call(self, node: cst.Call) -> None:
        if not (isinstance(node.func, cst.Attribute) and node.func.attr.value == "compile"):
            return
        target = find_kw(node, "optimizer") or next((a for a in node.args if a.keyword is None and not a.star), None)
        if target is not None:
            self.given.append(target.value)
            if isinstance(target.value, cst.Name):
                self.given_names[target.value.value] = self.given_names.get(target.value.value, 0) + 1
                model = node.func.value
                dotted = cst.Module([]).code_for_node(model) if isinstance(model, (cst.Name, cst.Attribute)) else None
                self.given_scoped.append(
                    _GivenName(target.value, tuple(self.scopes), node, self.statement, self.blocks[-1], dotted)
                )

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        self.statement = node

    def visit_IndentedBlock(self, node: cst.IndentedBlock) -> None:
        self.blocks.append(node)

    def leave_IndentedBlock(self, original_node: cst.IndentedBlock) -> None:
        self.blocks.pop()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.scopes.append(node)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.scopes.pop()

    def visit_Assign(self, node: cst.Assign) -> bool:
        for t in node.targets:
            if isinstance(t.target, cst.Name):
                _, count = self.assigned.get(t.target.value, (None, 0))
                self.assigned[t.target.value] = (node.value, count + 1)
            else:
                walk(t.target, self)
        walk(node.value, self)
        return False

    def visit_Name(self, node: cst.Name) -> None:
        self.loads[node.value] = self.loads.get(node.value, 0) + 1

    def visit_ImportAlias(self, node: cst.ImportAlias) -> bool:
        return False


def _names_bound_to_strings(tree: cst.Module) -> set[str]:
    """Names assigned a string literal, or looping over a list or tuple of them."""
    names: set[str] = set()

    def strings(node) -> bool:
        if isinstance(node, (cst.List, cst.Tuple)):
            return bool(node.elements) and all(isinstance(e.value, cst.SimpleString) for e in node.elements)
        return isinstance(node, cst.SimpleString)

    for node in nodes_of(tree, (cst.Assign, cst.For)):
        if isinstance(node, cst.Assign) and isinstance(node.value, cst.SimpleString):
            names.update(t.target.value for t in node.targets if isinstance(t.target, cst.Name))
        elif isinstance(node, cst.For) and isinstance(node.target, cst.Name) and strings(node.iter):
            names.add(node.target.value)
    return names


# TF 1.15 tf.keras's default learning rates (Keras 3's).
_TF_KERAS_LR = {"SGD": "0.01", "RMSprop": "0.001", "Adam": "0.001", "Adagrad": "0.001", "Adadelta": "0.001", "Adamax": "0.001", "Nadam": "0.001"}
# Keras 2.3.1's default learning rates.
_KERAS2_LR = {"SGD": "0.01", "RMSprop": "0.001", "Adam": "0.001", "Adagrad": "0.01", "Adadelta": "1.0", "Adamax": "0.002", "Nadam": "0.002"}
