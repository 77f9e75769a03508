"""G101's stages in order, for a module, a model class or a function building the graph.

``convert`` returns the converted module and the notes to report, raises
``NothingToDo`` (no session is run) or ``CannotConvert`` (the fallback's reason).
"""

from __future__ import annotations

from collections.abc import Callable

import libcst as cst

from codemods.analysis.graph import calls_in, names_read
from codemods.analysis.graph_blocks import unwrap_graph_blocks
from codemods.graph.g101_session_to_function import (
    build_caller,
    build_functions,
    build_reading,
    build_values,
    class_layout,
    model_classes,
    model_instances,
)
from codemods.graph.g101_session_to_function.analysis import analyse
from codemods.graph.g101_session_to_function.checkpoints import Checkpoints
from codemods.graph.g101_session_to_function.data_iterators import DataIterators
from codemods.graph.g101_session_to_function.emit import Layout, ModuleLayout, emit
from codemods.graph.g101_session_to_function.feature import Feature
from codemods.graph.g101_session_to_function.initialisation import plan_initialisation
from codemods.graph.g101_session_to_function.layer_objects import LayerObjects
from codemods.graph.g101_session_to_function.model import CannotConvert, Graph, Note, NothingToDo
from codemods.graph.g101_session_to_function.plan import plan
from codemods.graph.g101_session_to_function.scope import SESSIONS, Sym, find_scope, runs_sessions, scope_in
from codemods.graph.g101_session_to_function.scoped_variables import ScopedVariables
from codemods.graph.g101_session_to_function.sites import find_sites
from codemods.graph.g101_session_to_function.streaming_metrics import StreamingMetrics
from codemods.graph.g101_session_to_function.summaries import TensorBoardSummaries
from codemods.graph.g101_session_to_function.variable_helpers import VariableHelpers
from codemods.graph.g102_layers_to_keras.record import ConvertedLayers


def features(layers: ConvertedLayers) -> list[Feature]:
    """The features of one conversion, in the order their hooks run."""
    return [
        LayerObjects(layers), Checkpoints(), TensorBoardSummaries(), VariableHelpers(), ScopedVariables(layers.scopes),
        DataIterators(), StreamingMetrics(),
    ]


def convert(
    tree: cst.Module, tf: str, sym_for: Callable[[cst.Module], Sym], layers: ConvertedLayers
) -> tuple[cst.Module, list[Note]]:
    """``sym_for(module)``: the TF1 symbol of an expression of ``module``."""
    tree, opened = _open_graph_blocks(tree, sym_for)
    converted, notes = _convert(tree, tf, sym_for, layers)
    return converted, opened + notes


def _open_graph_blocks(tree: cst.Module, sym_for: Callable[[cst.Module], Sym]) -> tuple[cst.Module, list[Note]]:
    """Stage 0: ``with graph.as_default():`` blocks opened (``analysis.graph_blocks``);
    G102 opened those holding its layers already."""
    sym = sym_for(tree)
    unwrapped = unwrap_graph_blocks(tree, sym)
    if unwrapped.declined is not None:
        if any(sym(call.func) in SESSIONS for call in calls_in(tree)):
            raise CannotConvert(*unwrapped.declined)
        return tree, []
    return unwrapped.module, [Note(block, message, "converted") for block, message in unwrapped.opened]


def _convert(
    tree: cst.Module, tf: str, sym_for: Callable[[cst.Module], Sym], layers: ConvertedLayers
) -> tuple[cst.Module, list[Note]]:
    model = model_classes.find(tree, sym_for(tree), layers.classes, layers.declined)
    if isinstance(model, model_classes.Instances):
        return _convert_instances(tree, tf, sym_for, layers, model)
    if model is None:
        found = build_reading.find(tree, sym_for(tree), tf)
        if found is not None:
            return _convert_built(tree, tf, sym_for, layers, *found)
        graph = find_scope(tree, tf, sym_for(tree))
        try:
            return run_stages(graph, features(layers), ModuleLayout(graph)), graph.notes
        except NothingToDo:
            _session_elsewhere(tree, graph, sym_for(tree))
            raise
    converted, notes, _ = _convert_model(tree, tf, sym_for, layers, model)
    return converted, notes


def _convert_model(
    tree: cst.Module, tf: str, sym_for: Callable[[cst.Module], Sym], layers: ConvertedLayers, model: model_classes.ModelClass,
) -> tuple[cst.Module, list[Note], set[str]]:
    """A model class and its one instance: ``__init__`` is read where the instance is
    created, its methods as functions after it (a flat module, with its own symbols),
    then the result is put back into the class. Also returns the class's attributes that
    held graph objects (tensors, placeholders, variables, the session it was given)."""
    flat = model_classes.flatten(model, tree)
    try:
        graph = find_scope(flat.module, tf, sym_for(flat.module))
        converted = run_stages(graph, features(layers), class_layout.ClassLayout(graph, model, flat))
    except CannotConvert as exc:
        raise CannotConvert(class_layout.in_tree(tree, exc.node, model), exc.reason) from None
    objects = graph.graph_names() | {v.name for v in graph.variables} | set(graph.optimizers)
    graph_attrs = {name for flat_name, (kind, name) in model.origin.items() if kind == "attr" and flat_name in objects}
    graph_attrs |= {model.session_attr} if model.session_attr else set()
    return converted, class_layout.user_notes(tree, model, graph.notes), graph_attrs


def _convert_instances(
    tree: cst.Module, tf: str, sym_for: Callable[[cst.Module], Sym], layers: ConvertedLayers,
    found: model_classes.Instances,
) -> tuple[cst.Module, list[Note]]:
    """Model classes used only through their methods: each converted alone, then the script."""
    names = {parts.cls.name.value for parts in found.classes}
    classes = {}
    notes: list[Note] = []
    for parts in found.classes:
        module = model_instances.alone(tree, parts, tf, names)
        model = model_classes.find(module, sym_for(module), layers.classes)
        assert isinstance(model, model_classes.ModelClass), "one class, one instance"
        try:
            converted, class_notes, graph_attrs = _convert_model(module, tf, sym_for, layers, model)
        except CannotConvert as exc:
            raise model_instances.in_tree(tree, exc, parts.cls) from None
        new_class = model_instances.converted_class(converted, module, parts)
        classes[parts.cls.name.value] = (parts, new_class, graph_attrs)
        notes += model_instances.notes_in(tree, parts.cls, class_notes)
    replaced = {id(parts.cls): new_class for parts, new_class, _ in classes.values()}
    script = tree.with_changes(body=[replaced.get(id(s), s) for s in tree.body])
    graph = scope_in(script, tf, sym_for(script), model_instances.script_owner(script, names))
    feature = model_instances.ConvertedClasses(classes)
    try:
        converted = run_stages(graph, [*features(layers), feature], ModuleLayout(graph))
    except NothingToDo:
        raise CannotConvert(found.classes[0].cls, f"no session this module opens runs `{found.classes[0].cls.name.value}`") from None
    except CannotConvert as exc:
        raise model_instances.in_tree(tree, exc, found.classes[0].cls) from None
    return converted, notes + model_instances.notes_in(tree, found.classes[0].cls, graph.notes)


def _convert_built(
    tree: cst.Module, tf: str, sym_for: Callable[[cst.Module], Sym], layers: ConvertedLayers,
    built: build_values.BuildFunction, site: build_values.BuildCall,
) -> tuple[cst.Module, list[Note]]:
    """A function building the graph that is run outside it: its class stands where it
    was, its call is read as placeholders and the units computing what it returned."""
    flat = build_caller.flatten(built, site, tree, tf)
    feature = build_functions.BuiltModules(built, site)
    try:
        graph = find_scope(flat, tf, sym_for(flat))
        converted = run_stages(graph, [*features(layers), feature], ModuleLayout(graph))
    except CannotConvert as exc:
        raise CannotConvert(build_functions.in_tree(tree, exc.node, site), exc.reason) from None
    feature.note(graph)
    return converted, build_functions.user_notes(tree, site, graph.notes)


def _session_elsewhere(tree: cst.Module, graph: Graph, sym: Sym) -> None:
    """A script's Session opened in a function the conversion does not read (``def
    train(args)`` called by ``main()``) runs TF1 graph code that is not converted: kept in
    graph mode. A library's functions running sessions are left to the API rules."""
    if not any(isinstance(stmt, cst.If) and "__name__" in names_read(stmt.test) for stmt in tree.body):
        return
    owner = graph.owner
    for stmt in tree.body:
        functions = stmt.body.body if isinstance(stmt, cst.ClassDef) and isinstance(stmt.body, cst.IndentedBlock) else [stmt]
        for function in functions:
            if not isinstance(function, cst.FunctionDef) or function is owner:
                continue
            opened = next((call for call in calls_in(function) if sym(call.func) in SESSIONS), None)
            if opened is not None:
                raise CannotConvert(opened, (
                    f"the Session is opened in `{function.name.value}`, and the graph it runs is not built at the "
                    "module's top level or in the one function creating placeholders or variables, which this rule "
                    "converts"
                ))


def run_stages(graph: Graph, features: list[Feature], layout: Layout) -> cst.Module:
    # Only programs that build a graph and run it in a session are converted here;
    # graph-building library code is left to the API rules.
    if not graph.sessions and not runs_sessions(graph.body, graph.sym):
        raise NothingToDo()
    analyse(graph, features)
    sites = find_sites(graph, features)
    initialisation = plan_initialisation(graph, sites, assignable=isinstance(layout, ModuleLayout))
    return emit(graph, plan(graph, sites, features), initialisation, features, layout)
