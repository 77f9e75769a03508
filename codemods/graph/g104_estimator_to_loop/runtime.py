"""The code G104 writes after a module's imports: what ``tf.estimator`` did, as TF 2 code.

``tf.estimator`` is gone from TF 2.16+ (not even under ``tf.compat.v1``), so the names a
TF 1 estimator program uses get a definition in the module itself, and the calls that
build and run the estimator keep their shape (``Estimator(model_fn=..., params=...)``,
``classifier.train(input_fn=..., steps=...)``). ``Estimator`` is a training loop: its
``train``/``evaluate``/``predict`` iterate the input_fn's ``tf.data.Dataset`` and call
``tf.function`` steps that run the model_fn under a ``tf.GradientTape`` and apply a
Keras optimizer; the model_fn asks it for its layers, metrics and optimizer, made once.

Each piece is a template over the module's TensorFlow alias (``{tf}``); only the pieces
the module needs are written (``numpy_input_fn`` when it calls it).
"""

from __future__ import annotations

# The module-level names the pieces define (a module binding one already is declined).
NAMES = ("ModeKeys", "EstimatorSpec", "RunConfig", "Estimator", "numpy_input_fn")

MODE_KEYS = '''\
class ModeKeys:
    """The modes an Estimator calls its model_fn in (tf.estimator.ModeKeys in TF 1)."""

    TRAIN = "train"
    EVAL = "eval"
    PREDICT = "infer"
'''

ESTIMATOR_SPEC = '''\
class EstimatorSpec:
    """What a model_fn returns in one mode (tf.estimator.EstimatorSpec in TF 1)."""

    def __init__(self, mode, predictions=None, loss=None, train_op=None, eval_metric_ops=None):
        self.mode = mode
        self.predictions = predictions
        self.loss = loss
        self.train_op = train_op
        self.eval_metric_ops = eval_metric_ops
'''

RUN_CONFIG = '''\
class RunConfig:
    """tf.estimator.RunConfig (TF 1): the settings the Estimator below reads. No summaries are written
    (save_summary_steps); checkpoints are saved every save_checkpoints_steps and at the end of train()."""

    def __init__(self, model_dir=None, tf_random_seed=None, save_summary_steps=100, save_checkpoints_steps=None,
                 save_checkpoints_secs=None, keep_checkpoint_max=5, log_step_count_steps=100):
        self.model_dir = model_dir
        self.tf_random_seed = tf_random_seed
        self.save_summary_steps = save_summary_steps
        self.save_checkpoints_steps = save_checkpoints_steps
        self.save_checkpoints_secs = save_checkpoints_secs
        self.keep_checkpoint_max = keep_checkpoint_max
        self.log_step_count_steps = log_step_count_steps
'''

ESTIMATOR = '''\
class Estimator({tf}.Module):
    """tf.estimator.Estimator (TF 1) as an eager training loop.

    TF 1 built a graph for each train/evaluate/predict call, called the model_fn in it and restored the
    variables from the last checkpoint. Here the model_fn runs in tf.function steps and is given this
    estimator: the layers, metrics and optimizers it asks for are made by its first call, in TF 1's order,
    and the same ones serve every later call. model_dir holds tf.train.Checkpoint checkpoints; as in TF 1,
    training continues from the last one there.
    """

    def __init__(self, model_fn, model_dir=None, config=None, params=None):
        super().__init__()
        self.model_fn = model_fn
        self.model_fn_arguments = {{}} if params is None else {{"params": params}}
        self.config = config or RunConfig()
        self.model_dir = model_dir or self.config.model_dir
        if self.config.tf_random_seed is not None:
            {tf}.random.set_seed(self.config.tf_random_seed)
        self.global_step = {tf}.Variable(0, dtype={tf}.int64, trainable=False)
        self.made = {{"layer": [], "metric": [], "optimizer": []}}{scope_state}
        self.loss_mean = {tf}.keras.metrics.Mean()
        self.checkpoints = None
        if self.model_dir is not None:
            checkpoint = {tf}.train.Checkpoint(
                global_step=self.global_step, layers=self.made["layer"], optimizers=self.made["optimizer"])
            self.checkpoints = {tf}.train.CheckpointManager(
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
        """The model's next layer: made by `create` at the first call, the same one at every later call."""
        return self._next("layer", create)

    def optimizer(self, create):
        """The model's next optimizer, made once like its layers."""
        return self._next("optimizer", create)

    def metric(self, create, *args, **kwargs):
        """The model's next metric, made once like its layers; updated in evaluation only, where TF 1 ran
        its update op."""
        metric = self._next("metric", create)
        if self.mode == ModeKeys.EVAL:
            metric.update_state(*args, **kwargs)
        return metric

{scope_methods}    def minimize(self, optimizer, loss):
        """The training op: the train step differentiates `loss` and applies `optimizer` to the layers."""
        return optimizer, loss

    def call_model_fn(self, features, labels, mode):
        self.mode = mode
        self.used = {{kind: 0 for kind in self.made}}
        return self.model_fn(features, labels, mode, estimator=self, **self.model_fn_arguments)

    # -- the steps (each train/evaluate/predict call traces them afresh, as TF 1 built a new graph) -------
    def train_step(self, features, labels):
        with {tf}.GradientTape() as tape:
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
        results = {{name: metric.result() for name, metric in (spec.eval_metric_ops or {{}}).items()}}
        results["loss"] = self.loss_mean.result()
        return results

    def predict_step(self, features):
        return self.call_model_fn(features, None, ModeKeys.PREDICT).predictions

    # -- the loops --------------------------------------------------------------------------------------
    def _batches(self, input_fn):
        """(features, labels) of each element of the input_fn's dataset; labels None when it has none."""
        for element in input_fn():
            yield element if isinstance(element, tuple) and len(element) == 2 else (element, None)

    def train(self, input_fn, steps=None, max_steps=None):
        """Trains until `steps` more steps, global step `max_steps` or the end of the input; then saves."""
        last = max_steps if steps is None else int(self.global_step) + steps
        train_step = {tf}.function(self.train_step)
        logger = {tf}.get_logger()
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
        """The eval_metric_ops' values over the input (or its first `steps` batches), the mean of the
        batches' losses and the global step, as TF 1 returned them."""
        self.loss_mean.reset_state()
        for metric in self.made["metric"]:
            metric.reset_state()
        eval_step = {tf}.function(self.eval_step)
        results = {{}}
        for batch, (features, labels) in enumerate(self._batches(input_fn)):
            if steps is not None and batch == steps:
                break
            results = eval_step(features, labels)
        results = {{key: value.numpy() for key, value in sorted(results.items())}}  # in TF 1's (key) order
        results["global_step"] = self.global_step.numpy()
        return results

    def predict(self, input_fn, predict_keys=None, yield_single_examples=True):
        """The model_fn's predictions, example by example (a dict each when it predicts a dict)."""
        predict_step = {tf}.function(self.predict_step)
        if isinstance(predict_keys, str):
            predict_keys = [predict_keys]
        for features, _ in self._batches(input_fn):
            predictions = predict_step(features)
            if not isinstance(predictions, dict):
                yield from predictions.numpy() if yield_single_examples else [predictions.numpy()]
                continue
            predictions = {{key: value.numpy() for key, value in predictions.items()
                           if predict_keys is None or key in predict_keys}}
            if not yield_single_examples:
                yield predictions
                continue
            for index in range(len(next(iter(predictions.values())))):
                yield {{key: value[index] for key, value in predictions.items()}}
'''

NUMPY_INPUT_FN = '''\
def numpy_input_fn(x, y=None, batch_size=128, num_epochs=1, shuffle=None, queue_capacity=1000, num_threads=1):
    """tf.estimator.inputs.numpy_input_fn (TF 1): an input_fn giving the arrays as a tf.data.Dataset of batches
    (in order; shuffled in another order than TF 1's queue; num_threads is not needed)."""

    def input_fn():
        dataset = {tf}.data.Dataset.from_tensor_slices(x if y is None else (x, y)).repeat(num_epochs)
        if shuffle:
            dataset = dataset.shuffle(queue_capacity)
        return dataset.batch(batch_size)

    return input_fn
'''


# Only for model_fns entering tf.variable_scope (``with estimator.variable_scope(name, reuse=r):``).
SCOPE_STATE = """
        self.scopes = {}  # variable scope path -> where its layers start in made["layer"]
        self.scope_path = []
        self.resumed = []"""
SCOPE_METHODS = '''\
    def variable_scope(self, name, reuse=None):
        """tf.variable_scope in the model_fn: entered with reuse, it gives the layers of its first use again
        (TF 1 looked their variables up by name)."""
        self.entering = (name, reuse)
        return self

    def __enter__(self):
        name, reuse = self.entering
        self.scope_path.append(name)
        start = self.scopes.setdefault("/".join(self.scope_path), self.used["layer"])
        self.resumed.append(self.used["layer"] if reuse else None)
        if reuse:
            self.used["layer"] = start

    def __exit__(self, *exception):
        self.scope_path.pop()
        resumed = self.resumed.pop()
        if resumed is not None:
            self.used["layer"] = resumed

'''


def pieces(tf: str, numpy_input_fn: bool, variable_scopes: bool = False) -> list[str]:
    """The code of the pieces a module needs, in order."""
    estimator = ESTIMATOR.format(
        tf=tf, scope_state=SCOPE_STATE if variable_scopes else "", scope_methods=SCOPE_METHODS if variable_scopes else "",
    )
    texts = [MODE_KEYS, ESTIMATOR_SPEC, RUN_CONFIG, estimator]
    if numpy_input_fn:
        texts.append(NUMPY_INPUT_FN.format(tf=tf))
    return texts
