"""One module's conversion (``Converter.convert``): the graph's level, ``main()`` and model
classes block by block, graph-building functions (``model_functions``), RNNs (``rnn``),
and what the conversion created, for G101 (read back into ``ConvertedLayers`` by the rule)."""

from __future__ import annotations

import keyword
import re
from typing import TYPE_CHECKING

import libcst as cst

from codemods.analysis.graph import (
    argument,
    assign_targets,
    build_calls,
    calls_in,
    drop_unused_contrib_imports,
    names_read,
    single_assignment,
    target_parts,
)
from codemods.analysis.names import is_import_line, transform
from codemods.analysis.tf1_layers import LAYERS
from codemods.graph.g102_layers_to_keras.eager_variables import GraphScopes
from codemods.graph.g102_layers_to_keras.graph_collections import (
    DropUpdateOps,
    RegularizationLosses,
    UpdateOps,
    regularization_call,
)
from codemods.graph.g102_layers_to_keras.graph_variables import VARIABLE_SCOPE, GraphVariables
from codemods.graph.g102_layers_to_keras.layer_calls import LayerCalls
from codemods.graph.g102_layers_to_keras.model_functions import model_functions
from codemods.graph.g102_layers_to_keras.rnn import MULTI_RNN_CELLS, RNN_CELLS, RNN_RUNNERS, rnn_plan
from codemods.graph.g102_layers_to_keras.syntax import Skip, bind, is_name, is_none, layers_in_block

if TYPE_CHECKING:
    from codemods.graph.g102_layers_to_keras import LayersToKeras


class Converter:
    """One module's conversion and its state: names taken, the objects, classes and variables
    it created (what G101 is told), the calls it declined and why."""

    def __init__(self, rule: LayersToKeras, module: cst.Module, alias: str) -> None:
        self.rule = rule
        self.module = module
        self.tf = alias
        self.code = module.code_for_node
        self.taken = set(names_read(module))
        self.objects: set[str] = set()
        self.classes: set[str] = set()
        self.variable_functions: set[str] = set()
        self.graph_variables: set[str] = set()  # graph-level tf.Variables made from get_variable
        self.scopes: dict[str, str] = {}  # layer object -> the variable scope naming its variables
        self.declined: dict[int, str] = {}  # id of a call left on TF1 -> why
        # The name scopes this rule made of variable scopes (new nodes: no symbols), by id.
        self.name_scopes: dict[int, cst.With] = {}
        # Layer name (as given by name=) -> the object created for it, for reuse=True.
        self.by_layer_name: dict[str, str] = {}
        # Objects with a weight regularizer, in creation order (TF1's REGULARIZATION_LOSSES).
        self.regularized: list[str] = []
        self.batch_norms = 0
        self.has_4d_layers = any(
            "2d" in symbol or "3d" in symbol for symbol in (self.rule.sym(c.func) or "" for c in calls_in(module))
        )
        self.update_ops = UpdateOps(self)
        # Generated TF1-layout RNN cells: kind -> (class name, code).
        self.cell_classes: dict[str, tuple[str, str]] = {}
        self.reuses_variables = self._reuses_variables()

    def decline(self, where: cst.CSTNode, node: cst.CSTNode, message: str) -> None:
        """Report why ``node`` stays TF1; G101 gives the reason for the calls in ``where`` it refuses."""
        self.rule.report(node, message)
        for call in calls_in(where):
            self.declined.setdefault(id(call), message)

    def batch_norm_problem(self, flag: cst.BaseExpression) -> str | None:
        """Why a batch-norm layer called with ``training=flag`` cannot become a Keras layer
        (which updates its moving statistics at every training-mode call), or None."""
        return self.update_ops.problem(flag)

    def fresh(self, base: str) -> str:
        base = base if base.isidentifier() and not keyword.iskeyword(base) else "layer"
        name = base
        if name in self.taken and not name.endswith("_layer"):
            name = base = f"{base}_layer"
        n = 2
        while name in self.taken:
            name = f"{base}_{n}"
            n += 1
        self.taken.add(name)
        return name

    def convert(self) -> cst.Module:
        module = model_functions(self, self.module)
        body = self._block(list(module.body))
        new_module = module if body is None else module.with_changes(body=body)
        # A `def main():` / `if __name__ == "__main__":` that builds the graph.
        changed = False
        new_body = list(new_module.body)
        for i, stmt in enumerate(new_body):
            if isinstance(stmt, (cst.FunctionDef, cst.If)) and isinstance(stmt.body, cst.IndentedBlock):
                if not self._builds_graph(stmt.body.body):
                    continue
                inner = self._block(list(stmt.body.body))
                if inner is not None:
                    new_body[i] = stmt.with_changes(body=stmt.body.with_changes(body=inner))
                    changed = True
        if changed:
            new_module = new_module.with_changes(body=new_body)
        new_module = self._model_classes(new_module)
        if new_module is not self.module:
            # `from tensorflow.contrib import rnn` / `import tensorflow.contrib.slim as slim`
            # do not import on TF 2: gone with their last use.
            new_module = drop_unused_contrib_imports(new_module)
        if self.cell_classes:
            code = "\n\n".join(text for _, text in self.cell_classes.values())
            new_module = _insert_after_imports(new_module, cst.parse_module(code).body)
        if self.batch_norms:
            # The Keras layers update their moving statistics themselves.
            new_module = cst.ensure_type(transform(new_module, DropUpdateOps(self.update_ops)), cst.Module)
        return new_module

    # -- model classes ------------------------------------------------------------------
    def _model_classes(self, module: cst.Module) -> cst.Module:
        """A class whose ``__init__`` and the methods it calls (``self._build_net()``) build
        the graph, once per instance (G101 converts such model classes): their statements
        are converted as the graph's level is. Classes with no TF1 layer or get_variable
        there are left to G101."""
        body = list(module.body)
        changed = False
        for index, cls in enumerate(body):
            if not isinstance(cls, cst.ClassDef) or cls.name.value in self.classes:
                continue
            methods = {m.name.value: m for m in cls.body.body if isinstance(m, cst.FunctionDef)}
            init = methods.get("__init__")
            if init is None or not isinstance(init.body, cst.IndentedBlock):
                continue
            building = [init, *(methods[name] for name in build_calls(init, methods).values())]
            symbols = {self.rule.sym(c.func) for method in building for c in calls_in(method)}
            if not symbols & {"placeholder", "placeholder_with_default"} or not symbols & {
                "get_variable", "layers.dropout", *LAYERS
            }:
                continue
            converted: dict[int, cst.FunctionDef] = {}
            for method in building:
                if isinstance(method.body, cst.IndentedBlock):
                    inner = self._block(list(method.body.body))
                    if inner is not None:
                        converted[id(method)] = method.with_changes(body=method.body.with_changes(body=inner))
            if converted:
                members = [converted.get(id(m), m) for m in cls.body.body]
                body[index] = cls.with_changes(body=cls.body.with_changes(body=members))
                changed = True
        return module.with_changes(body=body) if changed else module

    def is_get_variable(self, call: cst.Call) -> bool:
        return self.rule.sym(call.func) == "get_variable"

    def _reuses_variables(self) -> bool:
        """Some variable is looked up again by name (reuse=, AUTO_REUSE, reuse_variables()),
        other than by the graph's level variable scopes ``GraphVariables`` resolves itself."""
        resolved = self._graph_lookups()
        for call in calls_in(self.module):
            if id(call) in resolved:
                continue
            symbol = self.rule.sym(call.func)
            if symbol == "variable_scope":
                reuse = argument(call, 8, "reuse")
                if reuse is not None and not (is_none(reuse) or is_name(reuse, "False")):
                    return True
            if symbol in ("get_variable_scope", "make_template"):
                return True
            if isinstance(call.func, cst.Attribute) and call.func.attr.value == "reuse_variables":
                return True
        return False

    def _graph_lookups(self) -> set[int]:
        """The calls (``tf.variable_scope(..., reuse=...)``, ``scope.reuse_variables()``) of the
        variable scopes at the graph's level in which nothing but get_variable can look a
        variable up: no function of the module, TF1 layer or RNN runs there. Those lookups
        find variables of the graph's level, which ``GraphVariables`` resolves by name."""
        functions = {stmt.name.value for stmt in self.module.body if isinstance(stmt, cst.FunctionDef)}
        blocks = [list(self.module.body)] + [
            list(stmt.body.body) for stmt in self.module.body
            if isinstance(stmt, (cst.FunctionDef, cst.If)) and isinstance(stmt.body, cst.IndentedBlock)
            and self._builds_graph(stmt.body.body)
        ]
        found: set[int] = set()
        for block in blocks:
            for stmt in block:
                if not (isinstance(stmt, cst.With) and any(self.rule.sym(c.func) == "variable_scope" for c in calls_in(stmt))):
                    continue
                calls = calls_in(stmt)
                if any(
                    (isinstance(c.func, cst.Name) and c.func.value in functions) or self.layer_symbol(c)
                    or self.rule.sym(c.func) in {*RNN_RUNNERS, *RNN_CELLS, *MULTI_RNN_CELLS} for c in calls
                ):
                    continue
                found.update(
                    id(c) for c in calls if self.rule.sym(c.func) == "variable_scope"
                    or (isinstance(c.func, cst.Attribute) and c.func.attr.value == "reuse_variables")
                )
        return found

    def _builds_graph(self, statements) -> bool:
        for stmt in statements:
            assignment = single_assignment(stmt)
            if assignment and isinstance(assignment[1], cst.Call):
                if self.rule.sym(assignment[1].func) in ("placeholder", "placeholder_with_default"):
                    return True
        return False

    def _block(self, statements: list[cst.BaseStatement]) -> list[cst.BaseStatement] | None:
        """The statements with their layer calls rewritten; None when nothing changed."""
        out: list[cst.BaseStatement] = []
        changed = False
        graph_variables = GraphVariables(self, statements)
        converted = graph_variables.convert(statements)
        if converted is not None:
            statements, changed = converted, True
            self.graph_variables |= graph_variables.variables
        if not self.reuses_variables:
            for index, stmt in enumerate(statements):
                if isinstance(stmt, cst.With) and self.named_scopes_only(stmt):
                    new_stmt = stmt.visit(GraphScopes(self))
                    changed = changed or not new_stmt.deep_equals(stmt)
                    statements[index] = new_stmt
        rnn = rnn_plan(self, statements)
        for index, stmt in enumerate(statements):
            if index in rnn:
                out.extend(rnn[index])
                changed = True
                continue
            if any(regularization_call(self, c) for c in calls_in(stmt)):
                stmt = stmt.visit(RegularizationLosses(self))
                changed = True
            if isinstance(stmt, cst.With) and self._has_layer_call(stmt):
                try:
                    transformers, scoped = self._scoped_layers(stmt)
                except Skip as exc:
                    self.decline(stmt, exc.node, f"layer call left on TF1: {exc.reason}")
                    out.append(stmt)
                    continue
                for transformer in transformers:
                    self._commit(transformer)
                created = [cst.parse_statement(text) for t in transformers for text in t.created]
                created[0] = created[0].with_changes(leading_lines=stmt.leading_lines)
                out.extend(created)
                out.append(scoped.with_changes(leading_lines=[]))
                changed = True
                continue
            if not isinstance(stmt, cst.SimpleStatementLine) or not self._has_layer_call(stmt):
                out.append(stmt)
                continue
            transformer = LayerCalls(self, single_assignment(stmt))
            try:
                new = stmt.visit(transformer)
            except Skip as exc:
                self.decline(stmt, exc.node, f"layer call left on TF1: {exc.reason}")
                out.append(stmt)
                continue
            self._commit(transformer)
            created = [cst.parse_statement(text) for text in transformer.created]
            if created:
                created[0] = created[0].with_changes(leading_lines=stmt.leading_lines)
                new = new.with_changes(leading_lines=[])
            out.extend(created)
            out.append(new)
            changed = True
        return out if changed else None

    def _commit(self, transformer: LayerCalls) -> None:
        """What a converted statement's layer calls created, for G101 and later statements."""
        self.objects.update(transformer.objects)
        self.by_layer_name.update(transformer.names)
        self.regularized.extend(transformer.regularized_objects)
        self.batch_norms += sum(".BatchNormalization(" in line for line in transformer.created)

    def _scoped_layers(self, stmt: cst.With) -> tuple[list[LayerCalls], cst.With]:
        """``with tf.variable_scope(name):`` (or a name scope, nested ones too) around TF1 layer
        calls, in a module that looks no variable up again by name: the Keras objects are
        created right before the block (a Keras layer makes its weights at its first call,
        inside the block then), the calls stay in it, and the variable scope, which only
        named the layers' variables, becomes a name scope. The statements' transformers
        (committed by the caller once the whole block converts) and the block."""
        if self.reuses_variables:
            raise Skip(stmt, "variables looked up again by name (variable_scope reuse): the layers' scope must find them")
        item = stmt.items[0].item if len(stmt.items) == 1 and stmt.items[0].asname is None else None
        symbol = self.rule.sym(item.func) if isinstance(item, cst.Call) else None
        if self.name_scopes.get(id(stmt)) is stmt:
            symbol = "name_scope"
        if isinstance(item, cst.Call) and (symbol or "").endswith("arg_scope"):
            raise Skip(stmt, (
                "layers created inside `arg_scope`: its defaults for the listed layer functions are not merged into their calls"
            ))
        if item is None or symbol not in ("variable_scope", "name_scope"):
            raise Skip(stmt, "layers created inside a block other than a variable or name scope")
        assert isinstance(item, cst.Call)
        if symbol == "variable_scope":
            bound = bind(item, VARIABLE_SCOPE)
            if set(bound) != {"name_or_scope"}:
                raise Skip(item, "a variable scope with arguments other than its name")
            item = cst.parse_expression(f"{self.tf}.name_scope({self.code(bound['name_or_scope'])})")
        transformers: list[LayerCalls] = []
        body: list[cst.BaseStatement] = []
        for inner in stmt.body.body:
            if isinstance(inner, cst.With) and self._has_layer_call(inner):
                nested, inner = self._scoped_layers(inner)
                transformers.extend(nested)
            elif isinstance(inner, cst.SimpleStatementLine) and self._has_layer_call(inner):
                transformer = LayerCalls(self, _target(inner))
                inner = inner.visit(transformer)
                transformers.append(transformer)
            elif self._has_layer_call(inner):
                raise Skip(inner, layers_in_block(inner))
            body.append(inner)
        # Only constructors move before the block, and only those reading nothing it binds.
        bound_inside = {self.code(part) for target in assign_targets(stmt) for part in target_parts(target)}
        for transformer in transformers:
            for line in transformer.created:
                target, _, value = line.partition(" = ")
                if target not in transformer.objects:
                    raise Skip(stmt, "a layer whose inputs are computed before its call (batch normalization)")
                for name in sorted(bound_inside):
                    if re.search(rf"(?<![\w.]){re.escape(name)}(?!\w)", value):
                        raise Skip(stmt, f"a layer configured with `{name}`, computed inside its scope")
        return transformers, stmt.with_changes(
            items=[stmt.items[0].with_changes(item=item)], body=stmt.body.with_changes(body=body)
        )

    def named_scopes_only(self, stmt: cst.With | cst.FunctionDef) -> bool:
        """The block's (or function's) variable scopes (if any) name nothing get_variable, a
        TF1 layer or an RNN cell looks up by scope."""
        symbols = {self.rule.sym(call.func) for call in calls_in(stmt)}
        return "variable_scope" in symbols and not symbols & (
            {"get_variable", "layers.dropout", *LAYERS, *RNN_RUNNERS, *RNN_CELLS, *MULTI_RNN_CELLS}
        )

    def _has_layer_call(self, stmt) -> bool:
        return any(self.layer_symbol(call) is not None for call in calls_in(stmt))

    def layer_symbol(self, call: cst.Call) -> str | None:
        symbol = self.rule.sym(call.func)
        if symbol in LAYERS or symbol == "layers.dropout":
            return symbol
        return None


def _target(stmt: cst.SimpleStatementLine) -> tuple[list[str], cst.BaseExpression] | None:
    """The assignment a layer object is named after: ``h = ...``, or ``self.h = ...`` in a model class."""
    assignment = single_assignment(stmt)
    small = stmt.body[0] if len(stmt.body) == 1 else None
    if assignment is None and isinstance(small, cst.Assign) and len(small.targets) == 1:
        target = small.targets[0].target
        if isinstance(target, cst.Attribute) and is_name(target.value, "self"):
            return [target.attr.value], small.value
    return assignment


def _insert_after_imports(module: cst.Module, statements) -> cst.Module:
    """``statements`` (class definitions) after the imports above the first statement
    that uses them (a script importing more further down uses them before that)."""
    body = list(module.body)
    defined = {s.name.value for s in statements if isinstance(s, (cst.ClassDef, cst.FunctionDef))}
    first_use = next((i for i, stmt in enumerate(body) if names_read(stmt) & defined), len(body))
    last = -1
    for i, stmt in enumerate(body[:first_use]):
        if is_import_line(stmt):
            last = i
    blank = [cst.EmptyLine(indent=False), cst.EmptyLine(indent=False)]
    new = [stmt.with_changes(leading_lines=blank) for stmt in statements]
    if last + 1 < len(body):
        kept = [line for line in body[last + 1].leading_lines if line.comment is not None]
        body[last + 1] = body[last + 1].with_changes(leading_lines=blank + kept)
    return module.with_changes(body=[*body[:last + 1], *new, *body[last + 1:]])
