"""Graph-building functions (``def discriminator(x, reuse=False):`` calling TF1 layers) ->
Keras layer classes created once and called at every call site; functions creating their
variables with ``tf.get_variable`` -> functions creating ``tf.Variable``s (G101's variable
helpers), their variable scopes -> name scopes."""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from codemods.analysis.cst_tools import nodes_of
from codemods.analysis.graph import argument, calls_in, names_read, returned_variable, single_assignment
from codemods.analysis.tf1_layers import LAYERS
from codemods.graph.g102_layers_to_keras.eager_variables import EagerVariables, GraphScopes
from codemods.graph.g102_layers_to_keras.graph_variables import VARIABLE_SCOPE
from codemods.graph.g102_layers_to_keras.layer_calls import ClassNames, LayerCalls
from codemods.graph.g102_layers_to_keras.rnn import RNN_RUNNERS, rnn_plan
from codemods.graph.g102_layers_to_keras.syntax import Skip, bind, is_name, layers_in_block, simple_statements

if TYPE_CHECKING:
    from codemods.graph.g102_layers_to_keras.converter import Converter


def _loops_in(fn: cst.FunctionDef) -> list[cst.CSTNode]:
    return nodes_of(fn.body, (cst.For, cst.While, cst.If))


class _CallSites(cst.CSTTransformer):
    """``f(x, n, reuse=True, is_training=t)`` -> ``f(x, n=n, is_training=t)``: Keras layers
    take their inputs positionally and everything else by keyword."""

    def __init__(self, name: str, params: list[str], keywords: list[str]) -> None:
        self.name = name
        self.params = params
        self.keywords = keywords

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call):
        if not (isinstance(original_node.func, cst.Name) and original_node.func.value == self.name):
            return updated_node
        args = []
        for position, arg in enumerate(updated_node.args):
            param = arg.keyword.value if arg.keyword is not None else self.params[position]
            if param == "reuse":
                continue
            if position > 0 or arg.keyword is not None:
                arg = arg.with_changes(keyword=cst.Name(param), equal=cst.AssignEqual(
                    whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")))
            args.append(arg.with_changes(comma=cst.MaybeSentinel.DEFAULT))
        return updated_node.with_changes(args=args)


def _camel(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in name.split("_") if part) or "Model"


def model_functions(converter: Converter, module: cst.Module) -> cst.Module:
    body = list(module.body)
    eager: set[str] = set()  # functions whose variables became tf.Variables
    for stmt in list(body):
        if not isinstance(stmt, cst.FunctionDef):
            continue
        symbols = {converter.rule.sym(call.func) for call in calls_in(stmt)}
        if not symbols & (set(LAYERS) | {"layers.dropout", "get_variable"} | set(RNN_RUNNERS)):
            continue
        if returned_variable(stmt, converter.is_get_variable) is not None:
            # A variable factory (`return tf.get_variable(...)`): the same variable,
            # created by tf.Variable; G101 decides where the calls run.
            try:
                body = _eager_variables(converter, body, stmt)
                eager.add(stmt.name.value)
            except Skip as exc:
                converter.decline(stmt, exc.node, f"variable factory `{stmt.name.value}` left on TF1: {exc.reason}")
            continue
        try:
            body = _model_function(converter, body, stmt)
        except Skip as exc:
            reason = exc
            if symbols & {"get_variable"} and not symbols & (set(LAYERS) | {"layers.dropout"} | set(RNN_RUNNERS)):
                # Weights whose shapes come from the inputs, or a function called from
                # another one: tf.Variables that G101's variable helpers create once.
                try:
                    body = _eager_variables(converter, body, stmt)
                    eager.add(stmt.name.value)
                    continue
                except Skip as eager_exc:
                    reason = eager_exc
            converter.decline(stmt, reason.node, f"graph-building function `{stmt.name.value}` left on TF1: {reason.reason}")
    return module.with_changes(body=_variable_scopes(converter, body, eager))


def _eager_variables(converter: Converter, body: list, fn: cst.FunctionDef) -> list:
    """``fn`` with its get_variable calls as tf.Variables (``EagerVariables``)."""
    if converter.reuses_variables:
        raise Skip(fn, "variables looked up again by name (variable_scope reuse): tf.Variable would make new ones")
    new = fn.visit(EagerVariables(converter, fn))
    converter.variable_functions.add(fn.name.value)
    return [new if stmt is fn else stmt for stmt in body]


def _variable_scopes(converter: Converter, body: list, eager: set[str]) -> list:
    """Functions creating tf.Variables, directly or through a variable factory, and
    functions creating no variable by name (``flatten_layer``: a reshape in its scope):
    ``with tf.variable_scope(name):`` only names their ops and variables (nothing is
    reused), so it becomes ``with tf.name_scope(name):``."""
    if converter.reuses_variables:
        return body
    functions = [stmt for stmt in body if isinstance(stmt, cst.FunctionDef)]
    creators = set(eager) | {
        fn.name.value for fn in functions if any(converter.rule.sym(c.func) == "Variable" for c in calls_in(fn))
    }
    grown = True
    while grown:  # helpers calling helpers
        grown = False
        for fn in functions:
            if fn.name.value not in creators and any(
                isinstance(c.func, cst.Name) and c.func.value in creators for c in calls_in(fn)
            ):
                creators.add(fn.name.value)
                grown = True
    out = []
    for stmt in body:
        if (isinstance(stmt, cst.FunctionDef) and stmt.name.value in creators and stmt.name.value not in eager
                and any(converter.rule.sym(c.func) == "variable_scope" for c in calls_in(stmt))):
            try:
                stmt = stmt.visit(EagerVariables(converter, stmt))
                converter.variable_functions.add(stmt.name.value)
            except Skip as exc:
                converter.decline(stmt, exc.node, f"graph-building function `{stmt.name.value}` left on TF1: {exc.reason}")
        elif isinstance(stmt, cst.FunctionDef) and stmt.name.value not in creators and converter.named_scopes_only(stmt):
            stmt = stmt.visit(GraphScopes(converter))
        out.append(stmt)
    return out


def _model_function(converter: Converter, body: list, fn: cst.FunctionDef) -> list:
    name = fn.name.value
    params = [p.name.value for p in fn.params.params]
    if fn.params.star_arg is not cst.MaybeSentinel.DEFAULT or fn.params.star_kwarg or fn.params.kwonly_params:
        raise Skip(fn, "a signature with *args, **kwargs or keyword-only parameters")
    if not params:
        raise Skip(fn, (
            "it takes no inputs: it builds (and runs) a graph of its own, a program in a function, not a model to call"
        ))
    for inner in _loops_in(fn):
        if any(converter.layer_symbol(c) or converter.rule.sym(c.func) == "get_variable" for c in calls_in(inner)):
            raise Skip(inner, layers_in_block(inner))
    # Call sites: top-level statements of the script (or of its main block).
    sites = []  # (statement index in body, call node)
    for i, stmt in enumerate(body):
        if stmt is fn:
            continue
        for call in calls_in(stmt):
            if isinstance(call.func, cst.Name) and call.func.value == name:
                if isinstance(stmt, (cst.FunctionDef, cst.ClassDef, cst.For, cst.While)):
                    raise Skip(call, "called from a function, class or loop")
                sites.append((i, call))
    if not sites:
        raise Skip(fn, "never called by the script")
    auto = any(
        converter.rule.sym(c.func) == "variable_scope" and converter.rule.sym(argument(c, 1, "reuse") or cst.Name("x")) == "AUTO_REUSE"
        for c in calls_in(fn)
    )
    if "reuse" in params:
        position = params.index("reuse")
        for n, (_, call) in enumerate(sites):
            flag = argument(call, position, "reuse")
            reused = flag is not None and (is_name(flag, "True") or converter.rule.sym(flag) == "AUTO_REUSE")
            if n > 0 and not (reused or auto):
                raise Skip(call, "called again without reuse=True (TF1 made new weights)")
            if n == 0 and reused and not auto:
                raise Skip(call, "the first call already reuses weights from elsewhere")
    elif len(sites) > 1 and not auto:
        raise Skip(sites[1][1], "called more than once without reuse")
    # The class: objects created in __init__, the body in call().
    owner = ClassNames()
    transformer = LayerCalls(converter, None, owner)
    # RNN cells and their runner: one Keras RNN attribute, made in __init__.
    statements = list(fn.body.body)
    plan = rnn_plan(converter, statements, owner, transformer.created)
    if plan:
        statements = [new for i, stmt in enumerate(statements) for new in plan.get(i, [stmt])]
    for stmt in statements:
        if any(converter.rule.sym(c.func) in RNN_RUNNERS for c in calls_in(stmt)):
            raise Skip(stmt, "its RNN stays on TF1")
    new_body = fn.body.with_changes(body=statements).visit(transformer)
    scope = next(
        (argument(c, 0, "name_or_scope") for c in calls_in(fn) if converter.rule.sym(c.func) == "variable_scope"), None
    )
    layer_name = converter.code(scope) if isinstance(scope, cst.SimpleString) else f'"{name}"'
    class_name = converter.fresh(_camel(name))
    init = "".join(f"        {line}" for line in transformer.created)
    # Constructor arguments that read the function's parameters: the weights are
    # made with the first call's values, as TF1 made them at the first call.
    reads = set()
    for line in transformer.created:
        reads |= names_read(cst.parse_statement(line))
    assigned = {n for stmt in simple_statements(fn) for n in (single_assignment(stmt) or ([], None))[0]}
    if reads & (assigned - set(params)):
        raise Skip(fn, "a layer's configuration is computed inside the function")
    init_params = [p for p in params if p in reads]
    first_call = sites[0][1]
    init_args = []
    for p in init_params:
        node = argument(first_call, params.index(p), p)
        if node is None:
            default = next(q.default for q in fn.params.params if q.name.value == p)
            if default is None:
                raise Skip(first_call, f"no value for `{p}`")
            node = default
        init_args.append(f"{p}={converter.code(node)}")
    if "reuse" in params and "reuse" in names_read(new_body):
        raise Skip(fn, "its `reuse` parameter is read other than by its variable scope")
    kept = [p for p in fn.params.params if p.name.value != "reuse"]
    kept = [p.with_changes(comma=cst.MaybeSentinel.DEFAULT) for p in kept]
    call_def = fn.with_changes(
        name=cst.Name("call"),
        params=fn.params.with_changes(params=[cst.Param(cst.Name("self")), *kept]),
        body=new_body,
        leading_lines=[cst.EmptyLine(indent=False)],
        decorators=[],
    )
    skeleton = cst.parse_statement(
        f"class {class_name}({converter.tf}.keras.layers.Layer):\n"
        f"    def __init__({', '.join(['self', *init_params])}):\n"
        f"        super().__init__(name={layer_name})\n{init}"
        f"\n"
        f"    def build(self, input_shape):\n"
        f"        # The layers inside build on the first call, in the order TF1 created them\n"
        f"        # (Keras' default build would trace call() once more to build them).\n"
        f"        pass\n"
    )
    class_def = skeleton.with_changes(
        body=skeleton.body.with_changes(body=[*skeleton.body.body, call_def]),
        leading_lines=fn.leading_lines,
        decorators=fn.decorators,
    )
    keywords = [p.name.value for p in kept]
    rewriter = _CallSites(name, params, keywords)
    out = []
    first = sites[0][0]
    for i, stmt in enumerate(body):
        if stmt is fn:
            out.append(class_def)
            continue
        if i == first:
            out.append(cst.parse_statement(f"{name} = {class_name}({', '.join(init_args)})\n").with_changes(
                leading_lines=stmt.leading_lines))
            stmt = stmt.with_changes(leading_lines=[])
        if any(i == j for j, _ in sites):
            stmt = stmt.visit(rewriter)
        out.append(stmt)
    converter.objects.add(name)
    converter.classes.add(class_name)
    prefix = _variable_prefix(converter, fn, [body[i] for i, _ in sites])
    if prefix is not None:
        converter.scopes[name] = prefix
    if transformer.regularized:
        converter.regularized.append(name)  # a Keras layer's losses include its sublayers'
    return out


def _variable_prefix(converter: Converter, fn: cst.FunctionDef, sites: list[cst.BaseStatement]) -> str | None:
    """``"discriminator/"`` when every variable ``fn`` creates is named in its
    ``with tf.variable_scope("discriminator"):`` block, called outside any other variable scope."""
    scopes = [
        stmt for stmt in fn.body.body if isinstance(stmt, cst.With) and len(stmt.items) == 1
        and isinstance(stmt.items[0].item, cst.Call) and converter.rule.sym(stmt.items[0].item.func) == "variable_scope"
    ]
    if len(scopes) != 1 or any(converter.rule.sym(c.func) == "variable_scope" for site in sites for c in calls_in(site)):
        return None
    try:
        bound = bind(scopes[0].items[0].item, VARIABLE_SCOPE)
    except Skip:
        return None
    name = bound.get("name_or_scope")
    if not isinstance(name, cst.SimpleString) or set(bound) - {"name_or_scope", "reuse", "values"}:
        return None
    inside = {id(c) for c in calls_in(scopes[0])}
    if any(
        (converter.layer_symbol(c) or converter.rule.sym(c.func) in ("get_variable", *RNN_RUNNERS)) and id(c) not in inside
        for c in calls_in(fn)
    ):
        return None
    return f"{name.evaluated_value}/"
