"""Explicit graph blocks (codemods/analysis/graph_blocks.py), opened for G101 and G102.

The fixture graph/graph_block_session_config proves the numbers against TF 1.15.5;
these check what is opened, what is kept, and the exact refusals.
"""

from __future__ import annotations

import ast
import textwrap

import libcst as cst

from codemods.analysis.graph import tf1_symbol
from codemods.analysis.graph_blocks import unwrap_graph_blocks
from codemods.analysis.names import ImportResolver
from codemods.graph.g101_session_to_function import GraphToEager
from codemods.graph.g102_layers_to_keras import LayersToKeras
from migrator.engine import Status, migrate_source


def unwrap(source: str):
    module = cst.parse_module(textwrap.dedent(source))
    resolver = ImportResolver(module)
    result = unwrap_graph_blocks(module, lambda expr: tf1_symbol(resolver.qualified_name(expr)))
    return module, result


def migrate(source: str, rules=(GraphToEager,)) -> tuple[str, list]:
    result = migrate_source(textwrap.dedent(source).encode(), "t.py", list(rules))
    assert result.status is not Status.FAILED, result.error
    text = result.new_bytes.decode()
    ast.parse(text)
    again = migrate_source(result.new_bytes, "t.py", list(rules))
    assert again.new_bytes == result.new_bytes, "not idempotent"
    return text, result.findings


def test_block_opened_with_comments_and_session_arguments() -> None:
    module, result = unwrap("""\
        import tensorflow as tf

        # Defining the graph
        graph = tf.Graph()
        with graph.as_default(), tf.device("/cpu:0"):
            # inputs
            x = tf.placeholder(tf.float32, [None])
            y = x * 2.0
            # end of the graph
        graph.finalize()
        with tf.Session(config=tf.ConfigProto(), graph=graph) as sess:
            print(sess.run(y, feed_dict={x: [1.0]}))
        """)
    assert result.declined is None
    assert result.module.code == textwrap.dedent("""\
        import tensorflow as tf

        # Defining the graph
        with tf.device("/cpu:0"):
            # inputs
            x = tf.placeholder(tf.float32, [None])
            y = x * 2.0
            # end of the graph
        with tf.Session(config=tf.ConfigProto()) as sess:
            print(sess.run(y, feed_dict={x: [1.0]}))
        """)
    # Statements that did not change are the same nodes (positions and symbols still apply).
    assert result.module.body[0] is module.body[0]


def test_anonymous_block_in_main_and_session_default_opened() -> None:
    _, result = unwrap("""\
        import tensorflow as tf


        def main(graph=None):
            with tf.Graph().as_default():
                sess = tf.Session()
                x = tf.constant(1.0)
                with sess.as_default():
                    print(x.eval())
        """)
    assert result.declined is None
    assert "as_default" not in result.module.code
    assert "    sess = tf.Session()\n    x = tf.constant(1.0)\n    print(x.eval())\n" in result.module.code


def test_no_graph_no_change() -> None:
    module, result = unwrap("""\
        import tensorflow as tf

        x = tf.constant(1.0)
        with tf.Session() as sess:
            print(sess.run(x))
        """)
    assert result.module is module and not result.opened and result.declined is None


def test_refusals_name_the_construct() -> None:
    cases = {
        "graph.get_tensor_by_name": """\
            graph = tf.Graph()
            with graph.as_default():
                y = tf.constant(1.0, name="y")
            with tf.Session(graph=graph) as sess:
                print(sess.run(graph.get_tensor_by_name("y:0")))
            """,
        "builds 2 graphs": """\
            g1 = tf.Graph()
            with g1.as_default():
                a = tf.constant(1.0)
            g2 = tf.Graph()
            with g2.as_default():
                b = tf.constant(2.0)
            """,
        "`tf.constant` outside the `as_default()` block": """\
            c = tf.constant(3.0)
            graph = tf.Graph()
            with graph.as_default():
                y = tf.constant(1.0)
            """,
        "`graph` is bound again": """\
            graph = tf.Graph()
            with graph.as_default():
                y = tf.constant(1.0)
            graph = None
            """,
    }
    for reason, body in cases.items():
        _, result = unwrap("import tensorflow as tf\n\n" + textwrap.dedent(body))
        assert result.declined is not None and reason in result.declined[1], (reason, result.declined)


def test_g101_converts_and_notes() -> None:
    text, findings = migrate("""\
        import tensorflow as tf

        graph = tf.Graph()
        with graph.as_default():
            x = tf.placeholder(tf.float32, [None])
            w = tf.Variable(2.0)
            y = x * w
        with tf.Session(graph=graph) as sess:
            sess.run(tf.global_variables_initializer())
            print(sess.run(y, feed_dict={x: [1.0, 2.0]}))
        """)
    assert "compat.v1" not in text and "Graph" not in text and "def compute_y(x):" in text
    assert any("`with graph.as_default():` opened" in f.message and f.kind == "converted" for f in findings)


def test_g101_refusal_only_for_programs_running_sessions() -> None:
    source = """\
        import tensorflow as tf

        graph = tf.Graph()
        with graph.as_default():
            y = tf.constant(1.0, name="y")
        {run}
        """
    text, findings = migrate(source.format(run="print(graph.get_operations())"))
    assert text == textwrap.dedent(source.format(run="print(graph.get_operations())"))
    text, findings = migrate(source.format(run="print(tf.Session(graph=graph).run(graph.get_tensor_by_name('y:0')))"))
    assert "compat.v1" in text
    assert any("reads the graph object `graph`" in f.message and f.kind == "declined" for f in findings)


def test_g102_converts_layers_in_the_block() -> None:
    text, findings = migrate("""\
        import tensorflow as tf

        graph = tf.Graph()
        with graph.as_default():
            x = tf.placeholder(tf.float32, [None, 4])
            h = tf.layers.dense(x, 8, name="fc1")
        with tf.Session(graph=graph) as sess:
            sess.run(tf.global_variables_initializer())
            print(sess.run(h, feed_dict={x: [[1.0, 2.0, 3.0, 4.0]]}))
        """, rules=(LayersToKeras, GraphToEager))
    assert "tf.keras.layers.Dense(8" in text and "compat.v1" not in text and "as_default" not in text
    assert not any(f.kind == "declined" for f in findings)


def test_summary_writer_graph_dropped_with_the_block() -> None:
    text, findings = migrate("""\
        import tensorflow as tf

        graph = tf.Graph()
        with graph.as_default():
            x = tf.placeholder(tf.float32, [None])
            w = tf.Variable(2.0)
            y = tf.reduce_sum(x * w)
            tf.summary.scalar("y", y)
            merged = tf.summary.merge_all()
        writer = tf.summary.FileWriter("logs", graph)
        writer.add_graph(graph)
        with tf.Session(graph=graph) as sess:
            sess.run(tf.global_variables_initializer())
            s, v = sess.run([merged, y], feed_dict={x: [1.0, 2.0]})
            writer.add_summary(s, 0)
            print(v)
        """)
    assert "compat.v1" not in text and "graph" not in text.replace("writes no graph", "")
    assert any("FileWriter's graph dropped" in f.message for f in findings)
