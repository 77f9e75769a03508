"""Stage 5, emission: the code of each generated function.

``FunctionBodies.body_lines`` writes a ``Function``'s units in program order; with a
training op or gradients, the forward units run under a ``tf.GradientTape`` and the
backward ones (the update, what reads it) after it. Each optimizer with slots is built
for its variables before the first step (a step creating them would be traced twice), and
slots TF1 started at 1.0 (RMSProp's mean square) are set up there; both happen at the first
step when the variables only exist once the step has run.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence

import libcst as cst

from codemods.analysis.cst_tools import nodes_of
from codemods.analysis.graph import argument, names_read, single_assignment
from codemods.analysis.optimizers import OPTIMIZERS
from codemods.graph.g101_session_to_function.feature import Feature
from codemods.graph.g101_session_to_function.model import CannotConvert, Function, Graph, Unit

ASSIGNS = {"assign": "assign", "assign_add": "assign_add", "assign_sub": "assign_sub"}


_DENSE_COMMENT = "# TF1's AdamOptimizer summed the repeated rows of a sparse gradient and updated every row.\n"


class FunctionBodies:
    def __init__(self, graph: Graph, features: Sequence[Feature]) -> None:
        self.g = graph
        self.tf = graph.tf
        self.features = features
        # Names given to differentiated expressions, by the id of their gradient call.
        self.targets: dict[int, str] = {}
        self.slots_set: set[tuple[str | None, int | None]] = set()  # optimizers whose slots were set up
        self.built_one = False  # an optimizer build was written (its comment with it)

    def function_def(self, fn: Function, gap: list[cst.EmptyLine]) -> list[cst.BaseStatement]:
        indent = self.g.module.default_indent
        lines = self.body_lines(fn)
        params = ", ".join(p.name for p in fn.params)
        if fn.params and all(p.dtype for p in fn.params):
            specs = ", ".join(f"{self.tf}.TensorSpec({p.shape}, {p.dtype})" for p in fn.params)
            decorator = f"@{self.tf}.function(input_signature=[{specs}])"
        else:
            decorator = f"@{self.tf}.function"
        text = f"{decorator}\ndef {fn.name}({params}):\n" + textwrap.indent("".join(lines), indent)
        stmt = cst.parse_module(text).body[0].with_changes(leading_lines=gap)
        setup = self.slot_setup(fn)
        if not setup:
            return [stmt]
        setup_module = cst.parse_module(setup)
        first = setup_module.body[0].with_changes(leading_lines=[*gap, *setup_module.header])
        return [first, *setup_module.body[1:], stmt]

    def slot_setup(self, fn: Function) -> str:
        """Before the first step: each optimizer built (one several training ops share for
        all their variables), and slots TF1 started at 1.0 (RMSProp's mean square) set."""
        # Gradients computed for several variable lists may be applied by one tf.group.
        computed = [u for u in fn.units if u.kind == "compute" and u.optimizer]
        return "".join(self._unit_slot_setup(unit, fn) for unit in [*fn.trains, *computed])

    def _shared_variables(self, unit: Unit, fn: Function) -> str | None:
        """The variables of every training op of ``unit``'s optimizer when they are several
        lists (a GAN's one solver minimizing D_loss and G_loss, gradients of two variable
        lists applied together): TF1 kept slots per variable and one step count; a Keras
        optimizer knows only the variables it was built for."""
        users = [u for u in self.g.units if same_optimizer(u, unit) and u.kind in ("train", "compute")]
        lists = list(dict.fromkeys(u.var_list or self.g.trainable_list(u.index) for u in users))
        if len(lists) < 2:
            return None
        if any(f"{instance}." in v for v in lists for instance in self.g.module_variables) or any(
            ".trainable_variables" in v for v in lists
        ):
            raise CannotConvert(unit.call, f"`{unit.optimizer}` trains layer variables in several ops")
        if any(u.index > fn.position for u in users):
            raise CannotConvert(unit.call, f"`{unit.optimizer}` trains ops defined after its first step runs")
        return "[" + ", ".join(f"*{v}" for v in lists) + "]"

    def _optimizer_class(self, unit: Unit) -> str:
        """The TF1 class of the optimizer ``unit`` uses (``AdamOptimizer``), or ""."""
        statement = unit.optimizer_statement
        ctor = single_assignment(self.g.body[statement])[1] if statement is not None else unit.call.func.value
        return (self.g.sym(ctor.func) or "")[len("train."):] if isinstance(ctor, cst.Call) else ""

    def _ones_slots(self, unit: Unit) -> tuple[str, str, str, bool] | None:
        """For an optimizer whose slots TF1 started at 1.0: the variables it trains, a
        comment saying why, the loop that sets the slots, and whether the variables only
        exist after the first step has run (layers and helpers create weights on first call)."""
        mapping = OPTIMIZERS.get(self._optimizer_class(unit))
        if mapping is None or not mapping.ones_slots:
            return None
        source = unit
        if unit.kind == "apply":
            source = next((u for u in self.g.units if u.kind == "compute" and same_optimizer(u, unit)), None)
            if source is None:
                raise CannotConvert(unit.call, f"`{unit.optimizer}` applies gradients it did not compute; its slots cannot be set up")
        variables = source.var_list or self.g.trainable_list(source.index)
        lazy = any(f"{instance}." in variables for instance in self.g.module_variables) or ".trainable_variables" in variables
        suffixes = mapping.ones_slots[0] if len(mapping.ones_slots) == 1 else tuple(mapping.ones_slots)
        comment = f"# TF1's {mapping.keras_name} started these slots at 1.0, Keras at 0.0.\n"
        loop = (
            f"for slot in {unit.optimizer}.variables:\n"
            f"    if slot.name.endswith({suffixes!r}):\n"
            f"        slot.assign({self.tf}.ones_like(slot))\n"
        )
        return variables, comment, loop, lazy

    def _unit_slot_setup(self, unit: Unit, fn: Function) -> str:
        if _key(unit) in self.slots_set:
            return ""
        shared = self._shared_variables(unit, fn)
        if shared is None and unit.kind == "compute":
            return ""
        slots = self._ones_slots(unit)
        if shared is not None:
            self.slots_set.add(_key(unit))
            setup = (f"# {unit.optimizer} trains several ops: built for all their variables (TF1's slots per variable, "
                     f"one step count).\n{unit.optimizer}.build({shared})\n")
            return setup + (slots[1] + slots[2] if slots is not None else "")
        if slots is not None and slots[3]:
            return ""  # lazily built variables: the step itself sets the slots up (_first_step_slots)
        if slots is not None:
            self.slots_set.add(_key(unit))
            variables, comment, loop, _ = slots
            return f"{comment}{unit.optimizer}.build({variables})\n{loop}"
        return self._build(unit)

    def _build(self, unit: Unit) -> str:
        """``optimizer.build(variables)`` before the first step: a Keras optimizer creates
        its slots in its first ``apply_gradients``, and tf.function traces a step that
        creates variables twice (its random ops twice: other streams than TF1's). Not
        when the variables only exist after a first call (layers, helper objects)."""
        kind = self._optimizer_class(unit)
        if kind not in OPTIMIZERS or kind == "GradientDescentOptimizer":
            return ""  # plain SGD has no slots: its step creates no variables
        source: Unit | None = unit
        if unit.kind == "apply":
            source = next((u for u in self.g.units if u.kind == "compute" and same_optimizer(u, unit)), None)
        if unit.kind not in ("train", "apply") or source is None or unit.optimizer in self.g.edits.built_optimizers:
            return ""
        variables = source.var_list or self.g.trainable_list(source.index)
        if any(f"{instance}." in variables for instance in self.g.module_variables) or ".trainable_variables" in variables:
            return ""
        # A var_list the steps compute (`gen_vars = [weights["w"], ...]` moved into the
        # function) is not there at the module's level.
        in_steps = {name for unit in self.g.units for name in unit.defines}
        if names_read(cst.parse_expression(variables)) & in_steps:
            return ""
        self.slots_set.add(_key(unit))
        comment = "" if self.built_one else (
            "# Keras optimizers create their slots at the first step; built now, the step\n"
            "# creates no variables and tf.function traces it once.\n"
        )
        self.built_one = True
        return f"{comment}{unit.optimizer}.build({variables})\n"

    def _dense_gradients(self, unit: Unit, fn: Function) -> list[str]:
        """TF1's AdamOptimizer summed a sparse gradient's repeated rows (an embedding
        lookup's, a gather's) and decayed every row's moments: the update of the dense
        gradient. Keras's Adam given IndexedSlices squares each repeated row alone and
        updates only the rows looked up, so the step hands it the dense gradient."""
        if not self._sparse_adam(unit, fn):
            return []
        tf = self.tf
        return [
            _DENSE_COMMENT,
            f"gradients = [{tf}.convert_to_tensor(g) if isinstance(g, {tf}.IndexedSlices) else g for g in gradients]\n",
        ]

    def _sparse_adam(self, unit: Unit, fn: Function) -> bool:
        """The step's optimizer is TF1's AdamOptimizer and its function computes a sparse gradient."""
        statement = unit.optimizer_statement
        ctor = single_assignment(self.g.body[statement])[1] if statement is not None else unit.call.func.value
        if not (isinstance(ctor, cst.Call) and self.g.sym(ctor.func) == "train.AdamOptimizer"):
            return False
        return any(self.g.sym(call.func) in _SPARSE_GRADIENTS for u in fn.units for call in _calls(u.node))

    def _first_step_slots(self, unit: Unit) -> list[str]:
        """The slot set-up inside the step, at its first trace, once the weights exist."""
        slots = self._ones_slots(unit)
        if slots is None or not slots[3]:
            return []
        if unit.kind == "apply":
            raise CannotConvert(unit.call, "optimizer slots of layer or helper variables set up around apply_gradients")
        # tf.function traces a step that creates variables twice and runs the second
        # trace, so the slots are set by a condition on the optimizer's step count.
        _, comment, loop, _ = slots
        indent = self.g.module.default_indent
        return [
            f"if not {unit.optimizer}.built:\n",
            textwrap.indent(f"{comment}{unit.optimizer}.build(variables)\n", indent),
            f"if {unit.optimizer}.iterations == 0:\n",
            textwrap.indent(loop, indent),
        ]

    def _unit_code(self, unit: Unit, tape: str = "tape") -> str:
        """The unit's statement as eager code; ``tape``: the tape its ``tf.gradients`` reads."""
        # Its comments stay where the statement was (carried to the next kept line).
        node = unit.node.with_changes(leading_lines=[])
        for feature in self.features:
            node = feature.unit_code(self.g, unit, node)
        node = self._group_statements(unit, node)
        if unit.kind == "gradients":
            node = node.visit(_ReplaceCall(unit.call, self._tape_gradient(unit.call, tape)))
        elif unit.kind == "compute":
            loss = self.targets.get(id(unit.call)) or self.g.code(argument(unit.call, 0, "loss"))
            variables = unit.var_list or self.g.trainable_list(unit.index)
            node = node.visit(_ReplaceCall(unit.call, f"list(zip(tape.gradient({loss}, {variables}), {variables}))"))
        node = node.visit(_AssignCalls(self.g))
        code = self.g.module.code_for_node(node) if isinstance(node, cst.CSTNode) else node
        if isinstance(unit.node, cst.FunctionDef):
            code += "\n"  # a blank line after a nested definition
        return _strip_leading_blank(code)

    def _group_statements(self, unit: Unit, node):
        """``step = tf.group(a.assign(x), opt.apply_gradients(gv))`` -> its calls, one
        statement each: a function runs them all, and Keras' apply_gradients returns the
        step counter, a variable tf.group refuses."""
        assignment = single_assignment(unit.node) if unit.kind == "tensor" else None
        value = assignment[1] if assignment is not None and len(assignment[0]) == 1 else None
        if not (isinstance(value, cst.Call) and self.g.sym(value.func) == "group" and value.args and all(
            isinstance(a.value, cst.Call) and a.keyword is None and not a.star for a in value.args
        )):
            return node
        return cst.Module(body=[cst.SimpleStatementLine([cst.Expr(a.value)]) for a in value.args])

    def _tape_gradient(self, call: cst.Call, tape: str) -> str:
        ys = self.targets.get(id(call)) or self.g.code(argument(call, 0, "ys"))
        xs_node = argument(call, 1, "xs")
        xs = self.g.code(xs_node)
        if isinstance(xs_node, cst.Name) and (xs_node.value in self.g.graph_names() or self.g.is_variable(xs_node)):
            xs = f"[{xs}]"
        elif isinstance(xs_node, cst.Call) and self.g.sym(xs_node.func) == "trainable_variables":
            xs = self.g.trainable_list(len(self.g.body))
        grad_ys = argument(call, 2, "grad_ys")
        extra = f", output_gradients={self.g.code(grad_ys)}" if grad_ys is not None else ""
        return f"{tape}.gradient({ys}, {xs}{extra})"

    def _watched(self, fn: Function) -> list[str]:
        watched = []
        for unit in fn.units:
            if unit.kind == "gradients":
                xs_node = argument(unit.call, 1, "xs")
                nodes = [e.value for e in xs_node.elements] if isinstance(xs_node, (cst.List, cst.Tuple)) else [xs_node]
                for node in nodes:
                    if isinstance(node, cst.Name) and node.value in self.g.graph_names():
                        watched.append(node.value)
        return watched

    def body_lines(self, fn: Function) -> list[str]:
        grad_units = [u for u in fn.units if u.kind in ("train", "apply", "compute", "gradients")]
        lines: list[str] = [
            f"{p.name} = {self.tf}.convert_to_tensor({p.name}, {p.converted})  # the fed tensor's dtype\n"
            for p in fn.params if p.converted is not None
        ]
        if not grad_units:
            lines += [self._unit_code(u) for u in fn.units]
        else:
            grad_names = {n for u in grad_units for n in u.defines}
            after: set[str] = set(grad_names)
            forward, backward = [], []
            for unit in fn.units:
                if unit in grad_units:
                    backward.append(unit)
                elif unit.reads & after:
                    backward.append(unit)
                    after |= set(unit.defines)
                else:
                    forward.append(unit)
            watched = self._watched(fn)
            penalties = self._penalties(grad_units, backward)
            if penalties:
                return self._second_order_lines(fn, grad_units, forward, backward, watched) + self._returned(fn)
            persistent = sum(1 for u in grad_units if u.kind in ("gradients", "compute", "train")) > 1
            tape_lines = [f"tape.watch({p.name})\n" for p in fn.params if p.name in watched]
            for unit in forward:
                tape_lines.append(self._unit_code(unit))
                tape_lines += [f"tape.watch({n})\n" for n in unit.defines if n in watched]
            tape_lines += self._target_lines(grad_units)
            tape_lines += self._values_before_update(fn, grad_units, forward, backward)
            if not tape_lines:
                tape_lines = ["pass\n"]
            option = "persistent=True" if persistent else ""
            lines.append(f"with {self.tf}.GradientTape({option}) as tape:\n")
            lines += [textwrap.indent(t, self.g.module.default_indent) for t in tape_lines]
            for unit in backward:
                lines += self._step_lines(unit, fn)
        return (lines + self._returned(fn)) or ["pass\n"]

    def _target_lines(self, units: list[Unit]) -> list[str]:
        """What is differentiated must be computed while the tape records: each gradient's
        or step's target that is an expression, bound to a fresh name (``self.targets``)."""
        lines = []
        for unit in units:
            if unit.kind == "apply":
                continue
            target = argument(unit.call, 0, "ys" if unit.kind == "gradients" else "loss")
            if not isinstance(target, cst.Name):
                name = self.g.fresh("loss" if unit.kind != "gradients" else "target")
                self.targets[id(unit.call)] = name
                lines.append(f"{name} = {self.g.code(target)}\n")
        return lines

    def _values_before_update(self, fn: Function, grad_units: list[Unit], forward: list[Unit],
                              backward: list[Unit]) -> list[str]:
        """Fetched values are read before the update, as TF1 did within one run; a fetched
        variable is read after it (TF1 returned its updated buffer)."""
        lines = []
        forward_names = {n for u in forward for n in u.defines}
        backward_names = {n for u in backward for n in u.defines}
        updates = any(u.kind in ("train", "apply") for u in grad_units)
        for position, value in enumerate(fn.values):
            if updates and value in fn.variable_reads:
                continue
            expression = cst.parse_expression(value)
            if value not in forward_names and not names_read(expression) & backward_names:
                leading = re.match(r"\w+", value)
                name = self.g.fresh(f"{leading.group(0)}_value" if leading else "value")
                lines.append(f"{name} = {value}\n")
                fn.values[position] = name
        return lines

    def _step_lines(self, unit: Unit, fn: Function) -> list[str]:
        """A backward unit after the tape: a training step, an applied step, or its code."""
        lines = []
        if unit.kind == "train":
            loss = self.targets.get(id(unit.call)) or self.g.code(argument(unit.call, 0, "loss"))
            variables = unit.var_list or self.g.trainable_list(unit.index)
            lines.append(f"variables = {variables}\n")
            lines.append(f"gradients = tape.gradient({loss}, variables)\n")
            lines += self._dense_gradients(unit, fn)
            lines += self._first_step_slots(unit)
            lines.append(f"{unit.optimizer}.apply_gradients(zip(gradients, variables))\n")
        elif unit.kind == "apply":
            grads = self.g.code(argument(unit.call, 0, "grads_and_vars"))
            if self._sparse_adam(unit, fn):
                tf = self.tf
                dense = f"{tf}.convert_to_tensor(g) if isinstance(g, {tf}.IndexedSlices) else g"
                lines += [_DENSE_COMMENT, f"{unit.optimizer}.apply_gradients([({dense}, v) for g, v in {grads}])\n"]
            else:
                lines.append(f"{unit.optimizer}.apply_gradients({grads})\n")
        else:
            lines.append(self._unit_code(unit))
        if unit.kind in ("train", "apply") and unit.global_step:
            lines.append(f"{unit.global_step}.assign_add(1)\n")
        return lines

    def _returned(self, fn: Function) -> list[str]:
        if fn.shape == "op":
            return []
        if fn.shape == "dict":
            pairs = ", ".join(f"{k}: {v}" for k, v in zip(fn.keys, fn.values))
            return [f"return {{{pairs}}}\n"]
        return [f"return {', '.join(fn.values)}\n"]

    @staticmethod
    def _penalties(grad_units: list[Unit], backward: list[Unit]) -> bool:
        """Whether every ``tf.gradients`` of the step feeds a loss that is trained (a
        gradient penalty, WGAN-GP's ``tf.gradients(D(x_hat), [x_hat])``): the loss is then
        differentiated through a gradient, which must itself be recorded."""
        gradients = [u for u in grad_units if u.kind == "gradients"]
        if not gradients:
            return False
        reach = {n for u in gradients for n in u.defines}
        for unit in backward:
            if unit.kind not in ("train", "apply", "compute", "gradients") and unit.reads & reach:
                reach |= set(unit.defines)
        trained = [u for u in grad_units if u.kind in ("train", "compute")]
        return bool(trained) and all(
            names_read(argument(u.call, 0, "loss")) & reach for u in trained
        ) and all(u.defines for u in gradients)

    def _second_order_lines(
        self, fn: Function, grad_units: list[Unit], forward: list[Unit], backward: list[Unit], watched: list[str]
    ) -> list[str]:
        """The step of a loss with a gradient penalty: the penalty's gradient is taken on
        an inner tape inside the tape that differentiates the loss (both record it)."""
        indent = self.g.module.default_indent
        gradients = [u for u in grad_units if u.kind == "gradients"]
        inner = [f"inner_tape.watch({p.name})\n" for p in fn.params if p.name in watched]
        for unit in forward:
            inner.append(self._unit_code(unit))
            inner += [f"inner_tape.watch({n})\n" for n in unit.defines if n in watched]
        inner += self._target_lines(gradients)
        option = "persistent=True" if len(gradients) > 1 else ""
        outer = [f"with {self.tf}.GradientTape({option}) as inner_tape:\n"]
        outer += [textwrap.indent(t, indent) for t in inner]
        steps = []
        for unit in backward:
            if unit.kind in ("train", "apply", "compute"):
                steps.append(unit)
            else:
                outer.append(self._unit_code(unit, "inner_tape"))
        outer += self._target_lines(steps)
        outer += self._values_before_update(fn, grad_units, forward, backward)
        trained = sum(1 for u in steps if u.kind in ("compute", "train")) > 1
        lines = [f"with {self.tf}.GradientTape({'persistent=True' if trained else ''}) as tape:\n"]
        lines += [textwrap.indent(t, indent) for t in outer]
        for unit in steps:
            lines += self._step_lines(unit, fn)
        return lines


class _AssignCalls(cst.CSTTransformer):
    """``tf.assign(v, x)`` -> ``v.assign(x)`` (and ``assign_add`` / ``assign_sub``)."""

    def __init__(self, graph: Graph) -> None:
        self.g = graph

    def leave_Call(self, original_node, updated_node):
        symbol = self.g.sym(original_node.func)
        if symbol in ASSIGNS and len(updated_node.args) >= 2:
            ref, value = updated_node.args[0].value, updated_node.args[1].value
            return cst.Call(
                func=cst.Attribute(ref, cst.Name(ASSIGNS[symbol])), args=[cst.Arg(value)]
            )
        return updated_node


class _ReplaceCall(cst.CSTTransformer):
    def __init__(self, target: cst.Call, code: str) -> None:
        self.target = target
        self.code = code

    def leave_Call(self, original_node, updated_node):
        if original_node is self.target:
            return cst.parse_expression(self.code)
        return updated_node


def _strip_leading_blank(code: str) -> str:
    lines = code.splitlines(keepends=True)
    while lines and not lines[0].strip():
        lines.pop(0)
    return "".join(lines)


# Ops whose gradient is IndexedSlices (rows, repeated when an index is).
_SPARSE_GRADIENTS = {"nn.embedding_lookup", "gather", "nn.embedding_lookup_sparse"}


def _calls(node: cst.CSTNode) -> list[cst.Call]:
    return nodes_of(node, cst.Call)


def _key(unit: Unit) -> tuple[str | None, int | None]:
    """The optimizer object ``unit`` steps: its name and the statement creating it."""
    return unit.optimizer, unit.optimizer_statement


def same_optimizer(a: Unit, b: Unit) -> bool:
    """``a`` and ``b`` step one optimizer: a name bound again (a second graph after
    ``reset_default_graph``) names another optimizer, with its own slots and steps."""
    return _key(a) == _key(b)
