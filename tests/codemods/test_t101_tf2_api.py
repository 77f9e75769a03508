"""T101 beyond its examples."""

from __future__ import annotations

import ast
import textwrap

import pytest

from codemods.analysis.evidence import project_pins
from codemods.api.t101_tf2_api import TF2Api
from migrator.engine import migrate_source


def migrate(source: str) -> tuple[str, list]:
    result = migrate_source(textwrap.dedent(source).encode(), "t.py", [TF2Api])
    text = result.new_bytes.decode()
    ast.parse(text)
    assert migrate_source(result.new_bytes, "t.py", [TF2Api]).new_bytes == result.new_bytes, "not idempotent"
    return text, result.findings


def test_names_without_native_form_go_to_compat_v1_and_are_reported() -> None:
    text, findings = migrate("import tensorflow as tf\nx = tf.placeholder(tf.float32)\n")
    assert "x = tf.compat.v1.placeholder(tf.float32)" in text
    assert findings[0].kind == "declined" and "tf.placeholder" in findings[0].message
    assert "no placeholders" in findings[0].message
    assert (findings[0].line, findings[0].col) == (2, 4)


def test_keyword_renames_and_moved_positional_arguments() -> None:
    text, _ = migrate(
        """\
        import tensorflow as tf
        x = tf.placeholder(tf.float32)
        a = tf.argmax(x, 1)
        b = tf.nn.softmax(x, dim=-1)
        c = tf.gradients(y, x, colocate_gradients_with_ops=True)
        d = tf.random_poisson([1.5], [3], seed=1)
        e = tf.nn.conv2d(x, k, [1, 1, 1, 1], "SAME", True)
        f = tf.nn.max_pool(x, [1, 2, 2, 1], [1, 2, 2, 1], "VALID")
        """
    )
    assert "a = tf.argmax(x, 1)\n" in text
    assert "b = tf.nn.softmax(x, axis=-1)\n" in text
    assert "c = tf.gradients(y, x)\n" in text
    assert "d = tf.random.poisson(lam=[1.5], shape=[3], seed=1)\n" in text
    # use_cudnn_on_gpu (5th) is dropped: nothing after it may stay positional
    assert 'e = tf.nn.conv2d(x, k, [1, 1, 1, 1], "SAME")\n' in text
    assert 'f = tf.nn.max_pool2d(x, [1, 2, 2, 1], [1, 2, 2, 1], "VALID")\n' in text


def test_an_argument_tf2_dropped_keeps_the_call_on_compat_v1() -> None:
    text, findings = migrate(
        """\
        import tensorflow as tf
        tf.assert_equal(x, y, [x, y], message="x != y")
        tf.assert_equal(x, y, message="x != y")
        z = tf.zeros_like(x, optimize=True)
        w = tf.zeros_like(x, optimize=flag)
        with tf.name_scope(None, "block", [x]):
            pass
        with tf.name_scope("block"):
            pass
        with tf.device(spec):
            files = tf.gfile.Glob(pattern)
        """
    )
    assert 'tf.compat.v1.assert_equal(x, y, [x, y], message="x != y")' in text
    assert 'tf.debugging.assert_equal(x, y, message="x != y")' in text
    assert "z = tf.zeros_like(x)\n" in text
    assert "w = tf.compat.v1.zeros_like(x, optimize=flag)" in text
    assert 'with tf.compat.v1.name_scope(None, default_name="block", values=[x]):' not in text
    assert 'with tf.compat.v1.name_scope(None, "block", [x]):' in text
    assert 'with tf.name_scope("block"):' in text
    # a parameter renamed in place (device_name_or_function -> device_name) stays positional
    assert "with tf.device(spec):\n    files = tf.io.gfile.glob(pattern)\n" in text
    messages = [f.message for f in findings]
    assert any("`data`" in m and "tf.assert_equal" in m for m in messages)
    assert any("optimize=flag" in m for m in messages)
    assert any("default_name" in m for m in messages)


def test_casts_dropout_and_labels() -> None:
    text, _ = migrate(
        """\
        import tensorflow as tf
        a = tf.to_int32(x)
        a2 = tf.to_float(x, name="f")
        b = tf.nn.dropout(h, keep_prob=p + 0.1)
        b2 = tf.nn.dropout(h, 0.5, [1, 4])
        c = tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=z)
        d = tf.nn.softmax_cross_entropy_with_logits(labels=[[0.0, 1.0]], logits=z)
        f = map(tf.to_float, xs)
        """
    )
    assert "a = tf.cast(x, tf.int32)" in text
    assert 'a2 = tf.cast(x, tf.float32, name="f")' in text
    assert "b = tf.nn.dropout(h, rate=1 - (p + 0.1))" in text
    assert "b2 = tf.nn.dropout(h, rate=1 - 0.5, noise_shape=[1, 4])" in text
    assert "labels=tf.stop_gradient(y), logits=z" in text
    assert "labels=[[0.0, 1.0]], logits=z" in text
    assert "f = map(tf.compat.v1.to_float, xs)" in text


def test_calls_whose_native_form_depends_on_the_arguments() -> None:
    text, findings = migrate(
        """\
        import tensorflow as tf
        tf.assign(v, v + 1)
        op = tf.assign_add(a + b, 1.0, name="inc")
        i = tf.where(mask)
        s = tf.where(mask, x, y)
        h = tf.nn.xw_plus_b(x, w, b)
        r = tf.nn.relu_layer(x, w, b, name="r")
        g = tf.batch_gather(params, idx)
        t = tf.py_func(fn, [x], tf.float32)
        """
    )
    assert "v.assign(v + 1)\n" in text
    assert 'op = (a + b).assign_add(1.0, name="inc")' in text
    assert "i = tf.where(mask)\n" in text
    assert "s = tf.compat.v1.where(mask, x, y)" in text
    assert "h = tf.nn.bias_add(tf.matmul(x, w), b)" in text
    assert 'r = tf.nn.relu(tf.nn.bias_add(tf.matmul(x, w), b), name="r")' in text
    assert "g = tf.gather(params, idx, batch_dims=-1)" in text
    assert "t = tf.numpy_function(fn, [x], tf.float32)" in text
    assert [f.message.split("`")[1] for f in findings] == ["tf.where"]


def test_initializers_become_tf2s_class_where_it_draws_the_same_numbers() -> None:
    text, findings = migrate(
        """\
        import tensorflow as tf
        a = tf.random_normal_initializer()
        b = tf.random_normal_initializer(0.0, 0.02, None)
        c = tf.random_uniform_initializer(maxval=0.5)
        d = tf.zeros_initializer()
        e = tf.ones_initializer()
        f = tf.constant_initializer(-0.1)
        g = tf.random_normal_initializer(stddev=0.1, seed=3)
        h = tf.zeros_initializer(tf.int32)
        i = tf.constant_initializer(3)
        j = tf.random_uniform_initializer(*bounds)
        k = tf.get_variable("k", [2], initializer=tf.ones_initializer)
        """
    )
    assert "a = tf.random_normal_initializer(stddev=1.0)\n" in text  # TF 2's default stddev is 0.05
    assert "b = tf.random_normal_initializer(0.0, 0.02, None)\n" in text
    assert "c = tf.random_uniform_initializer(maxval=0.5, minval=0)\n" in text  # TF 2's: -0.05
    assert "d = tf.zeros_initializer()\ne = tf.ones_initializer()\nf = tf.constant_initializer(-0.1)\n" in text
    assert "g = tf.compat.v1.random_normal_initializer(stddev=0.1, seed=3)" in text
    assert "h = tf.compat.v1.zeros_initializer(tf.int32)" in text
    assert "i = tf.compat.v1.constant_initializer(3)" in text
    assert "j = tf.compat.v1.random_uniform_initializer(*bounds)" in text
    assert "initializer=tf.compat.v1.ones_initializer)" in text  # the class, not a call: TF 1's
    reasons = {f.message.split("`")[1] + f"@{f.line}": f.message for f in findings}
    assert "stateless op when seeded" in reasons["tf.random_normal_initializer@8"]
    assert "dtype when called" in reasons["tf.zeros_initializer@9"]
    assert "float32" in reasons["tf.constant_initializer@10"]
    assert "could not be matched" in reasons["tf.random_uniform_initializer@11"]
    assert "another class" in reasons["tf.ones_initializer@12"]


def test_fast_gfile_is_gfile() -> None:
    text, findings = migrate(
        "import tensorflow as tf\nwith tf.gfile.FastGFile(path, mode='rb') as f:\n    data = f.read()\n"
    )
    assert "with tf.io.gfile.GFile(path, mode='rb') as f:" in text and findings == []


@pytest.mark.parametrize(("line", "advice"), [
    ("graph_def = tf.GraphDef()", "tf.compat.v1.wrap_function"),
    ("out, state = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)", "tf.keras.layers.RNN(cell, return_sequences=True"),
    ("ws = tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES, scope='target')", "keep the variables"),
    ("ws = tf.trainable_variables()", "keep the variables"),
    ("s = tf.Summary(value=[tf.Summary.Value(tag='loss', simple_value=l)])", "tf.summary.scalar(tag, value, step=step)"),
    ("init = tf.variables_initializer(ws)", "initializes variables when they are created"),
    ("sess = tf.get_default_session()", "call the computation"),
    ("info = tf.saved_model.utils.build_tensor_info(x)", "tf.saved_model.save"),
    ("w = tf.truncated_normal_initializer(stddev=0.01)", "tf.random.truncated_normal(shape, mean, stddev)"),
    ("opt = tf.train.AdamOptimizer(0.01)", "tf.keras.optimizers.Adam(learning_rate, epsilon=1e-08)"),
    ("acc, update = tf.metrics.accuracy(y, p)", "update_state"),
    ("ok = tf.train.checkpoint_exists(prefix)", "tf.train.latest_checkpoint"),
])
def test_names_without_a_native_form_say_what_to_write_instead(line: str, advice: str) -> None:
    _, findings = migrate("import tensorflow as tf\n" + line + "\n")
    messages = [f.message for f in findings]
    assert messages and all("no native equivalent" not in m for m in messages)
    assert advice in messages[0], messages


def test_single_loop_variable_while_loop_keeps_returning_a_tensor() -> None:
    text, _ = migrate("import tensorflow as tf\nx = tf.to_float(1)\nr = tf.while_loop(c, b, [i])\n")
    assert "r = tf.while_loop(c, b, [i])[0]" in text


def test_code_already_on_tf2_keeps_its_positional_arguments() -> None:
    source = "import tensorflow as tf\ny = tf.nn.dropout(tf.random.normal([2]), 0.5)\nk = tf.nn.in_top_k(t, p, 1)\n"
    text, _ = migrate(source)
    assert text == source


def test_keras_names_are_left_to_the_keras_rules() -> None:
    source = "import tensorflow as tf\nopt = tf.keras.optimizers.Adam(0.1)\n"
    text, findings = migrate(source)
    assert text == source and findings == []


def test_names_resolve_through_aliases_and_from_imports() -> None:
    text, findings = migrate(
        """\
        import tensorflow as tensorflow
        from tensorflow import nn, log, placeholder as ph, matmul
        from tensorflow.nn import softmax_cross_entropy_with_logits_v2 as xent

        def f(x, tf):
            tf.log(x)  # a parameter named tf is not TensorFlow
            return nn.softmax(log(x), dim=1), tensorflow.random_uniform([2]), xent(labels=x, logits=x)
        """
    )
    assert "from tensorflow import nn, matmul\nfrom tensorflow.math import log\n" in text
    assert "from tensorflow.compat.v1 import placeholder as ph\n" in text
    assert "from tensorflow.nn import softmax_cross_entropy_with_logits as xent\n" in text
    assert "tf.log(x)  # a parameter" in text
    assert "nn.softmax(log(x), axis=1), tensorflow.random.uniform([2])" in text
    assert [f.kind for f in findings] == ["declined"]


def test_a_rename_outside_the_imported_module_adds_a_tensorflow_import() -> None:
    text, _ = migrate("from tensorflow import nn\ny = nn.softmax_cross_entropy_with_logits_v2(labels=a, logits=b)\n"
                      "z = nn.xw_plus_b(a, w, b)\n")
    assert text == (
        "from tensorflow import nn\nimport tensorflow as tf\n"
        "y = nn.softmax_cross_entropy_with_logits(labels=a, logits=b)\n"
        "z = nn.bias_add(tf.matmul(a, w), b)\n"
    )


def test_compat_v1_modules_left_by_tf_upgrade_v2_import_tensorflow_plainly() -> None:
    text, findings = migrate(
        """\
        import tensorflow.compat.v1 as tf
        from tensorflow.compat.v1 import nn

        def layer(x):
            w = tf.get_variable("w", [3, 3])
            return nn.relu(tf.log(tf.matmul(x, w)))
        """
    )
    assert text.startswith("import tensorflow as tf\nfrom tensorflow import nn\n")
    assert 'w = tf.compat.v1.get_variable("w", [3, 3])' in text
    assert "return nn.relu(tf.math.log(tf.matmul(x, w)))" in text
    assert [f.kind for f in findings] == ["declined"]


def test_explicit_compat_v1_names_in_tf2_modules_are_left_alone() -> None:
    source = "import tensorflow as tf\nx = tf.compat.v1.placeholder(tf.float32)\ny = tf.math.log(2.0)\n"
    text, findings = migrate(source)
    assert text == source and findings == []


def test_removed_names_are_reported_not_changed() -> None:
    source = "import tensorflow as tf\np = tf.tpu.experimental.AdamParameters(0.1)\n"
    text, findings = migrate(source)
    assert text == source
    assert findings and "removed from TF 2" in findings[0].message


def test_contrib_layers_and_rnn_cells_are_left_to_g103() -> None:
    """G103 gives them their TF 2.21 home (or says why there is none)."""
    source = "import tensorflow as tf\ncell = tf.contrib.rnn.LSTMCell(4)\nh = tf.layers.dense(x, 3)\nc = tf.nn.rnn_cell.GRUCell(2)\n"
    text, findings = migrate(source)
    assert text == source and findings == []


def test_semantic_differences_stay_on_compat_with_the_reason() -> None:
    text, findings = migrate("import tensorflow as tf\ny = tf.image.resize_images(x, [3, 3])\nq = tf.div(a, b)\n")
    assert "y = tf.compat.v1.image.resize_images(x, [3, 3])" in text and "q = tf.compat.v1.div(a, b)" in text
    assert "half-pixel" in findings[0].message and "floors integer division" in findings[1].message


def test_graph_fallback_modules_are_not_touched() -> None:
    import libcst as cst
    from libcst.codemod import CodemodContext

    from codemods.analysis.graph_outcome import record_graph_outcome

    source = "import tensorflow.compat.v1 as tf\ntf.disable_v2_behavior()\nx = tf.log(tf.placeholder(tf.float32))\n"
    scratch: dict = {}
    record_graph_outcome(scratch, fallback=True)
    rule = TF2Api(CodemodContext(scratch=scratch))
    module = cst.parse_module(source)
    assert rule.run(module).code == source


def test_star_arguments_keep_their_positional_neighbours() -> None:
    text, _ = migrate(
        "import tensorflow as tf\nc = tf.log(x)\n"
        "a = tf.nn.in_top_k(*pair, k=1)\nb = tf.reduce_sum(x, *rest, keep_dims=True)\n"
    )
    assert "a = tf.nn.in_top_k(*pair, k=1)\n" in text
    assert "b = tf.reduce_sum(x, *rest, keepdims=True)\n" in text


def test_estimators_are_reported_as_unable_to_run_on_tf_2_21() -> None:
    result = migrate_source(b"import tensorflow as tf\nest = tf.estimator.Estimator(model_fn=f)\n", "e.py", [TF2Api])
    assert any("tf.estimator was removed in TF 2.16" in f.message and f.kind == "declined" for f in result.findings)


# -- TF 2 code: names TF 1 and TF 2 share are TF 2's (issue 18) ----------------------------
TF2_CALLS = [
    "y = tf.where(c, 0.0, x)\n",
    "m = tf.saved_model.load(export_dir)\n",
    "loss = tf.nn.ctc_loss(labels=l, logits=g, label_length=ll, logit_length=gl)\n",
    "ok = isinstance(it, tf.data.Iterator)\n",
    "p = tf.nn.max_pool(x, 2, 2, 'VALID')\n",
    "z = tf.nn.convolution(x, k, 2, 'SAME')\n",
    "ce = tf.nn.softmax_cross_entropy_with_logits(labels=t, logits=g)\n",
    "tf.assert_greater(x, 0.0)\n",
]


@pytest.mark.parametrize("call", TF2_CALLS)
def test_tf2_calls_are_left_alone_without_tf1_evidence(call: str, tmp_path) -> None:
    source = ("import tensorflow as tf\n\n" + call).encode()
    result = migrate_source(source, str(tmp_path / "t.py"), [TF2Api])  # no project pins above
    assert result.new_bytes == source
    findings = result.findings
    assert [(f.line, f.kind) for f in findings] == [(1, "declined")] and "could not tell" in findings[0].message
    (tmp_path / "requirements.txt").write_text("tensorflow>=2.16\n")
    project_pins.cache_clear()  # read once per folder and run
    pinned = migrate_source(source, str(tmp_path / "pkg" / "t.py"), [TF2Api])
    assert pinned.new_bytes == source and "the project declares tensorflow 2.x" in pinned.findings[0].message


def test_tf2_code_is_judged_tf2_and_the_report_says_why() -> None:
    source = "import tensorflow as tf\n\n\n@tf.function\ndef f(c, x):\n" + "".join("    " + c for c in TF2_CALLS)
    text, findings = migrate(source)
    assert text == source
    assert len(findings) == 1 and "judged TF 2 code (uses `tf.function`)" in findings[0].message


@pytest.mark.parametrize("call", TF2_CALLS[:5])
def test_the_same_calls_in_tf1_code_are_converted(call: str) -> None:
    source = "import tensorflow as tf\n\nx = tf.placeholder(tf.float32)\n" + call
    text, _ = migrate(source)
    assert text != source


def test_a_tf1_keyword_is_evidence() -> None:
    text, _ = migrate("import tensorflow as tf\n\ns = tf.reduce_sum(x, keep_dims=True)\np = tf.nn.max_pool(x, 2, 2, 'VALID')\n")
    assert "keepdims=True" in text and "max_pool2d" in text


# -- scopes and imports as Python resolves them --------------------------------------------
def test_a_comprehension_variable_named_tf_is_not_tensorflow() -> None:
    source = "import tensorflow as tf\n\nx = tf.placeholder(tf.float32)\nnames = [tf.log for tf in things]\n"
    text, _ = migrate(source)
    assert "names = [tf.log for tf in things]" in text
    text, _ = migrate("import tensorflow as tf\n\nnames = [tf.log(v) for v in tf.trainable_variables()]\n")
    assert "[tf.math.log(v) for v in tf.compat.v1.trainable_variables()]" in text  # the iterable is outside


def test_a_guarded_import_keeps_its_guard_and_gains_no_import() -> None:
    source = textwrap.dedent(
        """\
        try:
            import tensorflow as tf
        except ImportError:
            tf = None


        def loss(x):
            return tf.to_float(tf.log(x))
        """
    )
    text, _ = migrate(source)
    assert text == source.replace("tf.to_float(tf.log(x))", "tf.cast(tf.math.log(x), tf.float32)")


def test_a_star_import_from_tensorflow_is_reported() -> None:
    source = "from tensorflow import *\n\nx = placeholder(float32, [None, 3])\ny = log(x)\n"
    text, findings = migrate(source)
    assert text == source
    assert [f.line for f in findings] == [1] and "`placeholder`, `log`" in findings[0].message


def test_tf1_summary_ops_stay_tf1s_and_tf2_summary_calls_stay_tf2s() -> None:
    # A model module building summaries for another module's merge_all: TF 2's namesakes
    # would write nowhere, and merge_all would return None.
    text, findings = migrate(
        """\
        import tensorflow as tf

        x = tf.placeholder(tf.float32, [None])
        tf.summary.scalar('loss', tf.reduce_mean(x))
        tf.summary.histogram('x', values=x)
        """
    )
    assert "tf.compat.v1.summary.scalar('loss', tf.reduce_mean(x))" in text
    assert "tf.compat.v1.summary.histogram('x', values=x)" in text
    assert any("merge_all" in f.message for f in findings)
    source = "import tensorflow as tf\nx = tf.placeholder(tf.float32)\ntf.summary.scalar('loss', x, step=3)\n"
    assert migrate(source)[0].endswith("tf.summary.scalar('loss', x, step=3)\n")
    # Inside a default writer's block at a step (what G101 writes), the calls are TF 2's.
    source = (
        "import tensorflow as tf\nx = tf.placeholder(tf.float32)\nwriter = tf.summary.create_file_writer('logs')\n"
        "with writer.as_default(step=3):\n    tf.summary.scalar('loss', x)\n"
    )
    assert migrate(source)[0].endswith("with writer.as_default(step=3):\n    tf.summary.scalar('loss', x)\n")


@pytest.mark.parametrize("function, converted", [
    ('def f(x, name="act"):\n    with tf.variable_scope(name):\n        return tf.nn.relu(x) + abs(x)\n', True),
    ('def f(x):\n    with tf.variable_scope("act"):\n        return tf.reshape(x, [-1, x.get_shape().as_list()[1]])\n', True),
    # A scope object, not a name: tf.name_scope does not take it.
    ('def f(x, scope):\n    with tf.variable_scope(scope):\n        return x * 2\n', False),
    ('def f(x, name="act"):\n    name = tf.get_variable_scope()\n    with tf.variable_scope(name):\n        return x * 2\n', False),
    # Calls that may create variables: a function given to it, a layer, tf.cond's branches.
    ('def f(x, fn, name="act"):\n    with tf.variable_scope(name):\n        return fn(x)\n', False),
    ('def f(x, name="act"):\n    with tf.variable_scope(name):\n        return tf.layers.dense(x, 2)\n', False),
    ('def f(x, p, name="act"):\n    with tf.variable_scope(name):\n        return tf.cond(p, g, h)\n', False),
    ('def f(x, name="act"):\n    with tf.variable_scope(name, reuse=True):\n        return x * 2\n', False),
])
def test_variable_scopes_naming_only_ops_become_name_scopes(function: str, converted: bool) -> None:
    text, findings = migrate("import tensorflow as tf\n\n" + function)
    assert ("tf.name_scope(" in text) is converted
    assert ("compat.v1.variable_scope(" in text) is not converted
