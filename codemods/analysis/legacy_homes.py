"""Where TF1 graph-mode names that TF 2.21 + Keras 3 no longer has live on TF 2.21.

``tf.layers.*`` and ``tf.nn.rnn_cell.*`` exist in ``tf.compat.v1`` only as stubs that
raise ``... is not available with Keras 3``; ``tf.contrib`` does not exist at all. Their
faithful homes, which create the same variables under the same names in graph mode:

* ``tf.layers.X``, ``tf.nn.rnn_cell.X``, ``tf.contrib.rnn.<cell>``: the legacy layers and
  cells the tf-keras package keeps (``tf_keras.api._v1.keras.__internal__.legacy``);
* ``tf.contrib.layers.X``, ``tf.contrib.slim.X``, ``tf.contrib.framework.X``: the tf-slim
  package, which is that code, except the functions whose tf-slim code reads TensorFlow
  internals that TF 2.21 removed (the table's ``tf_slim_broken``: ``optimize_loss`` has no
  home, ``batch_norm`` a copy, below);
* ``tf.contrib.tensorboard.plugins.projector``: ``tensorboard.plugins.projector`` (tensorboard
  ships with TensorFlow; its ``visualize_embeddings`` takes TF1's FileWriter too);
* ``tf.contrib.seq2seq.sequence_loss``, ``tf.contrib.legacy_seq2seq.sequence_loss`` and
  ``sequence_loss_by_example``, ``tf.contrib.layers.batch_norm``, ``tf.contrib.factorization.KMeans``
  (graph mode only, ``GRAPH_ONLY_HELPERS``) and others: a copy of TF 1.15's function or class
  written into the migrated module (``HELPERS``), of ops TF 2.21 has;
* other ``tf.contrib`` symbols: tf_upgrade_v2's rename where its target exists in TF 2.21's
  ``tf.compat.v1``.

The table (``codemods/data/legacy_homes.json``) is generated from the installed packages
by ``scripts/snapshot_legacy_homes.py``. Symbols are TF1 names without ``tf.``
(``layers.dense``).
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data" / "legacy_homes.json"

TF_KERAS_LEGACY = "tf_keras.api._v1.keras.__internal__.legacy"
# What the migrated program imports for each home, and the pip package that provides it.
PACKAGES = {"tf_legacy": "tf-keras", "slim": "tf-slim", "tf": "tensorflow", "projector": "tensorboard"}
TENSORBOARD_PROJECTOR = "tensorboard.plugins.projector"
CONTRIB_PROJECTOR = "contrib.tensorboard.plugins.projector"
# TF1 modules with no TF 2.21 + Keras 3 form under their own name.
GONE = ("layers", "nn.rnn_cell", "contrib")
# The tf.contrib modules whose functions tf-slim carries.
SLIM_MODULES = ("contrib.slim", "contrib.layers", "contrib.framework")

# What to use instead, for the contrib modules without a home (the report names it).
ADVICE = {
    "contrib.rnn": "TF1's other cells have no TF 2.21 home with the same variables; use one of the legacy "
    "cells of tf-keras (BasicLSTMCell, LSTMCell, GRUCell, BasicRNNCell, MultiRNNCell, DropoutWrapper) "
    "or a Keras layer (tf.keras.layers.LSTM / GRU / RNN), which trains new weights",
    "contrib.seq2seq": "its successor is tfa.seq2seq in TensorFlow Addons (unmaintained since 2024); "
    "rewrite the decoder with Keras layers",
    "contrib.legacy_seq2seq": "no TF 2 module has it; rewrite the model with Keras layers (tf.keras.layers.LSTM, "
    "Attention)",
    "contrib.learn": "tf.contrib.learn was removed; load data with tf.data / tf.keras.datasets and train with Keras",
    "contrib.layers": "tf-slim has no such function; tf.feature_column or a Keras layer replaces it",
    "contrib.slim": "tf-slim has no such name",
    "contrib.framework": "tf-slim has no such function; see tf.nest / tf.compat.v1 for the framework helpers",
    "contrib.summary": "use tf.summary (TF 2's summary API) with a tf.summary.create_file_writer",
    "contrib.distributions": "TensorFlow Probability (tfp.distributions) is its successor",
    "contrib.metrics": "use tf.compat.v1.metrics or tf.keras.metrics",
    "contrib.training": "tf.compat.v1.train or Keras training replace it (HParams: a dict or absl flags)",
    "contrib.crf": "TensorFlow Addons' tfa.text.crf_* is its successor",
    "contrib.eager": "TF 2 is eager by default (tf.GradientTape, tf.Variable)",
    "contrib.factorization": "its KMeans (and the constants it takes) get a copy written into the module; its "
    "estimators (KMeansClustering, GMM, WALSMatrixFactorization, WALSModel) and ops have no TF 2 home: build "
    "the KMeans graph and run it in a Session, or use scikit-learn (sklearn.cluster.KMeans, "
    "sklearn.mixture.GaussianMixture)",
    "contrib.tensor_forest": "tensor_forest (ForestHParams, RandomForestGraphs, TensorForestEstimator) has no "
    "TF 2 home: its kernels are gone from TF 2 and no maintained package carries them; TensorFlow Decision "
    "Forests (tfdf.keras.RandomForestModel) or scikit-learn's RandomForestClassifier train a random forest, "
    "with other trees, so the numbers differ",
}

# Copies that only run in graph mode (variables of unknown shape filled by an init op the
# program runs in a Session until a flag is set): G101 keeps their modules on tf.compat.v1.
GRAPH_ONLY_HELPERS = frozenset({"contrib.factorization.KMeans"})

# What a copy in ``HELPERS`` leaves out: it raises NotImplementedError naming the argument,
# and G103's note on the copy says so.
HELPER_LIMITS = {
    "contrib.layers.batch_norm": "batch_weights, variables_collections, outputs_collections, "
    "zero_debias_moving_mean, or custom updates_collections for inputs TF 1 did not give its fused kernel",
}


# TF1 functions and classes without a TF 2.21 home that the migrated module gets a copy of,
# by TF1 symbol: TF 1.15's implementation (contrib/seq2seq/python/ops/loss.py,
# contrib/legacy_seq2seq/python/ops/seq2seq.py; legacy_seq2seq's sequence_loss with the
# sequence_loss_by_example it calls written inline) named ``{name}``, with TensorFlow
# spelled ``{tf}``, ``tensorflow.compat.v1`` ``{v1}`` and tf-keras' legacy module ``{legacy}``.
HELPERS = {
    "contrib.seq2seq.sequence_loss": '''\
def {name}(logits, targets, weights, average_across_timesteps=True, average_across_batch=True,
{indent}sum_over_timesteps=False, sum_over_batch=False, softmax_loss_function=None, name=None):
    """TF 1's tf.contrib.seq2seq.sequence_loss (TF 2 has no tf.contrib): the cross-entropy of
    each target weighted by `weights`, averaged or summed over the timesteps and the batch."""
    with {tf}.name_scope(name or "sequence_loss"):
        logits_flat = {tf}.reshape(logits, [-1, {tf}.shape(logits)[2]])
        targets = {tf}.reshape(targets, [-1])
        if softmax_loss_function is None:
            crossent = {tf}.nn.sparse_softmax_cross_entropy_with_logits(labels=targets, logits=logits_flat)
        else:
            crossent = softmax_loss_function(labels=targets, logits=logits_flat)
        crossent *= {tf}.reshape(weights, [-1])
        if average_across_timesteps and average_across_batch:
            return {tf}.math.divide_no_nan({tf}.reduce_sum(crossent), {tf}.reduce_sum(weights))
        if sum_over_timesteps and sum_over_batch:
            count = {tf}.cast({tf}.math.count_nonzero(weights), crossent.dtype)
            return {tf}.math.divide_no_nan({tf}.reduce_sum(crossent), count)
        crossent = {tf}.reshape(crossent, {tf}.shape(logits)[0:2])
        if average_across_timesteps or average_across_batch:
            axis = [0] if average_across_batch else [1]
            total = {tf}.reduce_sum(weights, axis=axis)
            return {tf}.math.divide_no_nan({tf}.reduce_sum(crossent, axis=axis), total)
        if sum_over_timesteps or sum_over_batch:
            axis = [0] if sum_over_batch else [1]
            count = {tf}.cast({tf}.math.count_nonzero(weights, axis=axis), crossent.dtype)
            return {tf}.math.divide_no_nan({tf}.reduce_sum(crossent, axis=axis), count)
        return crossent
''',
    # contrib/legacy_seq2seq/python/ops/seq2seq.py: lists of per-timestep logits, targets, weights.
    "contrib.legacy_seq2seq.sequence_loss_by_example": '''\
def {name}(logits, targets, weights, average_across_timesteps=True, softmax_loss_function=None,
{indent}name=None):
    """TF 1's tf.contrib.legacy_seq2seq.sequence_loss_by_example (TF 2 has no tf.contrib): for
    lists of per-timestep logits, targets and weights, each example's weighted cross-entropy
    summed over the timesteps, divided by its total weight when average_across_timesteps."""
    if len(targets) != len(logits) or len(weights) != len(logits):
        raise ValueError("Lengths of logits, weights, and targets must be the same "
                         "%d, %d, %d." % (len(logits), len(weights), len(targets)))
    with {tf}.name_scope(name or "sequence_loss_by_example"):
        log_perp_list = []
        for logit, target, weight in zip(logits, targets, weights):
            if softmax_loss_function is None:
                target = {tf}.reshape(target, [-1])
                crossent = {tf}.nn.sparse_softmax_cross_entropy_with_logits(labels=target, logits=logit)
            else:
                crossent = softmax_loss_function(labels=target, logits=logit)
            log_perp_list.append(crossent * weight)
        log_perps = {tf}.add_n(log_perp_list)
        if average_across_timesteps:
            total_size = {tf}.add_n(weights)
            total_size += 1e-12  # TF 1's guard against division by 0 for all-0 weights
            log_perps /= total_size
    return log_perps
''',
    "contrib.legacy_seq2seq.sequence_loss": '''\
def {name}(logits, targets, weights, average_across_timesteps=True, average_across_batch=True,
{indent}softmax_loss_function=None, name=None):
    """TF 1's tf.contrib.legacy_seq2seq.sequence_loss (TF 2 has no tf.contrib): for lists of
    per-timestep logits, targets and weights, the weighted cross-entropy summed over the batch
    (each example's divided by its total weight when average_across_timesteps), divided by the
    batch size when average_across_batch."""
    if len(targets) != len(logits) or len(weights) != len(logits):
        raise ValueError("Lengths of logits, weights, and targets must be the same "
                         "%d, %d, %d." % (len(logits), len(weights), len(targets)))
    with {tf}.name_scope(name or "sequence_loss"):
        log_perp_list = []
        for logit, target, weight in zip(logits, targets, weights):
            if softmax_loss_function is None:
                target = {tf}.reshape(target, [-1])
                crossent = {tf}.nn.sparse_softmax_cross_entropy_with_logits(labels=target, logits=logit)
            else:
                crossent = softmax_loss_function(labels=target, logits=logit)
            log_perp_list.append(crossent * weight)
        log_perps = {tf}.add_n(log_perp_list)
        if average_across_timesteps:
            total_size = {tf}.add_n(weights)
            total_size += 1e-12  # TF 1's guard against division by 0 for all-0 weights
            log_perps /= total_size
        cost = {tf}.reduce_sum(log_perps)
        if average_across_batch:
            batch_size = {tf}.shape(targets[0])[0]
            return cost / {tf}.cast(batch_size, cost.dtype)
        return cost
''',
    # contrib/legacy_seq2seq/python/ops/seq2seq.py: one cell over a list of inputs, its variables
    # made by the first step and reused by the others.
    "contrib.legacy_seq2seq.rnn_decoder": '''\
def {name}(decoder_inputs, initial_state, cell, loop_function=None, scope=None):
    """TF 1's tf.contrib.legacy_seq2seq.rnn_decoder (TF 2 has no tf.contrib): `cell` run over the
    list `decoder_inputs` from `initial_state`; with `loop_function`, each input after the first
    is made from the previous output. Returns the list of outputs and the last state."""
    with {v1}.variable_scope(scope or "rnn_decoder"):
        state = initial_state
        outputs = []
        prev = None
        for i, inp in enumerate(decoder_inputs):
            if loop_function is not None and prev is not None:
                with {v1}.variable_scope("loop_function", reuse=True):
                    inp = loop_function(prev, i)
            if i > 0:
                {v1}.get_variable_scope().reuse_variables()
            output, state = cell(inp, state)
            outputs.append(output)
            if loop_function is not None:
                prev = output
    return outputs, state
''',
    # contrib/rnn/python/ops/rnn_cell.py: a LayerRNNCell (its variables named by the layer,
    # nas_cell/kernel, made by build), on the tf-keras legacy RNNCell.
    "contrib.rnn.NASCell": '''\
class {name}({legacy}.rnn_cell.RNNCell):
    """TF 1's tf.contrib.rnn.NASCell (TF 2 has no tf.contrib): the Neural Architecture Search
    cell, with an optional projection of its output to `num_proj` units."""

    _NAS_BASE = 8

    def __init__(self, num_units, num_proj=None, use_bias=False, reuse=None, **kwargs):
        super().__init__(_reuse=reuse, **kwargs)
        self._num_units = num_units
        self._num_proj = num_proj
        self._use_bias = use_bias
        self._reuse = reuse
        self._output_size = num_units if num_proj is None else num_proj
        self._state_size = {legacy}.rnn_cell.LSTMStateTuple(num_units, self._output_size)

    @property
    def state_size(self):
        return self._state_size

    @property
    def output_size(self):
        return self._output_size

    def __call__(self, inputs, state, scope=None, *args, **kwargs):
        # TF 1's LayerRNNCell: the layer's own variable naming, not RNNCell's variable scope.
        return super({legacy}.rnn_cell.RNNCell, self).__call__(inputs, state, *args, scope=scope, **kwargs)

    def build(self, inputs_shape):
        input_size = {v1}.dimension_value({v1}.TensorShape(inputs_shape).with_rank(2)[1])
        if input_size is None:
            raise ValueError("Could not infer input size from inputs.get_shape()[-1]")
        num_proj = self._num_units if self._num_proj is None else self._num_proj
        self.recurrent_kernel = self.add_weight("recurrent_kernel", [num_proj, self._NAS_BASE * self._num_units])
        self.kernel = self.add_weight("kernel", [input_size, self._NAS_BASE * self._num_units])
        if self._use_bias:
            self.bias = self.add_weight("bias", shape=[self._NAS_BASE * self._num_units],
                                        initializer={v1}.zeros_initializer())
        if self._num_proj is not None:
            self.projection_weights = self.add_weight("projection_weights", [self._num_units, self._num_proj])
        self.built = True

    def call(self, inputs, state):
        sigmoid, tanh, relu = {v1}.sigmoid, {v1}.tanh, {v1}.nn.relu
        (c_prev, m_prev) = state
        m_matrix = {v1}.matmul(m_prev, self.recurrent_kernel)
        inputs_matrix = {v1}.matmul(inputs, self.kernel)
        if self._use_bias:
            m_matrix = {v1}.nn.bias_add(m_matrix, self.bias)
        m_matrix_splits = {v1}.split(axis=1, num_or_size_splits=self._NAS_BASE, value=m_matrix)
        inputs_matrix_splits = {v1}.split(axis=1, num_or_size_splits=self._NAS_BASE, value=inputs_matrix)
        layer1_0 = sigmoid(inputs_matrix_splits[0] + m_matrix_splits[0])
        layer1_1 = relu(inputs_matrix_splits[1] + m_matrix_splits[1])
        layer1_2 = sigmoid(inputs_matrix_splits[2] + m_matrix_splits[2])
        layer1_3 = relu(inputs_matrix_splits[3] * m_matrix_splits[3])
        layer1_4 = tanh(inputs_matrix_splits[4] + m_matrix_splits[4])
        layer1_5 = sigmoid(inputs_matrix_splits[5] + m_matrix_splits[5])
        layer1_6 = tanh(inputs_matrix_splits[6] + m_matrix_splits[6])
        layer1_7 = sigmoid(inputs_matrix_splits[7] + m_matrix_splits[7])
        l2_0 = tanh(layer1_0 * layer1_1)
        l2_1 = tanh(layer1_2 + layer1_3)
        l2_2 = tanh(layer1_4 * layer1_5)
        l2_3 = sigmoid(layer1_6 + layer1_7)
        l2_0 = tanh(l2_0 + c_prev)
        new_c = l2_0 * l2_1
        l3_1 = tanh(l2_2 + l2_3)
        new_m = tanh(new_c * l3_1)
        if self._num_proj is not None:
            new_m = {v1}.matmul(new_m, self.projection_weights)
        return new_m, {legacy}.rnn_cell.LSTMStateTuple(new_c, new_m)
''',
    # contrib/learn/python/learn/preprocessing/text.py and categorical_vocabulary.py (pure Python).
    # contrib/layers/python/layers/layers.py's batch_norm as TF 1.15 ran it (tf-slim's copy
    # reads TF internals TF 2.21 removed): its fused kernel for 2-D inputs and for in-place or
    # custom updates (_fused_batch_norm, written out), else tf.layers' BatchNormalization.
    "contrib.layers.batch_norm": '''\
def {name}(inputs, decay=0.999, center=True, scale=False, epsilon=0.001, activation_fn=None,
{indent}param_initializers=None, param_regularizers=None, updates_collections={v1}.GraphKeys.UPDATE_OPS,
{indent}is_training=True, reuse=None, variables_collections=None, outputs_collections=None,
{indent}trainable=True, batch_weights=None, fused=None, data_format="NHWC", zero_debias_moving_mean=False,
{indent}scope=None, renorm=False, renorm_clipping=None, renorm_decay=0.99, adjustment=None):
    """TF 1's tf.contrib.layers.batch_norm (TF 2 has no tf.contrib; tf-slim's copy reads TensorFlow
    internals TF 2.21 removed), in graph mode: the same variables under BatchNorm/ and the kernel
    TF 1.15 chose (the fused one for 2-D inputs and for in-place or custom updates, else
    tf.layers' BatchNormalization)."""
    if batch_weights is not None or variables_collections or outputs_collections or zero_debias_moving_mean:
        raise NotImplementedError("batch_norm: batch_weights, variables_collections, outputs_collections and "
                                  "zero_debias_moving_mean are not in the migrated copy of TF 1's batch_norm")
    inputs = {v1}.convert_to_tensor(inputs)
    rank = inputs.shape.ndims
    param_initializers = param_initializers or {{}}
    param_regularizers = param_regularizers or {{}}
    fused = True if fused is None else fused
    update_ops = {v1}.GraphKeys.UPDATE_OPS
    if not (fused and not renorm and adjustment is None and rank in (2, 4)
            and (rank == 2 or updates_collections is not update_ops)):
        if updates_collections is not update_ops:
            raise NotImplementedError("batch_norm: custom updates_collections for this input are not in the "
                                      "migrated copy of TF 1's batch_norm")
        with {v1}.variable_scope(scope, "BatchNorm", [inputs], reuse=reuse) as sc:
            layer = {legacy}.layers.BatchNormalization(
                axis=1 if data_format == "NCHW" else -1, momentum=decay, epsilon=epsilon, center=center,
                scale=scale, beta_initializer=param_initializers.get("beta", {v1}.zeros_initializer()),
                gamma_initializer=param_initializers.get("gamma", {v1}.ones_initializer()),
                moving_mean_initializer=param_initializers.get("moving_mean", {v1}.zeros_initializer()),
                moving_variance_initializer=param_initializers.get("moving_variance", {v1}.ones_initializer()),
                beta_regularizer=param_regularizers.get("beta"), gamma_regularizer=param_regularizers.get("gamma"),
                trainable=trainable, renorm=renorm, renorm_clipping=renorm_clipping, renorm_momentum=renorm_decay,
                adjustment=adjustment, name=sc.name, _scope=sc, _reuse=reuse, fused=fused)
            outputs = layer(inputs, training=is_training)
            return outputs if activation_fn is None else activation_fn(outputs)

    def smart_cond(pred, true_fn, false_fn):
        static = {v1}.get_static_value(pred)
        if static is None:
            return {v1}.cond(pred, true_fn, false_fn)
        return true_fn() if static else false_fn()

    with {v1}.variable_scope(scope, "BatchNorm", [inputs], reuse=reuse):
        original_inputs = inputs
        if rank == 2:
            channels = inputs.shape[1] if data_format == "NCHW" else inputs.shape[-1]
            inputs = {v1}.reshape(inputs, [-1, channels, 1, 1] if data_format == "NCHW" else [-1, 1, 1, channels])
        params_shape = inputs.shape[1:2] if data_format == "NCHW" else inputs.shape[-1:]

        def variable(name, initializer, regularizer=None, trainable=trainable):
            return {v1}.get_variable(
                name, shape=params_shape, dtype={v1}.float32, initializer=initializer, regularizer=regularizer,
                collections=[{v1}.GraphKeys.GLOBAL_VARIABLES, {v1}.GraphKeys.MODEL_VARIABLES], trainable=trainable)

        if center:
            beta = variable("beta", param_initializers.get("beta", {v1}.zeros_initializer()),
                            param_regularizers.get("beta"))
        else:
            beta = {v1}.constant(0.0, dtype={v1}.float32, shape=params_shape)
        if scale:
            gamma = variable("gamma", param_initializers.get("gamma", {v1}.ones_initializer()),
                             param_regularizers.get("gamma"))
        else:
            gamma = {v1}.constant(1.0, dtype={v1}.float32, shape=params_shape)
        moving_mean = variable("moving_mean", param_initializers.get("moving_mean", {v1}.zeros_initializer()),
                               trainable=False)
        moving_variance = variable(
            "moving_variance", param_initializers.get("moving_variance", {v1}.ones_initializer()), trainable=False)

        def training():
            return {v1}.nn.fused_batch_norm(inputs, gamma, beta, epsilon=epsilon, data_format=data_format)

        def inference():
            return {v1}.nn.fused_batch_norm(inputs, gamma, beta, mean=moving_mean, variance=moving_variance,
                                            epsilon=epsilon, is_training=False, data_format=data_format)

        static = {v1}.get_static_value(is_training)
        need_updates = static is None or bool(static)
        outputs, mean, variance = smart_cond(is_training, training, inference) if need_updates else inference()
        if need_updates:
            def updates():
                # moving_averages.assign_moving_average without zero debiasing
                with {v1}.name_scope("AssignMovingAvg"):
                    update_mean = {v1}.assign_sub(moving_mean, (moving_mean - mean) * (1.0 - decay))
                with {v1}.name_scope("AssignMovingAvg_1"):
                    update_variance = {v1}.assign_sub(moving_variance, (moving_variance - variance) * (1.0 - decay))
                return update_mean, update_variance

            def forced_updates():
                with {v1}.control_dependencies(updates()):
                    return {v1}.identity(outputs)

            if updates_collections is None:
                outputs = smart_cond(is_training, forced_updates, lambda: outputs)
            else:
                update_mean, update_variance = smart_cond(is_training, updates, lambda: (moving_mean, moving_variance))
                {v1}.add_to_collections(updates_collections, update_mean)
                {v1}.add_to_collections(updates_collections, update_variance)
        outputs.set_shape(inputs.shape)
        if rank == 2:
            outputs = {v1}.reshape(outputs, {v1}.shape(original_inputs))
        return outputs if activation_fn is None else activation_fn(outputs)
''',
    "contrib.learn.preprocessing.VocabularyProcessor": '''\
class {name}:
    """TF 1's tf.contrib.learn.preprocessing.VocabularyProcessor (TF 2 has no tf.contrib): maps
    documents to rows of `max_document_length` word ids (0: unknown words and padding), the
    ids given by `fit` in the order words first occur (by frequency after a `min_frequency`
    trim), with TF 1's tokenizer; `save` and `restore` pickle it."""

    class Vocabulary:
        """TF 1's CategoricalVocabulary: the word -> id mapping and the words' frequencies."""

        def __init__(self, unknown_token="<UNK>", support_reverse=True):
            self._unknown_token = unknown_token
            self._mapping = {{unknown_token: 0}}
            self._support_reverse = support_reverse
            if support_reverse:
                self._reverse_mapping = [unknown_token]
            self._freq = {{}}
            self._freeze = False

        def __len__(self):
            return len(self._mapping)

        def freeze(self, freeze=True):
            self._freeze = freeze

        def get(self, category):
            if category not in self._mapping:
                if self._freeze:
                    return 0
                self._mapping[category] = len(self._mapping)
                if self._support_reverse:
                    self._reverse_mapping.append(category)
            return self._mapping[category]

        def add(self, category, count=1):
            if self.get(category) > 0:
                self._freq[category] = self._freq.get(category, 0) + count

        def trim(self, min_frequency, max_frequency=-1):
            # By frequency, most frequent first, words of equal frequency in alphabetical order.
            self._freq = sorted(sorted(self._freq.items(), key=lambda x: (isinstance(x[0], str), x[0])),
                                key=lambda x: x[1], reverse=True)
            self._mapping = {{self._unknown_token: 0}}
            if self._support_reverse:
                self._reverse_mapping = [self._unknown_token]
            idx = 1
            for category, count in self._freq:
                if max_frequency > 0 and count >= max_frequency:
                    continue
                if count <= min_frequency:
                    break
                self._mapping[category] = idx
                idx += 1
                if self._support_reverse:
                    self._reverse_mapping.append(category)
            self._freq = dict(self._freq[:idx - 1])

        def reverse(self, class_id):
            if not self._support_reverse:
                raise ValueError("This vocabulary wasn't initialized with support_reverse to support reverse() function.")
            return self._reverse_mapping[class_id]

    def __init__(self, max_document_length, min_frequency=0, vocabulary=None, tokenizer_fn=None):
        self.max_document_length = max_document_length
        self.min_frequency = min_frequency
        self.vocabulary_ = vocabulary if vocabulary else {name}.Vocabulary()
        self._tokenizer = tokenizer_fn if tokenizer_fn else {name}.tokenizer

    @staticmethod
    def tokenizer(iterator):
        import re

        for value in iterator:
            yield re.findall(r"[A-Z]{{2,}}(?![a-z])|[A-Z][a-z]+(?=[A-Z])|['\\w\\-]+", value)

    def fit(self, raw_documents, unused_y=None):
        for tokens in self._tokenizer(raw_documents):
            for token in tokens:
                self.vocabulary_.add(token)
        if self.min_frequency > 0:
            self.vocabulary_.trim(self.min_frequency)
        self.vocabulary_.freeze()
        return self

    def fit_transform(self, raw_documents, unused_y=None):
        self.fit(raw_documents)
        return self.transform(raw_documents)

    def transform(self, raw_documents):
        import numpy

        for tokens in self._tokenizer(raw_documents):
            word_ids = numpy.zeros(self.max_document_length, numpy.int64)
            for idx, token in enumerate(tokens):
                if idx >= self.max_document_length:
                    break
                word_ids[idx] = self.vocabulary_.get(token)
            yield word_ids

    def reverse(self, documents):
        for item in documents:
            yield " ".join(self.vocabulary_.reverse(class_id) for class_id in item)

    def save(self, filename):
        import pickle

        with {tf}.io.gfile.GFile(filename, "wb") as f:
            f.write(pickle.dumps(self))

    @classmethod
    def restore(cls, filename):
        import pickle

        with {tf}.io.gfile.GFile(filename, "rb") as f:
            return pickle.loads(f.read())
''',
    # contrib/factorization/python/ops/clustering_ops.py's KMeans, in graph mode: the same
    # variables and ops (TF 2.21 still has the clustering kernels, as tf.raw_ops), so the same
    # centers, assignments and distances.
    "contrib.factorization.KMeans": '''\
class {name}:
    """TF 1's tf.contrib.factorization.KMeans (TF 2 has no tf.contrib), in graph mode: k-means
    over `inputs` (a tensor or a list of shards) with centers chosen at random, by k-means++ or
    by k-MC2 (TensorFlow's clustering kernels), or given; full-batch Lloyd steps or mini-batch
    steps (the centers synced every `mini_batch_steps_per_iteration` steps); squared Euclidean
    or cosine distance. training_graph() returns TF 1.15's 6-tuple."""

    def __init__(self, inputs, num_clusters, initial_clusters="random", distance_metric="squared_euclidean",
                 use_mini_batch=False, mini_batch_steps_per_iteration=1, random_seed=0,
                 kmeans_plus_plus_num_retries=2, kmc2_chain_length=200):
        if isinstance(initial_clusters, str) and initial_clusters not in ("random", "kmeans_plus_plus", "kmc2"):
            raise ValueError("Unsupported initialization algorithm '%s'" % initial_clusters)
        if distance_metric not in ("squared_euclidean", "cosine"):
            raise ValueError("Unsupported distance metric '%s'" % distance_metric)
        self._inputs = inputs if isinstance(inputs, list) else [inputs]
        self._num_clusters = num_clusters
        self._initial_clusters = initial_clusters
        self._cosine = distance_metric == "cosine"
        self._use_mini_batch = use_mini_batch
        self._steps_per_iteration = int(mini_batch_steps_per_iteration)
        self._random_seed = random_seed
        self._num_retries = kmeans_plus_plus_num_retries
        self._chain_length = kmc2_chain_length

    def _normalized_centers(self):
        """Are the stored centers kept L2-normalized (cosine distance, except plain mini-batch)?"""
        return self._cosine and (not self._use_mini_batch or self._steps_per_iteration > 1)

    def training_graph(self):
        """(all_scores, cluster_idx, scores, cluster_centers_initialized, init_op, training_op):
        the first three hold one tensor per input; run init_op until the centers are
        initialized, then training_op once per step."""
        if isinstance(self._initial_clusters, str) or callable(self._initial_clusters):
            initial_clusters = self._initial_clusters
            num_clusters = {v1}.convert_to_tensor(self._num_clusters)
        else:
            initial_clusters = {v1}.convert_to_tensor(self._initial_clusters)
            num_clusters = {v1}.shape(initial_clusters)[0]
        empty = {v1}.constant([], dtype={v1}.float32)
        centers_var = {v1}.Variable(empty, name="clusters", validate_shape=False)
        initialized = {v1}.Variable(False, dtype={v1}.bool, name="initialized")
        update_in_steps = None
        counts = None
        if self._use_mini_batch and self._steps_per_iteration > 1:
            # A second copy of the centers takes each step's update; it is copied back to the
            # first every `steps_per_iteration` steps.
            centers_updated = {v1}.Variable(empty, name="clusters_updated", validate_shape=False)
            update_in_steps = {v1}.Variable(self._steps_per_iteration, dtype={v1}.int64, name="update_in_steps")
            counts = {v1}.Variable({v1}.zeros([num_clusters], dtype={v1}.int64))
        else:
            centers_updated = centers_var
            if self._use_mini_batch:
                counts = {v1}.Variable({v1}.ones([num_clusters], dtype={v1}.int64))
        init_op = self._init_op(num_clusters, initial_clusters, centers_var, centers_updated, initialized)

        inputs = self._inputs
        centers = centers_var
        if self._cosine:
            inputs = [{v1}.nn.l2_normalize(inp, axis=1) for inp in inputs]
            if not self._normalized_centers():
                centers = {v1}.nn.l2_normalize(centers, axis=1)
        all_scores, scores, cluster_idx = self._assign(inputs, centers)
        if self._use_mini_batch:
            with {v1}.control_dependencies([self._sync_op(update_in_steps, centers_var, centers_updated, counts)]):
                training_op = self._mini_batch_op(inputs, cluster_idx, centers_updated, counts)
        else:
            training_op = self._full_batch_op(inputs, num_clusters, cluster_idx, centers_var)
        return all_scores, cluster_idx, scores, initialized, init_op, training_op

    def _assign(self, inputs, centers):
        """Per input: its distances to every center, to the nearest one, and that center's index."""
        if self._cosine:
            all_scores = [1 - {v1}.matmul(inp, centers, transpose_b=True) for inp in inputs]
            if not self._normalized_centers():
                # The nearest-neighbours kernel measures squared Euclidean distance, twice the
                # cosine distance between unit vectors; TF 1 normalized the centers once more.
                centers = {v1}.nn.l2_normalize(centers, axis=1)
        else:
            all_scores = [
                {v1}.reduce_sum({v1}.square(inp), 1, keepdims=True)
                - 2 * {v1}.matmul(inp, centers, transpose_b=True)
                + {v1}.transpose({v1}.reduce_sum({v1}.square(centers), 1, keepdims=True))
                for inp in inputs
            ]
        scores, cluster_idx = [], []
        for inp in inputs:
            indices, distances = {tf}.raw_ops.NearestNeighbors(points=inp, centers=centers, k=1)
            if self._cosine:
                distances *= 0.5
            scores.append({v1}.squeeze(distances, [-1]))
            cluster_idx.append({v1}.squeeze(indices, [-1]))
        return tuple(all_scores), tuple(scores), tuple(cluster_idx)

    def _sync_op(self, update_in_steps, centers_var, centers_updated, counts):
        """Every `steps_per_iteration` steps: the updated centers become the centers and the
        counts restart from 0."""
        if update_in_steps is None:
            return {v1}.no_op()

        def sync():
            with {v1}.control_dependencies([{v1}.assign(update_in_steps, self._steps_per_iteration - 1)]):
                updated = {v1}.nn.l2_normalize(centers_updated, axis=1) if self._cosine else centers_updated
                with {v1}.control_dependencies([{v1}.assign(centers_var, updated)]):
                    with {v1}.control_dependencies([{v1}.assign(counts, {v1}.zeros_like(counts))]):
                        return {v1}.identity(update_in_steps)

        return {v1}.cond(update_in_steps <= 0, sync, lambda: {v1}.assign_sub(update_in_steps, 1))

    def _mini_batch_op(self, inputs, cluster_idx_list, centers, counts):
        """Each center seen in the batch moves towards the mean of its k new points:
        x += (sum(points) - k * x) / (n + k) for its count n (n + 2k as TF 1.15 ran it)."""
        updates = []
        for inp, cluster_idx in zip(inputs, cluster_idx_list):
            cluster_idx = {v1}.reshape(cluster_idx, [-1])
            unique_ids, unique_idx = {v1}.unique(cluster_idx)
            num_unique = {v1}.size(unique_ids)
            old_centers = {v1}.gather(centers, unique_ids)
            count_updates = {v1}.unsorted_segment_sum(
                {v1}.ones_like(unique_idx, dtype=counts.dtype), unique_idx, num_unique)
            center_updates = {v1}.unsorted_segment_sum(inp, unique_idx, num_unique)
            # TF 1.15 read the counts and added this batch's to them in no fixed order and mostly
            # added first (so n + 2k below): the copy reads them after, to print TF 1's numbers.
            update_counts = {v1}.scatter_add(counts, unique_ids, count_updates)
            old_counts = {v1}.gather(update_counts, unique_ids)
            # [num_unique, 1, ...]: broadcasts against the points' shape
            broadcast_shape = {v1}.concat([
                {v1}.reshape(num_unique, [1]),
                {v1}.ones({v1}.reshape({v1}.rank(inp) - 1, [1]), dtype={v1}.int32),
            ], 0)
            center_updates -= {v1}.cast({v1}.reshape(count_updates, broadcast_shape), inp.dtype) * old_centers
            learning_rate = {v1}.reciprocal({v1}.cast(old_counts + count_updates, inp.dtype))
            center_updates *= {v1}.reshape(learning_rate, broadcast_shape)
            updates.append(update_counts)
            updates.append({v1}.scatter_add(centers, unique_ids, center_updates))
        return {v1}.group(*updates)

    def _full_batch_op(self, inputs, num_clusters, cluster_idx_list, centers):
        """One Lloyd step: every center becomes the mean of the points assigned to it."""
        sums, counts = [], []
        epsilon = {v1}.constant(1e-6, dtype=inputs[0].dtype)
        for inp, cluster_idx in zip(inputs, cluster_idx_list):
            sums.append({v1}.unsorted_segment_sum(inp, cluster_idx, num_clusters))
            ones = {v1}.ones({v1}.reshape({v1}.shape(inp)[0], [-1]))
            counts.append({v1}.unsorted_segment_sum({v1}.reshape(ones, [-1, 1]), cluster_idx, num_clusters))
        new_centers = {v1}.add_n(sums) / ({v1}.cast({v1}.add_n(counts), sums[0].dtype) + epsilon)
        if self._normalized_centers():
            new_centers = {v1}.nn.l2_normalize(new_centers, axis=1)
        return {v1}.assign(centers, new_centers)

    def _init_op(self, num_clusters, initial_clusters, centers, centers_updated, initialized):
        """The op that adds the centers still missing (from one batch of the inputs) and sets
        `initialized` once there are num_clusters of them."""
        num_selected = {v1}.shape(centers)[0]
        num_remaining = num_clusters - num_selected
        num_data = {v1}.add_n([{v1}.shape(inp)[0] for inp in self._inputs])

        def random_rows():
            indices = {v1}.random_uniform({v1}.reshape(num_remaining, [-1]), minval=0,
                                          maxval={v1}.cast(num_data, {v1}.int64), seed=self._random_seed,
                                          dtype={v1}.int64)
            return {v1}.nn.embedding_lookup(self._inputs, indices, partition_strategy="div")

        def kmeans_plus_plus():
            # From the first shard only, as TF 1 did.
            points = self._inputs[0]
            if self._cosine:
                points = {v1}.nn.l2_normalize(points, axis=1)
            return {tf}.raw_ops.KmeansPlusPlusInitialization(
                points=points, num_to_sample={v1}.cast(num_remaining, {v1}.int64), seed=self._random_seed,
                num_retries_per_sample=self._num_retries)

        def chosen_centers():
            if callable(initial_clusters):
                return initial_clusters(self._inputs, num_remaining)
            if not isinstance(initial_clusters, str):
                return initial_clusters
            if initial_clusters == "random":
                # A batch no larger than what is missing becomes centers whole.
                return {v1}.cond(num_data <= num_remaining, lambda: {v1}.concat(self._inputs, 0), random_rows)
            with {v1}.control_dependencies([{v1}.assert_greater_equal(num_data, num_remaining)]):
                return kmeans_plus_plus()

        def store(new_centers):
            assigned = {v1}.assign(centers, new_centers, validate_shape=False)
            if centers_updated is not centers:
                assigned = {v1}.assign(centers_updated, assigned, validate_shape=False)
            return assigned

        def add_centers():
            new_centers = chosen_centers()
            if self._cosine:
                new_centers = {v1}.nn.l2_normalize(new_centers, axis=1)
            all_centers = {v1}.cond({v1}.equal(num_selected, 0), lambda: new_centers,
                                    lambda: {v1}.concat([centers, new_centers], 0))
            return num_clusters - {v1}.shape(store(all_centers))[0]

        def add_kmc2_centers():
            # One center per `kmc2_chain_length` points of the first shard (at least one), each
            # from a k-MC2 Markov chain over its part; the first center is the first point.
            points = self._inputs[0]
            max_to_sample = {v1}.cast({v1}.shape(points)[0] / self._chain_length, dtype={v1}.int32)
            num_to_sample = {v1}.maximum({v1}.minimum(num_remaining, max_to_sample), 1)

            def first_point():
                center = {v1}.reshape(points[0], [1, -1])
                return {v1}.nn.l2_normalize(center, axis=1) if self._cosine else center

            def body(i, _):
                def chained_center():
                    subset = points[i * self._chain_length:i * self._chain_length + self._chain_length]
                    _, distances = {tf}.raw_ops.NearestNeighbors(points=subset, centers=centers, k=1)
                    index = {tf}.raw_ops.KMC2ChainInitialization(
                        distances={v1}.squeeze(distances), seed=self._random_seed)
                    center = {v1}.reshape(subset[index], [1, -1])
                    if self._cosine:
                        center = {v1}.nn.l2_normalize(center, axis=1)
                    return {v1}.concat([centers, center], 0)

                assigned = store({v1}.cond({v1}.equal(num_selected, 0), first_point, chained_center))
                return i + 1, num_clusters - {v1}.shape(assigned)[0]

            _, now_remaining = {v1}.while_loop(lambda i, _: {v1}.less(i, num_to_sample), body, [0, 0])
            return now_remaining

        def initialize():
            with {v1}.control_dependencies([{v1}.assert_positive(num_remaining)]):
                kmc2 = isinstance(initial_clusters, str) and initial_clusters == "kmc2"
                now_remaining = add_kmc2_centers() if kmc2 else add_centers()
                return {v1}.cond({v1}.equal(now_remaining, 0), lambda: {v1}.assign(initialized, True), {v1}.no_op)

        return {v1}.cond({v1}.equal(num_remaining, 0), lambda: {v1}.assert_equal(initialized, True), initialize)
''',
    # The module constants of tf.contrib.factorization (the values KMeans takes).
    "contrib.factorization.SQUARED_EUCLIDEAN_DISTANCE": '{name} = "squared_euclidean"\n',
    "contrib.factorization.COSINE_DISTANCE": '{name} = "cosine"\n',
    "contrib.factorization.RANDOM_INIT": '{name} = "random"\n',
    "contrib.factorization.KMEANS_PLUS_PLUS_INIT": '{name} = "kmeans_plus_plus"\n',
    "contrib.factorization.KMC2_INIT": '{name} = "kmc2"\n',  # clustering_ops' own (contrib.factorization hid it)
}


@dataclass(frozen=True)
class Home:
    """Where a TF1 symbol lives on TF 2.21: ``kind`` ("tf_legacy", "slim", "projector", "tf":
    under ``tf.compat.v1``; "helper": a copy written into the module) and the attribute path
    under it (empty: the module itself; a helper's: its TF1 symbol)."""

    kind: str
    path: str


@functools.lru_cache(maxsize=1)
def _tables() -> dict:
    return json.loads(DATA.read_text())


def is_gone(symbol: str) -> bool:
    """Is ``symbol`` (``layers.dense``) under a TF1 module that TF 2.21 + Keras 3 lacks?"""
    return any(symbol == module or symbol.startswith(module + ".") for module in GONE)


def home(symbol: str) -> Home | None:
    """The TF 2.21 home of a TF1 ``symbol`` under a gone module, or None."""
    symbol = _public_contrib(symbol)
    tables = _tables()
    legacy = tables["tf_keras_legacy"]
    head, _, rest = symbol.partition(".")
    if symbol == "layers" or (head == "layers" and rest.split(".")[0] in legacy["layers"]):
        return Home("tf_legacy", symbol)
    for module in ("nn.rnn_cell", "contrib.rnn"):
        if symbol.startswith(module + "."):
            name = symbol[len(module) + 1 :]
            if name.split(".")[0] in legacy["rnn_cell"]:
                return Home("tf_legacy", "rnn_cell." + name)
    if symbol == "nn.rnn_cell":
        return Home("tf_legacy", "rnn_cell")
    if symbol == CONTRIB_PROJECTOR:
        return Home("projector", "")
    if symbol.startswith(CONTRIB_PROJECTOR + ".") and symbol[len(CONTRIB_PROJECTOR) + 1 :] in tables["tensorboard_projector"]:
        return Home("projector", symbol[len(CONTRIB_PROJECTOR) + 1 :])
    if symbol in HELPERS:
        return Home("helper", symbol)
    slim_name = (_slim_name(symbol) or "").removeprefix("layers.")
    if f"contrib.layers.{slim_name}" in HELPERS:  # slim.batch_norm: the function of contrib.layers
        return Home("helper", f"contrib.layers.{slim_name}")
    renamed = tables["contrib_renames"].get(symbol)
    if renamed is not None:
        return Home("tf", renamed)
    if symbol in ("contrib.slim", "contrib.layers"):
        return Home("slim", "")
    name = _slim_name(symbol)
    if name is not None and name.split(".")[0] in (*tables["tf_slim"], *tables["tf_slim_subpackages"]):
        if name not in tables["tf_slim_broken"]:
            return Home("slim", name)
    return None


# tf.contrib modules whose public names programs also import from the module defining them.
_CONTRIB_PRIVATE = {"contrib.factorization.python.ops.clustering_ops.": "contrib.factorization."}


def _public_contrib(symbol: str) -> str:
    """``contrib.factorization.KMeans`` for ``contrib.factorization.python.ops.clustering_ops.KMeans``."""
    for private, public in _CONTRIB_PRIVATE.items():
        if symbol.startswith(private):
            return public + symbol[len(private) :]
    return symbol


def _slim_name(symbol: str) -> str | None:
    """``batch_norm`` for ``contrib.layers.batch_norm``: the name under tf_slim."""
    for module in SLIM_MODULES:
        if symbol.startswith(module + "."):
            return symbol[len(module) + 1 :]
    return None


def helper_code(home: Home, name: str, tf: str, v1: str, legacy: str) -> str:
    """The definition of the helper ``home`` names, called ``name``, with TensorFlow spelled ``tf``,
    ``tensorflow.compat.v1`` spelled ``v1`` and tf-keras' legacy module ``legacy``."""
    return HELPERS[home.path].format(name=name, tf=tf, v1=v1, legacy=legacy, indent=" " * (len(name) + 5))


def helper_note(home: Home, name: str) -> str:
    """The finding for a copy written into the module: what it is, and what it leaves out."""
    note = f"`tf.{home.path}` is not in TF 2.21: the module gets a copy of TF 1.15's code, `{name}`"
    limits = HELPER_LIMITS.get(home.path)
    if limits is None:
        return note
    return note + f"; it raises NotImplementedError for {limits} (not in the copy)"


def needs(home: Home, spelling: str) -> bool:
    """Does the helper's code name ``spelling``: "v1" (``tensorflow.compat.v1``: variable scopes)
    or "legacy" (tf-keras' legacy module: the RNN cell base class)?"""
    return "{%s}" % spelling in HELPERS[home.path]


def helper_of(symbol: str) -> Home | None:
    """The helper class an attribute of it belongs to (``VocabularyProcessor.restore``)."""
    owner = symbol.rpartition(".")[0]
    return Home("helper", owner) if owner in HELPERS and HELPERS[owner].startswith("class ") else None


def slim_subpackage(home: Home) -> str | None:
    """``tf_slim.nets`` for ``slim.nets.resnet_v1``: a subpackage ``import tf_slim`` does not load."""
    first = home.path.split(".")[0]
    return f"tf_slim.{first}" if home.kind == "slim" and first in _tables()["tf_slim_subpackages"] else None


def why_not(symbol: str) -> str:
    """Why a gone ``symbol`` without a home cannot run on TF 2.21, and what to use."""
    slim_name = _slim_name(symbol) or ""
    broken = _tables()["tf_slim_broken"].get(slim_name)
    if broken is not None:
        return (f"tf-slim has it, but tf-slim 1.1.0's code for it reads TensorFlow internals that TF 2.21 "
                f"removed ({broken}), so it fails when it reaches that code; rewrite that part with TF 2 / Keras")
    for module, advice in sorted(ADVICE.items(), key=lambda item: -len(item[0])):
        if symbol == module or symbol.startswith(module + "."):
            return f"TF 2 has no tf.contrib (tf.compat.v1 has none either); {advice}"
    if symbol.startswith("contrib"):
        return ("TF 2 has no tf.contrib (tf.compat.v1 has none either) and this module has no maintained "
                "successor; rewrite that part with TF 2 / Keras")
    return "TF 2.21 with Keras 3 does not have it and the tf-keras legacy layers and cells have no such name"
