"""One statement's TF1 layer calls -> calls of Keras layer objects, whose constructors it
collects (``LayerCalls.created``) for the caller to place where the graph was built."""

from __future__ import annotations

import keyword
from typing import TYPE_CHECKING

import libcst as cst

from codemods.analysis.graph import assigned_names, expression_of, names_read
from codemods.analysis.tf1_layers import DROPOUT, GET_VARIABLE, INITIALIZERS, LAYERS
from codemods.graph.g102_layers_to_keras.eager_variables import Initializers
from codemods.graph.g102_layers_to_keras.syntax import Skip, bind, is_name, is_none, is_reuse_call

if TYPE_CHECKING:
    from codemods.graph.g102_layers_to_keras.converter import Converter


class ClassNames:
    """Attribute names of one generated layer class."""

    def __init__(self) -> None:
        self.taken: set[str] = {"call", "build", "name", "trainable", "weights", "losses", "dtype", "input", "output"}

    def fresh(self, base: str) -> str:
        base = base if base.isidentifier() and not keyword.iskeyword(base) else "layer"
        name, n = base, 2
        while name in self.taken:
            name, n = f"{base}_{n}", n + 1
        self.taken.add(name)
        return name


class LayerCalls(cst.CSTTransformer):
    """Rewrites the layer calls of one statement; ``created`` collects the constructors."""

    def __init__(self, converter: Converter, assignment, owner: ClassNames | None = None) -> None:
        self.c = converter
        self.target = assignment[0][0] if assignment and len(assignment[0]) == 1 else None
        self.created: list[str] = []
        self.objects: list[str] = []  # committed by the caller when the statement converts
        self.names: dict[str, str] = {}
        self.regularized_objects: list[str] = []
        self.regularized = False  # some layer of a generated class has a regularizer
        # In a graph-building function turned into a layer class: objects are attributes
        # created in __init__, and every call of the function shares them.
        self.owner = owner

    def leave_Assign(self, original_node: cst.Assign, updated_node: cst.Assign):
        if self.owner is not None and len(original_node.targets) == 1:
            names = assigned_names(original_node.targets[0].target)
            self.target = names[0] if len(names) == 1 else None
        return updated_node

    def visit_Assign(self, node: cst.Assign) -> None:
        if self.owner is not None and len(node.targets) == 1:
            names = assigned_names(node.targets[0].target)
            self.target = names[0] if len(names) == 1 else None

    def leave_With(self, original_node: cst.With, updated_node: cst.With):
        if self.owner is None or len(original_node.items) != 1:
            return updated_node
        item = original_node.items[0].item
        if not (isinstance(item, cst.Call) and self.c.rule.sym(item.func) == "variable_scope"):
            return updated_node
        statements = list(updated_node.body.body)
        alias = original_node.items[0].asname
        if alias is not None:
            # `with tf.variable_scope("d") as scope: if reuse: scope.reuse_variables()`: every
            # call of the class shares its objects, the reuse goes with the scope.
            if not isinstance(alias.name, cst.Name):
                raise Skip(original_node, "a variable scope bound to something other than a name")
            statements = [stmt for stmt in statements if not self._reuses(stmt, alias.name.value)]
            if not statements or alias.name.value in names_read(cst.IndentedBlock(body=statements)):
                raise Skip(original_node, f"the variable scope object `{alias.name.value}` is used (TF2 has none)")
        statements[0] = statements[0].with_changes(leading_lines=[*original_node.leading_lines, *statements[0].leading_lines])
        return cst.FlattenSentinel(statements)

    def _reuses(self, stmt: cst.BaseStatement, scope: str) -> bool:
        """``scope.reuse_variables()``, or ``if <flag>: scope.reuse_variables()``."""
        if isinstance(stmt, cst.If) and stmt.orelse is None and isinstance(stmt.body, cst.IndentedBlock):
            return all(self._reuses(inner, scope) for inner in stmt.body.body)
        return is_reuse_call(expression_of(stmt), scope)

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call):
        symbol = self.c.layer_symbol(original_node)
        if symbol is None and self.owner is not None and self.c.rule.sym(original_node.func) == "get_variable":
            return self._get_variable(original_node, updated_node)
        if symbol is None:
            return updated_node
        if symbol == "layers.dropout":
            return self._dropout(updated_node)
        spec = LAYERS[symbol]
        bound = bind(updated_node, spec.params)
        original_bound = bind(original_node, spec.params)
        inputs = bound.pop("inputs", None)
        if inputs is None:
            raise Skip(original_node, "a layer call without inputs")
        for param in spec.unsupported:
            if param in bound and not is_none(bound[param]) and not is_name(bound[param], "False"):
                raise Skip(original_node, f"`{param}=` has no Keras equivalent")
        if "data_format" in bound and symbol.startswith("contrib."):
            fmt = bound.pop("data_format")
            if not is_none(fmt) and not (isinstance(fmt, cst.SimpleString) and fmt.evaluated_value in ("NHWC", "NWC")):
                raise Skip(original_node, "a data_format other than NHWC")
        training = None
        if symbol == "layers.batch_normalization":
            training = self._batch_norm_training(original_node, bound)
        reuse = bound.pop("reuse", None)
        if self.owner is not None:
            reuse = None  # the class's objects are shared by every call
        name_param = next((p for p in spec.params if spec.keras_name(p) == "name"), "name")
        name_node = bound.get(name_param)
        layer_name = name_node.evaluated_value if isinstance(name_node, cst.SimpleString) else None
        if reuse is not None and not is_none(reuse) and not is_name(reuse, "False"):
            known = {**self.c.by_layer_name, **self.names}
            if layer_name is None or layer_name not in known:
                raise Skip(original_node, "`reuse=` of a layer this rule did not create")
            obj = known[layer_name]
        else:
            if layer_name is not None and (layer_name in self.c.by_layer_name or layer_name in self.names):
                raise Skip(original_node, f"a second layer named `{layer_name}` without reuse")
            arguments = []
            keras_params = [p for p in spec.params if p not in ("inputs", "reuse", "training", *spec.unsupported)]
            regularized = False
            for position, param in enumerate(keras_params):
                node = bound.get(param)
                keyword_name = spec.keras_name(param)
                if node is None and keyword_name in spec.defaults:
                    arguments.append(f"{keyword_name}={spec.defaults[keyword_name].format(tf=self.c.tf)}")
                    continue
                if node is not None and is_none(node) and param == "biases_initializer":
                    arguments.append("use_bias=False")  # tf.contrib.layers: no biases
                    continue
                if node is None or is_none(node):
                    continue
                if keyword_name.endswith("_regularizer"):
                    regularized = True
                # Arguments other than the inputs hold no layer calls: the original nodes
                # (whose names resolve) are the ones to read.
                value = self.c.code(original_bound[param].visit(Initializers(self.c)))
                if position < spec.positional and all(p in bound for p in keras_params[:position]):
                    arguments.append(value)
                else:
                    arguments.append(f"{keyword_name}={value}")
            base = layer_name or (f"{self.target}_layer" if self.target else spec.keras.lower())
            ctor = f"{self.c.tf}.keras.layers.{spec.keras}({', '.join(arguments)})"
            if self.owner is not None:
                obj = "self." + self.owner.fresh(base)
                self.created.append(f"{obj} = {ctor}\n")
                self.regularized = self.regularized or regularized
                return self._layer_call(obj, inputs, training)
            obj = self.c.fresh(base)
            self.created.append(f"{obj} = {ctor}\n")
            self.objects.append(obj)
            if regularized:
                self.regularized_objects.append(obj)
            if layer_name is not None:
                self.names[layer_name] = obj
        return self._layer_call(obj, inputs, training)

    def _layer_call(self, obj: str, inputs: cst.BaseExpression, training: str | None) -> cst.BaseExpression:
        if training is None:
            return cst.Call(func=cst.parse_expression(obj), args=[cst.Arg(inputs)])
        x = self.c.code(inputs)
        if training in ("True", "False"):
            return cst.parse_expression(f"{obj}({x}, training={training})")
        if not isinstance(inputs, cst.Name) and self.owner is None:
            # Computed once, before the branches (`bn(dense(x))`).
            name = self.c.fresh(f"{self.target}_inputs" if self.target else "bn_inputs")
            self.created.append(f"{name} = {x}\n")
            x = name
        # A boolean tensor (a fed placeholder): Keras layers branch on a Python bool.
        return cst.parse_expression(
            f"{self.c.tf}.cond({training}, lambda: {obj}({x}, training=True), lambda: {obj}({x}, training=False))"
        )

    def _batch_norm_training(self, call: cst.Call, bound: dict) -> str:
        """The code of the call's ``training`` flag, once the rule knows Keras updates the
        moving statistics when TF1 did: with the UPDATE_OPS train op, and only then."""
        flag = bound.pop("training", None)
        fused = bound.pop("fused", None)
        if flag is None or is_name(flag, "False"):
            return "False"
        if not (fused is not None and is_name(fused, "False")) and self.c.has_4d_layers:
            raise Skip(call, (
                "batch normalization next to convolutions: TF1 fuses it on 4-D inputs (moving variance with "
                "Bessel's correction), Keras does not"
            ))
        if self.owner is not None:
            raise Skip(call, "batch normalization inside a graph-building function")
        reason = self.c.batch_norm_problem(flag)
        if reason is not None:
            raise Skip(call, reason)
        return self.c.code(flag)

    def _get_variable(self, original: cst.Call, call: cst.Call) -> cst.BaseExpression:
        bound = bind(original, GET_VARIABLE)  # original nodes: their names resolve
        name = bound.get("name")
        if not isinstance(name, cst.SimpleString) or "shape" not in bound:
            raise Skip(original, "get_variable without a literal name and a shape")
        for extra in set(bound) - {"name", "shape", "dtype", "initializer", "trainable"}:
            if not is_none(bound[extra]):
                raise Skip(original, f"get_variable with `{extra}=`")
        initializer = bound.get("initializer")
        if initializer is None or is_none(initializer):
            init = f"{self.c.tf}.keras.initializers.GlorotUniform()"  # get_variable's default
        else:
            symbol = self.c.rule.sym(initializer.func) if isinstance(initializer, cst.Call) else None
            if symbol not in INITIALIZERS:
                raise Skip(original, "get_variable with an initializer this rule does not know")
            init = self.c.code(initializer.visit(Initializers(self.c)))
        attr = self.owner.fresh(name.evaluated_value)
        arguments = [f"name={self.c.code(name)}", f"shape={self.c.code(bound['shape'])}", f"initializer={init}"]
        for extra in ("dtype", "trainable"):
            if extra in bound and not is_none(bound[extra]):
                arguments.append(f"{extra}={self.c.code(bound[extra])}")
        self.created.append(f"self.{attr} = self.add_weight({', '.join(arguments)})\n")
        return cst.parse_expression(f"self.{attr}")

    def _dropout(self, call: cst.Call) -> cst.BaseExpression:
        bound = bind(call, DROPOUT)
        inputs = bound.get("inputs")
        if inputs is None:
            raise Skip(call, "a dropout call without inputs")
        training = bound.get("training")
        if training is None or is_name(training, "False"):
            return inputs
        x = self.c.code(inputs)
        rate = self.c.code(bound["rate"]) if "rate" in bound else "0.5"
        extra = "".join(f", {k}={self.c.code(bound[k])}" for k in ("noise_shape", "seed") if k in bound)
        drop = f"{self.c.tf}.nn.dropout({x}, rate={rate}{extra})"
        if is_name(training, "True"):
            return cst.parse_expression(drop)
        flag = self.c.code(training)
        if self.owner is not None:
            # A parameter of the function: a Python bool in some calls, a tensor in others.
            flag = f"{self.c.tf}.convert_to_tensor({flag})"
        return cst.parse_expression(f"{self.c.tf}.cond({flag}, lambda: {drop}, lambda: {self.c.tf}.identity({x}))")
