"""G101's stages in order, for a module or a model class.

``convert`` returns the converted module and the notes to report, raises
``NothingToDo`` (no session is run) or ``CannotConvert`` (the fallback's reason).
"""

from __future__ import annotations

from collections.abc import Callable

import libcst as cst

from codemods.graph.g101_session_to_function import class_layout, model_classes
from codemods.graph.g101_session_to_function.analysis import analyse
from codemods.graph.g101_session_to_function.checkpoints import Checkpoints
from codemods.graph.g101_session_to_function.emit import Layout, ModuleLayout, emit
from codemods.graph.g101_session_to_function.feature import Feature
from codemods.graph.g101_session_to_function.initialisation import plan_initialisation
from codemods.graph.g101_session_to_function.layer_objects import LayerObjects
from codemods.graph.g101_session_to_function.model import CannotConvert, Graph, Note, NothingToDo
from codemods.graph.g101_session_to_function.plan import plan
from codemods.graph.g101_session_to_function.scope import Sym, find_scope, runs_sessions
from codemods.graph.g101_session_to_function.scoped_variables import ScopedVariables
from codemods.graph.g101_session_to_function.sites import find_sites
from codemods.graph.g101_session_to_function.summaries import TensorBoardSummaries
from codemods.graph.g101_session_to_function.variable_helpers import VariableHelpers
from codemods.graph.g102_layers_to_keras import ConvertedLayers


def features(layers: ConvertedLayers) -> list[Feature]:
    """The features of one conversion, in the order their hooks run."""
    return [LayerObjects(layers), Checkpoints(), TensorBoardSummaries(), VariableHelpers(), ScopedVariables()]


def convert(
    tree: cst.Module, tf: str, sym_for: Callable[[cst.Module], Sym], layers: ConvertedLayers
) -> tuple[cst.Module, list[Note]]:
    """``sym_for(module)``: the TF1 symbol of an expression of ``module``."""
    model = model_classes.find(tree, sym_for(tree), layers.classes)
    if model is None:
        graph = find_scope(tree, tf, sym_for(tree))
        return run_stages(graph, features(layers), ModuleLayout(graph)), graph.notes
    # A model class: its `__init__` is read where the instance is created (a flat
    # module, with its own symbols), then the result is put back into the class.
    flat = model_classes.flatten(model, tree)
    try:
        graph = find_scope(flat.module, tf, sym_for(flat.module))
        converted = run_stages(graph, features(layers), class_layout.ClassLayout(graph, model, flat))
    except CannotConvert as exc:
        raise CannotConvert(class_layout.in_tree(tree, exc.node, model), exc.reason) from None
    return converted, class_layout.user_notes(tree, model, graph.notes)


def run_stages(graph: Graph, features: list[Feature], layout: Layout) -> cst.Module:
    # Only programs that build a graph and run it in a session are converted here;
    # graph-building library code is left to the API rules.
    if not graph.sessions and not runs_sessions(graph.body, graph.sym):
        raise NothingToDo()
    analyse(graph, features)
    sites = find_sites(graph, features)
    initialisation = plan_initialisation(graph, sites, assignable=isinstance(layout, ModuleLayout))
    return emit(graph, plan(graph, sites, features), initialisation, features, layout)
