"""G104: reading a model_fn (and the helpers it calls) and planning what it asks the estimator for.

TF 1 called the model_fn once per graph (train, evaluate, predict each built one); its
``tf.layers`` calls made variables there, restored from the checkpoint. In the loop the
model_fn runs at every trace of a ``tf.function`` step, so what makes state is made by
the estimator once and reused: ``tf.layers.dense(x, n)`` ->
``estimator.layer(lambda: tf.keras.layers.Dense(n))(x)``, ``tf.metrics.accuracy(l, p)``
-> ``estimator.metric(lambda: tf.keras.metrics.Accuracy(), l, p)``, the TF 1 optimizer
-> ``estimator.optimizer(lambda: tf.keras.optimizers.X(...))`` with TF 1's
hyperparameters written out, ``optimizer.minimize(loss, global_step=...)`` ->
``estimator.minimize(optimizer, loss)`` (the train step differentiates it). Helpers
the model_fn calls that make layers are given the estimator too. Graph constructs a
loop cannot replay (variables made by hand, collections, summaries, variable scopes,
feature columns, learning-rate schedules) are declined.
"""

from __future__ import annotations

from collections.abc import Callable

import libcst as cst

from codemods.analysis.cst_tools import bind_arguments, code, literal_value, nodes_of
from codemods.analysis.graph import call_parts, names_read, single_assignment
from codemods.analysis.names import FastVisitor
from codemods.analysis.optimizers import OPTIMIZERS, keras_arguments
from codemods.analysis.tf1_layers import (
    INITIALIZERS,
    LAYERS,
    REGULARIZERS,
    UNMAPPED_INITIALIZERS,
    LayerSpec,
    initializer_parameters,
    keras_initializer,
)
from codemods.analysis.tf1_metrics import METRICS
from codemods.graph.g104_estimator_to_loop.model import (
    Declined,
    Dropout,
    Layer,
    Metric,
    Minimize,
    Optimizer,
    PassEstimator,
    Plan,
    Replace,
    Scope,
    WrapLayer,
)

Sym = Callable[[cst.BaseExpression], "str | None"]

PARAMETER = "estimator"  # what the model_fn and its helpers are given
GLOBAL_STEP = ("train.get_global_step", "train.get_or_create_global_step")
DROPOUT_PARAMS = ("inputs", "rate", "noise_shape", "seed", "training", "name")
VARIABLE_SCOPE_PARAMS = (
    "name_or_scope", "default_name", "values", "initializer", "regularizer", "caching_device", "partitioner",
    "custom_getter", "reuse", "dtype", "use_resource", "constraint", "auxiliary_name_scope",
)
MINIMIZE_PARAMS = (
    "loss", "global_step", "var_list", "gate_gradients", "aggregation_method", "colocate_gradients_with_ops",
    "name", "grad_loss",
)
# Layers G102 converts in Session programs but a model_fn's loop does not (yet): batch
# normalization updates its moving statistics through UPDATE_OPS.
NOT_LAYERS = ("layers.batch_normalization", "contrib.layers.batch_norm")
# Why graph constructs inside a model_fn are declined (by symbol prefix; first match wins).
DECLINED = (
    ("get_variable", "variables made by hand in the model_fn (tf.get_variable) are not converted; tf.layers are"),
    ("Variable", "variables made by hand in the model_fn (tf.Variable) are not converted; tf.layers are"),
    ("variable_scope", "a variable scope in the model_fn is converted only as `with tf.variable_scope(name[, reuse=...]):`"),
    ("get_collection", "graph collections in the model_fn are not converted"),
    ("add_to_collection", "graph collections in the model_fn are not converted"),
    ("GraphKeys", "graph collections in the model_fn are not converted"),
    ("control_dependencies", "control dependencies (UPDATE_OPS) in the model_fn are not converted"),
    ("trainable_variables", "the graph's variable collections are not converted"),
    ("global_variables", "the graph's variable collections are not converted"),
    ("get_default_graph", "the default graph is not converted"),
    ("summary.", "summaries in the model_fn are not converted (the training loop writes none)"),
    ("feature_column.", "feature columns (tf.feature_column) are not converted"),
    ("losses.get_regularization_loss", "regularization losses (a graph collection) are not converted"),
    ("losses.get_total_loss", "regularization losses (a graph collection) are not converted"),
    ("losses.add_loss", "graph collections in the model_fn are not converted"),
    ("nn.rnn_cell.", "RNN cells in the model_fn are not converted"),
    ("nn.dynamic_rnn", "RNN cells in the model_fn are not converted"),
    ("nn.static_rnn", "RNN cells in the model_fn are not converted"),
    ("metrics.", "this tf.metrics function is not converted (accuracy, mean and root_mean_squared_error are)"),
    ("layers.", "this tf.layers function is not converted"),
    ("train.", "this tf.train function in the model_fn is not converted"),
    ("contrib.", "tf.contrib in the model_fn is not converted"),
)


def model_fn_params(fn: cst.FunctionDef) -> list[str]:
    """The model_fn's parameters, checked: ``features, labels, mode`` and ``params`` or not."""
    params = fn.params
    names = [p.name.value for p in params.params]
    if params.posonly_params or params.kwonly_params or params.star_kwarg is not None or isinstance(
        params.star_arg, cst.Param
    ):
        raise Declined(fn, f"model_fn `{fn.name.value}` takes *args, **kwargs or keyword-only parameters")
    if names[:3] != ["features", "labels", "mode"] or names[3:] not in ([], ["params"]):
        which = ", ".join(names)
        raise Declined(fn, f"model_fn `{fn.name.value}({which})`: only (features, labels, mode[, params]) is converted")
    if any(p.default is not None for p in params.params):
        raise Declined(fn, f"model_fn `{fn.name.value}` has parameters with defaults")
    return names


def plan_model_fns(
    model_functions: list[cst.FunctionDef], tree: cst.Module, functions: dict[str, cst.FunctionDef], sym: Sym,
    tf: str, result: Plan,
) -> None:
    """Plans the edits of the model_fns and of the helpers they call."""
    reached = _reached(model_functions, functions)
    module_names = _module_names(tree)
    keras_classes = {
        s.name.value for s in tree.body
        if isinstance(s, cst.ClassDef) and any(_keras_model_class(sym(base.value) or "", base=True) for base in s.bases)
    }
    planners = {fn.name.value: _Planner(fn, sym, tf, module_names, keras_classes, result) for fn in reached}
    for planner in planners.values():
        fn = planner.fn
        if PARAMETER in names_read(fn.body) or PARAMETER in [p.name.value for p in fn.params.params]:
            raise Declined(fn, f"`{fn.name.value}` already uses the name `{PARAMETER}`, which the converted code gives it")
        fn.body.visit(planner)
    # Helpers that make layers (or call one that does) are given the estimator.
    needing = {name for name, p in planners.items() if p.needs_estimator}
    changed = True
    while changed:
        changed = False
        for name, planner in planners.items():
            if name not in needing and planner.helper_calls.keys() & needing:
                needing.add(name)
                changed = True
    for name, planner in planners.items():
        for helper, calls in planner.helper_calls.items():
            if helper in needing:
                for call in calls:
                    result.actions[id(call)] = PassEstimator()
    for fn in model_functions:
        result.takes_estimator.add(id(fn))
    for name in needing:
        fn = functions[name]
        if fn in model_functions:
            continue
        params = fn.params
        if params.posonly_params or params.kwonly_params or params.star_kwarg is not None or isinstance(
            params.star_arg, cst.Param
        ) or any(p.default is not None for p in params.params):
            raise Declined(fn, f"helper `{name}` makes layers and takes defaulted, *args or keyword-only parameters")
        _check_only_called_from(fn, tree, reached)
        result.takes_estimator.add(id(fn))


def _keras_model_class(symbol: str, base: bool = False) -> bool:
    """A Keras layer or model class (``keras.layers.Dense``, ``keras.Sequential``): made once in a
    model_fn; ``base``: also the classes a module's own layers and models derive from."""
    if symbol.startswith("keras.layers.") and symbol.rsplit(".", 1)[1][:1].isupper():
        return True
    models = ("keras.Sequential", "keras.Model", "keras.models.Sequential", "keras.models.Model")
    return symbol in models or (base and symbol == "keras.layers.Layer")


def _reached(model_functions: list[cst.FunctionDef], functions: dict[str, cst.FunctionDef]) -> list[cst.FunctionDef]:
    """The model_fns and the module's functions they call, transitively."""
    reached = list(model_functions)
    for fn in reached:
        for call in nodes_of(fn.body, cst.Call):
            if isinstance(call.func, cst.Name) and call.func.value in functions:
                helper = functions[call.func.value]
                if helper not in reached:
                    reached.append(helper)
    return reached


def _module_names(tree: cst.Module) -> set[str]:
    """Names bound at the module's level (the model_fn reads them as they are when it runs)."""
    names: set[str] = set()
    for stmt in tree.body:
        if isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
            names.add(stmt.name.value)
        for target in nodes_of(stmt, (cst.AssignTarget, cst.ImportAlias), skip=(cst.FunctionDef, cst.ClassDef)):
            if isinstance(target, cst.ImportAlias):
                names.add(target.evaluated_alias or target.evaluated_name.split(".")[0])
            else:
                names |= {n.value for n in nodes_of(target.target, cst.Name)}
    return names


def _check_only_called_from(fn: cst.FunctionDef, tree: cst.Module, callers: list[cst.FunctionDef]) -> None:
    name = fn.name.value
    inside = {id(n) for caller in callers for call in nodes_of(caller.body, cst.Call)
              if isinstance(call.func, cst.Name) and call.func.value == name for n in [call.func]}
    attribute_names = {id(a.attr) for a in nodes_of(tree, cst.Attribute)}
    for node in nodes_of(tree, cst.Name):
        if node.value == name and node is not fn.name and id(node) not in inside and id(node) not in attribute_names:
            raise Declined(node, f"helper `{name}` makes layers for the model_fn and is also used elsewhere")


class _Planner(FastVisitor):
    """Plans the edits of one function's body (a model_fn or a helper it calls)."""

    def __init__(
        self, fn: cst.FunctionDef, sym: Sym, tf: str, module_names: set[str], keras_classes: set[str], result: Plan,
    ) -> None:
        self.fn = fn
        self.keras_classes = keras_classes
        self.sym = sym
        self.tf = tf
        self.module_names = module_names
        self.result = result
        self.needs_estimator = False
        self.helper_calls: dict[str, list[cst.Call]] = {}
        self.assignments = {
            a[0][0]: a[1] for s in nodes_of(fn.body, cst.SimpleStatementLine)
            if (a := single_assignment(s)) is not None and len(a[0]) == 1
        }
        self.scope_items = {id(item.item) for item in nodes_of(fn.body, cst.WithItem) if item.asname is None}
        self._check_metric_reads()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        raise Declined(node, f"a function defined inside `{self.fn.name.value}` is not converted")

    def visit_Call(self, node: cst.Call) -> bool:
        symbol = self.sym(node.func)
        func = node.func
        if (symbol is None and isinstance(func, cst.Name) and func.value in self.keras_classes) or (
            symbol is not None and _keras_model_class(symbol)
        ):
            # A Keras layer or model (the module's own, or Keras'): made once, with the layers
            # its arguments make (`Sequential([Dense(2)])`): those are its own.
            self._plan(node, WrapLayer())
            return False
        if symbol is None:
            if isinstance(func, cst.Name) and func.value != self.fn.name.value:
                self.helper_calls.setdefault(func.value, []).append(node)
            elif isinstance(func, cst.Attribute) and func.attr.value == "minimize":
                self._minimize(node)
            elif isinstance(func, cst.Attribute) and func.attr.value in ("compute_gradients", "apply_gradients"):
                raise Declined(node, f"`{func.attr.value}` in the model_fn is not converted (minimize is)")
            return True
        if symbol.startswith("estimator."):
            return True  # ModeKeys and EstimatorSpec: the module's replacements
        if symbol in NOT_LAYERS:
            raise Declined(node, f"`tf.{symbol}`: batch normalization in the model_fn (its UPDATE_OPS) is not converted")
        if symbol in LAYERS:
            self._plan(node, self._layer(node, LAYERS[symbol], symbol))
        elif symbol == "layers.dropout":
            self._plan(node, self._dropout(node))
        elif symbol in METRICS:
            self._plan(node, self._metric(node, symbol))
        elif symbol.startswith("train.") and symbol[len("train."):] in OPTIMIZERS:
            self._plan(node, self._optimizer(node, symbol[len("train."):]))
        elif symbol == "variable_scope" and id(node) in self.scope_items:
            self._plan(node, self._scope(node))
        elif symbol in GLOBAL_STEP:
            if node.args:
                raise Declined(node, f"`tf.{symbol}` with arguments")
            self._plan(node, Replace(f"{PARAMETER}.global_step"))
        elif symbol.startswith(("keras.metrics.", "keras.optimizers.")) and symbol.rsplit(".", 1)[1][:1].isupper():
            raise Declined(node, f"`tf.{symbol}` made in the model_fn is not converted (tf.metrics and tf.train are)")
        else:
            for prefix, reason in DECLINED:
                if symbol == prefix or symbol.startswith(prefix if prefix.endswith(".") else prefix + "."):
                    raise Declined(node, f"`tf.{symbol}`: {reason}")
        return True

    def _plan(self, node: cst.Call, action: object) -> None:
        self.result.actions[id(node)] = action  # type: ignore[assignment]
        if not isinstance(action, Replace) or action.code.startswith(PARAMETER):
            self.needs_estimator = True

    # -- metrics: where their values may be read ---------------------------------------------
    def _check_metric_reads(self) -> None:
        """A tf.metrics result (a (value, update_op) pair in TF 1, a Keras metric once
        converted) may only be a dict value, eval_metric_ops= or the value of an assignment."""
        body = self.fn.body
        places: set[int] = set()
        for element in nodes_of(body, cst.DictElement):
            places.add(id(element.value))
        for arg in nodes_of(body, cst.Arg):
            if arg.keyword is not None and arg.keyword.value == "eval_metric_ops":
                places.add(id(arg.value))
        for target in nodes_of(body, cst.AssignTarget):
            places |= {id(n) for n in nodes_of(target, cst.Name)}
        metric_names = set()
        for name, value in self.assignments.items():
            if isinstance(value, cst.Call) and self.sym(value.func) in METRICS:
                metric_names.add(name)
                places.add(id(value))
        skipped = {id(a.attr) for a in nodes_of(body, cst.Attribute)}
        skipped |= {id(a.keyword) for a in nodes_of(body, cst.Arg) if a.keyword is not None}
        for node in nodes_of(body, cst.Name):
            if node.value in metric_names and id(node) not in places and id(node) not in skipped:
                raise Declined(node, (
                    f"metric `{node.value}` is read other than as a value of eval_metric_ops (in TF 1 a (value, "
                    "update_op) pair; the converted metric is a tf.keras.metrics object)"
                ))
        for call in nodes_of(body, cst.Call):
            if self.sym(call.func) in METRICS and id(call) not in places:
                raise Declined(call, "a tf.metrics result used other than as a value of eval_metric_ops")

    # -- layers ------------------------------------------------------------------------------
    def _layer(self, call: cst.Call, spec: LayerSpec, symbol: str) -> Layer:
        bound = bind_arguments(call.args, spec.params)
        if bound is None:
            raise Declined(call, f"`tf.{symbol}` with arguments the rule cannot bind")
        if "inputs" not in bound:
            raise Declined(call, f"`tf.{symbol}` without inputs")
        for param in (*spec.unsupported, "reuse"):
            if param in bound and literal_value(bound[param].value) not in (None, False):
                raise Declined(bound[param], f"`tf.{symbol}({param}=...)` is not converted")
        if "data_format" in bound and symbol.startswith("contrib."):
            if literal_value(bound["data_format"].value) not in (None, "NHWC", "NWC"):
                raise Declined(bound["data_format"], "a data_format other than NHWC")
            bound.pop("data_format")
        keras_params = [p for p in spec.params if p not in ("inputs", "reuse", "training", *spec.unsupported)]
        arguments: list[str] = []
        for position, param in enumerate(keras_params):
            arg = bound.get(param)
            keyword = spec.keras_name(param)
            if keyword.endswith("_regularizer") and arg is not None and literal_value(arg.value) is not None:
                raise Declined(arg, "layer regularizers (a graph collection in TF 1) are not converted")
            if arg is None and keyword in spec.defaults:
                arguments.append(f"{keyword}={spec.defaults[keyword].format(tf=self.tf)}")
                continue
            if arg is not None and literal_value(arg.value) is None and param == "biases_initializer":
                arguments.append("use_bias=False")  # tf.contrib.layers: no biases
                continue
            if arg is None or literal_value(arg.value) is None:
                continue
            value = code(self._initializers(arg.value))
            if arg.keyword is None and position < spec.positional and all(p in bound for p in keras_params[:position]):
                arguments.append(value)
            else:
                arguments.append(f"{keyword}={value}")
        constructor = f"{self.tf}.keras.layers.{spec.keras}({', '.join(arguments)})"
        return Layer(constructor, "inputs", spec.params)

    def _initializers(self, value: cst.BaseExpression) -> cst.BaseExpression:
        """TF 1 initializer objects in a layer argument -> Keras initializers."""
        planner = self

        class _Initializers(cst.CSTTransformer):
            def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
                symbol = planner.sym(original_node.func)
                if symbol in UNMAPPED_INITIALIZERS:
                    raise Declined(original_node, f"`tf.{symbol}`: {UNMAPPED_INITIALIZERS[symbol]}")
                if symbol in REGULARIZERS:
                    raise Declined(original_node, "layer regularizers (a graph collection in TF 1) are not converted")
                if symbol not in INITIALIZERS:
                    return updated_node
                bound = bind_arguments(updated_node.args, initializer_parameters(symbol))
                if bound is None:
                    raise Declined(original_node, f"`tf.{symbol}` with arguments the rule cannot bind")
                try:
                    keras = keras_initializer(symbol, {p: arg.value for p, arg in bound.items()}, code, planner.tf)
                except ValueError as reason:
                    raise Declined(original_node, str(reason)) from None
                return cst.parse_expression(keras)

            def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.BaseExpression:
                return planner._replacement(original_node) or updated_node

            def leave_Attribute(self, original_node: cst.Attribute, updated_node: cst.Attribute) -> cst.BaseExpression:
                return planner._replacement(original_node) or updated_node

        return value.visit(_Initializers())

    def _replacement(self, node: cst.CSTNode) -> cst.BaseExpression | None:
        action = self.result.actions.get(id(node))
        return cst.parse_expression(action.code) if isinstance(action, Replace) else None

    def _replaced(self, value: cst.BaseExpression) -> cst.BaseExpression:
        """``value`` with the module's replacements (``tf.estimator.ModeKeys.TRAIN`` ->
        ``ModeKeys.TRAIN``): constructors are written from the original arguments."""
        planner = self

        class _Replaced(cst.CSTTransformer):
            def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.BaseExpression:
                return planner._replacement(original_node) or updated_node

            def leave_Attribute(self, original_node: cst.Attribute, updated_node: cst.Attribute) -> cst.BaseExpression:
                return planner._replacement(original_node) or updated_node

        replaced = value.visit(_Replaced())
        assert isinstance(replaced, cst.BaseExpression)
        return replaced

    def _dropout(self, call: cst.Call) -> Dropout:
        bound = bind_arguments(call.args, DROPOUT_PARAMS)
        if bound is None or "inputs" not in bound:
            raise Declined(call, "`tf.layers.dropout` with arguments the rule cannot bind")
        extra = tuple(k for k in ("noise_shape", "seed") if k in bound and literal_value(bound[k].value) is not None)
        training = bound.get("training")
        if training is None or literal_value(training.value) is False:
            return Dropout(DROPOUT_PARAMS, extra, None)
        return Dropout(DROPOUT_PARAMS, extra, "True" if literal_value(training.value) is True else "flag")

    def _scope(self, call: cst.Call) -> Scope:
        bound = bind_arguments(call.args, VARIABLE_SCOPE_PARAMS)
        if bound is None or "name_or_scope" not in bound:
            raise Declined(call, "`tf.variable_scope` with arguments the rule cannot bind")
        for param, arg in bound.items():
            if param not in ("name_or_scope", "reuse") and literal_value(arg.value) is not None:
                raise Declined(arg, f"`tf.variable_scope({param}=...)` in the model_fn is not converted")
        if "reuse" in bound and self.sym(bound["reuse"].value) is not None:
            raise Declined(bound["reuse"], "AUTO_REUSE variable scopes in the model_fn are not converted")
        self.result.variable_scopes = True
        return Scope()

    # -- metrics -----------------------------------------------------------------------------
    def _metric(self, call: cst.Call, symbol: str) -> Metric:
        keras, params, updates = METRICS[symbol]
        bound = bind_arguments(call.args, params)
        if bound is None:
            raise Declined(call, f"`tf.{symbol}` with arguments the rule cannot bind")
        if "weights" in bound and "weights" not in dict(updates) and literal_value(bound["weights"].value) is not None:
            raise Declined(bound["weights"], f"`tf.{symbol}(weights=...)` is not converted")
        for collection in ("metrics_collections", "updates_collections"):
            if collection in bound and literal_value(bound[collection].value) is not None:
                raise Declined(bound[collection], f"`tf.{symbol}({collection}=...)`: graph collections are not converted")
        name = bound.get("name")
        constructor = f"{self.tf}.keras.metrics.{keras}({'' if name is None else 'name=' + code(name.value)})"
        return Metric(constructor, params, updates)

    # -- optimizers ----------------------------------------------------------------------------
    def _optimizer(self, call: cst.Call, name: str) -> Optimizer:
        mapping = OPTIMIZERS[name]
        if mapping.ones_slots:
            raise Declined(call, (
                f"`tf.train.{name}`: its accumulators start at 1.0 in TF 1 and at 0.0 in Keras (not converted in a model_fn)"
            ))
        try:
            positional, keywords = call_parts(call, lambda node: code(self._replaced(node)))
        except ValueError:
            raise Declined(call, f"`tf.train.{name}` called with *args or **kwargs") from None
        arguments, dropped = keras_arguments(mapping, positional, keywords)
        unknown = [d for d in dropped if d not in ("use_locking",)]
        if unknown:
            raise Declined(call, f"`tf.train.{name}({unknown[0]}=...)` is not converted")
        for arg in call.args:
            self._check_static(arg.value, call)
        text = ", ".join(f"{k}={v}" for k, v in arguments)
        self.result.notes.append((call, f"{name} -> keras.optimizers.{mapping.keras_name}({text}), made once"))
        return Optimizer(f"{self.tf}.keras.optimizers.{mapping.keras_name}({text})")

    def _check_static(self, expr: cst.BaseExpression, where: cst.CSTNode, seen: frozenset[str] = frozenset()) -> None:
        """``expr`` reads Python values only (literals, ``params``, ``mode``, module names, locals computed from
        those): the optimizer is made once, with the values of the first call."""
        for call in nodes_of(expr, cst.Call):
            if self.sym(call.func) is not None:
                raise Declined(where, f"the optimizer's arguments compute `{code(call)}` in the model_fn (a tensor)")
        for name in names_read(expr) - self.module_names - {"params", "mode", "True", "False", "None"} - seen:
            value = self.assignments.get(name)
            if value is None:
                raise Declined(where, f"the optimizer's arguments read `{name}`, which the rule cannot see to be a Python value")
            self._check_static(value, where, seen | {name})

    def _minimize(self, call: cst.Call) -> None:
        receiver = call.func.value  # type: ignore[attr-defined]
        constructed = receiver if isinstance(receiver, cst.Call) else (
            self.assignments.get(receiver.value) if isinstance(receiver, cst.Name) else None
        )
        if constructed is None or not (isinstance(constructed, cst.Call) and (self.sym(constructed.func) or "").startswith("train.")):
            raise Declined(call, "`minimize` of something other than a TF 1 optimizer made in the model_fn")
        bound = bind_arguments(call.args, MINIMIZE_PARAMS)
        if bound is None or "loss" not in bound:
            raise Declined(call, "`minimize` with arguments the rule cannot bind")
        for param in MINIMIZE_PARAMS[2:]:
            if param != "name" and param in bound and literal_value(bound[param].value) is not None:
                raise Declined(bound[param], f"`minimize({param}=...)` is not converted")
        step = bound.get("global_step")
        if step is None or not self._is_global_step(step.value):
            raise Declined(call, (
                "`minimize` without global_step=tf.train.get_global_step(): TF 1's Estimator counted no steps "
                "(training by steps would not stop)"
            ))
        self._plan(call, Minimize(MINIMIZE_PARAMS))

    def _is_global_step(self, expr: cst.BaseExpression) -> bool:
        if isinstance(expr, cst.Call):
            return self.sym(expr.func) in GLOBAL_STEP and not expr.args
        if isinstance(expr, cst.Name) and expr.value in self.assignments:
            return self._is_global_step(self.assignments[expr.value])
        return False
