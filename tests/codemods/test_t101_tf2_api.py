"""T101 beyond its examples."""

from __future__ import annotations

import ast
import textwrap

from codemods.api.t101_tf2_api import TF2Api
from migrator.engine import migrate_source


def migrate(source: str) -> tuple[str, list]:
    result = migrate_source(textwrap.dedent(source).encode(), "t.py", [TF2Api])
    text = result.new_bytes.decode()
    ast.parse(text)
    assert migrate_source(result.new_bytes, "t.py", [TF2Api]).new_bytes == result.new_bytes
    return text, result.findings


def test_names_without_native_form_go_to_compat_v1_and_are_reported() -> None:
    text, findings = migrate("import tensorflow as tf\nx = tf.placeholder(tf.float32)\n")
    assert "x = tf.compat.v1.placeholder(tf.float32)" in text
    assert findings[0].kind == "declined" and "tf.placeholder" in findings[0].message
    assert (findings[0].line, findings[0].col) == (2, 4)


def test_keyword_renames_and_reorders() -> None:
    text, _ = migrate(
        """\
        import tensorflow as tf
        x = tf.placeholder(tf.float32)
        a = tf.argmax(x, 1)
        b = tf.nn.softmax(x, dim=-1)
        c = tf.gradients(y, x, colocate_gradients_with_ops=True)
        """
    )
    assert "tf.argmax(x, axis=1)" in text or "tf.argmax(x, 1)" in text
    assert "tf.nn.softmax(x, axis=-1)" in text
    assert "tf.gradients(y, x)\n" in text


def test_casts_dropout_and_labels() -> None:
    text, _ = migrate(
        """\
        import tensorflow as tf
        a = tf.to_int32(x)
        b = tf.nn.dropout(h, keep_prob=p + 0.1)
        c = tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=z)
        """
    )
    assert "a = tf.cast(x, tf.int32)" in text
    assert "b = tf.nn.dropout(h, rate=1 - (p + 0.1))" in text
    assert "labels=tf.stop_gradient(y), logits=z" in text


def test_flags_logging_and_app_run_move_to_absl() -> None:
    text, _ = migrate(
        """\
        import tensorflow as tf

        flags = tf.app.flags
        flags.DEFINE_integer("steps", 10, "steps")
        tf.logging.set_verbosity(tf.logging.INFO)

        def main(_):
            tf.logging.info("hello")

        if __name__ == "__main__":
            tf.app.run(main=main)
        """
    )
    assert "import absl.app\nimport absl.flags\nimport absl.logging\n" in text
    assert "flags = absl.flags" in text
    assert "absl.logging.set_verbosity(absl.logging.INFO)" in text
    assert "absl.app.run(main)" in text


def test_graph_era_calls_are_dropped_and_aliases_are_respected() -> None:
    text, findings = migrate(
        """\
        import tensorflow as tensorflow
        tensorflow.enable_eager_execution()
        x = tensorflow.random_uniform([2])
        """
    )
    assert "enable_eager_execution" not in text
    assert "x = tensorflow.random.uniform([2])" in text
    assert findings[0].kind == "converted"


def test_single_loop_variable_while_loop_keeps_returning_a_tensor() -> None:
    text, _ = migrate("import tensorflow as tf\nx = tf.to_float(1)\nr = tf.while_loop(c, b, [i])\n")
    assert "r = tf.while_loop(cond=c, body=b, loop_vars=[i])[0]" in text


def test_code_already_on_tf2_keeps_its_positional_arguments() -> None:
    source = "import tensorflow as tf\ny = tf.nn.dropout(tf.random.normal([2]), 0.5)\n"
    text, _ = migrate(source)
    assert text == source


def test_keras_names_are_left_to_the_keras_rules() -> None:
    source = "import tensorflow as tf\nopt = tf.keras.optimizers.Adam(0.1)\n"
    text, findings = migrate(source)
    assert text == source and findings == []


def test_compat_v1_modules_left_by_tf_upgrade_v2_import_tensorflow_plainly() -> None:
    text, findings = migrate(
        """\
        import tensorflow.compat.v1 as tf

        def layer(x):
            w = tf.get_variable("w", [3, 3])
            return tf.log(tf.matmul(x, w))
        """
    )
    assert text.startswith("import tensorflow as tf\n")
    assert 'w = tf.compat.v1.get_variable("w", [3, 3])' in text
    assert "return tf.math.log(tf.matmul(x, w))" in text
    assert [f.kind for f in findings] == ["declined"]
