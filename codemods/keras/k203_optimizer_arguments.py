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

Keras 3's Nadam uses another momentum schedule (0.96**t instead of 0.96**(0.004 t)): no
argument restores it, and the report says so.
"""

from __future__ import annotations

import textwrap

import libcst as cst

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
from codemods.analysis.keras_calls import KerasRefs, keras_path, may_use_keras
from codemods.analysis.keras_defaults import OPTIMIZER_ALIASES, OPTIMIZERS, OptimizerSpec
from codemods.base import Example, Rule


def _spec(path: str | None) -> OptimizerSpec | None:
    if not path or not path.startswith("optimizers."):
        return None
    name = path[len("optimizers.") :]
    name = OPTIMIZER_ALIASES.get(name, name) if name.islower() else name
    return OPTIMIZERS.get(name)


class OptimizerArguments(Rule):
    code = "K203"
    details = (
        "decay=d becomes learning_rate=keras.optimizers.schedules.InverseTimeDecay(lr, "
        "decay_steps=1, decay_rate=d), the per-step 1/(1 + d*iterations) Keras 2 applied. "
        "Adadelta(learning_rate=1.0), Adagrad(learning_rate=0.01, initial_accumulator_value=0.0), "
        "Adamax/Nadam(learning_rate=0.002) keep Keras 2's defaults, also for compile() strings. "
        "Keras 3's RMSprop and Adagrad divide by sqrt(v + epsilon) instead of sqrt(v) + epsilon: "
        "epsilon is written squared (1e-14), keeping the update within epsilon of Keras 2's. "
        "Keras 3's Nadam momentum schedule differs slightly (reported)."
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
    )

    def rewrite(self, tree: cst.Module) -> cst.Module:
        if not may_use_keras(self.resolver):
            return tree
        self.refs = KerasRefs(self.resolver, self.context)
        self.string_names = _names_bound_to_strings(tree)
        new = self.refs.apply(tree.visit(self))
        return self.unless_keras3(tree, new, "its optimizers are Keras 3's and are left as they are")

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call):
        if has_star(updated_node):
            return updated_node
        path = keras_path(self.qualified_name(original_node.func))
        spec = _spec(path)
        if spec is not None:
            standalone = (self.qualified_name(original_node.func) or "").startswith("keras.")
            return self._optimizer(original_node, updated_node, spec, path, standalone)
        func = original_node.func
        if isinstance(func, cst.Attribute) and func.attr.value == "compile":
            resolved = self.qualified_name(func)
            if resolved is None or keras_path(resolved) is not None:
                return self._compile(original_node, updated_node)
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
