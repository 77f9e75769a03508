"""G101 feature: the Keras layer objects, layer classes and initializers G102 created.

G102 (which runs first) turns TF1 functional layers into Keras layer objects created
where the graph was built (``fc1 = tf.keras.layers.Dense(10)``) and graph-building
functions into layer classes. For G101 a layer object is state created once, whose
``trainable_variables`` are trained; the calls G102 wrote and the bodies of its layer
classes are Keras code, not TF1 graph building.
"""

from __future__ import annotations

import libcst as cst

from codemods.analysis.graph import calls_in, single_assignment
from codemods.analysis.tf1_layers import WEIGHTED
from codemods.graph.g101_session_to_function.analysis import statements_in
from codemods.graph.g101_session_to_function.feature import Feature
from codemods.graph.g101_session_to_function.model import CannotConvert, Function, Graph, Variable
from codemods.graph.g102_layers_to_keras.record import ConvertedLayers

# Placeholder dtypes a Keras layer computes with as TF1's layer did: float32 (Keras's
# compute dtype), and dtypes that are not floating (Keras casts only floating inputs).
_SAME_IN_KERAS = {
    "float32", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "bool", "string",
}


class LayerObjects(Feature):
    def __init__(self, layers: ConvertedLayers) -> None:
        self.layers = layers

    def _layer_object_call(self, graph: Graph, call: cst.BaseExpression) -> bool:
        """``tf.keras.layers.Dense(...)`` assigned at the graph's level to a G102 object."""
        if not isinstance(call, cst.Call):
            return False
        symbol = graph.sym(call.func) or ""
        if not symbol.startswith("keras.layers.") and not (
            isinstance(call.func, cst.Name) and call.func.value in self.layers.classes
        ):
            return False
        for stmt in graph.body:
            assignment = single_assignment(stmt)
            if assignment is not None and assignment[1] is call:
                return len(assignment[0]) == 1 and assignment[0][0] in self.layers.objects
        return False

    def exempt_calls(self, graph: Graph) -> set[int]:
        """Calls G102 wrote: its layer constructors (and their arguments) and the bodies of
        its layer classes, which run as Keras code, not as TF1 graph building."""
        found: set[int] = set()
        for top in graph.module.body:
            if isinstance(top, cst.ClassDef) and top.name.value in self.layers.classes:
                found.update(id(c) for c in calls_in(top))
            if isinstance(top, cst.FunctionDef) and top.name.value in self.layers.variable_functions:
                # The Keras initializers G102 wrote for the tf.Variables of a variable helper.
                found.update(id(c) for c in calls_in(top) if (graph.sym(c.func) or "").startswith("keras.initializers."))
        for stmt in graph.body:
            assignment = single_assignment(stmt)
            if assignment is not None and self._layer_object_call(graph, assignment[1]):
                found.update(id(c) for c in calls_in(assignment[1]))
            for inner in statements_in(stmt) if isinstance(stmt, cst.With) else [stmt]:
                # `W = tf.Variable(tf.keras.initializers.GlorotUniform()(shape=...))`: G102's
                # graph-level get_variable, drawing TF1's initial value.
                assignment = single_assignment(inner)
                if (assignment is not None and len(assignment[0]) == 1
                        and graph.rebound.get(assignment[0][0], assignment[0][0]) in self.layers.graph_variables
                        and isinstance(assignment[1], cst.Call) and graph.sym(assignment[1].func) == "Variable"):
                    found.update(id(c) for c in calls_in(assignment[1])
                                 if (graph.sym(c.func) or "").startswith("keras.initializers."))
        return found

    def declined_because(self, graph: Graph, call: cst.Call) -> str | None:
        """G102's reason for leaving a call on TF1 (a get_variable with a partitioner...)."""
        return self.layers.declined.get(id(call))

    def classify_call(self, graph: Graph, index: int, names: list[str], call: cst.Call) -> bool:
        """A layer object is state created once; its trainable_variables are trained."""
        if not self._layer_object_call(graph, call):
            return False
        name = names[0]
        graph.variables.append(Variable(index, name, "layer"))
        symbol = graph.sym(call.func)
        weighted = symbol is None or symbol[len("keras.layers."):] in WEIGHTED  # None: a G102 layer class
        flag = next((a.value for a in call.args if a.keyword is not None and a.keyword.value == "trainable"), None)
        graph.trainable[name] = weighted and not (isinstance(flag, cst.Name) and flag.value == "False")
        return True

    def keras_statement(self, graph: Graph, stmt: cst.BaseStatement) -> bool:
        """A G102 layer class: Keras code whose parameters may share placeholders' names."""
        return isinstance(stmt, cst.ClassDef) and stmt.name.value in self.layers.classes

    def check_plan(self, graph: Graph, functions: list[Function]) -> None:
        """TF1's layers took their input's dtype (float64 data made float64 weights); Keras
        layers cast floating inputs to float32. A graph with layer objects and a placeholder
        of another floating dtype, or of one this rule cannot read (``x.dtype``), is declined."""
        layers = {v.name for v in graph.variables if v.kind == "layer"}
        if not any(unit.reads & layers for fn in functions for unit in fn.units):
            return
        for placeholder in graph.placeholders.values():
            dtype = placeholder.dtype
            if dtype is None:
                continue  # an iterator passed along, or a default of unknown dtype
            prefix, _, name = dtype.rpartition(".")
            if prefix in (graph.tf, f"{graph.tf}.dtypes", "np", "numpy") and name in _SAME_IN_KERAS:
                continue
            if not prefix and name in ("float", "int", "bool"):
                continue  # Python's types: float32, int32, bool in TF1
            raise CannotConvert(graph.body[placeholder.index], (
                f"placeholder `{placeholder.name}` has dtype `{dtype}`: TF1's layers took their input's dtype, "
                "Keras layers compute in float32"
            ))
