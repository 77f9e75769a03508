"""G104's analysis: read an estimator program and plan every edit, or decline.

The module must build its ``tf.estimator.Estimator`` (one or more) from model_fns it
defines, use each estimator only through ``train``/``evaluate``/``predict`` (and its
``model_dir``/``config``), and feed it input_fns the rule can follow to a
``tf.data.Dataset`` (``numpy_input_fn``, functions returning a dataset or its one-shot
iterator's ``get_next()``). Every use of ``tf.estimator`` must be one the generated code
defines. Anything else raises ``Declined`` with the node and the reason.
"""

from __future__ import annotations

from collections.abc import Callable

import libcst as cst

from codemods.analysis.cst_tools import bind_arguments, code, literal_value, nodes_of
from codemods.analysis.graph import single_assignment, tf1_symbol
from codemods.analysis.names import FastVisitor, ImportResolver, is_import_line, is_statement, walk
from codemods.graph.g104_estimator_to_loop import model_fn as model_fns
from codemods.graph.g104_estimator_to_loop import runtime
from codemods.graph.g104_estimator_to_loop.model import AddParams, Declined, DropHooks, Plan, Replace

Sym = Callable[[cst.BaseExpression], "str | None"]

# tf.estimator names the generated code defines: symbol -> the name it gets.
DEFINED = {
    "estimator.Estimator": "Estimator",
    "estimator.RunConfig": "RunConfig",
    "estimator.EstimatorSpec": "EstimatorSpec",
    "estimator.ModeKeys": "ModeKeys",
    "estimator.inputs.numpy_input_fn": "numpy_input_fn",
}
MODE_KEYS = ("TRAIN", "EVAL", "PREDICT")
# Why other tf.estimator names are not converted (by symbol prefix).
NOT_CONVERTED = {
    "estimator.tpu": "TPUEstimator runs on TPUs through TF 1's TPU system: not converted",
    "estimator.train_and_evaluate": "train_and_evaluate (TrainSpec/EvalSpec, distributed training) is not converted",
    "estimator.TrainSpec": "train_and_evaluate (TrainSpec/EvalSpec, distributed training) is not converted",
    "estimator.EvalSpec": "train_and_evaluate (TrainSpec/EvalSpec, distributed training) is not converted",
    "estimator.export": "exports (tf.estimator.export, export_savedmodel) are not converted",
    "estimator.WarmStartSettings": "warm starts are not converted",
    "estimator.inputs.pandas_input_fn": "pandas_input_fn is not converted",
}
PREMADE = (
    "Baseline", "BoostedTrees", "DNN", "Linear",  # DNNClassifier, LinearRegressor, BoostedTreesClassifier...
)
# TF 1 estimators outside tf.estimator (contrib): the program is left as it was.
CONTRIB_ESTIMATORS = ("contrib.tpu.TPUEstimator", "contrib.estimator.", "contrib.learn.Experiment",
                      "contrib.learn.learn_runner", "contrib.boosted_trees.")
CONTRIB_LEARN_ESTIMATORS = ("Estimator", "Classifier", "Regressor")  # tf.contrib.learn's estimator classes
# Hooks that only log: dropped (the loop logs the loss), with a note.
LOGGING_HOOKS = ("train.LoggingTensorHook", "estimator.LoggingTensorHook")

ESTIMATOR_PARAMS = ("model_fn", "model_dir", "config", "params", "warm_start_from")
RUN_CONFIG_PARAMS = (
    "model_dir", "tf_random_seed", "save_summary_steps", "save_checkpoints_steps", "save_checkpoints_secs",
    "keep_checkpoint_max", "log_step_count_steps",
)
SPEC_PARAMS = ("mode", "predictions", "loss", "train_op", "eval_metric_ops")
SPEC_OTHERS = (
    "export_outputs", "training_chief_hooks", "training_hooks", "scaffold", "evaluation_hooks", "prediction_hooks",
)
NUMPY_INPUT_FN_PARAMS = ("x", "y", "batch_size", "num_epochs", "shuffle", "queue_capacity", "num_threads")
# TF 1's parameters of the estimator's methods, and those the generated methods take.
METHODS = {
    "train": (("input_fn", "hooks", "steps", "max_steps", "saving_listeners"), ("input_fn", "steps", "max_steps")),
    "evaluate": (("input_fn", "steps", "hooks", "checkpoint_path", "name"), ("input_fn", "steps", "name")),
    "predict": (
        ("input_fn", "predict_keys", "hooks", "checkpoint_path", "yield_single_examples"),
        ("input_fn", "predict_keys", "yield_single_examples"),
    ),
}
ATTRIBUTES = ("model_dir", "config")
ITERATORS = ("make_one_shot_iterator",)


def plan(tree: cst.Module, resolver: ImportResolver, tf: str | None) -> Plan | None:
    """The edits that convert the module's estimator program (``tf``: the module's name for
    ``tensorflow``); None when it uses no tf.estimator. Raises ``Declined``."""
    sym: Sym = lambda expr: tf1_symbol(resolver.qualified_name(expr))  # noqa: E731
    uses = _EstimatorUses(sym, resolver.statements_using("tensorflow"))
    walk(tree, uses)
    if uses.contrib is not None:
        raise Declined(uses.contrib[0], f"`tf.{uses.contrib[1]}` is a TF 1 estimator outside tf.estimator: not converted")
    if not uses.found:
        return None
    if tf is None:
        raise Declined(uses.found[0][0], "the module does not import `tensorflow` itself (the loop's code needs it)")
    result = Plan(tf)
    functions = {s.name.value: s for s in tree.body if isinstance(s, cst.FunctionDef)}
    constructions: list[cst.Call] = []
    for node, symbol in uses.found:
        if symbol in LOGGING_HOOKS:
            continue  # dropped with the hooks arguments that use it (checked there)
        name = _defined_name(node, symbol)
        result.actions[id(node)] = Replace(name)
        if symbol == "estimator.inputs.numpy_input_fn":
            result.numpy_input_fn = True
    calls = {id(c.func): c for c in nodes_of(tree, cst.Call)}
    for node, symbol in uses.found:
        call = calls.get(id(node))
        if symbol == "estimator.Estimator":
            if call is None:
                raise Declined(node, "tf.estimator.Estimator is used other than by calling it")
            constructions.append(call)
        elif symbol == "estimator.RunConfig":
            _check_run_config(call, node, result)
        elif symbol == "estimator.EstimatorSpec":
            _check_spec(call, node)
        elif symbol == "estimator.inputs.numpy_input_fn":
            _check_numpy_input_fn(call, node, result)
    if not constructions:
        raise Declined(uses.found[0][0], (
            "no tf.estimator.Estimator is built in this module (a model_fn whose Estimator is built in another "
            "module is not converted)"
        ))
    taken = _bound_names(tree) - {local for local, _ in uses.imported}
    for name in runtime.NAMES:
        if name in taken:
            raise Declined(constructions[0], f"the module already binds `{name}`, a name the converted program needs")
    model_functions = []
    for call in constructions:
        fn = _construction(call, functions, result)
        if fn not in model_functions:
            model_functions.append(fn)
    _check_model_fn_uses(tree, model_functions, constructions)
    model_fns.plan_model_fns(model_functions, tree, functions, sym, tf, result)
    _check_estimator_uses(tree, constructions, functions, sym, resolver, result)
    _check_hooks_dropped(tree, sym, result)
    for stmt in uses.imports:
        result.dropped.add(id(stmt))
    return result


# -- the tf.estimator names ----------------------------------------------------------------
class _EstimatorUses(FastVisitor):
    """Outermost expressions naming something of tf.estimator, and the imports binding it,
    in the ``relevant`` statements (those naming TensorFlow: the others have none)."""

    def __init__(self, sym: Sym, relevant: set[int]) -> None:
        self.sym = sym
        self.relevant = relevant
        self.found: list[tuple[cst.BaseExpression, str]] = []
        self.imports: list[cst.SimpleStatementLine] = []
        self.imported: list[tuple[str, str]] = []
        self.contrib: tuple[cst.CSTNode, str] | None = None

    def on_visit(self, node: cst.CSTNode) -> bool:
        if is_statement(node) and id(node) not in self.relevant:
            return False
        return super().on_visit(node)

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> bool:
        if not is_import_line(node):
            return True
        for small in node.body:
            if isinstance(small, cst.ImportFrom) and not isinstance(small.names, cst.ImportStar):
                module = code(small.module) if small.module is not None and not small.relative else ""
                origins = [(a, f"{module}.{code(a.name)}") for a in small.names]
            elif isinstance(small, cst.Import):
                origins = [(a, code(a.name)) for a in small.names]
            else:
                continue
            ours = [(a, o) for a, o in origins if _estimator_module(o)]
            if ours and len(ours) != len(origins):
                raise Declined(small, "an import binding tf.estimator names together with others")
            if ours:
                if not isinstance(small, cst.ImportFrom) and any(a.asname is None for a, _ in ours):
                    raise Declined(small, "`import tensorflow.estimator` (not converted: bind names with from-imports)")
                self.imports.append(node)
                self.imported += [(a.evaluated_alias or a.evaluated_name, o) for a, o in ours]
        return False

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        return self._use(node)

    def visit_Name(self, node: cst.Name) -> bool:
        return self._use(node)

    def _use(self, node: cst.BaseExpression) -> bool:
        symbol = self.sym(node)
        if symbol is None:
            return True
        if symbol == "estimator" or symbol.startswith("estimator."):
            self.found.append((node, symbol))
            return False
        learn = symbol.startswith("contrib.learn.") and symbol.endswith(CONTRIB_LEARN_ESTIMATORS)
        if self.contrib is None and (learn or any(symbol.startswith(c) for c in CONTRIB_ESTIMATORS)):
            self.contrib = (node, symbol)
        return True


def _estimator_module(origin: str) -> bool:
    return any(origin == p or origin.startswith(p + ".") for p in ("tensorflow.estimator", "tensorflow.compat.v1.estimator"))


def _defined_name(node: cst.CSTNode, symbol: str) -> str:
    """The code replacing ``node`` (``tf.estimator.X``), or ``Declined``."""
    if symbol in DEFINED:
        return DEFINED[symbol]
    if symbol.startswith("estimator.ModeKeys.") and symbol[len("estimator.ModeKeys."):] in MODE_KEYS:
        return "ModeKeys." + symbol[len("estimator.ModeKeys."):]
    for prefix, reason in NOT_CONVERTED.items():
        if symbol == prefix or symbol.startswith(prefix + "."):
            raise Declined(node, reason)
    rest = symbol[len("estimator."):]
    if rest.startswith(PREMADE):
        raise Declined(node, f"premade estimators (`tf.{symbol}`) are not converted: their model_fn is TF 1's own code")
    raise Declined(node, f"`tf.{symbol}` is not converted")


def _bound_names(tree: cst.Module) -> set[str]:
    """Every name the module binds anywhere (definitions, assignments, imports, parameters)."""
    found: set[str] = set()
    for node in nodes_of(tree, (cst.FunctionDef, cst.ClassDef)):
        found.add(node.name.value)
    for node in nodes_of(tree, cst.Param):
        found.add(node.name.value)
    for node in nodes_of(tree, (cst.AssignTarget, cst.AnnAssign, cst.AugAssign, cst.For, cst.AsName, cst.CompFor)):
        target = node.name if isinstance(node, cst.AsName) else node.target
        found |= {n.value for n in nodes_of(target, cst.Name)}
    for node in nodes_of(tree, cst.ImportAlias):
        found.add(node.evaluated_alias or node.evaluated_name.split(".")[0])
    return found


# -- constructions ----------------------------------------------------------------------------
def _bind(call: cst.Call, params: tuple[str, ...], what: str) -> dict[str, cst.Arg]:
    bound = bind_arguments(call.args, params)
    if bound is None:
        raise Declined(call, f"{what} called with arguments the rule cannot bind (*args, **kwargs, unknown keywords)")
    return bound


def _is_none(arg: cst.Arg | None) -> bool:
    return arg is None or literal_value(arg.value) is None


def _construction(call: cst.Call, functions: dict[str, cst.FunctionDef], result: Plan) -> cst.FunctionDef:
    """The model_fn of ``Estimator(...)``, checked."""
    bound = _bind(call, ESTIMATOR_PARAMS, "tf.estimator.Estimator")
    if not _is_none(bound.get("warm_start_from")):
        raise Declined(call, NOT_CONVERTED["estimator.WarmStartSettings"])
    model_fn = bound.get("model_fn")
    if model_fn is None or not isinstance(model_fn.value, cst.Name) or model_fn.value.value not in functions:
        raise Declined(call, "the model_fn is not a function this module defines at its top level")
    fn = functions[model_fn.value.value]
    params = model_fns.model_fn_params(fn)
    if "params" in params and "params" not in bound:
        result.actions[id(call)] = AddParams()  # TF 1 passed params={} to a model_fn taking params
    if "params" not in params and not _is_none(bound.get("params")):
        raise Declined(call, f"params given to `{fn.name.value}`, which takes none (TF 1 refused it)")
    result.notes.append((call, (
        f"tf.estimator.Estimator with model_fn `{fn.name.value}` -> an eager training loop (class Estimator, written "
        "after the imports: tf.function steps, GradientTape, Keras optimizer and metrics, tf.train.Checkpoint in "
        "model_dir); the model_fn is given the estimator, which makes its layers, metrics and optimizer once"
    )))
    return fn


def _check_model_fn_uses(tree: cst.Module, model_functions: list[cst.FunctionDef], constructions: list[cst.Call]) -> None:
    """A model_fn is only given to Estimators (it gets the estimator as a new parameter)."""
    given = {id(a.value) for call in constructions for a in call.args}
    skipped = {id(a.attr) for a in nodes_of(tree, cst.Attribute)}
    skipped |= {id(a.keyword) for a in nodes_of(tree, cst.Arg) if a.keyword is not None}
    names = {fn.name.value: fn for fn in model_functions}
    for node in nodes_of(tree, cst.Name):
        fn = names.get(node.value)
        if fn is not None and node is not fn.name and id(node) not in given and id(node) not in skipped:
            raise Declined(node, f"model_fn `{node.value}` is used other than by giving it to an Estimator")


def _check_run_config(call: cst.Call | None, node: cst.CSTNode, result: Plan) -> None:
    if call is None:
        raise Declined(node, "tf.estimator.RunConfig is used other than by calling it")
    for arg in call.args:
        if arg.star or arg.keyword is None:
            raise Declined(call, "RunConfig called with positional, *args or **kwargs arguments")
        name = arg.keyword.value
        if name not in RUN_CONFIG_PARAMS:
            if literal_value(arg.value) is None:
                continue
            raise Declined(arg, f"RunConfig(`{name}`=...) is not converted")
        if name == "save_summary_steps":
            result.notes.append((arg, "RunConfig(save_summary_steps=...): the training loop writes no summaries"))
        if name == "save_checkpoints_secs" and literal_value(arg.value) is not None:
            result.notes.append((arg, (
                "RunConfig(save_checkpoints_secs=...): checkpoints are saved every save_checkpoints_steps and at the "
                "end of train(), not by time"
            )))


def _check_spec(call: cst.Call | None, node: cst.CSTNode) -> None:
    if call is None:
        raise Declined(node, "tf.estimator.EstimatorSpec is used other than by calling it")
    bound = _bind(call, (*SPEC_PARAMS, *SPEC_OTHERS), "EstimatorSpec")
    for name in SPEC_OTHERS:
        if not _is_none(bound.get(name)):
            what = "exports" if name == "export_outputs" else "hooks and scaffolds"
            raise Declined(bound[name], f"EstimatorSpec({name}=...): {what} are not converted")


def _check_numpy_input_fn(call: cst.Call | None, node: cst.CSTNode, result: Plan) -> None:
    if call is None:
        raise Declined(node, "numpy_input_fn is used other than by calling it")
    bound = _bind(call, NUMPY_INPUT_FN_PARAMS, "numpy_input_fn")
    shuffle = bound.get("shuffle")
    if shuffle is None or literal_value(shuffle.value) is not False:
        result.notes.append((call, (
            "numpy_input_fn(shuffle=...) -> tf.data's shuffle: a different order than TF 1's RandomShuffleQueue "
            "(the numbers differ run to run, as they did)"
        )))


# -- estimator objects and what they are given ----------------------------------------------
def _check_estimator_uses(
    tree: cst.Module, constructions: list[cst.Call], functions: dict[str, cst.FunctionDef], sym: Sym,
    resolver: ImportResolver, result: Plan,
) -> None:
    """Each estimator is bound to a name (or called directly) and used only through its
    methods, with input_fns the rule can follow."""
    ids = {id(c) for c in constructions}
    names: set[str] = set()
    direct: set[int] = set()  # ids of the constructions used as `Estimator(...).train(...)`
    for stmt in nodes_of(tree, cst.SimpleStatementLine):
        assignment = single_assignment(stmt)
        if assignment is not None and id(assignment[1]) in ids:
            if len(assignment[0]) != 1:
                raise Declined(stmt, "the estimator is unpacked")
            names.add(assignment[0][0])
            direct.add(id(assignment[1]))
    receivers: dict[int, str] = {}  # id(Name / Call) -> attribute read on it
    receiver_nodes: dict[int, cst.BaseExpression] = {}
    method_calls: list[tuple[cst.Call, str]] = []
    for attribute in nodes_of(tree, cst.Attribute):
        value = attribute.value
        if (isinstance(value, cst.Name) and value.value in names) or id(value) in ids:
            receivers[id(value)] = attribute.attr.value
            receiver_nodes[id(value)] = value
            if id(value) in ids:
                direct.add(id(value))
    for call in nodes_of(tree, cst.Call):
        func = call.func
        if isinstance(func, cst.Attribute) and id(func.value) in receivers and func.attr.value in METHODS:
            method_calls.append((call, func.attr.value))
    for call in constructions:
        if id(call) not in direct:
            raise Declined(call, "the estimator is used before it is bound to a name")
    attribute_names = {id(a.attr) for a in nodes_of(tree, cst.Attribute)}
    keywords = {id(a.keyword) for a in nodes_of(tree, cst.Arg) if a.keyword is not None}
    targets = {id(n) for t in nodes_of(tree, cst.AssignTarget) for n in nodes_of(t, cst.Name)}
    for name in nodes_of(tree, cst.Name):
        if name.value not in names or id(name) in attribute_names or id(name) in keywords or id(name) in targets:
            continue
        attribute = receivers.get(id(name))
        if attribute not in (*METHODS, *ATTRIBUTES):
            raise Declined(name, (
                f"estimator `{name.value}` is used other than through train/evaluate/predict/model_dir"
            ))
    called = {id(c.func.value) for c, _ in method_calls if isinstance(c.func, cst.Attribute)}
    for value_id, attribute in receivers.items():
        if attribute in METHODS and value_id not in called:
            raise Declined(receiver_nodes[value_id], f"the estimator's {attribute} method is used other than by calling it")
    for call, method in method_calls:
        tf1_params, kept = METHODS[method]
        bound = _bind(call, tf1_params, f"{method}()")
        for param, arg in bound.items():
            if param == "hooks" and arg.keyword is not None and not _is_none(arg):
                _drop_logging_hooks(call, arg, method, tree, sym, resolver, result)
            elif param not in kept:
                raise Declined(arg, f"{method}({param}=...) is not converted")
        input_fn = bound.get("input_fn")
        if input_fn is None:
            raise Declined(call, f"{method}() without an input_fn")
        _check_input_fn(input_fn.value, tree, functions, sym, resolver, result)


def _drop_logging_hooks(
    call: cst.Call, arg: cst.Arg, method: str, tree: cst.Module, sym: Sym, resolver: ImportResolver, result: Plan,
) -> None:
    """``hooks=[logging_hook]`` of LoggingTensorHooks: dropped from the call, with the
    statements making them when nothing else uses them (they logged graph tensors by name)."""
    if not isinstance(arg.value, (cst.List, cst.Tuple)):
        raise Declined(arg, f"{method}(hooks=...) is not converted (a list of LoggingTensorHooks is dropped)")
    statements = {id(a[1]): stmt for stmt in nodes_of(tree, cst.SimpleStatementLine)
                  if (a := single_assignment(stmt)) is not None and len(a[0]) == 1}
    for element in arg.value.elements:
        hook = element.value
        made = resolver.assigned_value(hook) if isinstance(hook, cst.Name) else hook
        if not (isinstance(made, cst.Call) and sym(made.func) in LOGGING_HOOKS):
            raise Declined(hook, f"{method}(hooks=...) is not converted (only LoggingTensorHooks, which are dropped)")
        if isinstance(hook, cst.Name):
            uses = [n for n in nodes_of(tree, cst.Name) if n.value == hook.value]
            if len(uses) != 2 or id(made) not in statements:  # its assignment and this list
                raise Declined(hook, f"LoggingTensorHook `{hook.value}` is used other than in hooks=")
            result.dropped.add(id(statements[id(made)]))
    result.actions[id(call)] = DropHooks()
    result.notes.append((arg, (
        f"{method}(hooks=[LoggingTensorHook]) dropped: TF 1's hook logged graph tensors by name every N steps "
        "(stderr); the loop logs the loss"
    )))


def _check_hooks_dropped(tree: cst.Module, sym: Sym, result: Plan) -> None:
    """Every LoggingTensorHook of tf.estimator is in a dropped statement or hooks= list."""
    for call in nodes_of(tree, cst.Call):
        if sym(call.func) != "estimator.LoggingTensorHook":
            continue
        inside = [s for s in nodes_of(tree, cst.SimpleStatementLine) if id(s) in result.dropped
                  and any(c is call for c in nodes_of(s, cst.Call))]
        in_hooks = [c for c in nodes_of(tree, cst.Call) if isinstance(result.actions.get(id(c)), DropHooks)
                    and any(x is call for x in nodes_of(c, cst.Call))]
        if not inside and not in_hooks:
            raise Declined(call, "a LoggingTensorHook used other than in train/evaluate/predict(hooks=...)")


def _check_input_fn(
    expr: cst.BaseExpression, tree: cst.Module, functions: dict[str, cst.FunctionDef], sym: Sym,
    resolver: ImportResolver, result: Plan,
) -> None:
    """``expr`` gives a tf.data.Dataset when called: numpy_input_fn's result, a function
    returning a dataset (or its one-shot iterator's next element), a lambda calling one."""
    if isinstance(expr, cst.Name):
        values = _bindings(tree, expr.value)
        if values:  # each value the name is given (`input_fn = ...` for training, again for testing)
            for value in values:
                _check_input_fn(value, tree, functions, sym, resolver, result)
            return
        fn = functions.get(expr.value)
        if fn is None:
            raise Declined(expr, f"input_fn `{expr.value}` is not one the rule can follow to a tf.data.Dataset")
        params = [*fn.params.posonly_params, *fn.params.params, *fn.params.kwonly_params]
        if any(p.default is None or p.name.value in ("params", "mode", "config") for p in params):
            raise Declined(fn, f"input_fn `{expr.value}` takes parameters (TF 1 passed it params, mode or config)")
        _returns_dataset(fn, sym, result)
        return
    if isinstance(expr, cst.Call) and sym(expr.func) == "estimator.inputs.numpy_input_fn":
        return
    if isinstance(expr, cst.Lambda) and not expr.params.params:
        body = expr.body
        if isinstance(body, cst.Call) and isinstance(body.func, cst.Name) and body.func.value in functions:
            _returns_dataset(functions[body.func.value], sym, result)
            return
        if _dataset_expression(body, sym, set()):
            return
    if isinstance(expr, cst.Call) and sym(expr.func) is None and code(expr.func) in ("functools.partial", "partial"):
        first = expr.args[0].value if expr.args else None
        if isinstance(first, cst.Name) and first.value in functions:
            _returns_dataset(functions[first.value], sym, result)
            return
    raise Declined(expr, f"the input_fn `{code(expr)}` is not one the rule can follow to a tf.data.Dataset")


def _bindings(tree: cst.Module, name: str) -> list[cst.BaseExpression]:
    """The values ``name = value`` statements give ``name`` anywhere in the module; ``Declined``
    when it is also bound another way (a loop, a parameter, an unpacking)."""
    values = []
    for target in nodes_of(tree, cst.AssignTarget):
        if isinstance(target.target, cst.Name) and target.target.value == name:
            continue
        if any(n.value == name for n in nodes_of(target.target, cst.Name)):
            raise Declined(target, f"input_fn `{name}` is bound other than by `{name} = ...`")
    for stmt in nodes_of(tree, cst.SimpleStatementLine):
        assignment = single_assignment(stmt)
        if assignment is not None and assignment[0] == [name]:
            values.append(assignment[1])
    parameter = next((p for p in nodes_of(tree, cst.Param) if p.name.value == name), None)
    if values and parameter is not None:
        raise Declined(parameter, f"input_fn `{name}` is also a parameter")
    return values


def _dataset_expression(expr: cst.BaseExpression, sym: Sym, datasets: set[str]) -> bool:
    """A tf.data call chain (``tf.data.Dataset.from_tensor_slices(...).batch(n)``) or a
    method chain on a name holding a dataset."""
    while isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute):
        symbol = sym(expr.func)
        if symbol is not None:
            return symbol.startswith("data.")
        if expr.func.attr.value in ITERATORS or expr.func.attr.value == "get_next":
            return False
        expr = expr.func.value
    return isinstance(expr, cst.Name) and expr.value in datasets


def _returns_dataset(fn: cst.FunctionDef, sym: Sym, result: Plan) -> None:
    """Every return of ``fn`` gives a dataset; ``return <it>.get_next()`` of a one-shot
    iterator (or of names it unpacked) is planned to return the dataset itself."""
    statements = nodes_of(fn.body, cst.SimpleStatementLine, skip=(cst.FunctionDef, cst.ClassDef, cst.Lambda))
    datasets: set[str] = set()
    iterators: dict[str, tuple[cst.BaseExpression, cst.SimpleStatementLine]] = {}
    unpacked: dict[str, tuple[cst.BaseExpression, cst.SimpleStatementLine]] = {}
    changed = True
    while changed:
        changed = False
        for stmt in statements:
            assignment = single_assignment(stmt)
            if assignment is None or len(assignment[0]) != 1 or assignment[0][0] in datasets:
                continue
            if _dataset_expression(assignment[1], sym, datasets):
                datasets.add(assignment[0][0])
                changed = True
    for stmt in statements:
        assignment = single_assignment(stmt)
        if assignment is None:
            continue
        iterated = _one_shot(assignment[1], sym, datasets)
        if iterated is not None and len(assignment[0]) == 1:
            iterators[assignment[0][0]] = (iterated, stmt)
        element = _next_element(assignment[1], sym, datasets, iterators)
        if element is not None:
            for name in assignment[0]:
                unpacked[name] = (element, stmt)
    returns = nodes_of(fn.body, cst.Return, skip=(cst.FunctionDef, cst.ClassDef, cst.Lambda))
    if not returns:
        raise Declined(fn, f"input_fn `{fn.name.value}` returns nothing")
    for ret in returns:
        value = ret.value
        if value is not None and _dataset_expression(value, sym, datasets):
            continue
        element = _next_element(value, sym, datasets, iterators) if value is not None else None
        if element is None and isinstance(value, (cst.Tuple, cst.Name)):
            element = _unpacked_return(value, unpacked)
        if element is None:
            raise Declined(ret, (
                f"input_fn `{fn.name.value}` returns `{code(value) if value is not None else 'None'}`, which the rule "
                "cannot see to be a tf.data.Dataset or its one-shot iterator's next element"
            ))
        result.returns_dataset[id(ret)] = element
        _drop_iterator_statements(fn, element, iterators, unpacked, result)


def _one_shot(expr: cst.BaseExpression, sym: Sym, datasets: set[str]) -> cst.BaseExpression | None:
    """The dataset of ``<dataset>.make_one_shot_iterator()`` / ``tf.data.make_one_shot_iterator(<dataset>)``."""
    if not isinstance(expr, cst.Call):
        return None
    if sym(expr.func) in ("data.make_one_shot_iterator",) and len(expr.args) == 1:
        dataset = expr.args[0].value
    elif isinstance(expr.func, cst.Attribute) and expr.func.attr.value in ITERATORS and not expr.args:
        dataset = expr.func.value
    else:
        return None
    return dataset if _dataset_expression(dataset, sym, datasets) else None


def _next_element(
    expr: cst.BaseExpression, sym: Sym, datasets: set[str], iterators: dict[str, tuple[cst.BaseExpression, cst.CSTNode]],
) -> cst.BaseExpression | None:
    """The dataset whose one-shot iterator's ``get_next()`` ``expr`` is."""
    if not (isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute) and expr.func.attr.value == "get_next"):
        return None
    if expr.args:
        return None
    receiver = expr.func.value
    if isinstance(receiver, cst.Name) and receiver.value in iterators:
        return iterators[receiver.value][0]
    return _one_shot(receiver, sym, datasets)


def _unpacked_return(
    value: cst.BaseExpression, unpacked: dict[str, tuple[cst.BaseExpression, cst.SimpleStatementLine]],
) -> cst.BaseExpression | None:
    """``features, labels = it.get_next(); return features, labels`` (or ``return element``):
    the returned names are exactly those the one statement unpacked, in its order."""
    names = [value] if isinstance(value, cst.Name) else [e.value for e in value.elements] if isinstance(value, cst.Tuple) else []
    if not names or not all(isinstance(n, cst.Name) and n.value in unpacked for n in names):
        return None
    sources = {id(unpacked[n.value][1]) for n in names}
    if len(sources) != 1:
        return None
    stmt = unpacked[names[0].value][1]
    assignment = single_assignment(stmt)
    assert assignment is not None
    if assignment[0] != [n.value for n in names]:
        return None
    return unpacked[names[0].value][0]


def _drop_iterator_statements(
    fn: cst.FunctionDef, dataset: cst.BaseExpression,
    iterators: dict[str, tuple[cst.BaseExpression, cst.SimpleStatementLine]],
    unpacked: dict[str, tuple[cst.BaseExpression, cst.SimpleStatementLine]], result: Plan,
) -> None:
    """The statements making the one-shot iterator of ``dataset`` and unpacking its next
    element go, when nothing but them and the returns read what they bind."""
    dropping = [(name, stmt) for table in (unpacked, iterators) for name, (source, stmt) in table.items()
                if source is dataset]
    allowed = {id(n) for _, stmt in dropping for n in nodes_of(stmt, cst.Name)}
    allowed |= {id(n) for ret in nodes_of(fn.body, cst.Return) if id(ret) in result.returns_dataset
                for n in nodes_of(ret, cst.Name)}
    for name, stmt in dropping:
        if any(n.value == name and id(n) not in allowed for n in nodes_of(fn.body, cst.Name)):
            raise Declined(stmt, f"`{name}` (the input_fn's iterator or its element) is read other than by its return")
        result.dropped.add(id(stmt))
