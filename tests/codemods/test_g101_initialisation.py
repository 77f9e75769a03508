"""G101's initialisation stage (g101_session_to_function/initialisation.py): initializer
runs again, and graphs built again after ``reset_default_graph()``.

The fixtures graph/reinitialise_l1_then_l2 and graph/reset_graph_rebuild prove the
numbers against TF 1.15.5; these check the generated shape and the refusals.
"""

from __future__ import annotations

import ast
import textwrap

import libcst as cst
import pytest

from codemods.analysis.graph import tf1_symbol
from codemods.analysis.names import ImportResolver
from codemods.graph.g101_session_to_function import GraphToEager
from codemods.graph.g101_session_to_function.analysis import analyse
from codemods.graph.g101_session_to_function.initialisation import is_random, plan_initialisation
from codemods.graph.g101_session_to_function.model import CannotConvert
from codemods.graph.g101_session_to_function.pipeline import features
from codemods.graph.g101_session_to_function.scope import find_scope
from codemods.graph.g101_session_to_function.sites import find_sites
from codemods.graph.g102_layers_to_keras.record import ConvertedLayers
from migrator.engine import Status, migrate_source


def migrate(source: str) -> tuple[str, list]:
    result = migrate_source(textwrap.dedent(source).encode(), "t.py", [GraphToEager])
    assert result.status is not Status.FAILED, result.error
    text = result.new_bytes.decode()
    ast.parse(text)
    again = migrate_source(result.new_bytes, "t.py", [GraphToEager])
    assert again.new_bytes == result.new_bytes, "not idempotent"
    return text, result.findings


def declined(text: str, findings, reason: str) -> bool:
    return "compat.v1" in text and any(reason in f.message and f.kind == "declined" for f in findings)


GRAPH = """\
import numpy as np
import tensorflow as tf

x = tf.placeholder(tf.float32, [None, 2])
y = tf.placeholder(tf.float32, [None, 1])
W = tf.Variable(tf.random_normal([2, 1]))
b = tf.Variable(0.0)
cost = tf.reduce_mean(tf.square(tf.matmul(x, W) + b - y))
train_op = tf.train.GradientDescentOptimizer(0.1).minimize(cost)
init = tf.global_variables_initializer()
"""
FEED = "feed_dict={x: np.ones((4, 2)), y: np.ones((4, 1))}"


def plan_of(source: str):
    module = cst.parse_module(textwrap.dedent(source))
    resolver = ImportResolver(module)
    graph = find_scope(module, "tf", lambda expr: tf1_symbol(resolver.qualified_name(expr)))
    active = features(ConvertedLayers())
    analyse(graph, active)
    sites = find_sites(graph, active)
    return graph, sites, plan_initialisation(graph, sites)


def test_the_stage_sets_back_what_a_second_run_of_the_initializer_resets() -> None:
    graph, sites, initialisation = plan_of(GRAPH + f"""\
sess = tf.Session()
sess.run(init)
sess.run(train_op, {FEED})
sess.run(init)
print(sess.run(cost, {FEED}))
""")
    first, again = (s for s in sites.sites if s.init)
    assert id(first.call) not in initialisation.assignments  # the creation initialised them
    # W's random initial value is held by a function (the next draw), b's is its own code.
    assert initialisation.assignments[id(again.call)] == ["W.assign(initial_W())", "b.assign(0.0)"]
    [value] = initialisation.initial_values[4]
    assert (value.variable, value.function, graph.code(value.value)) == ("W", "initial_W", "tf.random_normal([2, 1])")


def test_random_initial_values_are_drawn_again_from_one_function() -> None:
    text, findings = migrate(GRAPH + f"""\
sess = tf.Session()
sess.run(init)
for step in range(3):
    sess.run(train_op, {FEED})
# Start again from new initial values.
sess.run(init)
print(sess.run(cost, {FEED}))
""")
    assert "compat.v1" not in text and "Session" not in text
    assert (
        "@tf.function\ndef initial_W():\n    return tf.random_normal([2, 1])\n\n\n"
        "W = tf.Variable(initial_W())\n"
    ) in text
    assert "# Start again from new initial values.\nW.assign(initial_W())\nb.assign(0.0)\nprint(compute_cost(" in text
    assert not [f for f in findings if f.kind == "declined"]


def test_an_initializer_run_again_in_a_loop_after_the_first_converts() -> None:
    text, _ = migrate(GRAPH + f"""\
sess = tf.Session()
sess.run(init)
for trial in range(3):
    sess.run(init)
    sess.run(train_op, {FEED})
""")
    assert "compat.v1" not in text
    assert "for trial in range(3):\n    W.assign(initial_W())\n    b.assign(0.0)\n    train_step(" in text


def test_deterministic_initial_values_are_set_back_in_a_new_session() -> None:
    # A second session evaluates the untrained model in TF1: its initial values again.
    text, _ = migrate(GRAPH.replace("tf.random_normal([2, 1])", "tf.zeros([2, 1])") + f"""\
with tf.Session() as sess:
    sess.run(init)
    sess.run(train_op, {FEED})
with tf.Session() as sess:
    sess.run(init)
    print(sess.run(cost, {FEED}))
""")
    assert "compat.v1" not in text and "initial_W" not in text
    assert "W.assign(tf.zeros([2, 1]))\nb.assign(0.0)\nprint(compute_cost(" in text


def test_a_deterministic_initializer_in_a_loop_of_sessions_converts() -> None:
    # The first round's assignment sets the values the variables were created with.
    text, _ = migrate(GRAPH.replace("tf.random_normal([2, 1])", "tf.zeros([2, 1])") + f"""\
for trial in range(2):
    with tf.Session() as sess:
        sess.run(init)
        sess.run(train_op, {FEED})
""")
    assert "compat.v1" not in text
    assert "for trial in range(2):\n    W.assign(tf.zeros([2, 1]))\n    b.assign(0.0)\n    train_step(" in text


def test_an_unchanged_deterministic_variable_needs_no_assignment() -> None:
    text, _ = migrate(GRAPH.replace("tf.random_normal([2, 1])", "tf.zeros([2, 1])") + f"""\
sess = tf.Session()
sess.run(init)
print(sess.run(cost, {FEED}))
sess.run(init)
print(sess.run(cost, {FEED}))
""")
    assert "compat.v1" not in text and ".assign(" not in text


def test_a_random_initial_value_in_a_new_session_is_the_first_draw_again() -> None:
    # TF1 starts the op's random sequence over in a new session: the same first draw,
    # the value the eager variable was created with, kept right after its creation.
    text, findings = migrate(GRAPH + f"""\
for trial in range(2):
    with tf.Session() as sess:
        sess.run(init)
        sess.run(train_op, {FEED})
        print(sess.run(cost, {FEED}))
""")
    assert "compat.v1" not in text and "def initial_W" not in text
    assert "W = tf.Variable(tf.random_normal([2, 1]))\ninitial_W = tf.identity(W)\n" in text
    assert "for trial in range(2):\n    W.assign(initial_W)\n    b.assign(0.0)\n    train_step(" in text
    assert not [f for f in findings if f.kind == "declined"]


def test_a_random_initial_value_drawn_again_in_its_session_and_in_a_new_one_falls_back() -> None:
    text, findings = migrate(GRAPH + f"""\
with tf.Session() as sess:
    sess.run(init)
    sess.run(train_op, {FEED})
    sess.run(init)
    sess.run(train_op, {FEED})
with tf.Session() as sess:
    sess.run(init)
    print(sess.run(cost, {FEED}))
""")
    assert declined(text, findings, "`W` is initialised again both in its session and in a new one")


def test_a_random_draw_a_restore_overwrote_leaves_the_sequence_behind() -> None:
    # The second session's reset is restored over (no assignment, no draw); TF1 drew.
    text, findings = migrate(GRAPH + f"""\
saver = tf.train.Saver()
with tf.Session() as sess:
    sess.run(init)
    sess.run(train_op, {FEED})
    saver.save(sess, "./m.ckpt")
    sess.run(init)
    saver.restore(sess, "./m.ckpt")
    sess.run(init)
    print(sess.run(cost, {FEED}))
""")
    assert declined(text, findings, "`W` is initialised again with a random initial value after an initializer run whose reset a restore overwrote")


def test_a_random_initial_value_first_drawn_in_a_loop_that_draws_it_again() -> None:
    """easy-tensorflow's TensorBoard tutorial re-initialises in its loop: TF1's first run
    draws the first value, each next run the next; the eager variable is created from the
    traced function's shape and dtype (no draw), every run draws."""
    text, findings = migrate(GRAPH + f"""\
sess = tf.Session()
for trial in range(2):
    sess.run(init)
    sess.run(train_op, {FEED})
    print(sess.run(cost, {FEED}))
""")
    assert "compat.v1" not in text and not [f for f in findings if f.kind == "declined"]
    assert ("W = tf.Variable(tf.zeros(initial_W.get_concrete_function().output_shapes, "
            "initial_W.get_concrete_function().output_dtypes))") in text
    assert "for trial in range(2):\n    W.assign(initial_W())\n    b.assign(0.0)\n" in text


def test_stateful_optimizer_slots_reset_by_the_initializer_fall_back() -> None:
    text, findings = migrate(GRAPH.replace("GradientDescentOptimizer(0.1)", "AdamOptimizer(0.1)") + f"""\
sess = tf.Session()
sess.run(init)
sess.run(train_op, {FEED})
sess.run(init)
sess.run(train_op, {FEED})
""")
    assert declined(text, findings, "resets the state of optimizer `optimizer` (its slots and steps)")


def test_an_initializer_made_before_the_optimizer_leaves_its_slots_alone() -> None:
    # TF1's initializer holds the variables that existed when it was made: not Adam's slots.
    source = GRAPH.replace("GradientDescentOptimizer(0.1)", "AdamOptimizer(0.1)")
    source = source.replace("init = tf.global_variables_initializer()\n", "")
    source = source.replace("train_op = ", "init = tf.variables_initializer([W, b])\ntrain_op = ")
    text, _ = migrate(source + f"""\
sess = tf.Session()
sess.run(tf.global_variables_initializer())
sess.run(train_op, {FEED})
sess.run(init)
sess.run(train_op, {FEED})
""")
    assert "compat.v1" not in text
    assert "W.assign(initial_W())\nb.assign(0.0)\ntrain_step(" in text


def test_one_variable_initializer_sets_back_that_variable() -> None:
    text, _ = migrate(GRAPH + f"""\
sess = tf.Session()
sess.run(init)
sess.run(train_op, {FEED})
sess.run(b.initializer)
print(sess.run(cost, {FEED}))
""")
    assert "compat.v1" not in text and "initial_W" not in text
    assert "train_step(np.ones((4, 2)), np.ones((4, 1)))\nb.assign(0.0)\nprint(" in text


def test_an_initializer_over_a_list_it_cannot_read_falls_back_when_run_again() -> None:
    source = GRAPH.replace("init = tf.global_variables_initializer()", "init = tf.variables_initializer(tf.trainable_variables())")
    text, findings = migrate(source + f"""\
sess = tf.Session()
sess.run(init)
sess.run(train_op, {FEED})
sess.run(init)
sess.run(train_op, {FEED})
""")
    assert declined(text, findings, "cannot tell which variables `sess.run(init)` initialises again")


def test_variables_not_created_by_a_variable_statement_fall_back() -> None:
    source = GRAPH.replace("W = tf.Variable(tf.random_normal([2, 1]))", "W = make_weight([2, 1])")
    source = source.replace("x = tf.placeholder", "def make_weight(shape):\n    return tf.Variable(tf.zeros(shape))\n\n\nx = tf.placeholder", 1)
    text, findings = migrate(source + f"""\
sess = tf.Session()
sess.run(init)
sess.run(train_op, {FEED})
sess.run(init)
print(sess.run(cost, {FEED}))
""")
    assert declined(text, findings, "`W` is initialised again, and it is not created by a `tf.Variable(...)` statement")


def test_a_graph_built_again_after_reset_default_graph_gets_new_variables_and_functions() -> None:
    # The cookbook's shape: one graph, its session and training; the default graph
    # reset; the same names bound to a new graph, a new session, a new initializer.
    graph = """\
x = tf.placeholder(tf.float32, [None, 1])
A = tf.Variable(tf.random_normal([1, 1]))
loss = tf.reduce_mean(tf.square(tf.matmul(x, A) - 1.0))
opt = tf.train.GradientDescentOptimizer({rate})
train_step = opt.minimize(loss)
init = tf.global_variables_initializer()
sess.run(init)
for i in range(2):
    sess.run(train_step, feed_dict={{x: [[1.0]]}})
print(sess.run(A), sess.run(loss, feed_dict={{x: [[1.0]]}}))
"""
    text, findings = migrate(
        "import tensorflow as tf\nfrom tensorflow.python.framework import ops\n\n"
        "ops.reset_default_graph()\nsess = tf.Session()\n" + graph.format(rate=0.1)
        + "\nops.reset_default_graph()\nsess = tf.Session()\n" + graph.format(rate=0.5)
    )
    assert "compat.v1" not in text and "reset_default_graph" not in text and ".assign(" not in text
    assert text.count("A = tf.Variable(tf.random_normal([1, 1]))") == 2
    assert "opt = tf.keras.optimizers.SGD(learning_rate=0.1)" in text
    assert "opt = tf.keras.optimizers.SGD(learning_rate=0.5)" in text
    # Each graph trains its own variable with its own optimizer.
    assert "def train_step(x):" in text and "def train_step_2(x):" in text
    assert text.count("variables = [A]") == 2
    assert "    train_step([[1.0]])" in text and "    train_step_2([[1.0]])" in text
    assert not [f for f in findings if f.kind == "declined"]


def test_a_name_bound_to_a_second_variable_of_one_graph_still_in_use_gets_its_own_name() -> None:
    text, findings = migrate("""\
import tensorflow as tf

x = tf.placeholder(tf.float32, [None, 1])
W = tf.Variable(tf.ones([1, 1]))
h = tf.matmul(x, W)
W = tf.Variable(tf.ones([1, 1]))
loss = tf.reduce_mean(tf.square(tf.matmul(h, W)))
train_op = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    sess.run(train_op, feed_dict={x: [[1.0]]})
""")
    # rebinding.py: the second variable is `W_2` (TF1's graph kept `h` reading the first).
    assert "compat.v1" not in text and "h = tf.matmul(x, W)" in text and "tf.matmul(h, W_2)" in text
    assert any("`W` names a second variable while the graph still computes with the first" in f.message for f in findings)


@pytest.mark.parametrize(
    "symbol, random",
    [
        ("random_normal", True), ("random.uniform", True), ("truncated_normal", True), ("nn.dropout", True),
        ("glorot_uniform_initializer", True), ("zeros_initializer", False), ("zeros", False),
        ("constant", False), ("nn.batch_normalization", False), (None, False),
    ],
)
def test_which_ops_draw_random_values(symbol, random) -> None:
    assert is_random(symbol) is random


def test_a_restore_right_after_the_initializer_needs_no_assignment() -> None:
    graph, sites, initialisation = plan_of(GRAPH + f"""\
saver = tf.train.Saver()
with tf.Session() as sess:
    sess.run(init)
    sess.run(train_op, {FEED})
    saver.save(sess, "./m.ckpt")
with tf.Session() as sess:
    sess.run(init)
    saver.restore(sess, "./m.ckpt")
    print(sess.run(cost, {FEED}))
""")
    assert initialisation.assignments == {} and initialisation.initial_values == {}
    assert [e.kind for e in sites.events] == ["session", "run", "run", "session", "run", "restore", "run"]


def test_a_class_layout_refuses_assignments() -> None:
    graph, sites, _ = plan_of(GRAPH + f"""\
sess = tf.Session()
sess.run(init)
sess.run(train_op, {FEED})
sess.run(init)
sess.run(train_op, {FEED})
""")
    with pytest.raises(CannotConvert, match="variables of a model class initialised again"):
        plan_initialisation(graph, sites, assignable=False)


def test_initial_value_functions_inside_main_are_nested_there() -> None:
    text, _ = migrate("""\
import tensorflow as tf


def main():
    x = tf.placeholder(tf.float32, [None, 1])
    # The weight
    w = tf.Variable(tf.random_normal([1, 1]))
    loss = tf.reduce_mean(tf.square(tf.matmul(x, w) - 1.0))
    train_op = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    init = tf.global_variables_initializer()
    with tf.Session() as sess:
        sess.run(init)
        sess.run(train_op, feed_dict={x: [[1.0]]})
        sess.run(init)
        print(sess.run(loss, feed_dict={x: [[1.0]]}))
""")
    assert (
        "def main():\n    # The weight\n    @tf.function\n    def initial_w():\n"
        "        return tf.random_normal([1, 1])\n\n    w = tf.Variable(initial_w())\n"
    ) in text
    assert "    train_step([[1.0]])\n    w.assign(initial_w())\n    print(compute_loss(" in text


def test_an_initializer_run_in_a_function_happens_where_it_is_called() -> None:
    # Each call sets the variables back (TF1's next draw): the first initialisation is
    # the session's own, before the calls.
    source = GRAPH + f"""\
def train(sess):
    sess.run(init)
    for step in range(2):
        sess.run(train_op, {FEED})
    return sess.run(cost, {FEED})


sess = tf.Session()
sess.run(init)
print(train(sess))
print(train(sess))
"""
    text, findings = migrate(source)
    assert "compat.v1" not in text
    assert "def train():\n    W.assign(initial_W())\n    b.assign(0.0)\n    for step in range(2):" in text
    assert not [f for f in findings if f.kind == "declined"]
    # Without the session's own run, the first call's is W's first draw, the second's the next:
    # W is created without drawing.
    text, findings = migrate(source.replace("sess = tf.Session()\nsess.run(init)\n", "sess = tf.Session()\n"))
    assert "compat.v1" not in text and not [f for f in findings if f.kind == "declined"]
    assert "W = tf.Variable(tf.zeros(initial_W.get_concrete_function().output_shapes" in text
    assert "def train():\n    W.assign(initial_W())\n" in text


def test_an_initializer_run_in_a_function_called_once_disappears() -> None:
    text, _ = migrate(GRAPH + f"""\
def train(sess):
    sess.run(init)
    sess.run(train_op, {FEED})


sess = tf.Session()
train(sess)
print(sess.run(cost, {FEED}))
""")
    assert "compat.v1" not in text and ".assign(" not in text and "initial_W" not in text


def test_a_group_of_initializers_run_again_sets_the_variables_back() -> None:
    # `tf.group(global, local)` is an initializer covering what its parts cover.
    text, _ = migrate(
        """\
        import tensorflow as tf

        w = tf.Variable(1.0)
        step = tf.assign_add(w, 1.0)
        init_op = tf.group(tf.global_variables_initializer(), tf.local_variables_initializer())
        with tf.Session() as sess:
            for epoch in range(2):
                sess.run(init_op)
                sess.run(step)
                print(sess.run(w))
        """
    )
    assert "for epoch in range(2):\n    w.assign(1.0)\n    compute_step()\n" in text
    assert "group" not in text and "initializer" not in text
