"""T102 beyond its examples."""

from __future__ import annotations

import ast
import textwrap

from codemods.api.t102_absl_flags_logging import AbslFlagsLogging
from migrator.engine import migrate_source


def migrate(source: str) -> tuple[str, list]:
    result = migrate_source(textwrap.dedent(source).encode(), "t.py", [AbslFlagsLogging])
    text = result.new_bytes.decode()
    ast.parse(text)
    assert migrate_source(result.new_bytes, "t.py", [AbslFlagsLogging]).new_bytes == result.new_bytes
    return text, result.findings


def test_flags_logging_and_app_run_move_to_absl() -> None:
    text, findings = migrate(
        """\
        import tensorflow as tf

        flags = tf.app.flags
        flags.DEFINE_integer("steps", 10, "steps")
        tf.flags.DEFINE_string("name", "x", "name")
        tf.logging.set_verbosity(tf.logging.INFO)

        def main(_):
            tf.logging.info("hello")
            tf.logging.log_every_n(tf.logging.WARN, "every %d", 5, 5)

        if __name__ == "__main__":
            tf.app.run(main=main)
        """
    )
    assert "import tensorflow as tf\nimport absl.app\nimport absl.flags\nimport absl.logging\n" in text
    assert "flags = absl.flags\n" in text
    assert 'absl.flags.DEFINE_string("name", "x", "name")' in text
    assert "absl.logging.set_verbosity(absl.logging.INFO)" in text
    assert 'absl.logging.log_every_n(absl.logging.WARN, "every %d", 5, 5)' in text
    assert "absl.app.run(main)" in text
    assert [f.kind for f in findings] == ["converted"] and "rejects" in findings[0].message


def test_app_run_without_main_needs_one_in_the_module() -> None:
    text, findings = migrate("import tensorflow as tf\ntf.app.run()\n")
    assert text == "import tensorflow as tf\ntf.app.run()\n"
    assert findings[0].kind == "declined"
    text, _ = migrate("import tensorflow as tf\ndef main(argv):\n    pass\ntf.app.run(argv=['x'])\n")
    assert "absl.app.run(main, argv=['x'])" in text


def test_names_absl_lacks_are_left_for_t101() -> None:
    source = "import tensorflow as tf\nm = tf.logging.TaskLevelStatusMessage('x')\n"
    text, _ = migrate(source)
    assert text == source


def test_from_imports_and_compat_modules() -> None:
    text, _ = migrate(
        """\
        import tensorflow.compat.v1 as tf
        from tensorflow.compat.v1 import logging as tf_logging, flags

        tf_logging.info("a")
        tf.logging.info("b")
        """
    )
    assert "from absl import logging as tf_logging, flags\n" in text
    assert 'tf_logging.info("a")\nabsl.logging.info("b")\n' in text


def test_stdlib_logging_is_not_tensorflows() -> None:
    source = "import logging\nimport tensorflow as tf\nlogging.info('x')\nlogging = tf.logging\n"
    text, _ = migrate(source)
    assert "logging.info('x')\nlogging = absl.logging\n" in text


def test_from_imports_of_single_functions() -> None:
    text, _ = migrate("from tensorflow.logging import info, warning as warn\nfrom tensorflow.app import run\n"
                      "import tensorflow as tf\ninfo('x')\n")
    assert text.startswith("from absl.logging import info, warning as warn\nfrom absl.app import run\n")


def test_a_flag_read_before_app_run_parses_the_command_line_there() -> None:
    text, findings = migrate(
        """\
        import tensorflow as tf

        tf.app.flags.DEFINE_integer("steps", 3, "steps")
        FLAGS = tf.app.flags.FLAGS

        x = tf.constant(1.0)
        for step in range(FLAGS.steps):
            print(step)
        """
    )
    assert "import tensorflow as tf\nimport absl.flags\nimport sys\n" in text
    assert "FLAGS = absl.flags.FLAGS\n\nx = tf.constant(1.0)\n# TF 1's" in text
    assert "absl.flags.FLAGS(sys.argv)\nfor step in range(FLAGS.steps):" in text
    assert [f.message for f in findings if "sys.argv" in f.message][0].startswith("a flag is read before any app.run")


def test_reads_through_functions_defaults_and_main_blocks() -> None:
    # A default value is read when the function is defined; a function called at module
    # level reads when it is called; an `if __name__` block that defines flags first
    # parses them after its definitions.
    text, _ = migrate(
        """\
        import sys as system
        import tensorflow as tf

        flags = tf.app.flags
        FLAGS = flags.FLAGS
        flags.DEFINE_integer("batch", default_value=4, docstring="batch size")

        def rate():
            return FLAGS.rate

        def scaled(x):
            return x * rate()

        def batches(n=FLAGS.batch):
            return n

        if __name__ == "__main__":
            flags.DEFINE_float("rate", 0.5, "rate")
            print(scaled(2.0))
        """
    )
    assert 'flags.DEFINE_integer("batch", default=4, help="batch size")' in text
    assert "absl.flags.FLAGS(system.argv)\ndef batches(n=FLAGS.batch):" in text
    assert "import sys\n" not in text


def test_a_define_then_read_inside_the_main_block_parses_after_the_definitions() -> None:
    text, _ = migrate(
        """\
        import tensorflow as tf

        FLAGS = tf.flags.FLAGS

        def scaled(x):
            return x * FLAGS.rate

        if __name__ == "__main__":
            tf.flags.DEFINE_float("rate", 0.5, "rate")
            print(scaled(2.0))
        """
    )
    assert (
        '    absl.flags.DEFINE_float("rate", 0.5, "rate")\n'
        "    # TF 1's tf.app.flags read the command line at the first flag read; absl.flags must be told to\n"
        "    absl.flags.FLAGS(sys.argv)\n"
        "    print(scaled(2.0))\n"
    ) in text


def test_flags_read_only_under_app_run_or_never_are_not_parsed_early() -> None:
    for source in (
        """\
        import tensorflow as tf

        tf.app.flags.DEFINE_integer("steps", 3, "steps")
        FLAGS = tf.app.flags.FLAGS

        def main(_):
            print(FLAGS.steps)

        if __name__ == "__main__":
            tf.app.run(main)
        """,
        """\
        import tensorflow as tf

        FLAGS = tf.app.flags.FLAGS
        FLAGS.steps = 3
        print(FLAGS.flag_values_dict())

        def later():
            return FLAGS.steps
        """,
    ):
        text, _ = migrate(source)
        assert "absl.flags.FLAGS(" not in text and "import sys" not in text


def test_new_imports_come_before_the_first_statement_needing_them() -> None:
    text, _ = migrate(
        """\
        import tensorflow as tf

        tf.app.flags.DEFINE_integer("steps", 3, "steps")

        import numpy as np
        print(np.zeros(2))
        """
    )
    assert text.startswith('import tensorflow as tf\nimport absl.flags\n\nabsl.flags.DEFINE_integer("steps", 3, "steps")')


def test_tensorflows_private_logging_and_app_stay_where_tf2_still_has_them() -> None:
    # tf_logging logs through the "tensorflow" logger tf.get_logger() configures; absl.logging does not
    source = textwrap.dedent(
        """\
        import tensorflow as tf
        from tensorflow.python.platform import app, tf_logging
        from tensorflow.python.platform.tf_logging import info

        tf_logging.set_verbosity(tf_logging.INFO)
        info("x")


        def main(_):
            tf_logging.warning("y")


        app.run(main)
        """
    )
    assert migrate(source) == (source, [])


def test_the_public_tf_logging_beside_the_private_one_still_moves() -> None:
    text, _ = migrate(
        """\
        import tensorflow as tf
        from tensorflow.python.platform import tf_logging

        tf_logging.info("kept")
        tf.logging.info("moved")
        """
    )
    assert 'tf_logging.info("kept")\nabsl.logging.info("moved")\n' in text
