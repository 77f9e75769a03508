"""G104: a TF 1 ``tf.estimator.Estimator`` program -> an eager training loop in TF 2.

``tf.estimator`` is gone from TF 2.16+ (``tf.compat.v1`` has none either): a migrated
estimator program dies on its first ``tf.estimator`` name. The rule keeps the program's
shape and gives the names it uses a TF 2 definition, written after the module's imports
(``runtime``): ``Estimator`` is a training loop whose ``train``/``evaluate``/``predict``
iterate the input_fn's ``tf.data.Dataset`` and call ``tf.function`` steps (the model_fn
under a ``GradientTape``, a Keras optimizer, ``tf.keras.metrics``, the mean loss and the
global step as TF 1's ``evaluate`` returned them, ``tf.train.Checkpoint`` in
``model_dir``); ``EstimatorSpec``, ``ModeKeys``, ``RunConfig`` and ``numpy_input_fn``
(a ``tf.data`` pipeline giving the same batches) are small equivalents. The model_fn
(``model_fn``) is given the estimator and asks it for its layers, metrics and
optimizer, made once. Input functions returning a one-shot iterator's ``get_next()``
return the dataset itself, as the estimator read it.

The stages: ``analysis.plan`` reads the module into a ``Plan`` (edits keyed by the nodes
of the original tree) or raises ``Declined``; ``_Apply`` applies the plan, and the
runtime pieces are inserted. Declined programs are left as they were, with the reason
(R001 then lists what remains of tf.estimator).
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

import libcst as cst

from codemods.analysis.cst_tools import (
    after_imports,
    bind_arguments,
    code,
    drop_args,
    insert_definitions,
    kwarg,
    set_kw,
    with_args,
)
from codemods.analysis.names import transform
from codemods.base import Example, Rule
from codemods.graph.g104_estimator_to_loop import runtime
from codemods.graph.g104_estimator_to_loop.analysis import plan as plan_program
from codemods.graph.g104_estimator_to_loop.model import (
    AddParams,
    Declined,
    DropHooks,
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
from codemods.graph.g104_estimator_to_loop.model_fn import PARAMETER

__all__ = ["EstimatorToLoop"]


class EstimatorToLoop(Rule):
    code = "G104"
    details = (
        "Converted: tf.estimator.Estimator(model_fn, model_dir, config, params) built in the module from a model_fn "
        "it defines, `(features, labels, mode[, params])`, with train(input_fn, steps, max_steps), "
        "evaluate(input_fn, steps, name) and predict(input_fn, predict_keys, yield_single_examples); "
        "tf.estimator.RunConfig(model_dir, tf_random_seed, keep_checkpoint_max, save_checkpoints_steps, "
        "log_step_count_steps), EstimatorSpec(mode, predictions, loss, train_op, eval_metric_ops), ModeKeys, "
        "tf.estimator.inputs.numpy_input_fn, and input_fns returning a tf.data.Dataset or its one-shot iterator's "
        "get_next(). The names get TF 2 definitions after the imports; the call sites keep their shape. In the "
        "model_fn and the helpers it calls: tf.layers (and the tf.contrib.layers G102 knows) -> "
        "estimator.layer(lambda: tf.keras.layers.X(...))(inputs), made once in TF 1's order (verify draws the same "
        "initial values); Keras layers and models made in the model_fn (Keras' own, the module's subclasses) likewise; tf.layers.dropout -> tf.nn.dropout when "
        "training, as TF 1 ran it; tf.metrics.accuracy/mean/root_mean_squared_error -> estimator.metric(lambda: tf.keras.metrics.X(), ...), "
        "updated in evaluation only; the TF 1 optimizer -> estimator.optimizer(lambda: tf.keras.optimizers.X(...)) "
        "with TF 1's hyperparameters written out (made once: its arguments must be Python values); "
        "optimizer.minimize(loss, global_step=tf.train.get_global_step()) -> estimator.minimize(optimizer, loss), "
        "which the train step differentiates over the model's layers; tf.train.get_global_step() -> "
        "estimator.global_step; `with tf.variable_scope(name, reuse=r):` -> `with estimator.variable_scope(name, reuse=r):`, "
        "which gives the layers of the scope's first use again when entered with reuse (TF 1 looked them up by "
        "name: two towers sharing weights). evaluate() returns TF 1's dict: the eval_metric_ops' values, 'loss' (the mean of "
        "the batches' losses) and 'global_step', as NumPy values. The loop logs 'loss = X, step = N' every "
        "log_step_count_steps on tf.get_logger() (stderr, as TF 1's INFO lines; verify compares standard output). "
        "Checkpoints are tf.train.Checkpoint files in model_dir (TF 1's name-based checkpoints there are not read); "
        "training continues from the last one, as in TF 1. Not converted (reported, left as it was): premade "
        "estimators, TPUEstimator, train_and_evaluate, hooks other than LoggingTensorHooks (dropped, reported: they logged "
        "graph tensors by name), exports and export_outputs, warm starts, distribution "
        "and session settings, model_fns taking config, Estimators built in another module, "
        "Keras metrics and optimizers made in the model_fn, a model_fn also called directly, "
        "tf.get_variable/tf.Variable, AUTO_REUSE and other variable-scope options, collections (UPDATE_OPS, regularization losses), batch "
        "normalization, summaries, feature columns, learning-rate schedules, RMSProp, other tf.metrics, input_fns "
        "the rule cannot follow to a dataset. numpy_input_fn(shuffle=True) shuffles with tf.data (another order "
        "than TF 1's queue, reported). No summaries are written to model_dir."
    )
    examples = (
        Example(
            before=textwrap.dedent(
                """\
                import numpy as np
                import tensorflow as tf


                def model_fn(features, labels, mode):
                    logits = tf.layers.dense(features["x"], 2)
                    if mode == tf.estimator.ModeKeys.PREDICT:
                        return tf.estimator.EstimatorSpec(mode, predictions=tf.argmax(logits, 1))
                    loss = tf.losses.sparse_softmax_cross_entropy(labels, logits)
                    train_op = tf.train.GradientDescentOptimizer(0.1).minimize(
                        loss, global_step=tf.train.get_global_step())
                    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)


                x, y = np.random.rand(8, 3).astype(np.float32), np.arange(8) % 2
                classifier = tf.estimator.Estimator(model_fn)
                classifier.train(tf.estimator.inputs.numpy_input_fn({"x": x}, y, batch_size=4, shuffle=False), steps=2)
                print(classifier.evaluate(tf.estimator.inputs.numpy_input_fn({"x": x}, y, shuffle=False)))
                """
            ),
            after=textwrap.dedent(
                """\
                import numpy as np
                import tensorflow as tf


                class ModeKeys:
                    \"\"\"The modes an Estimator calls its model_fn in (tf.estimator.ModeKeys in TF 1).\"\"\"

                    TRAIN = "train"
                    EVAL = "eval"
                    PREDICT = "infer"


                class EstimatorSpec:
                    \"\"\"What a model_fn returns in one mode (tf.estimator.EstimatorSpec in TF 1).\"\"\"

                    def __init__(self, mode, predictions=None, loss=None, train_op=None, eval_metric_ops=None):
                        self.mode = mode
                        self.predictions = predictions
                        self.loss = loss
                        self.train_op = train_op
                        self.eval_metric_ops = eval_metric_ops


                class RunConfig:
                    \"\"\"tf.estimator.RunConfig (TF 1): the settings the Estimator below reads. No summaries are written
                    (save_summary_steps); checkpoints are saved every save_checkpoints_steps and at the end of train().\"\"\"

                    def __init__(self, model_dir=None, tf_random_seed=None, save_summary_steps=100, save_checkpoints_steps=None,
                                 save_checkpoints_secs=None, keep_checkpoint_max=5, log_step_count_steps=100):
                        self.model_dir = model_dir
                        self.tf_random_seed = tf_random_seed
                        self.save_summary_steps = save_summary_steps
                        self.save_checkpoints_steps = save_checkpoints_steps
                        self.save_checkpoints_secs = save_checkpoints_secs
                        self.keep_checkpoint_max = keep_checkpoint_max
                        self.log_step_count_steps = log_step_count_steps


                class Estimator(tf.Module):
                    \"\"\"tf.estimator.Estimator (TF 1) as an eager training loop.

                    TF 1 built a graph for each train/evaluate/predict call, called the model_fn in it and restored the
                    variables from the last checkpoint. Here the model_fn runs in tf.function steps and is given this
                    estimator: the layers, metrics and optimizers it asks for are made by its first call, in TF 1's order,
                    and the same ones serve every later call. model_dir holds tf.train.Checkpoint checkpoints; as in TF 1,
                    training continues from the last one there.
                    \"\"\"

                    def __init__(self, model_fn, model_dir=None, config=None, params=None):
                        super().__init__()
                        self.model_fn = model_fn
                        self.model_fn_arguments = {} if params is None else {"params": params}
                        self.config = config or RunConfig()
                        self.model_dir = model_dir or self.config.model_dir
                        if self.config.tf_random_seed is not None:
                            tf.random.set_seed(self.config.tf_random_seed)
                        self.global_step = tf.Variable(0, dtype=tf.int64, trainable=False)
                        self.made = {"layer": [], "metric": [], "optimizer": []}
                        self.loss_mean = tf.keras.metrics.Mean()
                        self.checkpoints = None
                        if self.model_dir is not None:
                            checkpoint = tf.train.Checkpoint(
                                global_step=self.global_step, layers=self.made["layer"], optimizers=self.made["optimizer"])
                            self.checkpoints = tf.train.CheckpointManager(
                                checkpoint, self.model_dir, self.config.keep_checkpoint_max, checkpoint_name="model.ckpt")
                            # Restored as the model_fn makes its variables (None: nothing to restore).
                            checkpoint.restore(self.checkpoints.latest_checkpoint)

                    # -- what the model_fn asks for --------------------------------------------------------------------
                    def _next(self, kind, create):
                        made = self.made[kind]
                        if self.used[kind] == len(made):
                            made.append(create())
                        self.used[kind] += 1
                        return made[self.used[kind] - 1]

                    def layer(self, create):
                        \"\"\"The model's next layer: made by `create` at the first call, the same one at every later call.\"\"\"
                        return self._next("layer", create)

                    def optimizer(self, create):
                        \"\"\"The model's next optimizer, made once like its layers.\"\"\"
                        return self._next("optimizer", create)

                    def metric(self, create, *args, **kwargs):
                        \"\"\"The model's next metric, made once like its layers; updated in evaluation only, where TF 1 ran
                        its update op.\"\"\"
                        metric = self._next("metric", create)
                        if self.mode == ModeKeys.EVAL:
                            metric.update_state(*args, **kwargs)
                        return metric

                    def minimize(self, optimizer, loss):
                        \"\"\"The training op: the train step differentiates `loss` and applies `optimizer` to the layers.\"\"\"
                        return optimizer, loss

                    def call_model_fn(self, features, labels, mode):
                        self.mode = mode
                        self.used = {kind: 0 for kind in self.made}
                        return self.model_fn(features, labels, mode, estimator=self, **self.model_fn_arguments)

                    # -- the steps (each train/evaluate/predict call traces them afresh, as TF 1 built a new graph) -------
                    def train_step(self, features, labels):
                        with tf.GradientTape() as tape:
                            spec = self.call_model_fn(features, labels, ModeKeys.TRAIN)
                        optimizer, loss = spec.train_op
                        variables = [variable for layer in self.made["layer"] for variable in layer.trainable_variables]
                        gradients = tape.gradient(loss, variables)
                        optimizer.apply_gradients(zip(gradients, variables))
                        self.global_step.assign_add(1)
                        return spec.loss

                    def eval_step(self, features, labels):
                        spec = self.call_model_fn(features, labels, ModeKeys.EVAL)
                        self.loss_mean.update_state(spec.loss)
                        results = {name: metric.result() for name, metric in (spec.eval_metric_ops or {}).items()}
                        results["loss"] = self.loss_mean.result()
                        return results

                    def predict_step(self, features):
                        return self.call_model_fn(features, None, ModeKeys.PREDICT).predictions

                    # -- the loops --------------------------------------------------------------------------------------
                    def _batches(self, input_fn):
                        \"\"\"(features, labels) of each element of the input_fn's dataset; labels None when it has none.\"\"\"
                        for element in input_fn():
                            yield element if isinstance(element, tuple) and len(element) == 2 else (element, None)

                    def train(self, input_fn, steps=None, max_steps=None):
                        \"\"\"Trains until `steps` more steps, global step `max_steps` or the end of the input; then saves.\"\"\"
                        last = max_steps if steps is None else int(self.global_step) + steps
                        train_step = tf.function(self.train_step)
                        logger = tf.get_logger()
                        loss = None
                        for features, labels in self._batches(input_fn):
                            if last is not None and int(self.global_step) >= last:
                                break
                            loss = train_step(features, labels)
                            step = int(self.global_step)
                            if (step - 1) % self.config.log_step_count_steps == 0:
                                logger.info("loss = %s, step = %d", loss.numpy(), step)
                            every = self.config.save_checkpoints_steps
                            if self.checkpoints is not None and every and step % every == 0:
                                self.checkpoints.save(checkpoint_number=step)
                        if loss is not None:
                            logger.info("Loss for final step: %s.", loss.numpy())
                        if self.checkpoints is not None:
                            self.checkpoints.save(checkpoint_number=self.global_step)
                        return self

                    def evaluate(self, input_fn, steps=None, name=None):
                        \"\"\"The eval_metric_ops' values over the input (or its first `steps` batches), the mean of the
                        batches' losses and the global step, as TF 1 returned them.\"\"\"
                        self.loss_mean.reset_state()
                        for metric in self.made["metric"]:
                            metric.reset_state()
                        eval_step = tf.function(self.eval_step)
                        results = {}
                        for batch, (features, labels) in enumerate(self._batches(input_fn)):
                            if steps is not None and batch == steps:
                                break
                            results = eval_step(features, labels)
                        results = {key: value.numpy() for key, value in sorted(results.items())}  # in TF 1's (key) order
                        results["global_step"] = self.global_step.numpy()
                        return results

                    def predict(self, input_fn, predict_keys=None, yield_single_examples=True):
                        \"\"\"The model_fn's predictions, example by example (a dict each when it predicts a dict).\"\"\"
                        predict_step = tf.function(self.predict_step)
                        if isinstance(predict_keys, str):
                            predict_keys = [predict_keys]
                        for features, _ in self._batches(input_fn):
                            predictions = predict_step(features)
                            if not isinstance(predictions, dict):
                                yield from predictions.numpy() if yield_single_examples else [predictions.numpy()]
                                continue
                            predictions = {key: value.numpy() for key, value in predictions.items()
                                           if predict_keys is None or key in predict_keys}
                            if not yield_single_examples:
                                yield predictions
                                continue
                            for index in range(len(next(iter(predictions.values())))):
                                yield {key: value[index] for key, value in predictions.items()}


                def numpy_input_fn(x, y=None, batch_size=128, num_epochs=1, shuffle=None, queue_capacity=1000, num_threads=1):
                    \"\"\"tf.estimator.inputs.numpy_input_fn (TF 1): an input_fn giving the arrays as a tf.data.Dataset of batches
                    (in order; shuffled in another order than TF 1's queue; num_threads is not needed).\"\"\"

                    def input_fn():
                        dataset = tf.data.Dataset.from_tensor_slices(x if y is None else (x, y)).repeat(num_epochs)
                        if shuffle:
                            dataset = dataset.shuffle(queue_capacity)
                        return dataset.batch(batch_size)

                    return input_fn


                def model_fn(features, labels, mode, estimator):
                    logits = estimator.layer(lambda: tf.keras.layers.Dense(2))(features["x"])
                    if mode == ModeKeys.PREDICT:
                        return EstimatorSpec(mode, predictions=tf.argmax(logits, 1))
                    loss = tf.losses.sparse_softmax_cross_entropy(labels, logits)
                    train_op = estimator.minimize(estimator.optimizer(lambda: tf.keras.optimizers.SGD(learning_rate=0.1)), loss)
                    return EstimatorSpec(mode, loss=loss, train_op=train_op)


                x, y = np.random.rand(8, 3).astype(np.float32), np.arange(8) % 2
                classifier = Estimator(model_fn)
                classifier.train(numpy_input_fn({"x": x}, y, batch_size=4, shuffle=False), steps=2)
                print(classifier.evaluate(numpy_input_fn({"x": x}, y, shuffle=False)))
                """
            ),
        ),
        Example(
            # A premade estimator: TF 1's own model_fn, not converted (reported).
            before=textwrap.dedent(
                """\
                import tensorflow as tf

                columns = [tf.feature_column.numeric_column("x", shape=[4])]
                classifier = tf.estimator.DNNClassifier(hidden_units=[10], feature_columns=columns, n_classes=3)
                """
            ),
        ),
    )

    def rewrite(self, tree: cst.Module) -> cst.Module:
        if not self.resolver.imports_from("tensorflow"):
            return tree
        try:
            planned = plan_program(tree, self.resolver, self.resolver.alias_for("tensorflow"))
        except Declined as exc:
            self.report(exc.node, f"tf.estimator program left as it was: {exc.reason}")
            return tree
        if planned is None:
            return tree
        for node, message in planned.notes:
            self.report(node, message, kind="converted")
        return _insert_runtime(cst.ensure_type(transform(tree, _Apply(planned)), cst.Module), planned)


class _Apply(cst.CSTTransformer):
    """Applies a ``Plan`` (its actions are keyed by the nodes of the original tree)."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.BaseExpression:
        return self._replace(original_node, updated_node)

    def leave_Attribute(self, original_node: cst.Attribute, updated_node: cst.Attribute) -> cst.BaseExpression:
        return self._replace(original_node, updated_node)

    def _replace(self, original: cst.CSTNode, updated: cst.BaseExpression) -> cst.BaseExpression:
        action = self.plan.actions.get(id(original))
        return cst.parse_expression(action.code) if isinstance(action, Replace) else updated

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        action = self.plan.actions.get(id(original_node))
        if action is None:
            return updated_node
        if isinstance(action, Replace):
            return cst.parse_expression(action.code)
        if isinstance(action, Layer):
            bound = bind_arguments(updated_node.args, action.params) or {}
            made = cst.parse_expression(f"{PARAMETER}.layer(lambda: {action.constructor})")
            return cst.Call(made, args=[cst.Arg(bound[action.inputs].value)])
        if isinstance(action, Dropout):
            bound = bind_arguments(updated_node.args, action.params) or {}
            inputs = code(bound["inputs"].value)
            if action.training is None:
                return bound["inputs"].value
            rate = code(bound["rate"].value) if "rate" in bound else "0.5"
            extra = "".join(f", {k}={code(bound[k].value)}" for k in action.extra)
            dropped = f"{self.plan.tf}.nn.dropout({inputs}, rate={rate}{extra})"
            if action.training == "True":
                return cst.parse_expression(dropped)
            return cst.parse_expression(f"({dropped} if {code(bound['training'].value)} else {inputs})")
        if isinstance(action, Metric):
            bound = bind_arguments(updated_node.args, action.params) or {}
            parts = [cst.Arg(cst.parse_expression(f"lambda: {action.constructor}"))]
            for param, keyword in action.updates:
                if param in bound:
                    value = bound[param].value
                    parts.append(cst.Arg(value) if keyword is None else kwarg(keyword, value))
            return with_args(cst.Call(cst.parse_expression(f"{PARAMETER}.metric")), parts)
        if isinstance(action, Optimizer):
            return cst.parse_expression(f"{PARAMETER}.optimizer(lambda: {action.constructor})")
        if isinstance(action, Minimize):
            assert isinstance(updated_node.func, cst.Attribute)
            bound = bind_arguments(updated_node.args, action.params) or {}
            parts = [cst.Arg(updated_node.func.value), cst.Arg(bound["loss"].value)]
            return with_args(cst.Call(cst.parse_expression(f"{PARAMETER}.minimize")), parts)
        if isinstance(action, PassEstimator):
            return set_kw(updated_node, PARAMETER, PARAMETER)
        if isinstance(action, WrapLayer):
            return cst.parse_expression(f"{PARAMETER}.layer(lambda: {code(updated_node)})")
        if isinstance(action, AddParams):
            return set_kw(updated_node, "params", "{}")
        if isinstance(action, Scope):
            return updated_node.with_changes(func=cst.parse_expression(f"{PARAMETER}.variable_scope"))
        if isinstance(action, DropHooks):
            return drop_args(updated_node, lambda arg: arg.keyword is not None and arg.keyword.value == "hooks")
        return updated_node

    def leave_FunctionDef(self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef) -> cst.FunctionDef:
        if id(original_node) not in self.plan.takes_estimator:
            return updated_node
        params = list(updated_node.params.params)
        comma = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
        if params:
            params[-1] = params[-1].with_changes(comma=comma)
        params.append(cst.Param(cst.Name(PARAMETER)))
        return updated_node.with_changes(params=updated_node.params.with_changes(params=params))

    def leave_Return(self, original_node: cst.Return, updated_node: cst.Return) -> cst.Return:
        dataset = self.plan.returns_dataset.get(id(original_node))
        return updated_node if dataset is None else updated_node.with_changes(value=dataset)

    def leave_IndentedBlock(self, original_node: cst.IndentedBlock, updated_node: cst.IndentedBlock) -> cst.IndentedBlock:
        body = self._without_dropped(original_node.body, updated_node.body)
        return updated_node.with_changes(body=body or [cst.SimpleStatementLine([cst.Pass()])])

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        return updated_node.with_changes(body=self._without_dropped(original_node.body, updated_node.body))

    def _without_dropped(
        self, originals: Sequence[cst.BaseStatement], statements: Sequence[cst.BaseStatement]
    ) -> list[cst.BaseStatement]:
        """``statements`` without the dropped ones (tf.estimator imports, one-shot iterators,
        logging hooks); their comments go to the statement after them."""
        kept: list[cst.BaseStatement] = []
        carried: list[cst.EmptyLine] = []
        for original, statement in zip(originals, statements):
            if id(original) in self.plan.dropped:
                carried += [line for line in statement.leading_lines if line.comment is not None]
                continue
            if carried:
                statement = statement.with_changes(leading_lines=[*statement.leading_lines, *carried])
                carried = []
            kept.append(statement)
        return kept


def _insert_runtime(tree: cst.Module, planned: Plan) -> cst.Module:
    """The runtime pieces after the imports (before the first statement using them), two
    blank lines around each."""
    body = list(tree.body)
    position = after_imports(body, used=runtime.NAMES)
    blank = cst.EmptyLine()
    pieces = [cst.parse_statement(text) for text in runtime.pieces(planned.tf, planned.numpy_input_fn, planned.variable_scopes)]
    pieces = [piece.with_changes(leading_lines=[blank, blank]) for piece in pieces]
    return tree.with_changes(body=insert_definitions(body, position, pieces))
