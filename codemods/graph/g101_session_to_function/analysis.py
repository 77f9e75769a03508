"""Stage 2, analysis: the statements of the graph's block, classified into the model.

``analyse`` fills the ``Graph`` that ``scope.find_scope`` made: placeholders,
variables, optimizers, schedules, initializers and the units that define tensors,
with the edits of single statements (removed, rewritten in place). It raises
``CannotConvert`` for whatever it cannot prove: a construct with no eager equivalent
(``UNSUPPORTED``), graph built in a loop or block, a function called while building
the graph that creates variables or reads tensors as globals.

About 830 lines, one job: ``_Classifier`` decides each kind of statement (assignment,
``with`` block, compound statement) against the same partly filled ``Graph``, and the
decisions read one another's results (a placeholder, a variable, an optimizer seen
earlier); split by statement kind, every part would need the whole classifier.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

import libcst as cst

from codemods.analysis.cst_tools import replace_keeping
from codemods.analysis.graph import (
    argument,
    assigned_names,
    calls_in,
    expression_of,
    names_read,
    single_assignment,
)
from codemods.analysis.legacy_homes import GRAPH_ONLY_HELPERS, HELPERS
from codemods.analysis.names import FastVisitor
from codemods.analysis.optimizers import OPTIMIZERS
from codemods.analysis.tf1_layers import INITIALIZERS as KERAS_INITIALIZERS
from codemods.graph.g101_session_to_function.blocks import appended_in_loop, block_unit
from codemods.graph.g101_session_to_function.feature import Feature
from codemods.graph.g101_session_to_function.lookups import lookup_detail
from codemods.graph.g101_session_to_function.model import (
    GLOBAL_STEP_CALLS,
    INITIALIZERS,
    CannotConvert,
    Graph,
    Placeholder,
    Unit,
    Variable,
    VariableKind,
)
from codemods.graph.g101_session_to_function.rebinding import alias_accumulated_variables, rename_rebound_variables
from codemods.graph.g101_session_to_function.scope import SESSIONS
from codemods.graph.g101_session_to_function.scoped_variables import scope_prefix, variable_name

# Module-level calls that configure TensorFlow rather than build the graph.
CONFIGURATION = {
    "set_random_seed", "random.set_random_seed", "reset_default_graph", "logging.set_verbosity",
    "disable_v2_behavior", "disable_eager_execution", "enable_eager_execution", "app.run",
}
# TensorFlow-package calls that load data or handle files: plain Python, not graph ops (the
# projector's config protos too; its visualize_embeddings(writer, ...) is the summaries feature's).
NOT_GRAPH = (
    "examples.", "gfile.", "io.gfile.", "app.flags", "flags.", "logging.", "compat.as_",
    "contrib.tensorboard.plugins.projector.",
)
DISABLING_CALLS = {"disable_v2_behavior", "disable_eager_execution"}
# Graph-era constructs this rule cannot prove: the module falls back to compat.v1.
UNSUPPORTED = (
    "get_default_graph", "Graph", "add_to_collection", "get_collection", "train.Saver",
    "summary.", "train.start_queue_runners", "train.Coordinator", "contrib.", "get_variable",
    "variable_scope", "layers.", "nn.rnn_cell.", "nn.dynamic_rnn", "nn.static_rnn",
    "nn.bidirectional_dynamic_rnn", "nn.static_bidirectional_rnn",
    "train.string_input_producer", "py_func", "data.", "train.batch", "train.shuffle_batch",
    "global_variables", "train.get_global_step",  # resolved when fetched by a run (_global_step_fetches)
    "estimator.", "keras.", "losses.get_regularization", "get_local_variable", "make_template",
    "import_graph_def", "train.import_meta_graph", "saved_model.", "train.MonitoredSession",
    "train.MonitoredTrainingSession", "Print", "sparse_placeholder",
    "metrics.",  # streaming metrics: converted by the StreamingMetrics feature where it can
)
# TF1 decayed learning rates -> Keras schedules: (Keras class, TF1 parameters in order;
# None marks global_step, which Keras replaces by the optimizer's step count).
SCHEDULES = {
    "train.exponential_decay": ("ExponentialDecay", ("learning_rate", None, "decay_steps", "decay_rate", "staircase")),
    "train.inverse_time_decay": ("InverseTimeDecay", ("learning_rate", None, "decay_steps", "decay_rate", "staircase")),
    "train.polynomial_decay": (
        "PolynomialDecay", ("learning_rate", None, "decay_steps", "end_learning_rate", "power", "cycle"),
    ),
    "train.piecewise_constant": ("PiecewiseConstantDecay", (None, "boundaries", "values")),
}
DTYPE_STRINGS = {"float": "float32", "double": "float64", "int": "int32", "long": "int64"}


def analyse(graph: Graph, features: Sequence[Feature]) -> None:
    """Classify the graph's block into ``graph``; ``CannotConvert`` for what cannot be proven."""
    alias_accumulated_variables(graph)
    rename_rebound_variables(graph)
    exempt = _global_step_fetches(graph)
    for feature in features:
        exempt |= feature.exempt_calls(graph)
    for call in calls_in(graph.module):
        symbol = graph.sym(call.func)
        # G103 writes TF 1.15's function (tensor ops TF 2 has) into the module.
        if id(call) in exempt or (symbol in HELPERS and symbol not in GRAPH_ONLY_HELPERS):
            continue
        if symbol and symbol.startswith(NOT_GRAPH):
            continue
        if symbol and any(symbol == u or (u.endswith(".") and symbol.startswith(u)) for u in UNSUPPORTED):
            why = next((r for r in (f.declined_because(graph, call) for f in features) if r is not None), None)
            reason = f"`{graph.code(call.func)}` has no eager equivalent this rule can prove"
            if symbol in KERAS_INITIALIZERS:
                reason = (
                    f"`{graph.code(call.func)}` stays for the TF1 layers or variables that use it "
                    "(its Keras initializer replaces it where G102 converts them; G102's finding says why not)"
                )
            else:
                detail = lookup_detail(graph, call, symbol) if why is None else None
                reason += f": {detail}" if detail is not None else ""
            raise CannotConvert(call, reason if why is None else f"{reason} ({why})")
    classifier = _Classifier(graph, features, exempt)
    for index, stmt in enumerate(graph.body):
        if not any(feature.owns_statement(graph, index) for feature in features):
            classifier.classify(index, stmt)
    for feature in features:
        feature.check(graph)
    _find_session_params(graph)


def _global_step_fetches(graph: Graph) -> set[int]:
    """``sess.run(tf.train.get_global_step())``: a variable read, resolved at planning."""
    found: set[int] = set()
    for call in calls_in(graph.module):
        if isinstance(call.func, cst.Attribute) and call.func.attr.value == "run" and call.args:
            fetch = call.args[0].value
            elements = [e.value for e in fetch.elements] if isinstance(fetch, (cst.List, cst.Tuple)) else [fetch]
            for element in elements:
                if isinstance(element, cst.Call) and not element.args and graph.sym(element.func) == "train.get_global_step":
                    found.add(id(element))
    return found


def _find_session_params(graph: Graph) -> None:
    for call in calls_in(graph.module):
        if not isinstance(call.func, cst.Name) or call.func.value not in graph.user_functions:
            continue
        fn = graph.user_functions[call.func.value]
        params = fn.params.params
        for position, arg in enumerate(call.args):
            if isinstance(arg.value, cst.Name) and arg.value.value in graph.sessions:
                if arg.keyword is not None:
                    param = arg.keyword.value
                    position = [p.name.value for p in params].index(param)
                elif position < len(params):
                    param = params[position].name.value
                else:
                    raise CannotConvert(call, "a session passed through *args")
                graph.session_params[fn.name.value] = (position, param)


class _Classifier:
    def __init__(self, graph: Graph, features: Sequence[Feature], exempt: set[int]) -> None:
        self.g = graph
        self.features = features
        self.exempt = exempt  # calls a feature converts (a FileWriter created in a loop)
        self._binding_counts: Counter[str] | None = None

    def classify(self, index: int, stmt: cst.BaseStatement) -> None:
        g = self.g
        if isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
            if isinstance(stmt, cst.FunctionDef):
                g.user_functions[stmt.name.value] = stmt
            return
        if isinstance(stmt, cst.With):
            self._classify_with(index, stmt)
            return
        if isinstance(stmt, (cst.If, cst.For)):
            unit = block_unit(g, index, stmt, self._builds_ops)
            if unit is not None:
                self.add_unit(unit)
                return
        if not isinstance(stmt, cst.SimpleStatementLine):
            self._check_compound(stmt)
            return
        if all(isinstance(s, (cst.Import, cst.ImportFrom)) for s in stmt.body):
            return
        assignment = single_assignment(stmt)
        if assignment is not None:
            self._classify_assignment(index, stmt, *assignment)
            return
        expr = expression_of(stmt)
        if isinstance(expr, cst.Call):
            symbol = g.sym(expr.func)
            if symbol in CONFIGURATION:
                if symbol in DISABLING_CALLS:
                    g.edits.removed.add(index)
                if symbol == "reset_default_graph":
                    g.resets.append(index)
                return
            if symbol is not None and symbol.startswith(NOT_GRAPH):
                return  # `tf.app.flags.DEFINE_integer(...)`, `tf.logging.info(...)`: plain Python
            if symbol is not None:
                raise CannotConvert(stmt, f"module-level `{g.code(expr.func)}(...)` builds graph state")

    def _classify_assignment(self, index, stmt, names, value) -> None:
        g = self.g
        graph = g.graph_names()
        scaled = self._scaled_placeholder(index, names[0], value) if len(names) == 1 else None
        if scaled is not None:
            # `x = tf.placeholder(tf.float32, [None, 784]) / 255.` fed as `{x: batch}`: TF1
            # replaced the scaled tensor by the fed value (its placeholder, never fed, is not
            # run); the scaling keeps the float dtype and the shape. A run needing `x`
            # unfed failed in TF1 and is declined at planning.
            g.add_placeholder(scaled)
            g.edits.removed.add(index)
            g.report(value, (
                f"`{names[0]}`, a scaled placeholder, is fed itself: TF1 replaced it by the fed value without "
                "scaling it, so it becomes the function parameter"
            ), kind="converted")
            return
        if isinstance(value, cst.Call):
            if any(feature.classify_call(g, index, names, value) for feature in self.features):
                return
            symbol = g.sym(value.func)
            if symbol in ("placeholder", "placeholder_with_default") and len(names) == 1:
                g.add_placeholder(self._placeholder(index, names[0], value, symbol))
                g.edits.removed.add(index)
                return
            if symbol == "Variable" and len(names) == 1:
                self.add_variable(index, names[0], "var", value)
                return
            factory = self._variable_factory(value) if len(names) == 1 else None
            if factory is not None:
                # `w_h = init_weights([784, 625])`: a helper that returns a new variable.
                self.add_variable(index, names[0], "var", factory)
                return
            if symbol in ("train.get_or_create_global_step", "train.create_global_step") and len(names) == 1:
                self.add_variable(index, names[0], "global_step", value)
                return
            if symbol in INITIALIZERS or g.is_init(value):
                g.inits.update(names)
                for name in names:
                    g.init_ops.setdefault(name, []).append((index, value))
                g.edits.removed.add(index)
                return
            if symbol in SCHEDULES and len(names) == 1:
                self._add_schedule(index, names[0], value, symbol)
                return
            if symbol in SESSIONS:
                g.sessions.update(names)
                g.edits.removed.add(index)
                return
            if symbol and symbol.startswith("train.") and symbol.endswith("Optimizer") and len(names) == 1:
                if symbol[len("train."):] not in OPTIMIZERS:
                    raise CannotConvert(value, f"no faithful Keras optimizer for `{symbol}`")
                g.optimizers[names[0]] = index
                g.optimizer_calls[names[0]] = value
                g.optimizer_statements[index] = names[0]
                return
            if isinstance(value.func, cst.Attribute) and value.func.attr.value in ("minimize", "apply_gradients"):
                self._add_train(index, stmt, names, value)
                return
        if len(names) == 1 and any(feature.classify_value(g, index, names[0], value) for feature in self.features):
            return
        if self._alias(index, stmt):
            return
        if isinstance(value, cst.List) and not value.elements and len(names) == 1 and appended_in_loop(g, index, names[0], self._builds_ops):
            # `pooled_outputs = []` filled with tensors by the loop after it: part of the graph.
            self.add_unit(Unit(index, stmt, names, set()))
            return
        unpacked = self._unpacked_variables(stmt, names, value)
        if unpacked:
            # `a, b = [tf.Variable(p) for p in INIT]`: one variable per name, created eagerly
            # where they stand (TF1 named them by creation order: no literal name to select by).
            for name, call in zip(names, unpacked):
                self.add_variable(index, name, "var", call, scope=None)
            return
        if isinstance(value, (cst.Dict, cst.List)) and len(names) == 1 and self._all_variables(value):
            self.add_variable(index, names[0], "dict" if isinstance(value, cst.Dict) else "list", value)
            return
        if any(g.runs_graph(call) for call in calls_in(value)):
            self._python_binding(index, names)
            return  # `c = sess.run(cost, ...)`: Python code reading results
        if isinstance(value, cst.Dict) and value.elements and all(
            isinstance(e, cst.DictElement) and isinstance(e.key, cst.Name) and e.key.value in g.placeholders
            and not names_read(e.value) & graph
            for e in value.elements
        ):
            return  # `feed_dict_test = {x: x_test, y: y_test}`: Python data, inlined at its runs (sites)
        # Names the program bound to a Python value since (`[[b]] = sess.run(b)`) are Python.
        reads = {name for name in names_read(value) if not g.python_value(name, index)}
        if reads & set(g.schedules):
            # `{"lr": learning_rate}` (a summary of it): the Keras schedule's value at the
            # step TF1's decayed rate read.
            stmt, value = self._rates_at_step(stmt, value)
            reads = {name for name in names_read(value) if not g.python_value(name, index)}
        variables = {v.name for v in g.variables}
        if isinstance(value, (cst.List, cst.Tuple)) and value.elements and all(
            isinstance(e.value, cst.Name) and e.value.value in variables for e in value.elements
        ):
            return  # `theta_D = [D_W1, D_b1]`: a Python list of the variables themselves
        if reads & graph or reads & variables or self._builds_ops(value):
            # `y = W * x_data + b` over variables alone is graph too: evaluated per run.
            unit = Unit(index, stmt, names, reads)
            for call in calls_in(value):
                if isinstance(call.func, cst.Attribute) and call.func.attr.value == "compute_gradients":
                    unit.kind, unit.call = "compute", call
                    unit.optimizer, unit.optimizer_statement = self._optimizer_of(call, index), self._optimizer_statement(call)
                    unit.var_list = self._var_list_code(call, 1, index)
                elif g.sym(call.func) == "gradients":
                    unit.kind, unit.call = "gradients", call
            self.add_unit(unit)
        else:
            self._python_binding(index, names)

    def _rates_at_step(self, stmt: cst.BaseStatement, value: cst.BaseExpression) -> tuple[cst.BaseStatement, cst.BaseExpression]:
        """``stmt`` and its value with each read of a decayed learning rate ``lr`` written
        ``lr(step)`` (the other nodes stay the same objects: their symbols are known)."""
        g = self.g
        found: list[cst.Name] = []

        class _Reads(cst.CSTVisitor):
            def visit_Attribute(self, node: cst.Attribute) -> bool:
                node.value.visit(self)
                return False

            def visit_Arg(self, node: cst.Arg) -> bool:
                node.value.visit(self)
                return False

            def visit_Lambda(self, node: cst.Lambda) -> bool:
                raise CannotConvert(node, "a decayed learning rate used in a lambda")

            def visit_Name(self, node: cst.Name) -> None:
                if node.value in g.schedules:
                    found.append(node)

        value.visit(_Reads())
        new_value = value
        for node in found:
            new_value = replace_keeping(new_value, node, cst.parse_expression(f"{node.value}({g.schedules[node.value]})"))
        small = cst.ensure_type(stmt, cst.SimpleStatementLine).body[0]
        return stmt.with_changes(body=[small.with_changes(value=new_value)]), new_value

    def _scaled_placeholder(self, index: int, name: str, value: cst.BaseExpression) -> Placeholder | None:
        """``tf.placeholder(<float dtype>, shape) / 255.`` (``*``, ``+``, ``-`` a number):
        the placeholder it would be when the program feeds the scaled tensor itself."""
        if not isinstance(value, cst.BinaryOperation) or not isinstance(
            value.operator, (cst.Divide, cst.Multiply, cst.Add, cst.Subtract)
        ):
            return None
        call, number = value.left, value.right
        if not isinstance(call, cst.Call) and not isinstance(value.operator, (cst.Divide, cst.Subtract)):
            call, number = number, call
        if isinstance(number, cst.UnaryOperation) and isinstance(number.operator, cst.Minus):
            number = number.expression
        if not isinstance(call, cst.Call) or not isinstance(number, (cst.Integer, cst.Float)):
            return None
        if self.g.sym(call.func) != "placeholder":
            return None
        placeholder = self._placeholder(index, name, call, "placeholder")
        if placeholder.dtype is None or not re.search(r"\bfloat(16|32|64)$", placeholder.dtype):
            return None
        return placeholder

    def _alias(self, index: int, stmt: cst.BaseStatement) -> bool:
        """``w_again = w`` (a variable looked up again, G102's ``reuse``): the same variable
        under a second name, bound where it was; reads of either name read the variable."""
        g = self.g
        assignment = single_assignment(stmt)
        if assignment is None or len(assignment[0]) != 1 or not isinstance(assignment[1], cst.Name):
            return False
        source = assignment[1].value
        variable = next((v for v in reversed(g.variables) if v.name == source and v.statement <= index), None)
        if variable is None or variable.kind != "var" or g.python_value(source, index) or g.definition(source, index):
            return False
        if self._bindings()[assignment[0][0]] != 1:
            return False  # a name bound again later is not the variable there
        g.aliases[assignment[0][0]] = g.aliases.get(source, source)
        return True

    def _bindings(self) -> Counter[str]:
        """How many statements of the graph's block (nested ones too) bind each name."""
        if self._binding_counts is None:
            self._binding_counts = Counter(
                name for stmt in self.g.body if not isinstance(stmt, (cst.FunctionDef, cst.ClassDef))
                for inner in statements_in(stmt) for name in (single_assignment(inner) or ([], None))[0]
            )
        return self._binding_counts

    def _python_binding(self, index: int, names: list[str]) -> None:
        """``names = <a Python value>``: a graph name (or variable) bound again is Python from here on."""
        g = self.g
        known = g.graph_names() | {v.name for v in g.variables}
        for name in names:
            if name in known:
                g.python_bindings.setdefault(name, []).append(index)

    def _add_schedule(self, index, name, call, symbol) -> None:
        g = self.g
        keras_name, params = SCHEDULES[symbol]
        arguments = []
        step = None
        for position, param in enumerate(params):
            keyword = param or ("x" if symbol == "train.piecewise_constant" else "global_step")
            node = argument(call, position, keyword)
            if param is None:
                step = node
            elif node is not None:
                keras_keyword = "initial_learning_rate" if param == "learning_rate" else param
                arguments.append(f"{keras_keyword}={g.code(node)}")
        if step is None:
            raise CannotConvert(call, f"`{symbol}` without a global step")
        new = cst.parse_expression(f"{g.tf}.keras.optimizers.schedules.{keras_name}({', '.join(arguments)})")
        g.schedules[name] = g.code(step)
        g.edits.rewritten[index] = g.body[index].with_changes(body=[g.body[index].body[0].with_changes(value=new)])
        g.report(call, f"{symbol} -> keras.optimizers.schedules.{keras_name}, stepped by the optimizer", kind="converted")

    def _check_schedule(self, unit: Unit) -> None:
        """A schedule follows the optimizer's step count: TF1 must have stepped it with the same counter."""
        g = self.g
        receiver = unit.call.func.value
        ctor = g.optimizer_calls.get(receiver.value) if isinstance(receiver, cst.Name) else receiver
        rate = argument(ctor, 0, "learning_rate") if isinstance(ctor, cst.Call) else None
        if isinstance(rate, cst.Name) and rate.value in g.schedules:
            if unit.global_step != g.schedules[rate.value]:
                raise CannotConvert(unit.call, f"learning rate `{rate.value}` decays with a step this training op does not increment")
            if g.sym(ctor.func) == "train.MomentumOptimizer":
                raise CannotConvert(ctor, (
                    "MomentumOptimizer with a decaying learning rate: TF1 scales the accumulated gradients by "
                    "the current rate, Keras SGD accumulates rate-scaled gradients; they differ once the rate changes"
                ))

    def _placeholder(self, index, name, call, symbol) -> Placeholder:
        g = self.g
        if symbol == "placeholder":
            dtype_node = argument(call, 0, "dtype")
            shape_node = argument(call, 1, "shape")
            default = None
            dtype = self._dtype(dtype_node) if dtype_node is not None else None
        else:
            default_node = argument(call, 0, "input")
            shape_node = argument(call, 1, "shape")
            default = g.code(default_node)
            dtype = {bool: "bool", float: "float32", int: "int32"}.get(_literal_type(default_node))
            dtype = f"{g.tf}.{dtype}" if dtype else None
        return Placeholder(name, index, dtype, g.code(shape_node) if shape_node is not None else "None", default)

    def _dtype(self, node: cst.BaseExpression) -> str:
        if isinstance(node, cst.SimpleString):
            text = node.evaluated_value
            return f"{self.g.tf}.{DTYPE_STRINGS.get(text, text)}"
        return self.g.code(node)

    def add_variable(self, index: int, name: str, kind: VariableKind, value, scope: str | None = "") -> None:
        """A variable created by statement ``index`` (inside the name scope ``scope``:
        "a/b/", "" at the top, None when its name is not a literal)."""
        g = self.g
        g.variables.append(Variable(index, name, kind))
        if kind == "var":
            g.variable_names[name] = variable_name(value, scope)
        trainable = True
        if isinstance(value, cst.Call):
            flag = argument(value, 1, "trainable")
            if kind == "global_step" or (isinstance(flag, cst.Name) and flag.value == "False"):
                trainable = False
        g.trainable[name] = trainable

    def _variable_factory(self, call: cst.Call) -> cst.Call | None:
        """The ``tf.Variable(...)`` call of a helper returning one new variable."""
        return self.g.variable_factory(call.func.value) if isinstance(call.func, cst.Name) else None

    def _all_variables(self, value) -> bool:
        elements = value.elements
        if not elements:
            return False
        for element in elements:
            inner = element.value
            if not (isinstance(inner, cst.Call) and self.g.sym(inner.func) == "Variable"):
                return False
        return True

    def _unpacked_variables(self, stmt, names: list[str], value) -> list[cst.Call]:
        """The ``tf.Variable(...)`` call giving each name of ``a, b = <variables>``: a list or
        tuple of calls, or a comprehension of one (one call per element); [] otherwise."""
        target = stmt.body[0].targets[0].target if isinstance(stmt.body[0], cst.Assign) else None
        if len(names) < 2 or not isinstance(target, (cst.Tuple, cst.List)) or len(target.elements) != len(names):
            return []
        if not all(isinstance(e, cst.Element) and isinstance(e.value, cst.Name) for e in target.elements):
            return []
        if isinstance(value, (cst.ListComp, cst.GeneratorExp)):
            calls = [value.elt] * len(names)
        elif isinstance(value, (cst.List, cst.Tuple)) and len(value.elements) == len(names):
            calls = [e.value for e in value.elements if isinstance(e, cst.Element)]
        else:
            return []
        if len(calls) != len(names) or not all(isinstance(c, cst.Call) and self.g.sym(c.func) == "Variable" for c in calls):
            return []
        return [cst.ensure_type(c, cst.Call) for c in calls]

    def _builds_ops(self, node) -> bool:
        for call in calls_in(node):
            symbol = self.g.sym(call.func)
            if symbol is not None and symbol not in CONFIGURATION and not symbol.startswith(NOT_GRAPH):
                return True
            if isinstance(call.func, cst.Attribute) and call.func.attr.value in ("assign", "assign_add", "assign_sub"):
                return True
        return False

    def add_unit(self, unit: Unit) -> None:
        g = self.g
        for name in unit.reads:
            fn = g.user_functions.get(name) or g.module_function(name)
            if fn is not None:
                self._check_graph_function(fn)
        for feature in self.features:
            feature.unit_added(g, unit)
        g.units.append(unit)
        for name in unit.defines:
            g.unit_by_name[name] = unit

    def _check_graph_function(self, fn: cst.FunctionDef) -> None:
        """A function called while building the graph must not create variables or read tensors."""
        g = self.g
        symbols = [g.sym(call.func) or "" for call in calls_in(fn)]
        # `W = weight_variable([784, 10])` inside: the factory creates a variable per call.
        factory_calls = {id(c) for c in calls_in(fn) if isinstance(c.func, cst.Name) and g.variable_factory(c.func.value) is not None}
        # `h = fc_layer(x, 100)` inside: another function creating variables at each call.
        helper_calls = {
            id(c) for c in calls_in(fn) if isinstance(c.func, cst.Name) and id(c) not in factory_calls
            and c.func.value != fn.name.value and g.creates_variables(c.func.value)
        }
        converted = False
        if ("Variable" in symbols or factory_calls or helper_calls) and not any(
            s == "get_variable" or s.startswith("layers.") for s in symbols
        ):
            converted = any(feature.variable_function(g, fn) for feature in self.features)
        for call in calls_in(fn):
            symbol = g.sym(call.func)
            creates = symbol in ("Variable", "get_variable") or (symbol or "").startswith("layers.") or id(call) in factory_calls
            if creates and not converted:
                raise CannotConvert(call, f"`{fn.name.value}` creates variables each time it is called")
            if id(call) in helper_calls and not converted:
                raise CannotConvert(call, f"`{fn.name.value}` calls `{call.func.value}`, which creates variables at each call")
        leaked = names_read(fn.body) & g.graph_names() - local_names(fn)
        if leaked and fn.name.value not in g.unit_by_name:
            index = next((i for i, stmt in enumerate(g.body) if stmt is fn), None)
            if index is None or fn.decorators:
                raise CannotConvert(fn, f"`{fn.name.value}` reads graph tensor `{sorted(leaked)[0]}` as a global")
            # `def body(i, v): return i + 1, tf.matmul(A, v)` for a while_loop: the
            # definition moves into the generated function, next to the tensors it reads.
            g.units.append(Unit(index, fn, [fn.name.value], names_read(fn.body) - local_names(fn)))
            g.unit_by_name[fn.name.value] = g.units[-1]

    def _optimizer_of(self, call: cst.Call, index: int) -> str:
        g = self.g
        receiver = call.func.value
        if isinstance(receiver, cst.Name) and receiver.value in g.optimizers:
            return receiver.value
        if isinstance(receiver, cst.Call):
            symbol = g.sym(receiver.func) or ""
            if symbol.startswith("train.") and symbol[len("train."):] in OPTIMIZERS:
                # `optimizer = tf.train.XOptimizer(lr).minimize(cost)`: once the run
                # sites are rewritten the name is free for the Keras optimizer.
                assignment = single_assignment(g.body[index])
                names = assignment[0] if assignment else []
                name = names[0] if names and "optim" in names[0] else g.fresh("optimizer")
                g.inline_optimizers[index] = name
                return name
            if symbol.startswith("train.") and symbol.endswith("Optimizer"):
                raise CannotConvert(receiver, f"no faithful Keras optimizer for `{symbol}`")
        raise CannotConvert(call, f"cannot tell which optimizer `{g.code(call.func)}` belongs to")

    def _optimizer_statement(self, call: cst.Call) -> int | None:
        """The statement creating the named optimizer of ``opt.minimize(...)`` (its latest
        binding: the graph is read in program order); None for ``tf.train.X(...).minimize``."""
        receiver = call.func.value
        return self.g.optimizers.get(receiver.value) if isinstance(receiver, cst.Name) else None

    def _var_list_code(self, call: cst.Call, position: int, index: int) -> str | None:
        g = self.g
        node = argument(call, position, "var_list")
        if node is None:
            return None
        if isinstance(node, cst.Call) and g.sym(node.func) == "trainable_variables" and not node.args:
            return g.trainable_list(index)
        for feature in self.features:
            selected = feature.var_list(g, node, index)
            if selected is not None:
                return selected
        return g.code(node)

    def _add_train(self, index, stmt, names, call) -> None:
        g = self.g
        method = call.func.attr.value
        unit = Unit(index, stmt, names, names_read(call), kind="train" if method == "minimize" else "apply", call=call)
        unit.optimizer, unit.optimizer_statement = self._optimizer_of(call, index), self._optimizer_statement(call)
        # minimize(loss, global_step, var_list, ...), apply_gradients(grads_and_vars, global_step, ...)
        step = argument(call, 1, "global_step")
        unit.global_step = g.code(step) if step is not None else None
        if isinstance(step, cst.Call) and not step.args and g.sym(step.func) in GLOBAL_STEP_CALLS:
            unit.global_step = self._inline_global_step(index)
        if method == "minimize":
            unit.var_list = self._var_list_code(call, 2, index)
        self._check_schedule(unit)
        self.add_unit(unit)

    def _inline_global_step(self, index: int) -> str:
        """``minimize(..., global_step=tf.train.get_or_create_global_step())``: the step
        variable is created right before the training op, once."""
        g = self.g
        existing = g.global_step()
        if existing is not None:
            return existing
        name = g.fresh("global_step")
        g.edits.inline_steps[index] = name
        g.variables.append(Variable(index, name, "global_step"))
        g.trainable[name] = False
        return name

    def _classify_with(self, index: int, stmt: cst.With) -> None:
        g = self.g
        item = stmt.items[0].item
        symbol = g.sym(item.func) if isinstance(item, cst.Call) else None
        if symbol in SESSIONS:
            if len(stmt.items) != 1 or (isinstance(item, cst.Call) and argument(item, 1, "graph") is not None):
                raise CannotConvert(stmt, "a session bound to an explicit graph")
            alias = stmt.items[0].asname
            if alias is not None:
                g.sessions.update(assigned_names(alias.name))
            return
        if symbol == "control_dependencies" and self._classify_dependent_train(index, stmt):
            return
        symbol = _scope_kind(g, stmt) or symbol
        if symbol in ("name_scope", "control_dependencies", "device"):
            variables, tensors, defines, reads = self._split_block(index, stmt, symbol, "")
            if variables is not None:
                g.edits.rewritten[index] = variables
            if tensors is not None:
                self.add_unit(Unit(index, tensors, defines, reads))
            if variables is None and tensors is None:
                g.edits.removed.add(index)  # placeholders only
            return
        self._check_compound(stmt)

    def _split_block(
        self, index: int, stmt: cst.With, symbol: str, outer: str | None
    ) -> tuple[cst.With | None, cst.With | None, list[str], set[str]]:
        """A ``name_scope`` / ``control_dependencies`` / ``device`` block (name scopes nested in
        a name scope too) split in two: the block of its variables, which stay where they
        were created, in the same scopes, and the block of its tensors (a unit), with the
        names it defines and reads; None for a part with no statement. ``outer``: the name
        scope around it ("a/", None when not a literal)."""
        g = self.g
        prefix = outer
        for with_item in stmt.items:  # a device names nothing
            if prefix is not None and isinstance(with_item.item, cst.Call) and g.sym(with_item.item.func) == "name_scope":
                scope = scope_prefix(with_item.item)
                prefix = prefix + scope if scope else None
        reads = set().union(*(names_read(with_item) for with_item in stmt.items))
        defines: list[str] = []
        tensors: list[cst.BaseStatement] = []
        variables: list[cst.BaseStatement] = []
        for inner in stmt.body.body:
            nested = _scope_kind(g, inner) if isinstance(inner, cst.With) else None
            if symbol in SCOPES and nested is not None:
                inner_variables, inner_tensors, inner_defines, inner_reads = self._split_block(index, inner, nested, prefix)
                variables.extend([inner_variables] if inner_variables is not None else [])
                tensors.extend([inner_tensors] if inner_tensors is not None else [])
                defines.extend(inner_defines)
                reads |= inner_reads
                continue
            assignment = single_assignment(inner)
            if _comment_string(inner):
                # A string used as a comment: it stays with the variables (where the block
                # was), else goes with the tensors.
                variables.append(inner)
                tensors.append(inner)
                continue
            augmented = _augmented(inner)
            if augmented is not None:
                # `l2_loss += tf.nn.l2_loss(W)`: a tensor defined again from its last value.
                if any(g.sym(c.func) == "Variable" or self._variable_factory(c) is not None or _trains(g, c)
                       for c in calls_in(augmented[1])):
                    raise CannotConvert(inner, f"a variable or training op in an augmented assignment in a `{symbol}` block")
                tensors.append(inner)
                defines.append(augmented[0])
                reads |= names_read(augmented[1]) | {augmented[0]}
                continue
            if assignment is None:
                raise CannotConvert(inner, f"only tensor definitions are supported inside `{symbol}` blocks")
            if symbol in SCOPES and self._alias(index, inner):
                variables.append(inner)  # bound where the variable is, in the same scope
                continue
            value = assignment[1]
            if isinstance(value, cst.Call) and symbol in SCOPES and len(assignment[0]) == 1:
                placeholder = g.sym(value.func)
                if placeholder in ("placeholder", "placeholder_with_default"):
                    # `with tf.name_scope("Input"): x = tf.placeholder(...)`: a parameter.
                    g.add_placeholder(self._placeholder(index, assignment[0][0], value, placeholder))
                    continue
                created = value if placeholder == "Variable" else self._variable_factory(value)
                if created is not None:
                    # Variables stay where they were created, in the same scope.
                    variables.append(inner)
                    self.add_variable(index, assignment[0][0], "var", created, prefix)
                    continue
            if any(g.sym(c.func) == "Variable" or self._variable_factory(c) is not None for c in calls_in(value)):
                raise CannotConvert(inner, f"variables created inside a `{symbol}` block")
            if any(_trains(g, c) for c in calls_in(value)):
                raise CannotConvert(inner, f"an optimizer or training op inside a `{symbol}` block that holds other statements")
            tensors.append(inner)
            defines.extend(assignment[0])
            reads |= names_read(value)

        def part(body: list[cst.BaseStatement]) -> cst.With | None:
            return stmt.with_changes(body=stmt.body.with_changes(body=_opening(body))) if body else None

        if any(not _comment_string(s) for s in variables):
            tensors = [s for s in tensors if not _comment_string(s)]
        else:
            variables = []
        if all(_comment_string(s) for s in tensors):
            tensors = []
        return part(variables), part(tensors), defines, reads

    def _classify_dependent_train(self, index: int, stmt: cst.With) -> bool:
        """``with tf.control_dependencies(update_ops): train_op = opt.minimize(loss)``: in
        a tf.function stateful ops run in program order, so the generated step computes
        the dependencies before it applies the gradients, without the block."""
        if len(stmt.items) != 1 or len(stmt.body.body) != 1:
            return False
        assignment = single_assignment(stmt.body.body[0])
        if assignment is None:
            return False
        names, value = assignment
        if not (isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute)
                and value.func.attr.value in ("minimize", "apply_gradients")):
            return False
        self._add_train(index, stmt, names, value)
        self.g.unit_by_name[names[0]].reads |= names_read(stmt.items[0].item)
        return True

    def _check_compound(self, stmt) -> None:
        """Loops and conditions may run sessions but must not build graph."""
        g = self.g
        in_runs: set[int] = set()
        for call in calls_in(stmt):
            if isinstance(call.func, cst.Attribute) and call.func.attr.value in ("run", "eval"):
                in_runs.update(id(inner) for arg in call.args for inner in calls_in(arg))
        for call in calls_in(stmt):
            symbol = g.sym(call.func)
            if symbol in SESSIONS or symbol is None or id(call) in in_runs or id(call) in self.exempt:
                continue
            if symbol not in CONFIGURATION and symbol not in INITIALIZERS and not symbol.startswith(NOT_GRAPH):
                raise CannotConvert(call, "the graph is built inside a loop, condition or block")
        for inner in statements_in(stmt):
            if isinstance(inner, cst.With):
                item = inner.items[0].item
                if isinstance(item, cst.Call) and g.sym(item.func) in SESSIONS:
                    alias = inner.items[0].asname
                    if alias is not None:
                        g.sessions.update(assigned_names(alias.name))
                continue
            assignment = single_assignment(inner)
            if assignment is not None and isinstance(assignment[1], cst.Call):
                if g.sym(assignment[1].func) in SESSIONS:
                    g.sessions.update(assignment[0])


# Blocks whose variables stay where they were created, in the same scopes.
SCOPES = ("name_scope", "device")


def _scope_kind(graph: Graph, stmt: cst.With) -> str | None:
    """``name_scope`` for ``with tf.name_scope(...):`` and for several name scopes and
    devices in one statement (``with tf.device("/cpu:0"), tf.name_scope("embedding"):``),
    ``device`` for devices alone; None for other blocks."""
    kinds = [
        graph.sym(i.item.func) if isinstance(i.item, cst.Call) and i.asname is None else None for i in stmt.items
    ]
    if not kinds or any(kind not in SCOPES for kind in kinds):
        return None
    return "name_scope" if "name_scope" in kinds else "device"


def _augmented(stmt: cst.BaseStatement) -> tuple[str, cst.BaseExpression] | None:
    """(name, value) of ``name += value`` (``-=``, ``*=``, ``/=``)."""
    if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1:
        small = stmt.body[0]
        if isinstance(small, cst.AugAssign) and isinstance(small.target, cst.Name) and isinstance(
                small.operator, (cst.AddAssign, cst.SubtractAssign, cst.MultiplyAssign, cst.DivideAssign)):
            return small.target.value, small.value
    return None


def _opening(statements: list[cst.BaseStatement]) -> list[cst.BaseStatement]:
    """The statements of a block, without blank lines before the first (its comments stay)."""
    first = statements[0]
    lines = [line for line in first.leading_lines if line.comment is not None]
    return [first.with_changes(leading_lines=lines), *statements[1:]]


def _trains(graph: Graph, call: cst.Call) -> bool:
    """``tf.train.XOptimizer(...)``, ``opt.minimize(...)`` and the other steps of training."""
    symbol = graph.sym(call.func) or ""
    return (symbol.startswith("train.") and symbol.endswith("Optimizer")) or (
        isinstance(call.func, cst.Attribute) and call.func.attr.value in ("minimize", "apply_gradients", "compute_gradients")
    )


def _literal_type(node) -> type | None:
    if isinstance(node, cst.Name) and node.value in ("True", "False"):
        return bool
    if isinstance(node, cst.Float):
        return float
    if isinstance(node, cst.Integer):
        return int
    return None


def local_names(fn: cst.FunctionDef) -> set[str]:
    names = {p.name.value for p in fn.params.params}
    for stmt in statements_in(fn):
        assignment = single_assignment(stmt)
        if assignment is not None:
            names.update(assignment[0])
    return names


def statements_in(node: cst.CSTNode) -> list[cst.CSTNode]:
    found: list[cst.CSTNode] = []

    class _Collect(FastVisitor):
        def visit_SimpleStatementLine(self, n: cst.SimpleStatementLine) -> None:
            found.append(n)

        def visit_With(self, n: cst.With) -> None:
            found.append(n)

    node.visit(_Collect())
    return found


def _comment_string(stmt: cst.BaseStatement) -> bool:
    """A string literal alone on a line (``'''Tensor("Conv2D:0", ...)'''``): a comment."""
    return isinstance(expression_of(stmt), (cst.SimpleString, cst.ConcatenatedString))
