"""``tf.get_variable`` -> ``tf.Variable`` with a Keras initializer drawing TF1's initial
value, TF1 initializers and regularizers -> Keras ones, variable scopes that only name
things -> name scopes."""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from codemods.analysis.graph import argument, single_assignment
from codemods.analysis.tf1_layers import (
    GET_VARIABLE,
    INITIALIZERS,
    REGULARIZERS,
    UNMAPPED_INITIALIZERS,
    initializer_parameters,
    keras_initializer,
)
from codemods.graph.g102_layers_to_keras.syntax import Skip, bind, is_name, is_none, simple_statements

if TYPE_CHECKING:
    from codemods.graph.g102_layers_to_keras.converter import Converter


class Initializers(cst.CSTTransformer):
    """TF1 initializer objects -> Keras initializers (TF2 has the TF1 names only on compat.v1)."""

    def __init__(self, converter: Converter) -> None:
        self.c = converter

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call):
        symbol = self.c.rule.sym(original_node.func)
        if symbol in REGULARIZERS:
            keras, template = REGULARIZERS[symbol]
            bound = bind(updated_node, ("scale", "scope"))
            if "scale" not in bound:
                raise Skip(original_node, "a regularizer without a scale")
            scale = self.c.code(bound["scale"])
            if not isinstance(bound["scale"], (cst.Name, cst.Attribute, cst.Integer, cst.Float)):
                scale = f"({scale})"
            # (G101 may still fall back and restore the module: nothing reported here;
            # the rule's details explain the / 2.)
            return cst.parse_expression(f"{self.c.tf}.keras.regularizers.{keras}({template.format(scale=scale)})")
        if symbol in UNMAPPED_INITIALIZERS:
            raise Skip(original_node, f"`{symbol}`: {UNMAPPED_INITIALIZERS[symbol]}")
        if symbol not in INITIALIZERS:
            return updated_node
        bound = bind(updated_node, initializer_parameters(symbol))
        try:
            keras = keras_initializer(symbol, bound, self.c.code, self.c.tf)
        except ValueError as reason:
            raise Skip(original_node, str(reason)) from None
        return cst.parse_expression(keras)


# dtypes whose get_variable default initializer is glorot_uniform (TF1 used zeros for the others).
FLOAT_DTYPES = {"float16", "float32", "float64", "bfloat16", "half", "double"}


def _name_scope(converter: Converter, original: cst.With, updated: cst.With) -> cst.With:
    """``with tf.variable_scope(name):`` -> ``with tf.name_scope(name):`` (in a module
    without reuse, where it only names ops and variables); other blocks unchanged."""
    if len(original.items) != 1 or original.items[0].asname is not None:
        return updated
    item = original.items[0].item
    if not (isinstance(item, cst.Call) and converter.rule.sym(item.func) == "variable_scope" and len(item.args) == 1):
        return updated
    if argument(item, 0, "name_or_scope") is None:
        return updated
    name = updated.items[0].item.args[0].value
    scope = cst.parse_expression(f"{converter.tf}.name_scope({converter.code(name)})")
    return updated.with_changes(items=[updated.items[0].with_changes(item=scope)])


class GraphScopes(cst.CSTTransformer):
    """Variable scopes around graph-level statements, or in functions, that create no
    variable by name (no get_variable, tf.layers or RNN inside) -> name scopes."""

    def __init__(self, converter: Converter) -> None:
        self.c = converter

    def leave_With(self, original_node: cst.With, updated_node: cst.With):
        return _name_scope(self.c, original_node, updated_node)


class EagerVariables(cst.CSTTransformer):
    """A function whose variables TF2 creates as tf.Variables (G101 makes it create them
    once): ``tf.get_variable(name, shape, initializer=init)`` -> ``tf.Variable(init(shape=
    shape), name=name)`` with the Keras initializer drawing TF1's distribution (TF1's
    glorot_uniform default written out; a tensor initial value taken as it is), TF1
    initializer objects -> Keras ones, ``tf.variable_scope(name)`` -> ``tf.name_scope(name)``.
    Only for modules that never look a variable up again by name (no reuse): then every
    get_variable call made a new variable, as tf.Variable does."""

    def __init__(self, converter: Converter, scope: cst.CSTNode) -> None:
        self.c = converter
        self.initializers = Initializers(converter)
        # Names assigned once in the function (or graph block): what an `initializer=name` holds.
        self.bindings = single_bindings(scope)

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call):
        if self.c.rule.sym(original_node.func) == "get_variable":
            return self._variable(original_node, updated_node)
        return self.initializers.leave_Call(original_node, updated_node)

    def leave_With(self, original_node: cst.With, updated_node: cst.With):
        return _name_scope(self.c, original_node, updated_node)

    def _variable(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        bound = bind(original, GET_VARIABLE)  # original nodes: their names resolve
        new = {param: self.c.code(node) for param, node in bind(updated, GET_VARIABLE).items()}
        if "name" not in bound:
            raise Skip(original, "get_variable without a name")
        for extra in set(bound) - {"name", "shape", "dtype", "initializer", "trainable"}:
            if not is_none(bound[extra]) and not (extra in ("validate_shape", "use_resource") and is_name(bound[extra], "True")):
                raise Skip(original, f"get_variable with `{extra}=`")
        shape = None if is_none(bound.get("shape")) else bound.get("shape")
        dtype = None if is_none(bound.get("dtype")) else bound.get("dtype")
        initializer = None if is_none(bound.get("initializer")) else bound.get("initializer")
        if initializer is not None and self._is_value(original, initializer):
            if shape is not None:
                raise Skip(original, "get_variable with a shape and a tensor initial value (TF1 refuses it)")
            value = new["initializer"]  # TF1 ignores dtype= for an initial value
        else:
            if shape is None:
                raise Skip(original, "get_variable with an initializer but no shape")
            if initializer is None:
                if dtype is not None and (self.c.rule.sym(dtype) or self.c.code(dtype).strip("'\"")) not in FLOAT_DTYPES:
                    raise Skip(original, "get_variable of a dtype other than float without an initializer")
                init = f"{self.c.tf}.keras.initializers.GlorotUniform()"  # get_variable's default
            else:
                init = new["initializer"]
            arguments = [f"shape={new['shape']}"] + ([f"dtype={new['dtype']}"] if dtype is not None else [])
            value = f"{init}({', '.join(arguments)})"
        trainable = f", trainable={new['trainable']}" if "trainable" in new and not is_none(bound["trainable"]) else ""
        return cst.parse_expression(f"{self.c.tf}.Variable({value}, name={new['name']}{trainable})")

    def _is_value(self, call: cst.Call, initializer: cst.BaseExpression) -> bool:
        """True for an initial value (a tensor, a number, a list), False for an initializer
        this rule maps to Keras; Skip for anything else."""
        node = initializer
        if isinstance(node, cst.Name) and node.value in self.bindings:
            node = self.bindings[node.value]
        if isinstance(node, (cst.Integer, cst.Float, cst.List, cst.Tuple, cst.UnaryOperation)):
            return True
        symbol = self.c.rule.sym(node.func) if isinstance(node, cst.Call) else None
        if symbol in INITIALIZERS:
            return False
        if symbol in UNMAPPED_INITIALIZERS:
            raise Skip(call, f"`{symbol}`: {UNMAPPED_INITIALIZERS[symbol]}")
        if symbol is not None and (symbol.endswith("_initializer") or ".initializers." in f".{symbol}"):
            raise Skip(call, f"get_variable with `{symbol}`, an initializer this rule does not map to Keras")
        if symbol is not None:
            return True  # a TF op: its value is the initial value
        raise Skip(call, (
            f"get_variable with initializer `{self.c.code(initializer)}`, which this rule cannot read as a TF1 "
            "initializer or a tensor"
        ))


def single_bindings(scope: cst.CSTNode) -> dict[str, cst.BaseExpression]:
    """Names assigned once in ``scope`` (its simple statements, nested ones too) -> their value."""
    assigned: dict[str, list[cst.BaseExpression]] = {}
    for stmt in simple_statements(scope):
        assignment = single_assignment(stmt)
        for name in assignment[0] if assignment else []:
            assigned.setdefault(name, []).append(assignment[1])
    return {name: values[0] for name, values in assigned.items() if len(values) == 1}
