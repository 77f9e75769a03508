"""G104 beyond its examples: what the model_fn asks the estimator for, the input_fns it
follows, the imports it removes, and every construct it declines (the module then comes
out byte for byte as it went in). The estimator_* fixtures prove by running both
versions that the loop computes TF 1's numbers."""

from __future__ import annotations

import ast
import textwrap

import pytest

from codemods.graph.g104_estimator_to_loop import EstimatorToLoop
from migrator.engine import Status, migrate_source

PROGRAM = """\
import numpy as np
import tensorflow as tf


{model_fn}


x, y = np.zeros((8, 3), np.float32), np.zeros(8, np.int32)
est = tf.estimator.Estimator(model_fn{params})
est.train(tf.estimator.inputs.numpy_input_fn({{"x": x}}, y, batch_size=4, shuffle=False), steps=2)
print(est.evaluate(tf.estimator.inputs.numpy_input_fn({{"x": x}}, y, shuffle=False)))
"""

MODEL_FN = """\
def model_fn(features, labels, mode, params):
    logits = tf.layers.dense(features["x"], 2)
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions=logits)
    loss = tf.losses.sparse_softmax_cross_entropy(labels, logits)
    optimizer = tf.train.AdamOptimizer(params["lr"])
    train_op = optimizer.minimize(loss, global_step=tf.train.get_global_step())
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)"""


def migrate(source: str, rules=(EstimatorToLoop,)) -> tuple[str, list]:
    kwargs = {} if rules is None else {"rules": list(rules)}
    result = migrate_source(textwrap.dedent(source).encode(), "t.py", **kwargs)
    assert result.status is not Status.FAILED, result.error
    text = result.new_bytes.decode()
    ast.parse(text)
    again = migrate_source(result.new_bytes, "t.py", **kwargs)
    assert again.new_bytes == result.new_bytes, "not idempotent"
    return text, result.findings


def program(model_fn: str = MODEL_FN, params: str = ', params={"lr": 0.1}') -> str:
    return PROGRAM.format(model_fn=textwrap.dedent(model_fn).rstrip("\n"), params=params)


def declined(findings) -> list[str]:
    return [f.message for f in findings if f.kind == "declined"]


def user_code(text: str) -> str:
    """The module without the pieces written after its imports (from `class ModeKeys` to the
    last of them)."""
    start = text.index("class ModeKeys:")
    end = text.index("\n\n\n", text.rindex("\nclass Estimator(") + 1)
    if "\ndef numpy_input_fn(" in text:
        end = text.index("\n\n\n", text.index("\ndef numpy_input_fn("))
    return text[:start] + text[end + 3:]


def test_model_fn_asks_the_estimator_for_its_layers_metrics_and_optimizer() -> None:
    text, findings = migrate(program(
        """\
        def model_fn(features, labels, mode, params):
            net = features["x"]
            for units in params["hidden"]:
                net = tf.layers.dense(net, units=units, activation=tf.nn.relu, name="hidden")
            logits = tf.layers.dense(net, 3, kernel_initializer=tf.truncated_normal_initializer(stddev=0.1))
            predicted = tf.argmax(logits, 1)
            if mode == tf.estimator.ModeKeys.PREDICT:
                return tf.estimator.EstimatorSpec(mode, predictions={"class": predicted})
            loss = tf.losses.sparse_softmax_cross_entropy(labels=labels, logits=logits)
            metrics = {
                "accuracy": tf.metrics.accuracy(labels, predicted, weights=features["w"], name="acc"),
                "mean_logit": tf.metrics.mean(logits),
                "rmse": tf.metrics.root_mean_squared_error(labels, predicted),
            }
            if mode == tf.estimator.ModeKeys.EVAL:
                return tf.estimator.EstimatorSpec(mode, loss=loss, eval_metric_ops=metrics)
            lr = params["lr"] * 2
            optimizer = tf.train.AdamOptimizer(learning_rate=lr, beta1=0.8)
            train_op = optimizer.minimize(loss=loss, global_step=tf.train.get_global_step())
            return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)
        """,
        ', params={"hidden": [4, 4], "lr": 0.1}',
    ))
    assert not declined(findings)
    assert user_code(text) == textwrap.dedent(
        """\
        import numpy as np
        import tensorflow as tf


        def model_fn(features, labels, mode, params, estimator):
            net = features["x"]
            for units in params["hidden"]:
                net = estimator.layer(lambda: tf.keras.layers.Dense(units=units, activation=tf.nn.relu, name="hidden"))(net)
            logits = estimator.layer(lambda: tf.keras.layers.Dense(3, kernel_initializer=tf.keras.initializers.TruncatedNormal(mean=0.0, stddev=0.1)))(net)
            predicted = tf.argmax(logits, 1)
            if mode == ModeKeys.PREDICT:
                return EstimatorSpec(mode, predictions={"class": predicted})
            loss = tf.losses.sparse_softmax_cross_entropy(labels=labels, logits=logits)
            metrics = {
                "accuracy": estimator.metric(lambda: tf.keras.metrics.Accuracy(name="acc"), labels, predicted, sample_weight=features["w"]),
                "mean_logit": estimator.metric(lambda: tf.keras.metrics.Mean(), logits),
                "rmse": estimator.metric(lambda: tf.keras.metrics.RootMeanSquaredError(), labels, predicted),
            }
            if mode == ModeKeys.EVAL:
                return EstimatorSpec(mode, loss=loss, eval_metric_ops=metrics)
            lr = params["lr"] * 2
            optimizer = estimator.optimizer(lambda: tf.keras.optimizers.Adam(learning_rate=lr, beta_1=0.8, epsilon=1e-08))
            train_op = estimator.minimize(optimizer, loss)
            return EstimatorSpec(mode, loss=loss, train_op=train_op)


        x, y = np.zeros((8, 3), np.float32), np.zeros(8, np.int32)
        est = Estimator(model_fn, params={"hidden": [4, 4], "lr": 0.1})
        est.train(numpy_input_fn({"x": x}, y, batch_size=4, shuffle=False), steps=2)
        print(est.evaluate(numpy_input_fn({"x": x}, y, shuffle=False)))
        """
    )
    # the pieces come right after the imports, each once
    assert text.index("class ModeKeys:") > text.index("import tensorflow as tf")
    for piece in ("class ModeKeys:", "class EstimatorSpec:", "class RunConfig:", "class Estimator(tf.Module):",
                  "def numpy_input_fn("):
        assert text.count(piece) == 1, piece
    assert [f.message for f in findings if "Adam" in f.message] == [
        "AdamOptimizer -> keras.optimizers.Adam(learning_rate=lr, beta_1=0.8, epsilon=1e-08), made once"
    ]


def test_helpers_that_make_layers_are_given_the_estimator_and_params_default_to_an_empty_dict() -> None:
    text, findings = migrate(program(
        """\
        def network(x, n_classes, training):
            h = tf.layers.conv2d(x, 8, 3, padding="same", activation=tf.nn.relu)
            h = tf.layers.max_pooling2d(h, 2, 2)
            h = tf.layers.dropout(tf.layers.flatten(h), rate=0.3, training=training)
            h = tf.keras.layers.Dense(16)(h)
            return tf.layers.dense(tf.layers.dropout(h, 0.1), n_classes)


        def scale(x):
            return x / 255.0


        def model_fn(features, labels, mode, params):
            logits = network(scale(features["x"]), 2, mode == tf.estimator.ModeKeys.TRAIN)
            loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits))
            train_op = tf.train.GradientDescentOptimizer(0.1).minimize(loss, tf.train.get_or_create_global_step())
            return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)
        """,
        "",
    ))
    assert not declined(findings)
    code = user_code(text)
    assert "def network(x, n_classes, training, estimator):" in code
    assert "def scale(x):" in code  # makes nothing: left as it was
    assert "def model_fn(features, labels, mode, params, estimator):" in code
    assert 'logits = network(scale(features["x"]), 2, mode == ModeKeys.TRAIN, estimator=estimator)' in code
    assert ('h = estimator.layer(lambda: tf.keras.layers.Conv2D(8, 3, padding="same", activation=tf.nn.relu))(x)'
            in code)
    assert "h = estimator.layer(lambda: tf.keras.layers.MaxPooling2D(2, 2))(h)" in code
    # dropout: TF 1's op when training (a Python bool here), nothing without training=
    assert ("h = (tf.nn.dropout(estimator.layer(lambda: tf.keras.layers.Flatten())(h), rate=0.3) if training "
            "else estimator.layer(lambda: tf.keras.layers.Flatten())(h))") in code
    assert "h = estimator.layer(lambda: tf.keras.layers.Dense(16))(h)" in code
    assert "return estimator.layer(lambda: tf.keras.layers.Dense(n_classes))(h)" in code
    assert ("train_op = estimator.minimize(estimator.optimizer(lambda: tf.keras.optimizers.SGD(learning_rate=0.1)), "
            "loss)") in code
    assert "est = Estimator(model_fn, params={})" in code  # TF 1 gave a model_fn taking params {}


def test_keras_layers_and_models_made_in_the_model_fn_are_made_once() -> None:
    text, findings = migrate(
        """\
        import tensorflow as tf


        class Tower(tf.keras.Model):
            def __init__(self):
                super().__init__()
                self.dense = tf.keras.layers.Dense(4)

            def call(self, x):
                return self.dense(x)


        def model_fn(features, labels, mode):
            head = tf.keras.Sequential([tf.keras.layers.Dense(2)])
            logits = head(Tower()(features))
            loss = tf.losses.sparse_softmax_cross_entropy(labels, logits)
            train_op = tf.train.AdamOptimizer().minimize(loss, global_step=tf.train.get_global_step())
            return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)


        est = tf.estimator.Estimator(model_fn)
        est.train(lambda: tf.data.Dataset.from_tensor_slices(([[1.0]], [0])).batch(1), steps=1)
        """
    )
    assert not declined(findings)
    code = user_code(text)
    assert "        self.dense = tf.keras.layers.Dense(4)\n" in code  # the class's own layers: its business
    assert "head = estimator.layer(lambda: tf.keras.Sequential([tf.keras.layers.Dense(2)]))" in code
    assert "logits = head(estimator.layer(lambda: Tower())(features))" in code
    assert "tf.keras.optimizers.Adam(epsilon=1e-08)" in code  # TF 1's learning rate is Keras' default


def test_logging_hooks_are_dropped_and_dropout_runs_when_the_mode_trains() -> None:
    text, findings = migrate(
        """\
        import tensorflow as tf


        def model_fn(features, labels, mode):
            dense = tf.layers.dense(inputs=features["x"], units=4)
            dropout = tf.layers.dropout(inputs=dense, rate=0.4, training=mode == tf.estimator.ModeKeys.TRAIN)
            logits = tf.layers.dense(inputs=dropout, units=2)
            probabilities = tf.nn.softmax(logits, name="softmax_tensor")
            loss = tf.losses.sparse_softmax_cross_entropy(labels=labels, logits=logits)
            optimizer = tf.train.GradientDescentOptimizer(learning_rate=0.001)
            train_op = optimizer.minimize(loss=loss, global_step=tf.train.get_global_step())
            return tf.estimator.EstimatorSpec(mode=mode, loss=loss, train_op=train_op)


        def main(unused_argv):
            classifier = tf.estimator.Estimator(model_fn=model_fn, model_dir="/tmp/model")
            tensors_to_log = {"probabilities": "softmax_tensor"}
            # Log the softmax every 50 steps
            logging_hook = tf.train.LoggingTensorHook(tensors=tensors_to_log, every_n_iter=50)
            train_input_fn = tf.estimator.inputs.numpy_input_fn(x={"x": data}, y=labels, num_epochs=None, shuffle=False)
            classifier.train(input_fn=train_input_fn, steps=20000, hooks=[logging_hook])
        """
    )
    assert not declined(findings)
    code = user_code(text)
    assert "dropout = (tf.nn.dropout(dense, rate=0.4) if mode == ModeKeys.TRAIN else dense)" in code
    assert "LoggingTensorHook" not in code
    # the hook's comment is not lost: it goes to the next statement
    assert "    # Log the softmax every 50 steps\n    train_input_fn = numpy_input_fn(" in code
    assert "    classifier.train(input_fn=train_input_fn, steps=20000)\n" in code
    assert [f.line for f in findings if "LoggingTensorHook" in f.message] == [21]  # at hooks=


def test_variable_scopes_with_reuse_give_the_layers_of_their_first_use_again() -> None:
    text, findings = migrate(program(
        """\
        def tower(x, reuse):
            with tf.variable_scope("tower", reuse=reuse):
                return tf.layers.dense(x, 2)


        def model_fn(features, labels, mode, params):
            logits = tower(features["x"], reuse=False) + tower(features["x"] * 0.5, reuse=True)
            loss = tf.losses.sparse_softmax_cross_entropy(labels, logits)
            optimizer = tf.train.AdamOptimizer(params["lr"])
            train_op = optimizer.minimize(loss, global_step=tf.train.get_global_step())
            return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)
        """
    ))
    assert not declined(findings)
    code = user_code(text)
    assert ('def tower(x, reuse, estimator):\n    with estimator.variable_scope("tower", reuse=reuse):\n'
            "        return estimator.layer(lambda: tf.keras.layers.Dense(2))(x)\n") in code
    assert "    def variable_scope(self, name, reuse=None):" in text and "    def __enter__(self):" in text
    # a program without variable scopes gets no scope bookkeeping
    plain, _ = migrate(program())
    assert "variable_scope" not in plain and "__enter__" not in plain


@pytest.mark.parametrize(("scope", "reason"), [
    ('tf.variable_scope("tower", reuse=tf.AUTO_REUSE)', "AUTO_REUSE"),
    ('tf.variable_scope("tower", initializer=tf.zeros_initializer())', "tf.variable_scope(initializer=...)"),
])
def test_variable_scopes_the_loop_cannot_replay_are_declined(scope: str, reason: str) -> None:
    source = program(MODEL_FN.replace(
        '    logits = tf.layers.dense(features["x"], 2)',
        f'    with {scope}:\n        logits = tf.layers.dense(features["x"], 2)',
    ))
    text, findings = migrate(source)
    assert text == source
    [message] = declined(findings)
    assert reason in message, message


def test_input_fns_returning_a_one_shot_iterators_next_element_return_the_dataset() -> None:
    text, findings = migrate(
        """\
        import functools
        import tensorflow as tf
        from tensorflow.estimator import EstimatorSpec, ModeKeys


        def model_fn(features, labels, mode):
            logits = tf.layers.dense(features, 2)
            loss = tf.losses.sparse_softmax_cross_entropy(labels, logits)
            step = tf.train.get_global_step()
            train_op = tf.train.GradientDescentOptimizer(0.1).minimize(loss, global_step=step)
            return EstimatorSpec(mode, loss=loss, train_op=train_op, predictions=logits)


        def inline_input_fn():
            return tf.data.Dataset.from_tensor_slices(([[1.0]], [0])).repeat().make_one_shot_iterator().get_next()


        def iterator_input_fn(batch_size):
            dataset = tf.data.Dataset.from_tensor_slices(([[1.0]], [0]))
            dataset = dataset.batch(batch_size)
            iterator = dataset.make_one_shot_iterator()
            return iterator.get_next()


        def unpacked_input_fn(batch_size):
            dataset = tf.data.Dataset.from_tensor_slices(([[1.0]], [0])).batch(batch_size)
            # the estimator reads the element
            features, labels = dataset.make_one_shot_iterator().get_next()
            return features, labels


        est = tf.estimator.Estimator(model_fn=model_fn)
        est.train(input_fn=inline_input_fn, steps=1)
        est.train(input_fn=lambda: iterator_input_fn(1), max_steps=3)
        print(est.evaluate(input_fn=functools.partial(unpacked_input_fn, 1), steps=1))
        print(list(est.predict(lambda: tf.data.Dataset.from_tensor_slices([[1.0]]).batch(1))))
        """
    )
    assert not declined(findings)
    code = user_code(text)
    assert "from tensorflow.estimator" not in code
    assert ("def inline_input_fn():\n    return tf.data.Dataset.from_tensor_slices(([[1.0]], [0])).repeat()\n"
            in code)
    assert "    dataset = dataset.batch(batch_size)\n    return dataset\n" in code
    assert "iterator" not in code.replace("def iterator_input_fn", "").replace("iterator_input_fn(1)", "")
    assert ("    dataset = tf.data.Dataset.from_tensor_slices(([[1.0]], [0])).batch(batch_size)\n"
            "    # the estimator reads the element\n"
            "    return dataset\n") in code
    assert "step = estimator.global_step" in code
    assert "def numpy_input_fn(" not in text  # not used: not written


def test_constructors_written_from_the_original_arguments_get_the_replacements_too() -> None:
    text, _ = migrate(program(MODEL_FN.replace(
        'tf.layers.dense(features["x"], 2)',
        'tf.layers.dense(features["x"], 2, trainable=mode != tf.estimator.ModeKeys.PREDICT, '
        'kernel_initializer=tf.zeros_initializer())',
    ).replace('tf.train.AdamOptimizer(params["lr"])',
              'tf.train.AdamOptimizer(params["lr"] if mode == tf.estimator.ModeKeys.TRAIN else 0.0)')))
    code = user_code(text)
    assert ("estimator.layer(lambda: tf.keras.layers.Dense(2, kernel_initializer=tf.keras.initializers.Zeros(), "
            "trainable=mode != ModeKeys.PREDICT))") in code  # in TF 1's parameter order
    assert ('tf.keras.optimizers.Adam(learning_rate=params["lr"] if mode == ModeKeys.TRAIN else 0.0, '
            "epsilon=1e-08)") in code


@pytest.mark.parametrize(("model_fn", "tail", "reason"), [
    pytest.param(
        MODEL_FN.replace("def model_fn(features, labels, mode, params):",
                         "def model_fn(features, labels, mode, params, config):"),
        "", "only (features, labels, mode[, params]) is converted", id="model_fn-config",
    ),
    pytest.param(
        MODEL_FN.replace('logits = tf.layers.dense(features["x"], 2)',
                         'w = tf.get_variable("w", [3, 2])\n    logits = tf.matmul(features["x"], w)'),
        "", "tf.get_variable", id="get_variable",
    ),
    pytest.param(
        MODEL_FN.replace("    optimizer =", '    tf.summary.scalar("loss", loss)\n    optimizer ='),
        "", "summaries in the model_fn are not converted", id="summary",
    ),
    pytest.param(
        MODEL_FN.replace("    optimizer =", "    acc = tf.metrics.accuracy(labels, tf.argmax(logits, 1))\n"
                         "    tf.identity(acc[1], name='train_accuracy')\n    optimizer ="),
        "", "metric `acc` is read other than as a value of eval_metric_ops", id="metric-update-op",
    ),
    pytest.param(
        MODEL_FN.replace("    optimizer =", "    rmse = tf.metrics.root_mean_squared_error(labels, logits, weights=labels)\n"
                         "    optimizer =").replace("train_op=train_op)", "train_op=train_op, eval_metric_ops={'rmse': rmse})"),
        "", "root_mean_squared_error(weights=...)` is not converted", id="rmse-weights",
    ),
    pytest.param(
        MODEL_FN.replace("    optimizer =", "    auc = tf.metrics.auc(labels, logits)\n    optimizer =")
        .replace("train_op=train_op)", "train_op=train_op, eval_metric_ops={'auc': auc})"),
        "", "this tf.metrics function is not converted", id="auc",
    ),
    pytest.param(
        MODEL_FN.replace("tf.train.AdamOptimizer", "tf.train.RMSPropOptimizer"),
        "", "its accumulators start at 1.0 in TF 1", id="rmsprop",
    ),
    pytest.param(
        MODEL_FN.replace('tf.train.AdamOptimizer(params["lr"])',
                         'tf.train.AdamOptimizer(tf.train.exponential_decay(params["lr"], '
                         'tf.train.get_global_step(), 100, 0.9))'),
        "", "the optimizer's arguments compute", id="lr-schedule",
    ),
    pytest.param(
        MODEL_FN.replace(", global_step=tf.train.get_global_step()", ""),
        "", "minimize` without global_step", id="no-global-step",
    ),
    pytest.param(
        MODEL_FN.replace('logits = tf.layers.dense(features["x"], 2)',
                         'logits = tf.layers.batch_normalization(tf.layers.dense(features["x"], 2), training=True)'),
        "", "batch normalization", id="batch-norm",
    ),
    pytest.param(
        MODEL_FN.replace("EstimatorSpec(mode, predictions=logits)",
                         "EstimatorSpec(mode, predictions=logits, "
                         "export_outputs={'out': tf.estimator.export.PredictOutput(logits)})"),
        "", "exports", id="export-outputs",
    ),
    pytest.param(
        MODEL_FN.replace("    optimizer =", "    auc = tf.keras.metrics.AUC()\n    optimizer ="),
        "", "`tf.keras.metrics.AUC` made in the model_fn is not converted", id="keras-metric",
    ),
    pytest.param(MODEL_FN, "print(model_fn({'x': x}, y, 'train', {}))\n",
                 "model_fn `model_fn` is used other than by giving it to an Estimator", id="model_fn-called"),
    pytest.param(MODEL_FN, "est.train(numpy_input, steps=1, hooks=[tf.train.StepCounterHook()])\n",
                 "train(hooks=...) is not converted", id="hooks"),
    pytest.param(MODEL_FN, "report(est)\n", "estimator `est` is used other than through", id="estimator-passed-on"),
    pytest.param(MODEL_FN, "est.export_savedmodel('out', None)\n", "estimator `est` is used other than", id="export"),
    pytest.param(MODEL_FN, "def run(fn):\n    est.train(fn, steps=1)\n",
                 "input_fn `fn` is not one the rule can follow", id="input_fn-parameter"),
    pytest.param(MODEL_FN, "Estimator = None\n", "the module already binds `Estimator`", id="name-taken"),
    pytest.param(MODEL_FN, "cfg = tf.estimator.RunConfig(session_config=tf.ConfigProto())\n",
                 "RunConfig(`session_config`=...) is not converted", id="run-config"),
])
def test_declined_programs_are_left_as_they_were(model_fn: str, tail: str, reason: str) -> None:
    source = program(model_fn) + "numpy_input = tf.estimator.inputs.numpy_input_fn(x, y, shuffle=False)\n" + tail
    text, findings = migrate(source)
    assert text == source
    messages = declined(findings)
    assert len(messages) == 1 and messages[0].startswith("tf.estimator program left as it was: "), messages
    assert reason in messages[0], messages[0]


@pytest.mark.parametrize(("source", "reason"), [
    pytest.param(
        """\
        import tensorflow as tf

        columns = [tf.feature_column.numeric_column("x")]
        est = tf.estimator.LinearRegressor(feature_columns=columns)
        """,
        "premade estimators (`tf.estimator.LinearRegressor`) are not converted", id="premade",
    ),
    pytest.param(
        """\
        import tensorflow as tf

        def model_fn(features, labels, mode, params):
            return tf.contrib.tpu.TPUEstimatorSpec(mode, loss=tf.reduce_sum(features))

        est = tf.contrib.tpu.TPUEstimator(model_fn=model_fn, use_tpu=False, train_batch_size=8)
        """,
        "TF 1 estimator outside tf.estimator", id="tpu-estimator",
    ),
    pytest.param(
        """\
        import tensorflow as tf

        def model_fn(features, labels, mode):
            if mode == tf.estimator.ModeKeys.TRAIN:
                return None
        """,
        "no tf.estimator.Estimator is built in this module", id="model_fn-module",
    ),
    pytest.param(
        """\
        import tensorflow as tf

        est = tf.estimator.Estimator(lambda features, labels, mode: None)
        """,
        "the model_fn is not a function this module defines", id="lambda-model_fn",
    ),
    pytest.param(
        """\
        import tensorflow as tf

        tf.estimator.train_and_evaluate(est, train_spec, eval_spec)
        """,
        "train_and_evaluate", id="train_and_evaluate",
    ),
    pytest.param(
        """\
        import tensorflow.compat.v1 as tf

        est = tf.estimator.Estimator(model_fn)
        """,
        "the module does not import `tensorflow` itself", id="compat-v1-only",
    ),
])
def test_declined_estimator_apis(source: str, reason: str) -> None:
    text, findings = migrate(source)
    assert text == textwrap.dedent(source)
    [message] = declined(findings)
    assert reason in message, message


def test_shuffled_numpy_input_is_reported() -> None:
    source = program().replace("batch_size=4, shuffle=False", "batch_size=4, num_epochs=None, shuffle=True")
    text, findings = migrate(source)
    assert "est.train(numpy_input_fn({\"x\": x}, y, batch_size=4, num_epochs=None, shuffle=True), steps=2)" in text
    [note] = [f.message for f in findings if "shuffle" in f.message]
    assert "a different order than TF 1's RandomShuffleQueue" in note


@pytest.mark.parametrize("source", [
    "import tensorflow as tf\n\nmodel = tf.keras.Sequential([tf.keras.layers.Dense(1)])\nestimator = model\n",
    "import numpy as np\n\nestimator = np.mean\n",
])
def test_modules_without_tf_estimator_are_unchanged(source: str) -> None:
    text, findings = migrate(source)
    assert text == source and findings == []


def test_whole_pipeline_leaves_no_tf_estimator_and_converts_the_model_fn_body() -> None:
    text, findings = migrate(program(), rules=None)
    assert "tf.estimator" not in text.replace('"""', "").split("class ModeKeys")[0]
    assert "estimator" not in " ".join(f.message for f in findings if f.rule in ("R001", "T101")), findings
    assert "loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits))" in text
    assert "tf.compat.v1" not in text
