"""G101 on TensorBoard summaries (g101_session_to_function/summaries.py).

The fixtures graph/tensorboard_merged_summaries, graph/tensorboard_train_test_writers,
graph/flags_summaries_regression, graph/app_run_summaries_one_by_one,
graph/tensorboard_reset_graph_projector (two graphs, the projector) and the helpers'
histograms (graph/helpers_histogram_summaries, graph/helpers_conv_summaries_flatten_scope)
prove the printed numbers; ``test_event_files_match`` runs both programs of each and compares what lands
in their event files: the same tags at the same steps, the same scalar values,
histograms over the same number of values with the same range (TF2 buckets them
differently), as many images of the same size (for the helpers' fixtures, whose initial
weights are random, the tags, steps and counts only).
"""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest

from codemods.graph.g101_session_to_function import GraphToEager
from migrator.engine import Status, migrate_source

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "graph"


def migrate(source: str) -> tuple[str, list]:
    result = migrate_source(textwrap.dedent(source).encode(), "t.py", [GraphToEager])
    assert result.status is not Status.FAILED, result.error
    text = result.new_bytes.decode()
    ast.parse(text)
    again = migrate_source(result.new_bytes, "t.py", [GraphToEager])
    assert again.new_bytes == result.new_bytes, "not idempotent"
    return text, result.findings


GRAPH = """\
import numpy as np
import tensorflow as tf

x = tf.placeholder(tf.float32, [None, 2])
y = tf.placeholder(tf.float32, [None, 1])
W = tf.Variable(tf.zeros([2, 1]))
b = tf.Variable(0.0)
pred = tf.matmul(x, W) + b
loss = tf.reduce_mean(tf.square(pred - y))
train_op = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
"""

SUMMARIES = """\
tf.summary.scalar("loss", loss)
tf.summary.histogram("weights", W)
merged = tf.summary.merge_all()
"""

RUN = """\
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    writer = tf.summary.FileWriter("logs", sess.graph)
    for step in range(3):
        _, l, summary = sess.run([train_op, loss, merged], feed_dict={x: np.ones((4, 2)), y: np.ones((4, 1))})
        writer.add_summary(summary, step)
        print(l)
    writer.close()
"""


def declined(findings) -> list[str]:
    return [f.message for f in findings if f.kind == "declined"]


def test_merged_summaries_become_a_returned_dict_written_at_add_summary() -> None:
    text, findings = migrate(GRAPH + SUMMARIES + RUN)
    assert not declined(findings)
    assert 'merged = {"loss": loss, "weights": tf.identity(W)}' in text  # W read before the update
    assert "return loss, merged" in text or "return merged" in text or "return loss_value, merged" in text
    assert "l, summary = tf.nest.map_structure(lambda value: value.numpy(), train_step(" in text
    assert 'writer = tf.summary.create_file_writer("logs")' in text
    # Written by one tf.function (eager summary ops cost more than the step), defined
    # before the loop that writes, the step a tensor (a Python int would retrace).
    assert 'writer = tf.summary.create_file_writer("logs")\n\n\n' + textwrap.dedent("""\
        @tf.function(reduce_retracing=True)
        def write_merged(writer, values, step):
            with writer.as_default(step=step):
                tf.summary.scalar("loss", values["loss"])
                tf.summary.histogram("weights", values["weights"])


        for step in range(3):
        """) in text
    assert "    write_merged(writer, summary, tf.constant(step, tf.int64))\n" in text
    assert text.endswith("\nwriter.close()\n")
    assert "summary.merge_all" not in text and "FileWriter" not in text and "sess" not in text
    notes = [f.message for f in findings if f.kind == "converted"]
    assert any("graph dropped" in n for n in notes)
    assert any("histogram `weights`" in n and "buckets" in n for n in notes)


def test_get_default_graph_argument_and_writer_options_are_mapped() -> None:
    run = RUN.replace('tf.summary.FileWriter("logs", sess.graph)',
                      'tf.summary.FileWriter("logs", graph=tf.get_default_graph(), flush_secs=5)')
    text, findings = migrate(GRAPH + SUMMARIES + run)
    assert not declined(findings)
    assert 'tf.summary.create_file_writer("logs", flush_millis=5 * 1000)' in text


def test_merge_fetched_alone_with_keyword_step() -> None:
    run = RUN.replace(
        "writer.add_summary(summary, step)",
        "s = sess.run(merged, feed_dict={x: np.ones((1, 2)), y: np.zeros((1, 1))})\n"
        "        writer.add_summary(s, global_step=step)",
    )
    text, findings = migrate(GRAPH + SUMMARIES + run.replace("_, l, summary", "_, l"))
    assert not declined(findings)
    assert "s = tf.nest.map_structure(lambda value: value.numpy(), compute_merged(" in text
    assert "    write_merged(writer, s, tf.constant(step, tf.int64))" in text


@pytest.mark.parametrize("change, expected", [
    # A summary op run by name, alone or merged with merge([...]).
    ((SUMMARIES, 'loss_summary = tf.summary.scalar("loss", loss)\nmerged = tf.summary.merge([loss_summary], name="m")\n'),
     ['loss_summary = {"loss": loss}', "merged = {**loss_summary}"]),
    # Created after merge_all(): not in the merge, never run.
    (("merged = tf.summary.merge_all()\n", 'merged = tf.summary.merge_all()\ntf.summary.scalar("b", b)\n'),
     ['merged = {"loss": loss, "weights": tf.identity(W)}']),
    (('tf.summary.histogram("weights", W)\n', 'tf.summary.image("weights", tf.reshape(W, [1, 2, 1, 1]))\n'),
     ['"weights": tf.reshape(W, [1, 2, 1, 1])[:3]', 'tf.summary.image("weights", values["weights"])']),
    # Name scopes are part of the tag; the scope block keeps what else it defines.
    (('tf.summary.scalar("loss", loss)\n', 'with tf.name_scope("train"):\n    tf.summary.scalar("loss", loss)\n'),
     ['"train/loss": loss']),
    # TF1 made repeated names unique, cleaned invalid characters, prefixed families.
    (('tf.summary.scalar("loss", loss)\n', 'tf.summary.scalar("loss", 2 * loss)\ntf.summary.scalar("loss", loss)\n'),
     ['"loss": 2 * loss', '"loss_1": loss']),
    (('tf.summary.scalar("loss", loss)\n', 'tf.summary.scalar("my loss", loss)\n'), ['"my_loss": loss']),
    (('tf.summary.scalar("loss", loss)\n', 'tf.summary.scalar("loss", loss, family="train")\n'),
     ['"train/train/loss": loss']),
    # The tag collides with a name the graph already used (case-insensitively).
    (("W = tf.Variable(tf.zeros([2, 1]))", 'W = tf.Variable(tf.zeros([2, 1]), name="Weights")'),
     ['"weights_1": tf.identity(W)']),
    (('tf.summary.scalar("loss", loss)\n', 'tf.summary.scalar("mean", loss)\n'), ['"mean_1": loss']),
    # TF1's event without a step has step 0; TF2 has no add_graph.
    (("writer.add_summary(summary, step)", "writer.add_summary(summary)"),
     ["write_merged(writer, summary, tf.constant(0, tf.int64))"]),
    (("writer.close()", "writer.add_graph(sess.graph)"), ["writer = tf.summary.create_file_writer"]),
    # A writer created inside the loop.
    (('    writer = tf.summary.FileWriter("logs", sess.graph)\n', ""),
     ['\n    writer = tf.summary.create_file_writer("l")\n']),
    # add_summary of a run.
    (("_, l, summary = sess.run([train_op, loss, merged], feed_dict={x: np.ones((4, 2)), y: np.ones((4, 1))})\n"
      "        writer.add_summary(summary, step)",
      "_, l = sess.run([train_op, loss], feed_dict={x: np.ones((4, 2)), y: np.ones((4, 1))})\n"
      "        writer.add_summary(sess.run(merged, feed_dict={x: np.ones((1, 2)), y: np.zeros((1, 1))}), step)"),
     ["write_merged(writer, tf.nest.map_structure(lambda value: value.numpy(), compute_merged(np.ones((1, 2)), "
      "np.zeros((1, 1)))), tf.constant(step, tf.int64))"]),
])
def test_summary_forms_tf1_scripts_use_are_converted(change, expected) -> None:
    old, new = change
    source = GRAPH + SUMMARIES + RUN
    assert old in source
    if "create_file_writer(\"l\")" in expected[0]:  # a writer made in the loop
        source = source.replace(old, new).replace(
            "        writer.add_summary", '        writer = tf.summary.FileWriter("l")\n        writer.add_summary')
    else:
        source = source.replace(old, new, 1)
    text, findings = migrate(source)
    assert not declined(findings), declined(findings)
    for line in expected:
        assert line in text, (line, text)
    assert "FileWriter" not in text and "merge" not in text.replace("merged", "")


@pytest.mark.parametrize("change, reason", [
    (("print(l)", "print(l, summary)"), "used other than by add_summary"),
    (("writer.add_summary(summary, step)", "writer.add_summary(summary, step)\n        summary = None"),
     "assigned otherwise"),
    (('tf.summary.scalar("loss", loss)\n', 'tag = "loss"\ntf.summary.scalar(tag, loss)\n'), "string literal"),
    (('tf.summary.scalar("loss", loss)\n', 'def summarise(t):\n    tf.summary.scalar("loss", t)\nsummarise(loss)\n'),
     "inside `summarise()`, a function the graph calls"),
    (('tf.summary.scalar("loss", loss)\n', 'for t in [loss]:\n    tf.summary.scalar("loss", t)\n'), "in a loop"),
    (('tf.summary.scalar("loss", loss)\n', 'tf.summary.audio("loss", loss, 16000)\n'), "summary.audio"),
    (("writer.close()", "print(writer.get_logdir())"), "FileWriter.get_logdir"),
    ((SUMMARIES, 'merged = tf.summary.merge_all()\n'), "empty collection"),
    ((SUMMARIES, 'loss_summary = tf.summary.scalar("loss", loss)\nmerged = tf.summary.merge([loss_summary])\n'
      'print(loss_summary)\n'), "used other than by a run or a merge"),
])
def test_unprovable_summary_code_falls_back_with_its_reason(change, reason) -> None:
    old, new = change
    source = GRAPH + SUMMARIES + RUN
    assert old in source
    text, findings = migrate(source.replace(old, new, 1))
    messages = declined(findings)
    assert len(messages) == 1 and "kept on tf.compat.v1" in messages[0], messages
    assert reason in messages[0], messages
    assert "import tensorflow.compat.v1 as tf" in text


def test_summaries_run_one_by_one_and_graph_only_writers() -> None:
    """The TF1 tutorial shape: each summary op run alone, its result written."""
    text, findings = migrate(GRAPH + textwrap.dedent("""\
        loss_summary = tf.summary.scalar("loss", loss)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            tf.summary.FileWriter("graphs", sess.graph)
            writer = tf.summary.FileWriter("logs", sess.graph)
            for step in range(3):
                sess.run(train_op, feed_dict={x: np.ones((4, 2)), y: np.ones((4, 1))})
                summary = sess.run(loss_summary, feed_dict={x: np.ones((4, 2)), y: np.ones((4, 1))})
                writer.add_summary(summary, step)
        """))
    assert not declined(findings)
    assert 'tf.summary.create_file_writer("graphs")\nwriter = tf.summary.create_file_writer("logs")\n' in text
    assert 'loss_summary = {"loss": loss}\n    return loss_summary' in text
    assert "    summary = tf.nest.map_structure(lambda value: value.numpy(), compute_loss_summary(" in text


def test_merge_all_after_helpers_of_other_modules_says_what_it_cannot_see() -> None:
    source = (GRAPH + SUMMARIES + RUN).replace(
        "import tensorflow as tf\n", "import tensorflow as tf\nfrom layers import scale\n", 1
    ).replace("pred = tf.matmul(x, W) + b\n", "pred = scale(tf.matmul(x, W)) + b\n")
    text, findings = migrate(source)
    assert not declined(findings)
    assert any("`scale()` from another module may create summaries too" in f.message for f in findings)


HELPER = """\
import numpy as np
import tensorflow as tf


def weight_variable(shape):
    return tf.Variable(tf.truncated_normal(shape, stddev=0.1), name="W")


def fc_layer(x, num_units, name):
    with tf.name_scope(name):
        W = weight_variable([int(x.shape[1]), num_units])
        tf.summary.histogram("weight", W)
        b = tf.Variable(tf.zeros([num_units]), name="b")
        tf.summary.histogram("bias", b)
        return tf.matmul(x, W) + b


x = tf.placeholder(tf.float32, [None, 2])
y = tf.placeholder(tf.float32, [None, 1])
h = fc_layer(x, 3, "hidden")
pred = fc_layer(h, 1, "out")
loss = tf.reduce_mean(tf.square(pred - y))
train_op = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
tf.summary.scalar("loss", loss)
merged = tf.summary.merge_all()
"""


def test_summaries_of_a_helpers_own_variables_are_read_from_each_instance() -> None:
    """``fc_layer`` summarising its W and b: one histogram per call, tagged in the call's
    scope, of the variables of the instance G101 makes for that call."""
    text, findings = migrate(HELPER + RUN)
    assert not declined(findings), declined(findings)
    assert ('merged = {"hidden/weight": tf.identity(h_layer.W), "hidden/bias": tf.identity(h_layer.b), '
            '"out/weight": tf.identity(pred_layer.W), "out/bias": tf.identity(pred_layer.b), "loss": loss}') in text
    assert 'tf.summary.histogram("out/bias", values["out/bias"])' in text
    assert 'tf.summary.histogram("weight", W)' not in text and "class FcLayer(tf.Module):" in text


@pytest.mark.parametrize("change, reason", [
    (('pred = fc_layer(h, 1, "out")\n', 'for _ in range(1):\n    h = fc_layer(h, 3, "again")\npred = fc_layer(h, 1, "out")\n'),
     "`fc_layer()` writes summaries of its variables and is called other than by `name = ...` at the graph's level"),
    (('tf.summary.histogram("bias", b)', 'tf.summary.histogram("bias", b + 1.0)'),
     "inside `fc_layer()`, a function the graph calls"),
])
def test_helper_summaries_that_cannot_be_placed_fall_back(change, reason) -> None:
    old, new = change
    assert old in HELPER
    text, findings = migrate(HELPER.replace(old, new) + RUN)
    messages = declined(findings)
    assert len(messages) == 1 and reason in messages[0], messages
    assert "import tensorflow.compat.v1 as tf" in text


def test_summaries_of_a_model_class_graph() -> None:
    text, findings = migrate(textwrap.dedent("""\
        import numpy as np
        import tensorflow as tf

        class Model(object):
            def __init__(self):
                self.x = tf.placeholder(tf.float32, [None, 2])
                self.w = tf.Variable(tf.ones([2, 1]))
                self.loss = tf.reduce_mean(tf.matmul(self.x, self.w))
                with tf.name_scope("summaries"):
                    tf.summary.scalar("loss", self.loss)
                self.merged = tf.summary.merge_all()

        model = Model()
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            writer = tf.summary.FileWriter("logs")
            for step in range(2):
                loss, summary = sess.run([model.loss, model.merged], feed_dict={model.x: np.ones((3, 2))})
                writer.add_summary(summary, step)
                print(loss)
        """))
    assert not declined(findings)
    assert '        merged = {"summaries/loss": loss}\n' in text
    assert textwrap.dedent("""\
        def write_merged(writer, values, step):
            with writer.as_default(step=step):
                tf.summary.scalar("summaries/loss", values["summaries/loss"])


        for step in range(2):
        """) in text
    assert "    write_merged(writer, summary, tf.constant(step, tf.int64))\n" in text


# -- TF1's tags -----------------------------------------------------------------------------
def _tags(source: str) -> dict[str, tuple[str, bool]]:
    """{summary name argument: (TF1 tag, certain)} of the summaries ``source`` creates."""
    import libcst as cst

    from codemods.analysis.graph import calls_in, tf1_symbol
    from codemods.analysis.names import ImportResolver
    from codemods.graph.g101_session_to_function.op_names import OpNames

    module = cst.parse_module(textwrap.dedent(source))
    resolver = ImportResolver(module)
    names = OpNames(lambda e: tf1_symbol(resolver.qualified_name(e)),
                    {s.name.value: s for s in module.body if isinstance(s, cst.FunctionDef)})
    names.replay(module.body)
    found = {}
    for call in calls_in(module):
        tag = names.tags.get(id(call))
        if tag is not None:
            found[call.args[0].value.evaluated_value] = (tag.text, tag.certain)
    return found


def test_tags_follow_tf1_unique_names() -> None:
    # As TF 1.15 names them (the op names printed there): the summaries of the classic `variable_summaries` helper body
    # get `_1` after the ops and scope of the same names; a scope entered again is `_1`.
    assert _tags("""\
        import tensorflow as tf
        x = tf.placeholder(tf.float32, [None, 4])
        var = tf.Variable(tf.zeros([4]))
        with tf.name_scope("summaries"):
            mean = tf.reduce_mean(var)
            tf.summary.scalar("mean", mean)
            with tf.name_scope("stddev"):
                stddev = tf.sqrt(tf.reduce_mean(tf.square(var - mean)))
            tf.summary.scalar("stddev", stddev)
            tf.summary.scalar("max", tf.reduce_max(var))
            tf.summary.histogram("histogram", var)
        with tf.name_scope("summaries"):
            tf.summary.scalar("again", mean)
        loss = tf.add(tf.reduce_sum(x * var), 1.0, name="Loss")
        tf.summary.scalar("loss", loss)
        train = tf.train.AdamOptimizer(0.1).minimize(loss)
        tf.summary.scalar("adam", loss)
        tf.summary.scalar("gradients", loss)
        tf.summary.scalar("add", loss + 1.0)
        """) == {
        "mean": ("summaries/mean_1", True), "stddev": ("summaries/stddev_1", True), "max": ("summaries/max_1", True),
        "histogram": ("summaries/histogram", True), "again": ("summaries_1/again", True), "loss": ("loss_1", True),
        "adam": ("adam_1", True), "gradients": ("gradients_1", True), "add": ("add_1", True),
    }


def test_tags_that_cannot_be_told_say_so() -> None:
    tags = _tags("""\
        import tensorflow as tf
        x = tf.placeholder(tf.float32, [None, 4])
        acc = tf.metrics.accuracy(x, x)
        tf.summary.scalar("accuracy", acc[0])
        def layer(t, name):
            with tf.name_scope(name):
                return tf.nn.relu(t)
        h = layer(x, "hidden")
        tf.summary.histogram("hidden", h)
        for i in range(2):
            x = x + 1.0
        tf.summary.scalar("loop", tf.reduce_sum(x))
        """)
    # tf.metrics.accuracy's scope name is guessed from its name; a loop built ops.
    assert tags == {"accuracy": ("accuracy_1", False), "hidden": ("hidden_1", True), "loop": ("loop", False)}


# -- the event files ------------------------------------------------------------------------
def _events(log_dir: Path) -> dict[tuple[str, str], dict]:
    """{(run, tag): {step: value}} from every event file under ``log_dir``: a float for a
    scalar, (count, min, max) for a histogram, [(height, width), ...] for images (under
    their summary's name: TF1 tagged each image `name/image/<i>`), whichever TF version
    wrote it."""
    import numpy as np
    import tensorflow as tf

    found: dict[tuple[str, str], dict] = {}
    for path in sorted(log_dir.rglob("events.out.tfevents.*")):
        run = str(path.parent.relative_to(log_dir))
        for event in tf.compat.v1.train.summary_iterator(str(path)):
            for value in event.summary.value:
                kind = value.WhichOneof("value")
                tag = value.tag
                if kind == "simple_value":
                    item = value.simple_value
                elif kind == "histo":
                    item = (value.histo.num, value.histo.min, value.histo.max)
                elif kind == "image":
                    tag = tag.rsplit("/image", 1)[0]
                    found.setdefault((run, tag), {}).setdefault(event.step, []).append(
                        (value.image.height, value.image.width))
                    continue
                elif value.metadata.plugin_data.plugin_name == "histograms":
                    buckets = tf.make_ndarray(value.tensor)
                    item = (buckets[:, 2].sum(), buckets[0, 0], buckets[-1, 1])
                elif value.metadata.plugin_data.plugin_name == "images":
                    width, height, *images = tf.make_ndarray(value.tensor)
                    item = [(int(height), int(width))] * len(images)
                else:
                    item = float(np.asarray(tf.make_ndarray(value.tensor)))
                steps = found.setdefault((run, tag), {})
                assert event.step not in steps, f"{tag} written twice at step {event.step}"
                steps[event.step] = item
    return found


def _run(script: Path, runtime, workdir: Path) -> None:
    from migrator.verify.core import run_program

    done = run_program(script, runtime, workdir=workdir)
    assert done.ok, done.failure()


RACY = {("tensorflow_logs/example", "softmax_weights"), ("summaries/train", "layer1_weights"),
        ("logs/regression/train", "weights_1"), ("logs/embedding", "W1_1")}


# Random initial weights: only what is written is compared (tags, steps, how many
# values), not the values.
RANDOM = {"helpers_histogram_summaries", "helpers_conv_summaries_flatten_scope"}


@pytest.mark.parametrize("name", ["tensorboard_merged_summaries", "tensorboard_train_test_writers",
                                  "flags_summaries_regression", "app_run_summaries_one_by_one",
                                  "tensorboard_reset_graph_projector", *sorted(RANDOM)])
def test_event_files_match(name: str, tmp_path: Path) -> None:
    from migrator.verify import runtimes

    try:
        legacy = runtimes.require_legacy_runtime()
    except runtimes.LegacyEnvError as exc:
        pytest.fail(str(exc), pytrace=False)
    before_dir, after_dir = tmp_path / "before", tmp_path / "after"
    before_dir.mkdir()
    after_dir.mkdir()
    _run(FIXTURES / name / "before.py", legacy, before_dir)
    _run(FIXTURES / name / "after.py", runtimes.modern_runtime(), after_dir)
    before, after = _events(before_dir), _events(after_dir)
    assert before and sorted(before) == sorted(after)
    for key, steps in before.items():
        assert sorted(steps) == sorted(after[key]), key
        for step, value in steps.items():
            other = after[key][step]
            if name in RANDOM:
                assert type(other) is type(value) and (not isinstance(value, tuple) or other[0] == value[0]), (key, step)
            elif isinstance(value, list):  # images: as many, of the same size
                assert other == value, (key, step)
            elif isinstance(value, tuple):  # histogram: same values counted, same range
                assert other[0] == pytest.approx(value[0]), (key, step)
                # A variable's histogram fetched with its training op: TF1 reads the ref
                # variable while the update writes it in place (before, after or torn
                # between), TF2 reads it before the update: TF1's range is within one update
                # of TF2's (the next step's value is TF2's after the update).
                if key not in RACY:
                    assert other[1:] == pytest.approx(value[1:], rel=1e-4, abs=1e-5), (key, step)
                elif step + 1 in after[key]:
                    for now, later, seen in zip(other[1:], after[key][step + 1][1:], value[1:]):
                        slack = abs(later - now) + 1e-5
                        assert min(now, later) - slack <= seen <= max(now, later) + slack, (key, step)
            else:
                assert other == pytest.approx(value, rel=1e-4, abs=1e-6), (key, step)


GRADIENT_LOOP = """\
optimizer = tf.train.GradientDescentOptimizer(0.1)
grads_and_vars = optimizer.compute_gradients(loss)
step_op = optimizer.apply_gradients(grads_and_vars)
grad_summaries = []
for g, v in grads_and_vars:
    if g is not None:
        grad_hist_summary = tf.summary.histogram("{}/grad/hist".format(v.name), g)
        sparsity_summary = tf.summary.scalar("{}/grad/sparsity".format(v.name), tf.nn.zero_fraction(g))
        grad_summaries.append(grad_hist_summary)
        grad_summaries.append(sparsity_summary)
grad_summaries_merged = tf.summary.merge(grad_summaries)
loss_summary = tf.summary.scalar("loss", loss)
train_summary_op = tf.summary.merge([loss_summary, grad_summaries_merged])
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    writer = tf.summary.FileWriter("logs", sess.graph)
    for step in range(3):
        _, summary = sess.run([step_op, train_summary_op], feed_dict={x: np.ones((4, 2)), y: np.ones((4, 1))})
        writer.add_summary(summary, step)
"""


def test_gradient_summaries_made_in_a_loop_into_a_merged_list() -> None:
    """The cnn-text-classification pattern: one histogram and one sparsity scalar per
    gradient, tagged by the variable's name, listed and merged. The loop moves into the
    step as a dict by kind and TF1 tag (`W:0` -> `W_0`); the write function writes each."""
    text, findings = migrate(GRAPH.split("train_op")[0] + GRADIENT_LOOP)
    assert not declined(findings)
    assert 'grad_summaries = {"histogram": {}, "scalar": {}}' in text
    assert ('grad_summaries["histogram"]["{}/grad/hist".format(v.name.replace(":", "_"))] = tf.convert_to_tensor(g)'
            in text)
    assert 'grad_summaries["scalar"]["{}/grad/sparsity".format(v.name.replace(":", "_"))] = tf.nn.zero_fraction(g)' in text
    assert "append" not in text
    assert 'grad_summaries_merged = {"<grad_summaries>": grad_summaries}' in text
    assert "train_summary_op = {**loss_summary, **grad_summaries_merged}" in text
    assert 'for tag, value in values["<grad_summaries>"]["histogram"].items():' in text
    assert any("made in a loop into `grad_summaries`" in f.message for f in findings)


@pytest.mark.parametrize(("change", "reason"), [
    (('"{}/grad/hist".format(v.name)', '"grad/hist"'), "whose name is not"),
    (("for g, v in grads_and_vars:", "for g, v in zip([W, b], [W, b]):"), "compute_gradients' pairs"),
    (("        grad_summaries.append(sparsity_summary)\n", ""), "not appended"),
    (("grad_summaries_merged = tf.summary.merge(grad_summaries)",
      "grad_summaries_merged = tf.summary.merge(grad_summaries)\nprint(grad_summaries)"), "used other than by a merge"),
])
def test_gradient_summary_loops_that_cannot_be_proven_fall_back(change, reason) -> None:
    _, findings = migrate(GRAPH.split("train_op")[0] + GRADIENT_LOOP.replace(*change))
    assert any(reason in message for message in declined(findings)), declined(findings)


WRITER_PARAMETER = GRAPH + """\
loss_summary = tf.summary.scalar("loss", loss)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    dev_writer = tf.summary.FileWriter("logs/dev")

    def dev_step(x_batch, y_batch, step, writer=None):
        summaries, l = sess.run([loss_summary, loss], feed_dict={x: x_batch, y: y_batch})
        print("dev loss", l)
        if writer:
            writer.add_summary(summaries, step)

    for step in range(3):
        sess.run(train_op, feed_dict={x: np.ones((4, 2)), y: np.ones((4, 1))})
        dev_step(np.ones((2, 2)), np.zeros((2, 1)), step, writer=dev_writer)
    dev_step(np.ones((2, 2)), np.zeros((2, 1)), 3)
"""


def test_a_writer_passed_to_a_function_of_the_graph_block_writes_there() -> None:
    """``dev_step(x, y, writer=dev_summary_writer)`` (cnn-text-classification): the
    parameter is a writer, tested by ``if writer:`` (a TF2 writer is true, None false)."""
    text, findings = migrate(WRITER_PARAMETER)
    assert not declined(findings)
    assert "    if writer:\n        write_loss_summary(writer, summaries, tf.constant(step, tf.int64))" in text
    assert "dev_step(np.ones((2, 2)), np.zeros((2, 1)), step, writer=dev_writer)" in text


@pytest.mark.parametrize(("change", "reason"), [
    (("        if writer:\n", "        print(writer)\n        if writer:\n"), "used other than by add_summary"),
    (("writer=None", "writer=1"), "passed to `dev_step` other than to a parameter"),
])
def test_a_writer_parameter_used_otherwise_falls_back(change, reason) -> None:
    _, findings = migrate(WRITER_PARAMETER.replace(*change))
    assert any(reason in message for message in declined(findings)), declined(findings)


TWO_GRAPHS = """\
import numpy as np
import tensorflow as tf

x_scalar = tf.Variable(1.5, name="x_scalar")
scalar_summary = tf.summary.scalar("My_scalar_summary", x_scalar)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    writer = tf.summary.FileWriter("./graphs", sess.graph)
    for step in range(3):
        sess.run(x_scalar.assign_add(1.0))
        summary = sess.run(scalar_summary)
        writer.add_summary(summary, step)

tf.reset_default_graph()
x_scalar = tf.Variable(0.5, name="x_scalar")
x_matrix = tf.Variable(tf.ones([3, 4]), name="x_matrix")
scalar_summary = tf.summary.scalar("My_scalar_summary", x_scalar)
histogram_summary = tf.summary.histogram("My_histogram_summary", x_matrix)
merged = tf.summary.merge_all()
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    writer = tf.summary.FileWriter("./graphs", sess.graph)
    for step in range(3):
        summary = sess.run(merged)
        writer.add_summary(summary, step)
"""


def test_summary_names_bound_again_after_reset_default_graph_are_each_graphs_own() -> None:
    """easy-tensorflow's Introduction to TensorBoard: each cell resets the graph and binds
    `scalar_summary`, `summary` and `writer` again; merge_all() collects its own graph's."""
    text, findings = migrate(TWO_GRAPHS)
    assert not declined(findings), declined(findings)
    assert 'scalar_summary = {"My_scalar_summary": tf.identity(x_scalar)}' in text
    assert ('merged = {"My_scalar_summary": tf.identity(x_scalar), '
            '"My_histogram_summary": tf.identity(x_matrix)}') in text
    assert "def write_scalar_summary(writer, values, step):" in text
    assert "def write_merged(writer, values, step):" in text
    assert "write_scalar_summary(writer, summary, tf.constant(step, tf.int64))" in text
    assert "write_merged(writer, summary, tf.constant(step, tf.int64))" in text


@pytest.mark.parametrize(("change", "reason"), [
    # Twice in one graph: which one a run means is not told by the graph.
    (("tf.reset_default_graph()\n", ""), "names more than one summary op or merge"),
    # A summary of the first graph merged in the second (TF1 failed: another graph's op).
    (('scalar_summary = tf.summary.scalar("My_scalar_summary", x_scalar)\nhistogram_summary',
      'histogram_summary'), ""),
])
def test_summary_names_of_one_graph_bound_twice_fall_back(change, reason) -> None:
    source = TWO_GRAPHS.replace(*change)
    if not reason:
        source = source.replace("merged = tf.summary.merge_all()", "merged = tf.summary.merge([histogram_summary, scalar_summary])")
        reason = "merge() of `scalar_summary`, a summary of the graph before reset_default_graph()"
    assert source != TWO_GRAPHS
    _, findings = migrate(source)
    assert any(reason in message for message in declined(findings)), declined(findings)


PROJECTOR = GRAPH + SUMMARIES + """\
from tensorflow.contrib.tensorboard.plugins import projector
log_dir = "logs/projector"
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    writer = tf.summary.FileWriter(log_dir, sess.graph)
    for step in range(3):
        _, summary = sess.run([train_op, merged], feed_dict={x: np.ones((4, 2)), y: np.ones((4, 1))})
        writer.add_summary(summary, step)
    np.savetxt(log_dir + "/weights.tsv", sess.run(W), delimiter="\\t")
    config = projector.ProjectorConfig()
    embedding = config.embeddings.add()
    embedding.tensor_path = "weights.tsv"
    projector.visualize_embeddings(writer, config)
    writer.close()
"""


def test_projector_config_is_written_into_the_writers_log_directory() -> None:
    """TF1's visualize_embeddings(writer, config) wrote projector_config.pbtxt into the
    writer's log directory; TensorBoard's (TF 2) takes the directory itself."""
    text, findings = migrate(PROJECTOR)
    assert not declined(findings), declined(findings)
    assert "    projector.visualize_embeddings(log_dir, config)\n" not in text  # flattened
    assert "\nprojector.visualize_embeddings(log_dir, config)\n" in text
    assert 'writer = tf.summary.create_file_writer(log_dir)' in text
    assert any("visualize_embeddings given the writer's log directory `log_dir`" in f.message for f in findings)


@pytest.mark.parametrize(("change", "reason"), [
    # The directory's name is bound again: it may not be the writer's any more.
    (('    config = projector.ProjectorConfig()\n',
      '    log_dir = "elsewhere"\n    config = projector.ProjectorConfig()\n'), "may name another directory"),
    (("    writer = tf.summary.FileWriter(log_dir, sess.graph)\n",
      '    writer = tf.summary.FileWriter(log_dir, sess.graph)\n    writer = tf.summary.FileWriter("b")\n'),
     "bound more than once"),
    # The projector finds a checkpointed variable by its TF1 name, which Checkpoint does not keep.
    (('    embedding.tensor_path = "weights.tsv"\n',
      '    embedding.tensor_name = W.name\n    tf.train.Saver().save(sess, log_dir + "/model.ckpt")\n'),
     "TF2's tf.train.Checkpoint keys by object path"),
])
def test_projector_writes_that_cannot_be_placed_fall_back(change, reason) -> None:
    source = PROJECTOR.replace(*change)
    assert source != PROJECTOR
    _, findings = migrate(source)
    assert any(reason in message for message in declined(findings)), declined(findings)
