"""T103 beyond its examples."""

from __future__ import annotations

import ast
import textwrap

from codemods.api.t103_eager_by_default import EagerByDefault
from migrator.engine import migrate_source


def migrate(source: str) -> tuple[str, list]:
    result = migrate_source(textwrap.dedent(source).encode(), "t.py", [EagerByDefault])
    text = result.new_bytes.decode()
    ast.parse(text)
    assert migrate_source(result.new_bytes, "t.py", [EagerByDefault]).new_bytes == result.new_bytes
    return text, result.findings


def test_aliases_and_nested_blocks() -> None:
    text, findings = migrate(
        """\
        import tensorflow as tensorflow

        def main():
            tensorflow.reset_default_graph()

        def run():
            # fresh start
            tensorflow.reset_default_graph()
            return 1

        x = 1; tensorflow.enable_v2_behavior()
        """
    )
    assert text == textwrap.dedent(
        """\
        import tensorflow as tensorflow

        def main():
            pass

        def run():
            # fresh start
            return 1

        x = 1
        """
    )
    assert [f.kind for f in findings] == ["converted"] * 3


def test_disable_v2_behavior_goes_only_where_nothing_needs_graph_mode() -> None:
    text, findings = migrate(
        """\
        import tensorflow.compat.v1 as tf
        tf.disable_v2_behavior()
        y = tf.log(tf.constant(2.0))
        """
    )
    assert text == "import tensorflow.compat.v1 as tf\ny = tf.log(tf.constant(2.0))\n"
    assert "graph-only" in findings[0].message
    source = "import tensorflow as tf\ntf.disable_v2_behavior()\ny = tf.log(2.0)\n"
    assert migrate(source)[0] == source  # a plain-tensorflow module asked for graph mode on purpose


def test_a_local_named_tf_is_not_tensorflow() -> None:
    source = "import tensorflow\n\ndef f(tf):\n    tf.reset_default_graph()\n"
    assert migrate(source)[0] == source


def test_reset_default_graph_stays_where_graph_code_remains() -> None:
    source = """\
import tensorflow as tf

class Test:
    def tearDown(self):
        tf.reset_default_graph()

    def test_var(self):
        tf.get_variable("v", [])
"""
    text, findings = migrate(source)
    assert text == source and findings == []


def test_reset_through_the_private_ops_module() -> None:
    """``ops.reset_default_graph()`` is ``tf.reset_default_graph()`` reached through a private module."""
    text, findings = migrate(
        """\
        import tensorflow as tf
        from tensorflow.python.framework import ops
        from tensorflow.python.framework.ops import reset_default_graph as reset

        ops.reset_default_graph()
        reset()
        ops.convert_to_tensor(1.0)
        """
    )
    assert text == textwrap.dedent(
        """\
        import tensorflow as tf
        from tensorflow.python.framework import ops
        from tensorflow.python.framework.ops import reset_default_graph as reset

        ops.convert_to_tensor(1.0)
        """
    )
    assert [f.kind for f in findings] == ["converted"] * 2
