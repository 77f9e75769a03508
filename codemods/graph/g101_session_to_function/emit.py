"""Stage 5, emission: the planned functions written, the run sites rewritten.

``emit`` walks the graph's block once, statement by statement: statements analysis
removed go (their comments move to the next kept line), optimizers become Keras
optimizers, the run sites call the generated functions, and each ``Function`` is
written after the statement ``Function.position``. Where its results go is the
``Layout``: ``ModuleLayout`` writes module-level (or ``main()``-level) functions;
the model-class feature's ``class_layout.ClassLayout`` writes ``__init__`` and methods. The code
inside each function is ``bodies.FunctionBodies``'.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import libcst as cst

from codemods.analysis.graph import argument, call_parts, calls_in, expression_of, names_read, single_assignment
from codemods.analysis.optimizers import OPTIMIZERS, keras_arguments
from codemods.graph.g101_session_to_function.analysis import DISABLING_CALLS
from codemods.graph.g101_session_to_function.bodies import FunctionBodies
from codemods.graph.g101_session_to_function.feature import Feature
from codemods.graph.g101_session_to_function.model import CannotConvert, Function, Graph, Initialisation, Plan, Planned
from codemods.graph.g101_session_to_function.plan import fetch_elements
from codemods.graph.g101_session_to_function.scope import SESSIONS


class Layout(Protocol):
    """Where the converted statements and the generated functions go."""

    def name_functions(self, emitter: Emitter) -> None:
        """Rename the planned functions, before anything is written."""

    def invocation(self, call: str) -> str:
        """How a run site calls a generated function (``train_step(x)``)."""

    def block(self, index: int) -> list[cst.BaseStatement]:
        """The list the output of statement ``index`` of the graph's block goes to."""

    def carried_comments(self, index: int, carried: list[cst.EmptyLine]) -> list[cst.EmptyLine]:
        """The comments (and blank lines) of removed statements that statement ``index``
        still carries; the layout may drop them or keep them for elsewhere."""

    def replace(self, stmt: cst.BaseStatement, replacement: cst.BaseStatement) -> cst.BaseStatement:
        """A statement a feature replaces whole (a variable helper's class)."""

    def add_functions(self, emitter: Emitter, index: int, functions: list[Function], block: list[cst.BaseStatement]) -> None:
        """Write the functions defined after statement ``index`` (``block`` holds its output)."""

    def add_definition(self, definition: cst.FunctionDef, block: list[cst.BaseStatement]) -> None:
        """A function a feature defines among the statements of ``block``."""

    def finish(self, emitter: Emitter) -> cst.Module:
        """The converted module."""


def emit(
    graph: Graph, plan: Plan, initialisation: Initialisation, features: Sequence[Feature], layout: Layout
) -> cst.Module:
    emitter = Emitter(graph, plan, initialisation, features, layout)
    layout.name_functions(emitter)
    emitter.convert_block()
    return layout.finish(emitter)


class ModuleLayout:
    """Functions at the graph's level: the module, or the body of ``main()``."""

    def __init__(self, graph: Graph) -> None:
        self.g = graph
        self.body: list[cst.BaseStatement] = []
        self.gap_after: set[int] = set()

    def name_functions(self, emitter: Emitter) -> None:
        pass

    def invocation(self, call: str) -> str:
        return call

    def block(self, index: int) -> list[cst.BaseStatement]:
        return self.body

    def carried_comments(self, index: int, carried: list[cst.EmptyLine]) -> list[cst.EmptyLine]:
        return carried

    def replace(self, stmt: cst.BaseStatement, replacement: cst.BaseStatement) -> cst.BaseStatement:
        return replacement

    def add_functions(self, emitter: Emitter, index: int, functions: list[Function], block: list[cst.BaseStatement]) -> None:
        generated = [d for fn in functions for d in emitter.bodies.function_def(fn, self.gap())]
        if generated:
            block.extend(generated)
            self.gap_after.add(len(block))

    def add_definition(self, definition: cst.FunctionDef, block: list[cst.BaseStatement]) -> None:
        block.append(definition.with_changes(leading_lines=self.gap()))
        self.gap_after.add(len(block))

    def gap(self) -> list[cst.EmptyLine]:
        """Blank lines around a generated function: two at module level, one nested."""
        return [cst.EmptyLine(indent=False)] * (2 if self.g.owner is None else 1)

    def finish(self, emitter: Emitter) -> cst.Module:
        g = self.g
        body = self.body
        for position in self.gap_after:
            if position < len(body):
                body[position] = body[position].with_changes(
                    leading_lines=[*self.gap(), *without_blank(body[position].leading_lines)]
                )
        if g.owner is None:
            module = g.module.with_changes(body=body)
        else:
            module = g.module.deep_replace(g.owner, g.owner.with_changes(body=g.owner.body.with_changes(body=body)))
            for feature in emitter.features:
                module = feature.finish_module(g, module)
        return module.with_changes(body=[emitter.plain_import(s) for s in module.body if not emitter.disables(s)])


class Emitter(cst.CSTTransformer):
    """Rewrites the statements of the graph's block (a transformer for the kept ones)."""

    def __init__(
        self, graph: Graph, plan: Plan, initialisation: Initialisation, features: Sequence[Feature], layout: Layout
    ) -> None:
        self.g = graph
        self.tf = graph.tf
        self.sites = plan
        self.initialisation = initialisation
        self.features = features
        self.layout = layout
        self.bodies = FunctionBodies(graph, features)
        self.defined: dict[int, list[Function]] = {}
        self.unpacked: set[int] = set()  # run calls whose results a tuple assignment unpacks
        self.index = 0  # the statement of the graph's block being written
        seen = set()
        for fn, *_ in plan.values():
            if id(fn) not in seen:
                seen.add(id(fn))
                self.defined.setdefault(fn.position, []).append(fn)

    def functions(self) -> list[Function]:
        """The planned functions, each once, in plan order."""
        seen: dict[int, Function] = {}
        for fn, *_ in self.sites.values():
            seen.setdefault(id(fn), fn)
        return list(seen.values())

    def convert_block(self) -> None:
        g = self.g
        edits = g.edits
        layout = self.layout
        carried: list[cst.EmptyLine] = []  # comments and blank lines of removed statements
        for index, stmt in enumerate(g.body):
            self.index = index
            body = layout.block(index)
            carried = layout.carried_comments(index, carried)
            kept_before = len(body)
            unit = next((u for u in g.units if u.index == index), None)
            for text in edits.inserted.get(index, []):
                inserted = cst.parse_statement(f"{text}\n")
                if isinstance(inserted, cst.FunctionDef):  # a feature's helper (a summary writer, a dataset builder)
                    layout.add_definition(inserted, body)
                else:
                    body.append(inserted)
            if index in self.initialisation.initial_values:
                stmt = self.initial_value_functions(index, stmt, body)
            if index in edits.inline_steps:
                body.append(cst.parse_statement(
                    f'{edits.inline_steps[index]} = {self.tf}.Variable(0, trainable=False, dtype={self.tf}.int64, name="global_step")\n'))
            replacement = next(
                (r for r in (feature.replace_statement(g, stmt) for feature in self.features) if r is not None), None
            )
            if replacement is not None:
                body.append(layout.replace(stmt, replacement))
            elif index in edits.rewritten:
                body.append(edits.rewritten[index])
            elif index in edits.removed or unit is not None:
                if unit is not None and index in g.inline_optimizers:
                    body.append(self.optimizer_statement(g.inline_optimizers[index], unit.call.func.value, stmt))
                else:
                    carried.extend(stmt.leading_lines)
            elif index in g.optimizer_statements:
                name = g.optimizer_statements[index]
                body.append(self.optimizer_statement(name, single_assignment(stmt)[1], stmt))
            elif any(i == index and k == "global_step" for i, _, k in g.variables):
                body.append(stmt.with_changes(body=[stmt.body[0].with_changes(value=cst.parse_expression(
                    f'{self.tf}.Variable(0, trainable=False, dtype={self.tf}.int64, name="global_step")'))]))
            else:
                new = stmt.visit(self)
                if isinstance(new, cst.FlattenSentinel):
                    body.extend(new.nodes)
                elif isinstance(new, cst.RemovalSentinel):
                    carried.extend(stmt.leading_lines)
                else:
                    body.append(new)
            if carried and len(body) > kept_before:
                first = body[kept_before]
                if edits.inserted.get(index) and isinstance(first, cst.FunctionDef):
                    # An inserted definition: its blank lines above the comments.
                    blank = [line for line in first.leading_lines if line.comment is None]
                    lines = [*blank, *without_blank(carried), *without_blank(first.leading_lines)]
                else:
                    lines = merge_lines(carried, first.leading_lines)
                body[kept_before] = first.with_changes(leading_lines=lines)
                carried = []
            body.extend(self.first_draw_copies(index))
            layout.add_functions(self, index, self.defined.get(index, []), body)

    def initial_value_functions(self, index: int, stmt: cst.BaseStatement, body: list[cst.BaseStatement]) -> cst.BaseStatement:
        """``w = tf.Variable(tf.random_normal(...))`` whose initializer runs again: the
        initial value goes into a ``@tf.function`` (one random op, drawn again at each
        call) and the variable is created from its first call. Returns the statement."""
        gap = self.layout.gap() if isinstance(self.layout, ModuleLayout) else [cst.EmptyLine(indent=False)]
        lines = without_blank(stmt.leading_lines)
        values = self.initialisation.initial_values[index]
        if all(value.first_draw for value in values):
            return stmt  # the copies of the first values follow the statement (first_draw_copies)
        for value in values:
            if value.first_draw:
                continue
            assert value.value is not None
            text = f"@{self.tf}.function\ndef {value.function}():\n{self.g.module.default_indent}return {self.g.code(value.value)}\n"
            # No blank line opens a block (`def main():` then the function).
            body.append(cst.parse_statement(text).with_changes(leading_lines=[*(gap if body else []), *lines]))
            lines = []
            created = value.code
            if value.undrawn:  # traced now (its random op's seed), drawn first by the initializer run
                traced = f"{value.function}.get_concrete_function()"
                created = f"{self.tf}.zeros({traced}.output_shapes, {traced}.output_dtypes)"
            stmt = stmt.deep_replace(value.value, cst.parse_expression(created))
        return stmt.with_changes(leading_lines=gap)

    def first_draw_copies(self, index: int) -> list[cst.BaseStatement]:
        """``initial_w = tf.identity(w)`` right after ``w``'s creation: the value TF1's
        initializer gives ``w`` again at the start of each new session."""
        return [
            cst.parse_statement(f"{value.function} = {self.tf}.identity({value.variable})\n")
            for value in self.initialisation.initial_values.get(index, [])
            if value.first_draw
        ]

    def disables(self, stmt) -> bool:
        """``tf.disable_v2_behavior()`` and friends have no place in converted code."""
        expr = expression_of(stmt)
        return isinstance(expr, cst.Call) and self.g.sym(expr.func) in DISABLING_CALLS

    def plain_import(self, stmt):
        if not isinstance(stmt, cst.SimpleStatementLine):
            return stmt
        small = stmt.body[0]
        if isinstance(small, cst.Import):
            names = [
                a.with_changes(name=cst.Name("tensorflow")) if a.evaluated_name == "tensorflow.compat.v1" else a
                for a in small.names
            ]
            return stmt.with_changes(body=[small.with_changes(names=names)])
        return stmt

    def optimizer_statement(self, name: str, call: cst.Call, stmt) -> cst.BaseStatement:
        symbol = self.g.sym(call.func)[len("train."):]
        mapping = OPTIMIZERS[symbol]
        positional, keywords = call_parts(call, self.g.code)
        arguments, dropped = keras_arguments(mapping, positional, keywords)
        arguments = [(k, _learning_rate_code(self.g, call, v) if k == "learning_rate" else v) for k, v in arguments]
        text = ", ".join(f"{k}={v}" for k, v in arguments)
        new = cst.parse_statement(f"{name} = {self.tf}.keras.optimizers.{mapping.keras_name}({text})\n")
        note = f"{symbol} -> keras.optimizers.{mapping.keras_name}({text})"
        if dropped:
            note += f"; dropped {', '.join(dropped)}"
        self.g.report(call, note, kind="converted")
        return new.with_changes(leading_lines=stmt.leading_lines)

    # -- call sites ------------------------------------------------------------------
    def _call(self, fn: Function, site_call: cst.Call) -> str:
        return self.layout.invocation(self._plain_call(fn, site_call))

    def _plain_call(self, fn: Function, site_call: cst.Call) -> str:
        feed_node = self.g.edits.site_feeds.get(id(site_call))
        feed = {}
        if isinstance(feed_node, cst.Dict):
            feed = {e.key.value: self.g.code(e.value) for e in feed_node.elements}
        names = [p.name for p in fn.params]
        fed_order = [name for name in feed if name in names]
        drawing = [e for e in feed_node.elements if e.key.value in names and calls_in(e.value)] if feed else []
        if fed_order != [name for name in names if name in feed] and len(drawing) > 1:
            # TF1 evaluated the feed values in the dict's order (`np.random` draws):
            # keywords keep that order.
            given = [f"{name}={feed[name]}" for name in fed_order]
            given += [f"{p.name}={p.default}" for p in fn.params if p.name not in feed]
            return f"{fn.name}({', '.join(given)})"
        args = ", ".join(feed.get(p.name, p.default) for p in fn.params)
        return f"{fn.name}({args})"

    def leave_Attribute(self, original_node: cst.Attribute, updated_node: cst.Attribute):
        static = self.g.edits.static_reads.get(id(original_node))
        if static is not None:
            return cst.parse_expression(static)
        planned = self.sites.get(id(original_node))
        return updated_node if planned is None else cst.parse_expression(self._traced_read(planned, original_node))

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name):
        static = self.g.edits.static_reads.get(id(original_node))
        if static is not None:
            return cst.parse_expression(static)
        planned = self.sites.get(id(original_node))
        if planned is not None and planned.passed:
            # A graph tensor given to a helper that runs it: the function computing it.
            return cst.parse_expression(self.layout.invocation(planned.function.name))
        return updated_node if planned is None else cst.parse_expression(self._traced_read(planned, original_node))

    def _traced_read(self, planned: Planned, node: cst.CSTNode) -> str:
        """``h.shape`` of a computed tensor, or ``h`` printed: the output of its function,
        traced for the placeholders' declarations (what TF1's graph knew while it was built;
        ``print(h)`` printed TF1's symbolic tensor, the trace's is its counterpart)."""
        if not isinstance(self.layout, ModuleLayout):
            raise CannotConvert(node, "a static shape read of a model class's tensor outside its runs")
        fn = planned.function
        specs = ", ".join(f"{self.tf}.TensorSpec({p.shape}, {p.dtype})" for p in fn.params)
        outputs = {"shape": "output_shapes", "dtype": "output_dtypes", "tensor": "structured_outputs"}[planned.static or "shape"]
        return f"{self.layout.invocation(fn.name)}.get_concrete_function({specs}).{outputs}"

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call):
        static = self.g.edits.static_reads.get(id(original_node))
        if static is not None:
            return cst.parse_expression(static)
        run = self.g.edits.parameter_runs.get(id(original_node))
        if run is not None:
            # `session.run(layer, feed_dict={x: [image]})` in a helper: it is given the function.
            given = ", ".join(f"{name}={self.g.code(value)}" for name, value in run.feed.items())
            return cst.parse_expression(f"{run.param}({given}).numpy()")
        planned = self.sites.get(id(original_node))
        if planned is not None and planned.static is not None:
            return cst.parse_expression(self._traced_read(planned, original_node))
        if planned is not None:
            return cst.parse_expression(self._value_expression(planned.function, planned.shape, original_node))
        for feature in self.features:
            rewritten = feature.rewrite_call(self.g, original_node)
            if rewritten is not None:
                return rewritten
        if self.g.sym(original_node.func) == "train.global_step":
            session, step = argument(original_node, 0, "sess"), argument(original_node, 1, "global_step_tensor")
            sessions = self.g.session_names()
            if isinstance(session, cst.Name) and session.value in sessions and self.g.is_variable(step):
                # TF1's helper was int(sess.run(global_step_tensor)).
                return cst.parse_expression(f"int({self.g.code(step)}.numpy())")
        if updated_node.args and len(updated_node.args) < len(original_node.args):
            # A session argument was dropped: no comma after what is now the last one.
            args = list(updated_node.args)
            args[-1] = args[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
            updated_node = updated_node.with_changes(args=args)
        return self._variable_read(original_node, updated_node)

    def _variable_read(self, original, updated):
        func = original.func
        if not isinstance(func, cst.Attribute):
            return updated
        sessions = self.g.session_names()
        fetch = None
        if func.attr.value == "run" and isinstance(func.value, cst.Name) and func.value.value in sessions:
            fetch = argument(original, 0, "fetches")
        elif func.attr.value == "eval" and self.g.is_variable(func.value):
            fetch = func.value
        if fetch is None:
            return updated
        elements, shape, keys = fetch_elements(self.g, fetch)
        if not all(self.g.is_variable(e) for e in elements):
            return updated
        reads = [f"{self.g.variable_code(e)}.numpy()" for e in elements]
        if shape == "single":
            return cst.parse_expression(reads[0])
        if shape == "dict":
            return cst.parse_expression("{" + ", ".join(f"{k}: {v}" for k, v in zip(keys, reads)) + "}")
        text = ", ".join(reads)
        return cst.parse_expression(f"[{text}]" if shape == "list" else f"({text},)")

    def _value_expression(self, fn: Function, shape: str, call: cst.Call) -> str:
        invocation = self._call(fn, call)
        if shape == "op":
            return invocation
        if fn.structured:
            # sess.run returned nested lists/dicts of NumPy values; so does this (a fetched
            # list is a list again, not the tuple the function returns).
            converted = f"{self.tf}.nest.map_structure(lambda value: value.numpy(), {invocation})"
            if shape in ("list", "tuple") and len(fn.values) == 1:
                return f"[{converted}]" if shape == "list" else f"({converted},)"
            return f"list({converted})" if shape == "list" else converted
        if shape == "single":
            return f"{invocation}.numpy()"
        if shape == "dict":
            return f"{{key: value.numpy() for key, value in {invocation}.items()}}"
        # TF1 gave None for each training op in a fetched list: `sess.run([train_op, loss])[1]`,
        # `return sess.run([loss, train_op])` (`_, l = sess.run(...)` drops them instead: leave_Assign).
        ops = [] if id(call) in self.unpacked else self._fetched_ops(call)
        if len(fn.values) == 1:
            one = f"{invocation}.numpy()"
            text = ", ".join("None" if op else one for op in ops) if any(ops) else one
            return f"({text},)" if shape == "tuple" else f"[{text}]"
        if not any(ops):
            if shape == "tuple":
                return f"tuple(value.numpy() for value in {invocation})"
            return f"[value.numpy() for value in {invocation}]"
        first, last = ops.index(False), len(ops) - 1 - ops[::-1].index(False)
        if any(ops[first:last]):
            raise CannotConvert(call, "a training op fetched between values, with the result used as a list")
        text = ", ".join(["None"] * first + [f"*(value.numpy() for value in {invocation})"] + ["None"] * (len(ops) - 1 - last))
        return f"({text})" if shape == "tuple" else f"[{text}]"

    def _fetched_ops(self, call: cst.Call) -> list[bool]:
        """For each element of a fetched list: a training op (TF1 gave None for it)."""
        fetch = argument(call, 0, "fetches") if isinstance(call.func, cst.Attribute) and call.func.attr.value == "run" else None
        if not isinstance(fetch, (cst.List, cst.Tuple)):
            return []
        return [self.g.gives_no_value(e.value, self.index) and not self.g.is_init(e.value) for e in fetch.elements]

    def visit_Assign(self, node: cst.Assign) -> None:
        if len(node.targets) == 1 and isinstance(node.targets[0].target, (cst.Tuple, cst.List)):
            self.unpacked.add(id(node.value))

    def leave_Assign(self, original_node: cst.Assign, updated_node: cst.Assign):
        """``_, c = sess.run([train_op, cost])`` -> ``c = train_step(...).numpy()``."""
        value = original_node.value
        if not isinstance(value, cst.Call) or id(value) not in self.sites or len(original_node.targets) != 1:
            return updated_node
        fn = self.sites[id(value)][0]
        target = original_node.targets[0].target
        fetch = argument(value, 0, "fetches")
        func = value.func
        if func.attr.value != "run" or not isinstance(fetch, (cst.List, cst.Tuple)):
            return updated_node
        if not isinstance(target, (cst.Tuple, cst.List)) or len(target.elements) != len(fetch.elements):
            return updated_node
        kept = []
        for element, fetched in zip(target.elements, fetch.elements):
            if self.g.gives_no_value(fetched.value, self.index):
                if not (isinstance(element.value, cst.Name) and element.value.value == "_"):
                    raise CannotConvert(value, "the result of a training op is kept")
                continue
            kept.append(element.value)
        invocation = self._call(fn, value)
        if not kept:
            return cst.Expr(cst.parse_expression(invocation))
        if fn.structured:
            value = f"{self.tf}.nest.map_structure(lambda value: value.numpy(), {invocation})"
        elif len(kept) == 1:
            value = f"{invocation}.numpy()"
        else:
            value = f"[value.numpy() for value in {invocation}]"
        names = ", ".join(self.g.code(k) for k in kept)
        return updated_node.with_changes(
            targets=[cst.AssignTarget(cst.parse_expression(names))], value=cst.parse_expression(value)
        )

    def leave_Expr(self, original_node: cst.Expr, updated_node: cst.Expr):
        planned = self.sites.get(id(original_node.value))
        if planned is not None and planned.static is None:
            return updated_node.with_changes(value=cst.parse_expression(self._call(planned.function, original_node.value)))
        return updated_node

    def leave_SimpleStatementLine(self, original_node, updated_node):
        for feature in self.features:
            rewritten = feature.rewrite_statement(self.g, original_node, updated_node)
            if rewritten is not None:
                return rewritten
        small = original_node.body[0] if len(original_node.body) == 1 else None
        if isinstance(small, cst.Expr) and isinstance(small.value, cst.Call):
            call = small.value
            func = call.func
            if self.g.sym(func) == "reset_default_graph":
                return cst.RemovalSentinel.REMOVE  # eager code has no default graph to reset
            if isinstance(func, cst.Attribute):
                receiver = func.value
                sessions = self.g.session_names()
                if isinstance(receiver, cst.Name) and receiver.value in sessions and func.attr.value == "close":
                    return cst.RemovalSentinel.REMOVE
                if func.attr.value == "run":
                    fetch = argument(call, 0, "fetches") if isinstance(receiver, cst.Name) and receiver.value in sessions else receiver
                    if fetch is not None and self.g.is_init(fetch):
                        return self._initializer_run(original_node, call)
        if single_assignment(original_node) is not None:
            names, value = single_assignment(original_node)
            if isinstance(value, cst.Call) and self.g.sym(value.func) in SESSIONS:
                return cst.RemovalSentinel.REMOVE
            if id(value) in self.g.edits.feed_assignments:
                return cst.RemovalSentinel.REMOVE
        return updated_node

    def _initializer_run(self, stmt: cst.SimpleStatementLine, call: cst.Call):
        """An initializer run: gone (the variables' creation initialised them), or
        the variables it sets back to their initial value, one assignment each."""
        lines = self.initialisation.assignments.get(id(call))
        if not lines:
            return cst.RemovalSentinel.REMOVE
        statements = [cst.parse_statement(f"{line}\n") for line in lines]
        statements[0] = statements[0].with_changes(leading_lines=stmt.leading_lines)
        statements[-1] = statements[-1].with_changes(trailing_whitespace=stmt.trailing_whitespace)
        return cst.FlattenSentinel(statements)

    def leave_With(self, original_node: cst.With, updated_node: cst.With):
        item = original_node.items[0].item
        if isinstance(item, cst.Call) and self.g.sym(item.func) in SESSIONS:
            statements = list(updated_node.body.body)
            if not statements:
                return cst.RemovalSentinel.REMOVE
            statements[0] = statements[0].with_changes(
                leading_lines=[*original_node.leading_lines, *statements[0].leading_lines]
            )
            return cst.FlattenSentinel(statements)
        return updated_node

    def leave_IndentedBlock(self, original_node, updated_node):
        if not updated_node.body:
            return updated_node.with_changes(body=[cst.SimpleStatementLine([cst.Pass()])])
        return updated_node

    def leave_Else(self, original_node, updated_node):
        """``else: sess.run(init)`` (a checkpoint restored, else initialised): an
        ``else`` left with nothing to do goes (one written ``pass`` by hand stays)."""
        if _only_pass(updated_node.body) and not any(
            isinstance(s, cst.SimpleStatementLine) and any(isinstance(small, cst.Pass) for small in s.body)
            for s in original_node.body.body
        ):
            return cst.RemovalSentinel.REMOVE
        return updated_node

    def leave_FunctionDef(self, original_node, updated_node):
        entry = self.g.session_params.get(original_node.name.value)
        if entry is None:
            return updated_node
        params = [p for p in updated_node.params.params if p.name.value != entry[1]]
        if params:
            params[-1] = params[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        return updated_node.with_changes(params=updated_node.params.with_changes(params=params))

    def leave_Arg(self, original_node, updated_node):
        if isinstance(original_node.value, cst.Name) and original_node.value.value in self.g.sessions:
            return cst.RemovalSentinel.REMOVE
        return updated_node


def merge_lines(first, second) -> list[cst.EmptyLine]:
    """Leading lines of removed statements followed by the next statement's, at most
    two blank lines in a row."""
    merged: list[cst.EmptyLine] = []
    blanks = 0
    for line in [*first, *second]:
        blanks = blanks + 1 if line.comment is None else 0
        if blanks <= 2:
            merged.append(line)
    return merged


def without_blank(lines) -> list[cst.EmptyLine]:
    """Leading lines minus the blank ones (comments stay)."""
    return [line for line in lines if line.comment is not None]


def _learning_rate_code(graph: Graph, call: cst.Call, code: str) -> str:
    """A learning rate held in a ``tf.Variable`` (``lr = tf.Variable(0.0, trainable=False)``,
    assigned between epochs): Keras 3 takes a callable, read at each step as TF1 read it."""
    reads = names_read(cst.parse_expression(code))
    if reads & graph.graph_names():
        raise CannotConvert(call, "a learning rate computed in the graph (placeholder or tensor)")
    if code in {name for _, name, kind in graph.variables if kind == "var"}:
        return f"lambda: {code}"
    return code




def _only_pass(block: cst.BaseSuite) -> bool:
    """A block of one ``pass`` with no comment (what ``leave_IndentedBlock`` leaves)."""
    if not isinstance(block, cst.IndentedBlock) or len(block.body) != 1 or block.footer:
        return False
    line = block.body[0]
    return (
        isinstance(line, cst.SimpleStatementLine) and len(line.body) == 1 and isinstance(line.body[0], cst.Pass)
        and not any(empty.comment for empty in line.leading_lines)
    )
