"""G101 build functions (``build_functions``): the caller as a flat module (``flatten``) that
G101's stages read as if the function had returned one placeholder per fed tensor and
one tensor per returned value."""

from __future__ import annotations

import ast
import re

import libcst as cst

from codemods.analysis.cst_tools import StatementSplicer, code, nodes_of
from codemods.analysis.graph import names_read
from codemods.analysis.names import FastVisitor
from codemods.graph.g101_session_to_function.build_reading import literal_key
from codemods.graph.g101_session_to_function.build_values import VERBS, BuildCall, BuildFunction, fresh_name
from codemods.graph.g101_session_to_function.model import CannotConvert


def flatten(built: BuildFunction, site: BuildCall, module: cst.Module, tf: str) -> cst.Module:
    """The module with the function replaced by its class and its call by the module's
    creation, one placeholder per fed tensor and the units computing what it returned;
    ``ae['key']`` (or the unpacked names) read as those names."""
    fn = built.definition
    rest = module.with_changes(body=[s for s in module.body if s is not fn])
    # The function's own name is free once its class replaces it.
    taken = (names_read(rest) - {fn.name.value}) | {built.class_name}
    by_target = len(site.targets) > 1
    instance = site.targets[0] if not by_target else fresh_name(re.sub(r"^_+", "", _instance_base(fn.name.value)), taken)
    taken.add(instance)
    site.instance = instance
    # The caller's name for each returned element (by the element's key or position).
    flat: dict[str, str] = {}
    names: dict[int, str] = {}  # id(Returned) -> flat name
    for position, r in enumerate(built.returned):
        if by_target:
            name = site.targets[position]
        else:
            base = _key_name(r.key or "") or (r.name or "value")
            name = base if base not in taken else fresh_name(f"{instance}_{base}", taken)
            taken.add(name)
        flat[r.key or ""] = names[id(r)] = name
    # Every use of the instance is `inst[key]` with a key the function returns.
    if not by_target:
        _check_uses(rest, built, site)
    lines: list[str] = []
    fed_names = []
    for f in sorted(built.fed, key=lambda f: f.default is not None):
        r = next((r for r in built.returned if r.placeholder is f), None)
        if r is None:
            continue  # a placeholder with a default the caller cannot feed
        target = names[id(r)]
        fed_names.append(target if f.default is None else f"{f.name}={target}")
        shape = _resolve(f.shape or "None", built, instance)
        if f.default is not None:
            lines.append(f"{target} = {tf}.placeholder_with_default({_resolve(f.default, built, instance)}, {shape})")
        elif f.dtype is not None:
            lines.append(f"{target} = {tf}.placeholder({_resolve(f.dtype, built, instance)}, {shape})")
        else:
            lines.append(f"{target} = {tf}.placeholder()")  # converted by __call__
    invocation = f"{instance}({', '.join(fed_names)})"  # those with a default, by keyword
    losses: dict[str, str] = {}  # body name of a loss -> its flat name
    outputs: list[str] = []
    for output in built.outputs:
        if output.returned is not None:
            outputs.append(names[id(output.returned)])
        else:
            name = output.name if output.name not in taken else fresh_name(f"{instance}_{output.name}", taken)
            taken.add(name)
            outputs.append(name)
        losses[output.name] = outputs[-1]
    if built.shape == "dict":
        results = fresh_name(f"{instance}_outputs", taken)
        taken.add(results)
        lines.append(f"{results} = {invocation}")
        lines += [f"{name} = {results}[{o.key}]" for name, o in zip(outputs, built.outputs)]
    elif outputs:
        lines.append(f"{', '.join(outputs)} = {invocation}")
    for training in built.trainings:
        op = next(names[id(r)] for r in built.returned if r.training is training)
        constructor = _resolve(code(training.constructor), built, instance)
        if training.optimizer is None:
            lines.append(f"{op} = {constructor}.minimize({losses[training.loss]})")
            continue
        optimizer = training.optimizer if training.optimizer not in taken else fresh_name(f"{instance}_{training.optimizer}", taken)
        taken.add(optimizer)
        lines.append(f"{optimizer} = {constructor}")
        lines.append(f"{op} = {optimizer}.minimize({losses[training.loss]})")
    creation = site.creation
    assignment = creation.body[0]
    kept = assignment.with_changes(
        targets=[cst.AssignTarget(cst.Name(instance))],
        value=site.call.with_changes(func=cst.Name(built.class_name)),
    )
    first = creation.with_changes(body=[kept])
    spliced = [first, *(cst.parse_statement(f"{line}\n") for line in lines)]
    found: list[int] = []

    class _Flatten(StatementSplicer):
        def visit_FunctionDef(self, node) -> bool:
            return node is not fn

        def leave_Subscript(self, original_node, updated_node):
            if by_target or not (isinstance(original_node.value, cst.Name) and original_node.value.value == instance):
                return updated_node
            key = _subscript_key(original_node)
            return cst.Name(flat[key]) if key in flat else updated_node

        def spliced(self, original, updated):
            if original is fn:
                return [built.class_def]
            if original is creation:
                found.append(1)
                return spliced
            return None

    result = module.visit(_Flatten())
    if len(found) != 1:
        raise CannotConvert(creation, f"`{fn.name.value}(...)` is not called where the graph is run")
    return result


def _instance_base(name: str) -> str:
    for verb in VERBS:
        if name.startswith(verb) and len(name) > len(verb):
            return name[len(verb):]
    return name


def _key_name(key: str) -> str | None:
    """The identifier a literal key spells (``'cost'`` -> ``cost``), if it spells one."""
    try:
        value = ast.literal_eval(key)
    except (ValueError, SyntaxError):
        return None
    return value if isinstance(value, str) and value.isidentifier() else None


def _subscript_key(node: cst.Subscript) -> str | None:
    if len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Index):
        return None
    return literal_key(node.slice[0].slice.value)


def _check_uses(rest: cst.Module, built: BuildFunction, site: BuildCall) -> None:
    instance = site.instance
    keys = {r.key for r in built.returned}
    uses = [n for n in nodes_of(rest, cst.Name) if n.value == instance]
    subscripts: list[cst.Subscript] = []

    class _Subscripts(FastVisitor):
        def visit_Subscript(self, n: cst.Subscript) -> None:
            if isinstance(n.value, cst.Name) and n.value.value == instance:
                subscripts.append(n)

    rest.visit(_Subscripts())
    for node in subscripts:
        if _subscript_key(node) not in keys:
            raise CannotConvert(node, f"`{instance}` is read with a key `{built.fn.name.value}` does not return")
    if len(uses) != len(subscripts) + 1:
        raise CannotConvert(site.creation, (
            f"`{instance}` (what `{built.fn.name.value}` returned) is used other than as `{instance}[key]`"
        ))


def _resolve(code: str, built: BuildFunction, instance: str) -> str:
    """Code of the function's body read in the caller: parameters as the instance's attributes."""

    class _Params(cst.CSTTransformer):
        def leave_Name(self, original_node, updated_node):
            if original_node.value in built.attributes:
                return cst.parse_expression(f"{instance}.{built.attributes[original_node.value]}")
            return updated_node

        def leave_Attribute(self, original_node, updated_node):
            return updated_node.with_changes(attr=original_node.attr)

        def leave_Arg(self, original_node, updated_node):
            return updated_node.with_changes(keyword=original_node.keyword)

    return cst.Module(body=[]).code_for_node(cst.parse_expression(code).visit(_Params()))

