"""G101 on ``if`` / ``for`` blocks that build graph ops (g101_session_to_function/blocks.py).

The fixture graph/loss_chosen_by_if_penalty_by_for proves the numbers against TF
1.15.5; these check the generated shape and the refusals.
"""

from __future__ import annotations

import ast
import textwrap

from codemods.graph.g101_session_to_function import GraphToEager
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


HEAD = """\
import sys

import numpy as np
import tensorflow as tf

loss_type = "l2"
x = tf.placeholder(tf.float32, [None, 2])
y = tf.placeholder(tf.float32, [None, 1])
W1 = tf.Variable(tf.ones([2, 3]))
W2 = tf.Variable(tf.ones([3, 1]))
pred = tf.matmul(tf.nn.relu(tf.matmul(x, W1)), W2)
"""
CHOICE = """\
if loss_type == "l1":
    loss = tf.reduce_mean(tf.abs(pred - y))
elif loss_type == "l2":
    loss = tf.reduce_mean(tf.square(pred - y))
else:
    print("unknown loss type", file=sys.stderr)
"""
RUN = """\
train_op = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for i in range(3):
        _, l = sess.run([train_op, loss], feed_dict={x: np.ones((4, 2)), y: np.ones((4, 1))})
        print(l)
"""


def test_a_loss_chosen_by_an_if_moves_into_the_functions() -> None:
    text, findings = migrate(HEAD + CHOICE + RUN)
    assert "compat.v1" not in text and "Session" not in text
    # The whole block, its failing branch too, is in the step, under the tape.
    assert (
        "    with tf.GradientTape() as tape:\n"
        "        pred = tf.matmul(tf.nn.relu(tf.matmul(x, W1)), W2)\n"
        '        if loss_type == "l1":\n'
        "            loss = tf.reduce_mean(tf.abs(pred - y))\n"
    ) in text
    assert '        else:\n            print("unknown loss type", file=sys.stderr)\n    variables = [W1, W2]\n' in text
    assert not [f for f in findings if f.kind == "declined"]


def test_a_penalty_summed_by_a_for_loop_moves_into_the_functions() -> None:
    text, _ = migrate(HEAD + """\
loss = tf.reduce_mean(tf.square(pred - y))
for weight in [W1, W2]:
    loss += 0.01 * tf.nn.l2_loss(weight)
""" + RUN)
    assert "compat.v1" not in text
    assert "        for weight in [W1, W2]:\n            loss += 0.01 * tf.nn.l2_loss(weight)\n" in text
    # `i`, bound again by the training loop, is not taken for a graph name.
    assert "for i in range(3):\n    l = train_step(" in text


def test_a_condition_on_a_static_shape_converts() -> None:
    # TF1 evaluated it in Python while building the graph; a trace does the same.
    text, _ = migrate(HEAD + """\
if pred.get_shape().as_list()[1] == 1:
    loss = tf.reduce_mean(tf.square(pred - y))
""" + RUN)
    assert "compat.v1" not in text
    assert "        if pred.get_shape().as_list()[1] == 1:\n            loss = " in text


def test_a_condition_calling_a_function_falls_back() -> None:
    text, findings = migrate(HEAD + """\
if loss_type == "l1":
    loss = tf.reduce_mean(tf.abs(pred - y))
elif np.random.rand() > 0.5:
    loss = tf.reduce_mean(tf.abs(pred - y))
else:
    loss = tf.reduce_mean(tf.square(pred - y))
""" + RUN)
    assert declined(text, findings, "`np.random.rand(...)` decides how the graph is built")


def test_variables_created_in_a_loop_stay_in_lists_and_its_tensors_move() -> None:
    """A layer per filter size (cnn-text-classification's conv + max-pool loop): the loop
    stays for its variables, kept in a list each; its tensors move into the functions, in
    the same name scopes, reading them from the lists."""
    text, findings = migrate(HEAD + """\
loss = tf.reduce_mean(tf.square(pred - y))
terms = []
for i, size in enumerate([1, 2]):
    with tf.name_scope("extra-%s" % size):
        shape = [size]
        extra = tf.Variable(tf.zeros(shape), name="extra")
        terms.append(tf.reduce_sum(extra))
loss = loss + tf.add_n(terms)
""" + RUN)
    assert not [f for f in findings if f.kind == "declined"]
    assert """extra_per_size = []
for i, size in enumerate([1, 2]):
    with tf.name_scope("extra-%s" % size):
        shape = [size]
        extra = tf.Variable(tf.zeros(shape), name="extra")
        extra_per_size.append(extra)
""" in text
    assert """        terms = []
        for (i, size), extra in zip(enumerate([1, 2]), extra_per_size):
            with tf.name_scope("extra-%s" % size):
                terms.append(tf.reduce_sum(extra))
""" in text
    assert "*extra_per_size" in text
    assert any("variables `extra` created in a loop -> kept in `extra_per_size`" in f.message for f in findings)


def test_a_variable_a_loop_creating_variables_sums_into_starts_the_sum() -> None:
    """pkmital's polynomial regression: ``Y_pred`` is a variable, then the loop's running sum."""
    text, findings = migrate(HEAD + """\
loss = tf.Variable(tf.zeros([1]), name="start")
for i in range(1, 3):
    extra = tf.Variable(tf.zeros([1]))
    loss = tf.add(loss, tf.reduce_sum(extra))
""" + RUN)
    assert "compat.v1" not in text
    assert 'start = tf.Variable(tf.zeros([1]), name="start")\n' in text
    assert ("        loss = start\n        for i, extra in zip(range(1, 3), extra_per_i):\n"
            "            loss = tf.add(loss, tf.reduce_sum(extra))\n") in text
    assert "variables = [W1, W2, start, *extra_per_i]" in text
    assert any("`loss`, a variable the loop sums into, is `start` here" in f.message for f in findings)


def test_a_variable_read_before_the_loop_that_sums_into_it_falls_back() -> None:
    text, findings = migrate(HEAD + """\
loss = tf.Variable(tf.zeros([1]))
first = loss * 2.0
for i in range(1, 3):
    extra = tf.Variable(tf.zeros([1]))
    loss = tf.add(loss, tf.reduce_sum(extra))
""" + RUN)
    assert declined(text, findings, "`loss`, a variable, is bound to a tensor by a loop creating variables")


def test_variables_created_in_a_condition_in_a_loop_fall_back() -> None:
    text, findings = migrate(HEAD + """\
loss = tf.reduce_mean(tf.square(pred - y))
for i in range(2):
    if i:
        extra = tf.Variable(tf.zeros([1]))
        loss = loss + tf.reduce_sum(extra)
""" + RUN)
    assert declined(text, findings, "variables created inside a loop other than by `name = tf.Variable(...)`")


def test_a_print_in_a_branch_that_defines_the_graph_falls_back() -> None:
    # It would print again at each trace of each function holding the block.
    text, findings = migrate(HEAD + CHOICE.replace(
        '    loss = tf.reduce_mean(tf.square(pred - y))\n',
        '    print("using the l2 loss")\n    loss = tf.reduce_mean(tf.square(pred - y))\n',
    ) + RUN)
    assert declined(text, findings, "a block that builds the graph does more than assign")


def test_a_python_name_set_in_the_block_and_read_after_it_falls_back() -> None:
    text, findings = migrate(HEAD + """\
if loss_type == "l2":
    scale = 2.0
    loss = scale * tf.reduce_mean(tf.square(pred - y))
print(scale)
""" + RUN)
    assert declined(text, findings, "`scale` is set while building the graph and read by the program after it")


def test_a_loop_that_runs_the_graph_is_not_a_block() -> None:
    text, _ = migrate(HEAD + "loss = tf.reduce_mean(tf.square(pred - y))\n" + RUN)
    assert "for i in range(3):\n    l = train_step(" in text and "def train_step(x, y):" in text
