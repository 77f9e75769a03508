"""G101's stages in order, for a module, a model class or a function building the graph.

``convert`` returns the converted module and the notes to report, raises
``NothingToDo`` (no session is run) or ``CannotConvert`` (the fallback's reason).
"""

from __future__ import annotations

from collections.abc import Callable

import libcst as cst

from codemods.graph.g101_session_to_function import build_functions, class_layout, model_classes
from codemods.graph.g101_session_to_function.analysis import analyse
from codemods.graph.g101_session_to_function.checkpoints import Checkpoints
from codemods.graph.g101_session_to_function.data_iterators import DataIterators
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
    return [
        LayerObjects(layers), Checkpoints(), TensorBoardSummaries(), VariableHelpers(), ScopedVariables(),
        DataIterators(),
    ]


def convert(
    tree: cst.Module, tf: str, sym_for: Callable[[cst.Module], Sym], layers: ConvertedLayers
) -> tuple[cst.Module, list[Note]]:
    """``sym_for(module)``: the TF1 symbol of an expression of ``module``."""
    model = model_classes.find(tree, sym_for(tree), layers.classes)
    if model is None:
        found = build_functions.find(tree, sym_for(tree), tf)
        if found is not None:
            return _convert_built(tree, tf, sym_for, layers, *found)
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


def _convert_built(
    tree: cst.Module, tf: str, sym_for: Callable[[cst.Module], Sym], layers: ConvertedLayers,
    built: build_functions.BuildFunction, site: build_functions.BuildCall,
) -> tuple[cst.Module, list[Note]]:
    """A function building the graph that is run outside it: its class stands where it
    was, its call is read as placeholders and the units computing what it returned."""
    flat = build_functions.flatten(built, site, tree, tf)
    feature = build_functions.BuiltModules(built, site)
    try:
        graph = find_scope(flat, tf, sym_for(flat))
        converted = run_stages(graph, [*features(layers), feature], ModuleLayout(graph))
    except CannotConvert as exc:
        raise CannotConvert(build_functions.in_tree(tree, exc.node, site), exc.reason) from None
    feature.note(graph)
    return converted, build_functions.user_notes(tree, site, graph.notes)


def run_stages(graph: Graph, features: list[Feature], layout: Layout) -> cst.Module:
    # Only programs that build a graph and run it in a session are converted here;
    # graph-building library code is left to the API rules.
    if not graph.sessions and not runs_sessions(graph.body, graph.sym):
        raise NothingToDo()
    analyse(graph, features)
    sites = find_sites(graph, features)
    initialisation = plan_initialisation(graph, sites, assignable=isinstance(layout, ModuleLayout))
    return emit(graph, plan(graph, sites, features), initialisation, features, layout)
