"""Stage 3, sites: every place the program runs the graph.

``find_sites`` visits the statements of the graph's block that are not graph
definitions and returns every ``sess.run`` / ``t.eval()`` / ``op.run()`` (``Sites``), in
program order; a graph tensor used anywhere else raises ``CannotConvert``. Feed dicts
held in a variable (``feed = {x: ...}``) are inlined at their runs
(``graph.edits.feed_assignments`` go, ``graph.edits.site_feeds`` keep each run's feed).
"""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst

from codemods.analysis.graph import ReadNamesVisitor, argument, assigned_names, names_read
from codemods.graph.g101_session_to_function.analysis import local_names
from codemods.graph.g101_session_to_function.feature import Feature
from codemods.graph.g101_session_to_function.model import CannotConvert, Graph, Site, Sites


def find_sites(graph: Graph, features: Sequence[Feature]) -> Sites:
    finder = _SiteFinder(graph, features)
    for index, stmt in enumerate(graph.body):
        if (
            index in finder.unit_statements
            or index in graph.edits.removed
            or any(feature.keras_statement(graph, stmt) for feature in features)
        ):
            continue
        finder.statement = index
        stmt.visit(finder)
    return Sites(finder.sites, finder.looped_inits)


class _SiteFinder(ReadNamesVisitor):
    """Every place the program runs the graph, and every other use of a graph tensor."""

    def __init__(self, graph: Graph, features: Sequence[Feature]) -> None:
        self.g = graph
        self.features = features
        self.sites: list[Site] = []
        self.unit_statements = {u.index for u in graph.units}
        self.session_names = graph.session_names()
        self.graph = graph.graph_names()
        self.feeds: dict[str, cst.Dict] = {}
        self.shadowed: list[set[str]] = []  # names local to the functions being visited
        self.loops = 0  # depth of the for/while loops being visited
        self.loop_targets: list[set[str]] = []  # names bound by the for loops being visited
        self.looped_inits: set[int] = set()  # initializer runs inside a loop
        self.statement = 0

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
        return True

    def visit_Call(self, node: cst.Call) -> bool:
        for feature in self.features:
            checked = feature.claims_run(self.g, node, self.loops > 0)
            if checked is not None:
                for value in checked:
                    value.visit(self)
                return False
        func = node.func
        if not isinstance(func, cst.Attribute):
            return True
        receiver, method = func.value, func.attr.value
        feed_node = None
        fetch = None
        if method == "run" and isinstance(receiver, cst.Name) and receiver.value in self.session_names:
            fetch = argument(node, 0, "fetches")
            feed_node = argument(node, 1, "feed_dict")
        elif method in ("eval", "run") and self._is_graph_expr(receiver):
            fetch = receiver
            feed_node = argument(node, 0, "feed_dict")
        elif method == "run" and self.g.is_init(receiver):
            self.sites.append(Site(node, None, {}, init=True, statement=self.statement))
            if self.loops:
                self.looped_inits.add(id(node))
            return False
        else:
            return True
        if fetch is None:
            raise CannotConvert(node, "a run with no fetches")
        from_loop = (set(names_read(fetch)) & set().union(*self.loop_targets)) - self.graph
        if from_loop:
            # `for num in nums: sess.run(f(num))` built a new op from each value; a
            # function traced once would keep the first one.
            raise CannotConvert(fetch, f"the fetch builds new ops from the loop variable `{sorted(from_loop)[0]}` at each run")
        init = self.g.is_init(fetch)
        if isinstance(feed_node, cst.Name) and feed_node.value in self.feeds:
            feed_node = self.feeds[feed_node.value]
        if feed_node is not None:
            self.g.edits.site_feeds[id(node)] = feed_node
        feed = {} if feed_node is None else self._feed(feed_node)
        self.sites.append(Site(node, fetch, feed, init=init, statement=self.statement))
        if init and self.loops:
            self.looped_inits.add(id(node))
        # The fetch and the feed keys are graph references that the rewrite replaces;
        # the feed values are ordinary Python expressions.
        for value in feed.values():
            value.visit(self)
        return False

    def _is_graph_expr(self, expr: cst.BaseExpression) -> bool:
        if isinstance(expr, cst.Name):
            return expr.value in self.graph or expr.value in self.g.inits or self.g.is_variable(expr)
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
        self.loops += 1
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
        self.loops -= 1
        self.loop_targets.pop()

    def visit_While(self, node: cst.While) -> None:
        self.loops += 1

    def leave_While(self, original_node: cst.While) -> None:
        self.loops -= 1

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.shadowed.append(local_names(node))

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.shadowed.pop()

    def visit_Name(self, node: cst.Name) -> None:
        # `_` is a throwaway: `grads, _ = tf.clip_by_global_norm(...)` then `c, _ = sess.run(...)`.
        if node.value in self.graph and node.value != "_" and not any(node.value in names for names in self.shadowed):
            raise CannotConvert(node, f"graph tensor `{node.value}` is used outside a session run")

    def visit_Param(self, node: cst.Param) -> bool:
        return False
