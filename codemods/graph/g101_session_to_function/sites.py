"""Stage 3, sites: every place the program runs the graph.

``find_sites`` visits the statements of the graph's block that are not graph
definitions and returns every ``sess.run`` / ``t.eval()`` / ``op.run()`` (``Sites``), in
program order, with the events around them (sessions opened, restores, calls of the
block's functions, the loops each is in); a placeholder's static shape or dtype read
outside them is its declaration (``graph.edits.static_reads``); a graph tensor used
anywhere else raises ``CannotConvert``. Feed dicts held in a variable (``feed = {x:
...}``) are inlined at their runs (``graph.edits.feed_assignments`` go,
``graph.edits.site_feeds`` keep each run's feed). A run in a loop of an assignment of a
Python value to a variable (``sess.run(last_epoch.assign(epoch + 1))``, a new op at each
run in TF1) is that assignment, eager, where it was (``graph.edits.static_reads``).
"""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst

from codemods.analysis.cst_tools import nodes_of
from codemods.analysis.graph import ReadNamesVisitor, argument, assigned_names, calls_in, expression_of, names_read
from codemods.graph.g101_session_to_function.analysis import local_names
from codemods.graph.g101_session_to_function.blocks import STATE
from codemods.graph.g101_session_to_function.feature import Feature
from codemods.graph.g101_session_to_function.initialisation import is_random
from codemods.graph.g101_session_to_function.model import (
    CannotConvert,
    Event,
    EventKind,
    Graph,
    ParameterRun,
    PassedTensor,
    Restore,
    Site,
    Sites,
    StaticRead,
)
from codemods.graph.g101_session_to_function.passed_tensors import bound_parameter, parameter_run, run_parameters
from codemods.graph.g101_session_to_function.scope import SESSIONS


def find_sites(graph: Graph, features: Sequence[Feature]) -> Sites:
    finder = _SiteFinder(graph, features)
    for index, stmt in enumerate(graph.body):
        if index in graph.session_blocks or (
            index in graph.edits.removed and any(graph.sym(call.func) in SESSIONS for call in calls_in(stmt))
        ):
            finder.event("session")
        if (
            index in finder.unit_statements
            or index in graph.edits.removed
            or any(feature.keras_statement(graph, stmt) for feature in features)
        ):
            continue
        finder.statement = index
        shown = finder.shown_tensor(stmt)
        if shown is not None:
            # A notebook cell ending in `layer_conv1` showed TF1's description of the
            # tensor; in a script it does nothing. Eager code has no graph tensor to show.
            graph.edits.removed.add(index)
            graph.report(stmt, f"`{shown}`, a graph tensor shown as a cell's value, removed", kind="converted")
            continue
        stmt.visit(finder)
    _check_passed(graph, finder.helpers, finder.passed_args)
    for name, fn in finder.called.items():
        if name not in finder.functions and _runs_graph(fn):
            # Runs this stage did not read (a module function when the graph is built in
            # `main()`): one opaque run that may use and change anything.
            finder.functions[name] = [Event("call")]
    return Sites(finder.sites, finder.events, finder.functions)


def _check_passed(graph: Graph, helpers: dict[str, dict[str, tuple[str, ...]]], passed: set[int]) -> None:
    """A helper running its parameter (it calls what it is given) is given a graph tensor
    or variable for it at every call, and is not used as a value."""
    for name in sorted(helpers):
        fn = graph.user_functions[name]
        calls = [c for c in calls_in(graph.module) if isinstance(c.func, cst.Name) and c.func.value == name]
        for call in calls:
            given = {bound_parameter(fn, call, arg): arg for arg in call.args}
            for param in helpers[name]:
                arg = given.get(param)
                if arg is None or id(arg.value) not in passed:
                    raise CannotConvert(call, (
                        f"`{name}` runs what it is given for `{param}`, a graph tensor at other calls: here it is "
                        "given something else"
                    ))
        if sum(1 for n in nodes_of(graph.module, cst.Name) if n.value == name) != len(calls) + 1:
            raise CannotConvert(fn, f"`{name}`, which runs what it is given, is used other than by calls")


# What a tensor knew while the graph was built; a placeholder's come from its declaration.
STATIC_ATTRIBUTES = {"shape", "dtype", "name", "op", "graph"}


def _runs_graph(fn: cst.FunctionDef) -> bool:
    """A user function whose body runs something (``sess.run``, ``.eval()``, ``.run()``)."""
    return any(isinstance(c.func, cst.Attribute) and c.func.attr.value in ("run", "eval") for c in calls_in(fn))


class _SiteFinder(ReadNamesVisitor):
    """Every place the program runs the graph, and every other use of a graph tensor."""

    def __init__(self, graph: Graph, features: Sequence[Feature]) -> None:
        self.g = graph
        self.features = features
        self.sites: list[Site] = []
        self.events: list[Event] = []
        self.functions: dict[str, list[Event]] = {}  # the events of each user function's body
        self.called: dict[str, cst.FunctionDef] = {}
        self.defining: list[str | None] = []  # the function of the block each definition visited belongs to
        self.outer_loops: list[list[int]] = []  # the loops around each of them
        self.loop_ids: list[int] = []  # the for/while loops being visited (in the definition)
        self.unit_statements = {u.index for u in graph.units}
        self.session_names = graph.session_names()
        self.graph = graph.graph_names()
        self.feeds: dict[str, cst.Dict] = {}
        self.shadowed: list[set[str]] = []  # names local to the functions being visited
        self.loop_targets: list[set[str]] = []  # names bound by the for loops being visited
        self.statement = 0
        self.def_names: set[int] = set()  # the names `def` statements bind (not reads)
        self.discarded: set[int] = set()  # calls that are a whole expression statement
        self.run_parameters: dict[int, dict[str, tuple[str, ...]]] = {}  # helper -> its run-only parameters
        self.helpers: dict[str, dict[str, tuple[str, ...]]] = {}  # helper -> its run-only parameters
        self.passed_args: set[int] = set()  # arguments given to them (graph tensors, variables)

    def event(
        self, kind: EventKind, site: Site | None = None, restore: Restore | None = None, function: str | None = None
    ) -> None:
        # Inside a function definition the events happen where it is called (`Sites.functions`).
        owner = self.defining[-1] if self.defining else None
        events = self.functions.setdefault(owner, []) if owner is not None else self.events
        events.append(Event(kind, site, restore, tuple(self.loop_ids), function))

    def _site(self, site: Site) -> None:
        self.sites.append(site)
        self.event("run", site)

    def visit_Expr(self, node: cst.Expr) -> None:
        self.discarded.add(id(node.value))

    def visit_Assign(self, node: cst.Assign) -> bool:
        """``feed = {x: batch_x, y: batch_y}`` used as ``feed_dict=feed``: its values are
        inlined at the runs that use it and the assignment goes."""
        value = node.value
        if (
            len(node.targets) == 1
            and isinstance(node.targets[0].target, cst.Name)
            and isinstance(value, cst.Dict)
            and value.elements
            and all(
                isinstance(e, cst.DictElement) and isinstance(e.key, cst.Name) and e.key.value in self.g.placeholders
                for e in value.elements
            )
        ):
            self.feeds[node.targets[0].target.value] = value
            self.g.edits.feed_assignments.add(id(value))
            for element in value.elements:
                element.value.visit(self)
            return False
        # A name bound here is not read (`t = np.array(...)` after `t = tf.constant(...)`).
        value.visit(self)
        for target in node.targets:
            self._visit_target(target.target)
        return False

    def _visit_target(self, target: cst.BaseExpression) -> None:
        if isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self._visit_target(element.value)
        elif isinstance(target, cst.StarredElement):
            self._visit_target(target.value)
        elif not isinstance(target, cst.Name):
            target.visit(self)  # `batch[i] = ...` reads `batch`

    def visit_Call(self, node: cst.Call) -> bool:
        for feature in self.features:
            checked = feature.claims_run(self.g, node, bool(self.loop_ids))
            if checked is not None:
                for value in checked:
                    value.visit(self)
                return False
        func = node.func
        if self._static_call(node):
            return False
        if self.g.sym(func) in SESSIONS:
            self.event("session")
        for feature in self.features:
            restore = feature.restored_state(self.g, node)
            if restore is not None:
                self.event("restore", restore=restore)
        if isinstance(func, cst.Name):
            called = self.g.user_functions.get(func.value) or self.g.module_function(func.value)
            if called is not None:
                self.called[func.value] = called
                self.event("call", function=func.value)
        if not isinstance(func, cst.Attribute) or func.attr.value not in ("run", "eval"):
            passed = self._passed_tensors(node)
            if passed:
                # The tensors given to a helper that runs them are its functions (plan, emit).
                node.func.visit(self)
                for arg in node.args:
                    if id(arg.value) not in passed:
                        arg.value.visit(self)
                return False
        if not isinstance(func, cst.Attribute):
            return True
        receiver, method = func.value, func.attr.value
        if self._parameter_run(node):
            return False
        feed_node = None
        fetch = None
        if method == "run" and isinstance(receiver, cst.Name) and receiver.value in self.session_names:
            fetch = argument(node, 0, "fetches")
            feed_node = argument(node, 1, "feed_dict")
        elif method in ("eval", "run") and self._is_graph_expr(receiver):
            fetch = receiver
            feed_node = argument(node, 0, "feed_dict")
        elif method == "run" and self.g.is_init(receiver):
            self._site(Site(node, None, {}, init=True, statement=self.statement))
            return False
        else:
            return True
        if fetch is None:
            raise CannotConvert(node, "a run with no fetches")
        from_loop = (set(names_read(fetch)) & set().union(*self.loop_targets)) - self.graph
        if from_loop and feed_node is None and self._python_assign(fetch):
            # `sess.run(last_epoch.assign(epoch + 1))`: TF1 built the op at the run and ran
            # it once, an eager assignment then and there (its value, the variable's, as NumPy).
            assert isinstance(fetch, cst.Call) and isinstance(fetch.func, cst.Attribute)
            read = "" if id(node) in self.discarded else ".numpy()"
            self.g.edits.static_reads[id(node)] = (
                f"{self.g.variable_code(fetch.func.value)}.{fetch.func.attr.value}({self.g.code(fetch.args[0].value)}){read}"
            )
            return False
        if from_loop and feed_node is None and self._python_ops(fetch):
            # `for num in nums: sess.run(tf.div(num, 3))`: TF1 built the op from each value
            # and ran it once, an eager computation of that value then and there.
            read = "" if id(node) in self.discarded else ".numpy()"
            if isinstance(fetch, (cst.List, cst.Tuple)):  # a list of NumPy values, as TF1 returned
                parts = [self._computed(e.value, read) for e in fetch.elements]
                code = f"[{', '.join(parts)}]" if isinstance(fetch, cst.List) else f"({', '.join(parts)},)"
            else:
                code = self._computed(fetch, read)
            self.g.edits.static_reads[id(node)] = code
            return False
        if from_loop:
            # A function traced once would keep the ops of the first value.
            raise CannotConvert(fetch, (
                f"the fetch builds new ops from the loop variable `{sorted(from_loop)[0]}` at each run"
                + ("" if feed_node is None else " and is fed: the ops of each value would need a function each")
            ))
        init = self.g.is_init(fetch)
        if isinstance(feed_node, cst.Name) and feed_node.value in self.feeds:
            feed_node = self.feeds[feed_node.value]
        if feed_node is not None:
            self.g.edits.site_feeds[id(node)] = feed_node
        feed = {} if feed_node is None else self._feed(feed_node)
        self._site(Site(node, fetch, feed, init=init, statement=self.statement))
        # The fetch and the feed keys are graph references that the rewrite replaces;
        # the feed values are ordinary Python expressions.
        for value in feed.values():
            value.visit(self)
        return False

    def _python_assign(self, fetch: cst.BaseExpression) -> bool:
        """``v.assign(<Python value>)`` (or assign_add / assign_sub) of a graph variable:
        no graph tensor and no TensorFlow call in the value."""
        if not (isinstance(fetch, cst.Call) and isinstance(fetch.func, cst.Attribute)
                and fetch.func.attr.value in ("assign", "assign_add", "assign_sub")):
            return False
        if len(fetch.args) != 1 or fetch.args[0].keyword is not None or fetch.args[0].star:
            return False
        value = fetch.args[0].value
        graph = self.graph | set(self.g.placeholders) | {v.name for v in self.g.variables}
        return (
            self.g.is_variable(fetch.func.value) and not names_read(value) & graph
            and not any(self.g.sym(call.func) is not None for call in calls_in(value))
        )

    def _python_ops(self, fetch: cst.BaseExpression) -> bool:
        """One TF op over Python values (``tf.div(num, 3)``, ``f(num)`` with ``f`` a function
        computing TF ops from its parameters only): no graph name, variable, random op or
        state read, in it or in the functions it calls."""
        if isinstance(fetch, (cst.List, cst.Tuple)) and fetch.elements and all(
                isinstance(e, cst.Element) for e in fetch.elements):
            return all(self._python_ops(e.value) for e in fetch.elements)
        if not isinstance(fetch, (cst.Call, cst.BinaryOperation, cst.UnaryOperation)) or not any(
                self.g.sym(c.func) is not None or isinstance(c.func, cst.Name) and c.func.value in self.g.user_functions
                for c in calls_in(fetch)):
            return False  # a TF op, computed eagerly
        graph = self.graph | set(self.g.placeholders) | {v.name for v in self.g.variables} | self.g.inits
        nodes: list[cst.CSTNode] = [fetch]
        for call in calls_in(fetch):
            if isinstance(call.func, cst.Name) and call.func.value in self.g.user_functions:
                fn = self.g.user_functions[call.func.value]
                if any(isinstance(c.func, cst.Name) and c.func.value in self.g.user_functions for c in calls_in(fn.body)):
                    return False  # one level of the user's functions is read, not more
                if names_read(fn.body) - local_names(fn) - {self.g.tf} & (graph | self.session_names):
                    return False
                nodes.append(fn.body)
        for node in nodes:
            for call in calls_in(node):
                symbol = self.g.sym(call.func)
                if is_random(symbol) or (symbol or "").startswith(STATE) or (
                        isinstance(call.func, cst.Attribute) and call.func.attr.value in ("run", "eval", "assign")):
                    return False
        return not names_read(fetch) & graph

    def _computed(self, fetch: cst.BaseExpression, read: str) -> str:
        code = self.g.code(fetch)
        return f"{code}{read}" if isinstance(fetch, cst.Call) or not read else f"({code}){read}"

    def _parameter_run(self, call: cst.Call) -> bool:
        """``session.run(layer, feed_dict={x: [image]})`` in a helper whose parameter
        ``layer`` only such runs use: it calls what it is given (recorded; its feed values
        are checked like any code)."""
        owner = self.defining[-1] if self.defining else None
        fn = self.g.user_functions.get(owner) if owner is not None else None
        found = parameter_run(self.g, fn, call) if fn is not None else None
        if fn is None or found is None or found[0].value not in self._run_parameters(fn):
            return False
        fetch, feed_node = found
        if isinstance(feed_node, cst.Name) and feed_node.value in self.feeds:
            feed_node = self.feeds[feed_node.value]
        feed = {} if feed_node is None else self._feed(feed_node)
        self.g.edits.parameter_runs[id(call)] = ParameterRun(fetch.value, feed)
        for value in feed.values():
            value.visit(self)
        return True

    def _run_parameters(self, fn: cst.FunctionDef) -> dict[str, tuple[str, ...]]:
        found = self.run_parameters.get(id(fn))
        if found is None:
            found = self.run_parameters[id(fn)] = run_parameters(self.g, fn)
            if found:
                self.helpers[fn.name.value] = found
        return found

    def _passed_tensors(self, call: cst.Call) -> set[int]:
        """``plot_conv_layer(layer=layer_conv1, ...)``: a graph tensor given to a function
        (recorded when it runs what it is given: the arguments' ids)."""
        passed: set[int] = set()
        if self.g.sym(call.func) is not None:
            return passed
        callee = self.g.code(call.func)
        fn = self.g.user_functions.get(callee) or self.g.module_function(callee)
        runs = self._run_parameters(fn) if fn is not None and fn is self.g.user_functions.get(callee) else {}
        for arg in call.args:
            value = arg.value
            if not isinstance(value, cst.Name):
                continue
            name = value.value
            variable = self.g.is_variable(value) and not any(name in names for names in self.shadowed)
            param = bound_parameter(fn, call, arg) if fn is not None and runs else None
            if param in runs and (self._graph_name(name) or variable):
                # It runs what it is given: it is given the function computing the tensor.
                self.g.edits.passed_tensors[id(value)] = PassedTensor(name, self.statement, runs[param])
                passed.add(id(value))
            elif self._graph_name(name):
                how = (
                    "which runs what it is given, and uses that parameter other than as a run's whole fetch (or feeds "
                    "it different placeholders at its runs): only a parameter its runs alone use is given a function"
                    if fn is not None and _runs_graph(fn)
                    else "which received the symbolic tensor in TF1; eager code has no graph tensor to give"
                )
                raise CannotConvert(value, f"graph tensor `{name}` is passed to `{callee}`, {how}")
        self.passed_args |= passed
        return passed

    def _is_graph_expr(self, expr: cst.BaseExpression) -> bool:
        if isinstance(expr, cst.Name):
            return expr.value in self.graph or expr.value in self.g.inits or self.g.is_variable(expr)
        if isinstance(expr, cst.Call) and not self.g.is_init(expr):
            # `tf.shape(t).eval()`: an op built at the run, as `sess.run(tf.shape(t))` builds it.
            symbol = self.g.sym(expr.func)
            return symbol is not None and symbol not in SESSIONS
        if isinstance(expr, (cst.BinaryOperation, cst.UnaryOperation)):
            return bool(names_read(expr) & self.graph)  # `(matrix1 * matrix2).eval()`
        return self.g.is_variable(expr)

    def _feed(self, node: cst.BaseExpression) -> dict[str, cst.BaseExpression]:
        if not isinstance(node, cst.Dict):
            raise CannotConvert(node, "a feed_dict that is not a dict literal")
        feed = {}
        for element in node.elements:
            if not isinstance(element, cst.DictElement) or not isinstance(element.key, cst.Name):
                raise CannotConvert(node, "a feed_dict key that is not a placeholder name")
            feed[element.key.value] = element.value
        return feed

    def visit_For(self, node: cst.For) -> bool:
        self.loop_ids.append(id(node))
        self.loop_targets.append(set(assigned_names(node.target)))
        # The target binds Python values (`for i, x in enumerate(y_test)` once the graph's
        # `x` is no longer needed): neither it nor the body's reads of it use the graph.
        node.iter.visit(self)
        self.shadowed.append(self.loop_targets[-1])
        node.body.visit(self)
        if node.orelse is not None:
            node.orelse.visit(self)
        self.shadowed.pop()
        return False

    def leave_For(self, original_node: cst.For) -> None:
        self.loop_ids.pop()
        self.loop_targets.pop()

    def visit_While(self, node: cst.While) -> None:
        self.loop_ids.append(id(node))

    def leave_While(self, original_node: cst.While) -> None:
        self.loop_ids.pop()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.def_names.add(id(node.name))
        self.shadowed.append(local_names(node))
        # A function of the graph's block runs where it is called; what a method or a
        # nested function does stays where it is written.
        own = not any(self.defining) and self.g.user_functions.get(node.name.value) is node
        self.defining.append(node.name.value if own else (self.defining[-1] if self.defining else None))
        self.outer_loops.append(self.loop_ids)
        if own:
            self.loop_ids = []

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.shadowed.pop()
        self.defining.pop()
        self.loop_ids = self.outer_loops.pop()

    def _graph_name(self, name: str) -> bool:
        # `_` is a throwaway: `grads, _ = tf.clip_by_global_norm(...)` then `c, _ = sess.run(...)`.
        # Before the block binds a name to a graph object it is plain Python (`c = 0`
        # ... `c = tf.placeholder(...)`); a function's body runs later, where it is called.
        return (
            name in self.graph
            and name != "_"
            and not any(name in names for names in self.shadowed)
            and not self.g.python_value(name, self.statement)
            and (bool(self.defining) or self._bound_before(name))
        )

    def _bound_before(self, name: str) -> bool:
        return self.g.placeholder(name, self.statement) is not None or self.g.definition(name, self.statement) is not None

    def shown_tensor(self, stmt: cst.BaseStatement) -> str | None:
        """``layer_conv1`` alone on a line: the graph tensor it shows."""
        expr = expression_of(stmt)
        return expr.value if isinstance(expr, cst.Name) and self._graph_name(expr.value) else None

    def visit_Name(self, node: cst.Name) -> None:
        if id(node) not in self.def_names and self._graph_name(node.value):
            raise CannotConvert(node, f"graph tensor `{node.value}` is used outside a session run")

    def visit_Lambda(self, node: cst.Lambda) -> None:
        self.shadowed.append({p.name.value for p in node.params.params})

    def leave_Lambda(self, original_node: cst.Lambda) -> None:
        self.shadowed.pop()

    def _comprehension(self, node: cst.ListComp | cst.SetComp | cst.GeneratorExp | cst.DictComp) -> None:
        names: set[str] = set()
        part: cst.CompFor | None = node.for_in
        while part is not None:
            names.update(assigned_names(part.target))
            part = part.inner_for_in
        self.shadowed.append(names)

    def visit_ListComp(self, node: cst.ListComp) -> None:
        self._comprehension(node)

    def leave_ListComp(self, original_node: cst.ListComp) -> None:
        self.shadowed.pop()

    def visit_SetComp(self, node: cst.SetComp) -> None:
        self._comprehension(node)

    def leave_SetComp(self, original_node: cst.SetComp) -> None:
        self.shadowed.pop()

    def visit_GeneratorExp(self, node: cst.GeneratorExp) -> None:
        self._comprehension(node)

    def leave_GeneratorExp(self, original_node: cst.GeneratorExp) -> None:
        self.shadowed.pop()

    def visit_DictComp(self, node: cst.DictComp) -> None:
        self._comprehension(node)

    def leave_DictComp(self, original_node: cst.DictComp) -> None:
        self.shadowed.pop()

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        """``x.shape`` / ``x.dtype`` of a placeholder: what TF1 knew while building the
        graph, the placeholder's own declaration (``x.get_shape()``: visit_Call)."""
        value = node.value
        if isinstance(value, cst.Name) and self._graph_name(value.value) and node.attr.value in STATIC_ATTRIBUTES:
            static = self._static(value.value, node.attr.value)
            if static is not None:
                self.g.edits.static_reads[id(node)] = static
                return False
            if self._traced(node, value.value, node.attr.value):
                return False
            raise CannotConvert(node, (
                f"reads `{node.attr.value}` of graph tensor `{value.value}` outside a session run: TF1 knew it "
                "while building the graph, eager code only once a function has run"
            ))
        return super().visit_Attribute(node)

    def _static(self, name: str, attribute: str) -> str | None:
        placeholder = self.g.placeholder(name, self.statement)
        unit = self.g.definition(name, self.statement)
        if placeholder is None or (unit is not None and unit.index > placeholder.index):
            return None
        if attribute in ("shape", "get_shape"):
            return f"{self.g.tf}.TensorShape({placeholder.shape})"
        return placeholder.dtype if attribute == "dtype" else None

    def _traced(self, node: cst.CSTNode, name: str, attribute: str) -> bool:
        """``h.shape`` / ``h.get_shape()`` / ``h.dtype`` of a tensor the block computed, or
        ``h`` itself printed: the output of a function computing it, traced for the
        placeholders' declarations (recorded for planning); False where this cannot be
        (another attribute, a read in a function, which happens where it is called)."""
        if attribute not in ("shape", "get_shape", "dtype", "tensor") or self.defining:
            return False
        computed = self.g.definition(name, self.statement) is not None
        if not computed and not (attribute == "tensor" and self.g.placeholder(name, self.statement) is not None):
            return False
        read: StaticRead = "dtype" if attribute == "dtype" else "tensor" if attribute == "tensor" else "shape"
        self.g.edits.traced_reads[id(node)] = (name, read, self.statement)
        return True

    def _static_call(self, node: cst.Call) -> bool:
        """``x.get_shape()`` of a placeholder (recorded); ``print(t)`` of a graph tensor: the
        symbolic tensor of its function's trace, which TF1's print described (recorded)."""
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value == "get_shape" and not node.args:
            if isinstance(func.value, cst.Name) and self._graph_name(func.value.value):
                static = self._static(func.value.value, "get_shape")
                if static is None and self._traced(node, func.value.value, "get_shape"):
                    return True
                if static is None:
                    raise CannotConvert(node, (
                        f"reads the static shape of graph tensor `{func.value.value}` outside a session run: TF1 "
                        "knew it while building the graph, eager code only once a function has run"
                    ))
                self.g.edits.static_reads[id(node)] = static
                return True
        if isinstance(func, cst.Name) and func.value == "print":
            printed = [a.value for a in node.args if isinstance(a.value, cst.Name) and self._graph_name(a.value.value)]
            for tensor in printed:
                if not self._traced(tensor, tensor.value, "tensor"):
                    raise CannotConvert(node, (
                        f"prints graph tensor `{tensor.value}` inside a function or before the graph defines it: TF1 "
                        "printed its description (name, shape, dtype), not a value"
                    ))
            if not printed:
                return False
            for arg in node.args:
                if all(arg.value is not tensor for tensor in printed):
                    arg.visit(self)
            return True
        return False

    def visit_Param(self, node: cst.Param) -> bool:
        return False
