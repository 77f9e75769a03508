"""G101 beyond its examples: the session, fetch, feed and gradient forms of TF1 scripts.

These check the shape of the generated code; the fixtures under fixtures/graph prove by
running both versions that the numbers stay the same.
"""

from __future__ import annotations

import ast
import textwrap

import pytest

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


HEADER = """\
import numpy as np
import tensorflow as tf

x = tf.placeholder(tf.float32, [None, 2])
y = tf.placeholder(tf.float32, [None, 1])
W = tf.Variable(tf.zeros([2, 1]))
b = tf.Variable(0.0)
pred = tf.matmul(x, W) + b
cost = tf.reduce_mean(tf.square(pred - y))
"""


def test_minimize_becomes_tape_and_keras_optimizer() -> None:
    text, findings = migrate(
        HEADER
        + """\
train_op = tf.train.AdamOptimizer(0.1).minimize(cost)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for i in range(3):
        _, c = sess.run([train_op, cost], feed_dict={x: np.ones((4, 2)), y: np.ones((4, 1))})
        print(c)
"""
    )
    assert "optimizer = tf.keras.optimizers.Adam(learning_rate=0.1, epsilon=1e-08)" in text
    assert "with tf.GradientTape() as tape:" in text
    assert "gradients = tape.gradient(cost, variables)" in text
    assert "variables = [W, b]" in text
    assert "c = train_step(np.ones((4, 2)), np.ones((4, 1))).numpy()" in text
    assert "Session" not in text and "placeholder" not in text and "initializer" not in text
    assert any("AdamOptimizer -> keras.optimizers.Adam" in f.message for f in findings)


def test_placeholders_become_typed_parameters() -> None:
    text, _ = migrate(
        HEADER
        + """\
with tf.Session() as sess:
    print(sess.run(cost, {x: [[1.0, 2.0]], y: [[3.0]]}))
"""
    )
    assert (
        "@tf.function(input_signature=[tf.TensorSpec([None, 2], tf.float32), "
        "tf.TensorSpec([None, 1], tf.float32)])\ndef compute_cost(x, y):" in text
    )
    assert "print(compute_cost([[1.0, 2.0]], [[3.0]]).numpy())" in text


def test_same_fetch_shares_a_function_and_variables_are_read_directly() -> None:
    text, _ = migrate(
        HEADER
        + """\
sess = tf.Session()
sess.run(tf.global_variables_initializer())
print(sess.run(cost, feed_dict={x: [[1.0, 1.0]], y: [[1.0]]}))
print(sess.run(cost, feed_dict={x: [[2.0, 2.0]], y: [[0.0]]}))
print(sess.run(W), sess.run([W, b]))
sess.close()
"""
    )
    assert text.count("def compute_cost") == 1
    assert "print(W.numpy(), [W.numpy(), b.numpy()])" in text
    assert "close" not in text


def test_dict_and_list_fetches_keep_their_structure() -> None:
    text, _ = migrate(
        HEADER
        + """\
with tf.Session() as sess:
    feed = None
    r = sess.run({"cost": cost, "pred": pred}, feed_dict={x: [[1.0, 1.0]], y: [[1.0]]})
    l = sess.run([cost, pred], feed_dict={x: [[1.0, 1.0]], y: [[1.0]]})
"""
    )
    assert "return {\"cost\": cost, \"pred\": pred}" in text
    assert "{key: value.numpy() for key, value in" in text
    assert "l = [value.numpy() for value in" in text


def test_interactive_session_eval_and_run() -> None:
    text, _ = migrate(
        """\
import tensorflow as tf

sess = tf.InteractiveSession()
counter = tf.Variable(0)
increment = tf.assign_add(counter, 1)
tf.global_variables_initializer().run()
increment.eval()
print(counter.eval())
"""
    )
    assert "counter.assign_add(1)" in text
    assert "compute_increment()" in text
    assert "print(counter.numpy())" in text
    assert "InteractiveSession" not in text and ".run()" not in text


def test_gradients_with_respect_to_an_input_watch_it() -> None:
    text, _ = migrate(
        HEADER
        + """\
grad = tf.gradients(cost, x)[0]
with tf.Session() as sess:
    print(sess.run(grad, feed_dict={x: [[1.0, 1.0]], y: [[1.0]]}))
"""
    )
    assert "tape.watch(x)" in text
    assert "grad = tape.gradient(cost, [x])[0]" in text


def test_a_session_passed_to_a_helper_is_dropped() -> None:
    text, _ = migrate(
        HEADER
        + """\
def evaluate(sess, data, labels):
    return sess.run(cost, feed_dict={x: data, y: labels})

with tf.Session() as sess:
    print(evaluate(sess, [[1.0, 1.0]], [[1.0]]))
"""
    )
    assert "def evaluate(data, labels):" in text
    assert "print(evaluate([[1.0, 1.0]], [[1.0]]))" in text


def test_comments_of_removed_graph_statements_are_kept() -> None:
    text, _ = migrate(
        """\
import tensorflow as tf

# Inputs of the model
a = tf.placeholder(tf.float32)
b = a * 2.0
with tf.Session() as sess:
    print(sess.run(b, {a: 1.0}))
"""
    )
    assert "# Inputs of the model" in text


def test_compat_v1_import_becomes_plain_tensorflow() -> None:
    text, _ = migrate(
        """\
import tensorflow.compat.v1 as tf
tf.disable_v2_behavior()

a = tf.placeholder(tf.float32)
b = a * 2.0
with tf.Session() as sess:
    print(sess.run(b, {a: 1.0}))
"""
    )
    assert text.startswith("import tensorflow as tf\n")
    assert "disable_v2_behavior" not in text


def test_unprovable_graph_falls_back_to_compat_v1_with_a_reason() -> None:
    text, findings = migrate(
        """\
import tensorflow as tf

a = tf.placeholder(tf.float32, name="a")
b = tf.multiply(a, 2.0, name="b")
with tf.Session() as sess:
    t = tf.get_default_graph().get_tensor_by_name("b:0")
    print(sess.run(t, {a: 1.0}))
"""
    )
    assert text.startswith("import tensorflow.compat.v1 as tf\ntf.disable_v2_behavior()\n")
    assert "sess.run(t, {a: 1.0})" in text
    (finding,) = [f for f in findings if f.kind == "declined"]
    assert "get_default_graph" in finding.message
    assert finding.line == 6


def test_fallback_switches_to_graph_mode_before_the_first_graph_op():
    # Notebook cells exported to a script import TensorFlow again further down; ops built
    # before a switch placed after the last import would be eager (an empty Session graph).
    text, _ = migrate(
        """\
import numpy as np
import tensorflow as tf
a = tf.add(2, 3, name="add")
import tensorflow as tf
with tf.Session() as sess:
    print(sess.run(tf.get_default_graph().get_tensor_by_name("add:0")))
"""
    )
    assert text.startswith(
        "import numpy as np\nimport tensorflow.compat.v1 as tf\ntf.disable_v2_behavior()\na = tf.add(2, 3"
    )
    assert text.count("import tensorflow.compat.v1 as tf") == 2 and text.count("disable_v2_behavior") == 1


def test_fallback_also_switches_tensorflow_imported_inside_a_function():
    # Tutorials import TensorFlow again in their test function; left as TF 2's module it
    # would have no tf.train.AdamOptimizer or tf.Session under the process's graph mode.
    text, _ = migrate(
        """\
import tensorflow as tf
import numpy as np
a = tf.add(2, 3, name="add")

def main():
    import tensorflow as tf
    import numpy
    opt = tf.train.AdamOptimizer(0.1)
    with tf.Session() as sess:
        print(sess.run(tf.get_default_graph().get_tensor_by_name("add:0")))

if __name__ == "__main__":
    import tensorflow as tf
    with tf.Session() as sess:
        print(sess.run(tf.get_default_graph().get_tensor_by_name("add:0")))
"""
    )
    assert text.count("import tensorflow.compat.v1 as tf") == 3 and "import numpy\n" in text
    assert text.count("disable_v2_behavior") == 1


def test_a_grouped_op_runs_in_a_function_that_returns_no_value():
    # tf.group builds an Operation: sess.run gave None for it, and a tf.function may only
    # return tensors (TypeError at its first call).
    text, findings = migrate(
        """\
import tensorflow as tf

v = tf.Variable(1.0)
w = tf.Variable(2.0)
total = v + w
step = tf.group(v.assign(w), w.assign(total))
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    step.run()
    _, t = sess.run([step, total])
    print(sess.run(step), t)
"""
    )
    # Its calls run one after the other (Keras' apply_gradients returns a variable tf.group refuses).
    assert "return step" not in text and "    v.assign(w)\n    w.assign(total)\n\n" in text
    assert "compute_step()\nt = compute_step_and_total().numpy()\nprint(compute_step(), t)" in text
    assert "return total" in text
    assert not [f for f in findings if f.kind == "declined"]


def test_a_fetched_op_with_several_outputs_comes_back_as_that_structure_of_numpy_values():
    text, _ = migrate(
        """\
import tensorflow as tf

m = tf.constant([[2.0, 1.0], [1.0, 3.0]])
top = tf.nn.top_k(tf.constant([3.0, 1.0, 2.0]), k=2)
with tf.Session() as sess:
    print(sess.run(tf.self_adjoint_eig(m)))
    print(sess.run(top))
    print(sess.run(tf.svd(m, compute_uv=False)))
"""
    )
    assert "print(tf.nest.map_structure(lambda value: value.numpy(), compute_value()))" in text
    assert "print(tf.nest.map_structure(lambda value: value.numpy(), compute_top()))" in text
    assert "print(compute_value_2().numpy())" in text  # the singular values alone


def test_one_solver_for_two_training_ops_is_built_for_both_variable_lists():
    # A Keras optimizer only updates the variables it was built for ("Unknown variable").
    text, _ = migrate(
        HEADER
        + """\
V = tf.Variable(1.0)
other = tf.reduce_mean(tf.square(pred * V - y))
solver = tf.train.AdamOptimizer(0.1)
step_a = solver.minimize(cost, var_list=[W, b])
step_b = solver.minimize(other, var_list=[V])
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    sess.run(step_a, {x: np.ones((4, 2)), y: np.ones((4, 1))})
    sess.run(step_b, {x: np.ones((4, 2)), y: np.ones((4, 1))})
"""
    )
    assert text.count("solver.build([*[W, b], *[V]])\n") == 1
    assert text.index("solver.build(") < text.index("def train_step_a")


def test_gradients_of_two_variable_lists_applied_in_one_group_build_the_optimizer_for_both():
    text, _ = migrate(
        HEADER
        + """\
opt = tf.train.AdamOptimizer(0.1)
gv = opt.compute_gradients(cost, [W])
shared_gv = [(0.5 * g, v) for g, v in opt.compute_gradients(cost, [b])]
step = tf.group(opt.apply_gradients(gv), opt.apply_gradients(shared_gv))
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    sess.run(step, {x: np.ones((4, 2)), y: np.ones((4, 1))})
"""
    )
    assert "opt.build([*[W], *[b]])\n" in text


def test_an_optimizer_name_bound_again_for_a_second_graph_is_another_optimizer():
    # reset_default_graph, then the same names: the second `opt` has slots of its own.
    text, findings = migrate(
        """\
        import tensorflow as tf
        from tensorflow.python.framework import ops

        sess = tf.Session()
        a = tf.Variable(4.0)
        loss = tf.square(a - 1.0)
        opt = tf.train.AdamOptimizer(0.1)
        step = opt.minimize(loss)
        sess.run(tf.global_variables_initializer())
        sess.run(step)
        print(sess.run(a))

        ops.reset_default_graph()
        sess = tf.Session()
        a = tf.Variable(1.0)
        b = tf.Variable(2.0)
        loss = tf.square(a * b - 8.0)
        opt = tf.train.AdamOptimizer(0.1)
        step = opt.minimize(loss)
        sess.run(tf.global_variables_initializer())
        sess.run(step)
        print(sess.run(a), sess.run(b))
        """
    )
    assert "disable_v2_behavior" not in text, [f.message for f in findings]
    assert text.count("opt.build([a])\n") == 1 and text.count("opt.build([a, b])\n") == 1
    assert text.index("opt.build([a, b])") > text.index("opt = tf.keras.optimizers.Adam", text.index("opt.build([a])"))


@pytest.mark.parametrize(
    "creation",
    [
        "a, b = [tf.Variable(p, dtype=tf.float32) for p in [2.0, 4.5]]",
        "a, b = tf.Variable(2.0), tf.Variable(4.5)",
        "[a, b] = (tf.Variable(v) for v in (2.0, 4.5))",
    ],
)
def test_variables_unpacked_from_several_creations_are_trained(creation: str) -> None:
    text, findings = migrate(
        "import tensorflow as tf\n\n"
        f"{creation}\n"
        "mse = tf.square(a * b - 3.0)\n"
        "train_op = tf.train.GradientDescentOptimizer(0.1).minimize(mse)\n"
        "with tf.Session() as sess:\n"
        "    sess.run(tf.global_variables_initializer())\n"
        "    for t in range(3):\n"
        "        a_, b_, mse_ = sess.run([a, b, mse])\n"
        "        sess.run(train_op)\n"
        "    print(a_, b_, mse_)\n"
    )
    assert "disable_v2_behavior" not in text, [f.message for f in findings]
    assert f"{creation}\n" in text and "    variables = [a, b]\n" in text


def test_variables_unpacked_and_initialised_again_are_declined() -> None:
    # The initial value of one element of a comprehension cannot be evaluated again alone.
    text, findings = migrate(
        "import tensorflow as tf\n\n"
        "a, b = [tf.Variable(p) for p in [2.0, 4.5]]\n"
        "mse = tf.square(a * b - 3.0)\n"
        "train_op = tf.train.GradientDescentOptimizer(0.1).minimize(mse)\n"
        "with tf.Session() as sess:\n"
        "    for run in range(2):\n"
        "        sess.run(tf.global_variables_initializer())\n"
        "        sess.run(train_op)\n"
        "        print(sess.run(mse))\n"
    )
    assert "disable_v2_behavior" in text
    assert any("is initialised again" in f.message for f in findings if f.rule == "G101"), [f.message for f in findings]


def test_graph_built_in_a_loop_falls_back() -> None:
    text, findings = migrate(
        """\
import tensorflow as tf

x = tf.placeholder(tf.float32)
layers = []
for i in range(3):
    layers.append(tf.Variable(float(i)))
with tf.Session() as sess:
    print(sess.run(x, {x: 1.0}))
"""
    )
    assert "tensorflow.compat.v1" in text
    assert any("loop" in f.message for f in findings)


def test_local_name_tf_is_not_tensorflow() -> None:
    source = """\
import numpy as np

def run(tf):
    sess = tf.Session()
    return sess.run(tf.placeholder("float"))
"""
    text, findings = migrate(source)
    assert text == source
    assert findings == []


def test_feed_dict_variables_are_inlined() -> None:
    text, _ = migrate(
        HEADER
        + """\
with tf.Session() as sess:
    for step in range(2):
        batch = np.ones((4, 2)), np.ones((4, 1))
        feed_dict = {x: batch[0], y: batch[1]}
        print(sess.run(cost, feed_dict=feed_dict))
"""
    )
    assert "feed_dict" not in text
    assert "print(compute_cost(batch[0], batch[1]).numpy())" in text


def test_graph_built_inside_main_is_converted_there() -> None:
    text, _ = migrate(
        """\
import numpy as np
import tensorflow as tf


def main(_):
    x = tf.placeholder(tf.float32, [None, 2])
    W = tf.Variable(tf.ones([2, 1]))
    y = tf.matmul(x, W)
    train_step = tf.train.GradientDescentOptimizer(0.5).minimize(tf.reduce_sum(y))
    sess = tf.InteractiveSession()
    tf.global_variables_initializer().run()
    for _ in range(2):
        sess.run(train_step, feed_dict={x: np.ones((1, 2))})
    print(sess.run(y, feed_dict={x: np.ones((1, 2))}))


if __name__ == "__main__":
    tf.app.run(main=main)
"""
    )
    assert "def main(_):\n    W = tf.Variable(tf.ones([2, 1]))\n    optimizer = tf.keras.optimizers.SGD(learning_rate=0.5)" in text
    assert "    @tf.function(input_signature=[tf.TensorSpec([None, 2], tf.float32)])\n    def train_step(x):" in text
    assert "        train_step(np.ones((1, 2)))" in text


def test_exponential_decay_becomes_a_keras_schedule_read_before_the_step() -> None:
    text, _ = migrate(
        HEADER
        + """\
global_step = tf.Variable(0, trainable=False)
learning_rate = tf.train.exponential_decay(0.1, global_step, 5, 0.5, staircase=True)
train_op = tf.train.GradientDescentOptimizer(learning_rate).minimize(cost, global_step=global_step)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    _, lr = sess.run([train_op, learning_rate], feed_dict={x: [[1.0, 1.0]], y: [[1.0]]})
"""
    )
    assert (
        "learning_rate = tf.keras.optimizers.schedules.ExponentialDecay(initial_learning_rate=0.1, "
        "decay_steps=5, decay_rate=0.5, staircase=True)" in text
    )
    assert "        learning_rate_value = learning_rate(global_step)\n" in text
    assert "    global_step.assign_add(1)\n    return learning_rate_value\n" in text


def test_a_decayed_learning_rate_in_a_computation_is_the_schedule_at_the_step() -> None:
    text, findings = migrate(HEADER + """\
global_step = tf.Variable(0, trainable=False)
learning_rate = tf.train.exponential_decay(0.1, global_step, 2, 0.5, staircase=True)
logged = {"lr": learning_rate, "lr_x10": learning_rate * 10.0, "cost": cost}
train_op = tf.train.GradientDescentOptimizer(learning_rate).minimize(cost, global_step=global_step)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    print(sess.run(logged, {x: np.ones((4, 2)), y: np.ones((4, 1))}))
    sess.run(train_op, {x: np.ones((4, 2)), y: np.ones((4, 1))})
""")
    assert "disable_v2_behavior" not in text, [f.message for f in findings]
    assert '{"lr": learning_rate(global_step), "lr_x10": learning_rate(global_step) * 10.0, "cost": cost}' in text


def test_a_decayed_learning_rate_read_in_a_lambda_is_declined() -> None:
    text, findings = migrate(HEADER + """\
global_step = tf.Variable(0, trainable=False)
learning_rate = tf.train.exponential_decay(0.1, global_step, 2, 0.5)
scaled = tf.map_fn(lambda c: c * learning_rate, tf.stack([cost]))
train_op = tf.train.GradientDescentOptimizer(learning_rate).minimize(cost, global_step=global_step)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    print(sess.run(scaled, {x: np.ones((4, 2)), y: np.ones((4, 1))}))
""")
    assert "disable_v2_behavior" in text
    assert any("a decayed learning rate used in a lambda" in f.message for f in findings)


def test_decay_without_the_training_step_counter_falls_back() -> None:
    text, findings = migrate(
        HEADER
        + """\
global_step = tf.Variable(0, trainable=False)
learning_rate = tf.train.exponential_decay(0.1, global_step, 5, 0.5)
train_op = tf.train.GradientDescentOptimizer(learning_rate).minimize(cost)
with tf.Session() as sess:
    sess.run(train_op, feed_dict={x: [[1.0, 1.0]], y: [[1.0]]})
"""
    )
    assert "tensorflow.compat.v1" in text
    assert any("does not increment" in f.message for f in findings)


def test_name_scope_blocks_keep_variables_outside_and_tensors_inside() -> None:
    text, _ = migrate(
        """\
import tensorflow as tf

x = tf.placeholder(tf.float32, [None, 2])
with tf.name_scope("hidden"):
    weights = tf.Variable(tf.ones([2, 2]), name="weights")
    hidden = tf.nn.relu(tf.matmul(x, weights))
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    print(sess.run(hidden, {x: [[1.0, 2.0]]}))
"""
    )
    assert 'with tf.name_scope("hidden"):\n    weights = tf.Variable(tf.ones([2, 2]), name="weights")\n' in text
    assert '    with tf.name_scope("hidden"):\n        hidden = tf.nn.relu(tf.matmul(x, weights))\n    return hidden\n' in text


def test_an_augmented_tensor_in_a_name_scope_block_goes_with_the_tensors() -> None:
    """``l2_loss += tf.nn.l2_loss(W)`` in the output layer's scope (cnn-text-classification):
    defined again from its last value, in the function, in the scope."""
    text, findings = migrate(
        """\
import tensorflow as tf

x = tf.placeholder(tf.float32, [None, 2])
l2_loss = tf.constant(0.0)
with tf.name_scope("output"):
    W = tf.Variable(tf.ones([2, 1]), name="W")
    l2_loss += tf.nn.l2_loss(W)
    pred = tf.matmul(x, W)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    print(sess.run([pred, l2_loss], {x: [[1.0, 2.0]]}))
"""
    )
    assert not [f for f in findings if f.kind == "declined"]
    assert 'with tf.name_scope("output"):\n    W = tf.Variable(tf.ones([2, 1]), name="W")\n' in text
    assert ('    l2_loss = tf.constant(0.0)\n    with tf.name_scope("output"):\n        l2_loss += tf.nn.l2_loss(W)\n'
            '        pred = tf.matmul(x, W)\n    return pred, l2_loss\n') in text


def test_library_code_that_runs_sessions_inside_functions_is_left_to_the_api_rules() -> None:
    source = """\
import tensorflow as tf


def restore(path):
    graph = tf.Graph()
    with tf.Session(graph=graph) as sess:
        return sess.run(tf.constant(1))
"""
    text, findings = migrate(source)
    assert text == source
    assert findings == []


FEED = "feed_dict={x: np.ones((4, 2)), y: np.ones((4, 1))}"


def test_dict_fetch_with_a_training_op_keeps_the_other_keys() -> None:
    text, _ = migrate(
        HEADER
        + f"""\
train_op = tf.train.GradientDescentOptimizer(0.1).minimize(cost)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    out = sess.run({{'train': train_op, 'loss': cost}}, {FEED})
    print(out['loss'])
"""
    )
    assert "return {'loss': cost}" in text
    assert "'train'" not in text


def test_fetches_that_are_lists_of_tensors_come_back_as_lists_of_arrays() -> None:
    text, _ = migrate(
        HEADER
        + f"""\
grads = tf.gradients(cost, [W, b])
report = {{'cost': cost, 'parts': [pred, cost]}}
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    print(sess.run(grads, {FEED}))
    print(sess.run(report, {FEED}))
"""
    )
    assert text.count("tf.nest.map_structure(lambda value: value.numpy(), ") == 2


def test_variable_initializer_runs_disappear() -> None:
    text, _ = migrate(
        HEADER
        + f"""\
sess = tf.InteractiveSession()
W.initializer.run()
sess.run([W.initializer, b.initializer])
print(cost.eval({FEED}))
"""
    )
    assert "initializer" not in text


def test_global_step_helper_reads_the_variable() -> None:
    text, _ = migrate(
        HEADER
        + f"""\
step = tf.Variable(0, trainable=False, name="global_step")
train_op = tf.train.GradientDescentOptimizer(0.1).minimize(cost, step)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    sess.run(train_op, {FEED})
    print(tf.train.global_step(sess, step))
"""
    )
    # minimize(loss, global_step) positionally: the step is incremented by the train step.
    assert "step.assign_add(1)" in text
    assert "print(int(step.numpy()))" in text


def test_training_op_under_control_dependencies_runs_them_first() -> None:
    text, _ = migrate(
        HEADER
        + f"""\
seen = tf.Variable(0, trainable=False)
count_op = tf.assign_add(seen, tf.shape(x)[0])
with tf.control_dependencies([count_op]):
    train_op = tf.train.GradientDescentOptimizer(0.1).minimize(cost)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    sess.run(train_op, {FEED})
"""
    )
    assert "control_dependencies" not in text
    body = text[text.index("def train_step"):]
    assert body.index("count_op = ") < body.index("optimizer.apply_gradients")


def test_expressions_over_variables_alone_are_evaluated_per_run() -> None:
    text, _ = migrate(
        HEADER
        + """\
scale = W * 2.0 + b
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    print(sess.run(scale))
"""
    )
    assert "def compute_scale():\n    scale = W * 2.0 + b\n    return scale" in text


def test_function_parameters_shadow_graph_tensors() -> None:
    text, findings = migrate(
        HEADER
        + f"""\
def model(x, W):
    return tf.matmul(x, W)
out = model(x, W)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    print(sess.run(out, {FEED}))
"""
    )
    assert "compat.v1" not in text
    assert not [f for f in findings if f.kind == "declined"]


def test_rmsprop_slots_start_at_one_as_in_tf1() -> None:
    text, findings = migrate(
        HEADER
        + f"""\
train_op = tf.train.RMSPropOptimizer(0.01, decay=0.8, centered=True).minimize(cost)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    sess.run(train_op, {FEED})
"""
    )
    assert "tf.keras.optimizers.RMSprop(learning_rate=0.01, rho=0.8, epsilon=1e-10, centered=True)" in text
    assert "optimizer.build([W, b])" in text
    assert "slot.assign(tf.ones_like(slot))" in text
    assert text.index("optimizer.build") < text.index("def train_step")


def test_momentum_with_a_decaying_rate_falls_back_with_its_reason() -> None:
    text, findings = migrate(
        HEADER
        + f"""\
step = tf.train.get_or_create_global_step()
rate = tf.train.exponential_decay(0.1, step, 10, 0.5)
train_op = tf.train.MomentumOptimizer(rate, 0.9).minimize(cost, global_step=step)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    sess.run(train_op, {FEED})
"""
    )
    assert "tf.disable_v2_behavior()" in text
    assert [f.message for f in findings if f.kind != "declined"] == []
    assert any("MomentumOptimizer with a decaying learning rate" in f.message for f in findings)


def test_graph_built_in_a_function_and_run_outside_falls_back() -> None:
    text, findings = migrate(
        """\
        import tensorflow as tf

        def build():
            global x, y
            x = tf.placeholder(tf.float32, [None])
            y = x * 2.0

        build()
        with tf.Session() as sess:
            print(sess.run(y, {x: [1.0]}))
        """
    )
    assert "tf.disable_v2_behavior()" in text
    assert any("built in `build` but run outside it" in f.message for f in findings)


def test_tensor_assigned_twice_keeps_both_definitions_in_order() -> None:
    text, _ = migrate(
        """\
import tensorflow as tf

x = tf.placeholder(tf.float32, [None, 2])
W = tf.Variable(tf.ones([2, 2]))
h = tf.matmul(x, W)
h = tf.nn.relu(h - 1.0)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    print(sess.run(h, feed_dict={x: [[1.0, 2.0]]}))
"""
    )
    assert "def compute_h(x):\n    h = tf.matmul(x, W)\n    h = tf.nn.relu(h - 1.0)\n    return h\n" in text


SCOPED = """\
import numpy as np
import tensorflow as tf

x = tf.placeholder(tf.float32, [None, 2])
with tf.name_scope("generator"):
    g = tf.Variable(tf.ones([2, 2]), name="W")
with tf.name_scope("discriminator"):
    d = tf.Variable(tf.ones([2, 1]), name="W")
    d_b = tf.Variable(0.0)
loss = tf.reduce_sum(tf.matmul(tf.matmul(x, g), d) + d_b)
"""

SCOPED_RUN = """\
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    print(sess.run([step, loss], feed_dict={x: np.ones((1, 2))})[1])
"""


def test_trainable_variables_scope_selects_the_scopes_variables() -> None:
    text, _ = migrate(
        SCOPED
        + 'step = tf.train.GradientDescentOptimizer(0.1).minimize(loss, var_list=tf.trainable_variables(scope="discriminator"))\n'
        + SCOPED_RUN
    )
    assert "variables = [d, d_b]" in text
    assert "trainable_variables" not in text


def test_variable_list_filtered_on_names_becomes_a_plain_list() -> None:
    text, _ = migrate(
        SCOPED
        + "t_vars = tf.trainable_variables()\n"
        + 'g_vars = [v for v in t_vars if v.name.startswith("generator")]\n'
        + "d_vars = [v for v in t_vars if 'W' in v.name]\n"
        + "step = tf.train.GradientDescentOptimizer(0.1).minimize(loss, var_list=g_vars)\n"
        + SCOPED_RUN
    )
    assert "t_vars = [g, d, d_b]" in text
    assert "g_vars = [g]" in text
    assert "d_vars = [g, d]" in text


def test_variable_list_filtered_by_an_unknown_name_falls_back() -> None:
    text, findings = migrate(
        SCOPED.replace('name="W")\n    d_b', 'name="W")\n    d_b').replace("d_b = tf.Variable(0.0)", "d_b = tf.Variable(0.0, name=x_name)")
        .replace("x = tf.placeholder", "x_name = 'b'\nx = tf.placeholder")
        + 'step = tf.train.GradientDescentOptimizer(0.1).minimize(loss, var_list=tf.trainable_variables("disc"))\n'
        + SCOPED_RUN
    )
    assert "compat.v1" in text
    assert any("the TF1 name of `d_b` is not known" in f.message for f in findings)


def test_inline_global_step_and_get_global_step_and_variable_learning_rate() -> None:
    text, _ = migrate(
        HEADER
        + """\
lr = tf.Variable(0.1, trainable=False)
train_op = tf.train.GradientDescentOptimizer(lr).minimize(cost, global_step=tf.train.get_or_create_global_step())
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    _, _ = sess.run([train_op, cost], feed_dict={x: np.ones((4, 2)), y: np.ones((4, 1))})
    print(sess.run(tf.train.get_global_step()))
"""
    )
    assert 'global_step = tf.Variable(0, trainable=False, dtype=tf.int64, name="global_step")' in text
    assert "global_step.assign_add(1)" in text
    assert "print(global_step.numpy())" in text
    assert "optimizer = tf.keras.optimizers.SGD(learning_rate=lambda: lr)" in text
    assert "get_global_step" not in text and "compat.v1" not in text


def test_learning_rate_fed_through_a_placeholder_falls_back() -> None:
    text, findings = migrate(
        HEADER
        + """\
lr = tf.placeholder(tf.float32, [])
train_op = tf.train.GradientDescentOptimizer(lr).minimize(cost)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    sess.run(train_op, feed_dict={x: np.ones((4, 2)), y: np.ones((4, 1)), lr: 0.1})
"""
    )
    assert "compat.v1" in text
    assert any("a learning rate computed in the graph" in f.message for f in findings)


def test_helpers_returning_a_new_variable_create_it_at_module_level() -> None:
    text, findings = migrate(
        f"""\
import numpy as np
import tensorflow as tf

def init_weights(shape):
    return tf.Variable(tf.random_normal(shape, stddev=0.01))

x = tf.placeholder(tf.float32, [None, 2])
y = tf.placeholder(tf.float32, [None, 1])
w = init_weights([2, 1])
cost = tf.reduce_mean(tf.square(tf.matmul(x, w) - y))
train_op = tf.train.GradientDescentOptimizer(0.1).minimize(cost)
with tf.Session() as sess:
    tf.global_variables_initializer().run()
    sess.run(train_op, {FEED})
"""
    )
    assert "w = init_weights([2, 1])" in text
    assert "variables = [w]" in text
    assert not [f for f in findings if f.kind == "declined"]


def test_a_run_reads_the_definitions_made_before_it() -> None:
    # aymericdamien's basic_operations: `a` is a constant, run, then a placeholder.
    text, findings = migrate(
        """\
        import tensorflow as tf

        a = tf.constant(2)
        with tf.Session() as sess:
            print(sess.run(a + 1))
        a = tf.placeholder(tf.int16)
        add = a + 1
        with tf.Session() as sess:
            print(sess.run(add, feed_dict={a: 2}))
        """
    )
    assert "def compute_value():\n    a = tf.constant(2)\n    return a + 1" in text
    assert "def compute_add(a):" in text
    assert not [f for f in findings if f.kind == "declined"]


def test_feed_values_are_evaluated_in_the_feed_dicts_order() -> None:
    # nlintz's GAN feeds `{X: images[np.random.choice(...)], z: noise()}`: two draws.
    text, _ = migrate(
        HEADER
        + """\
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    print(sess.run(cost, feed_dict={y: np.random.rand(4, 1), x: np.random.rand(4, 2)}))
"""
    )
    assert "compute_cost(y=np.random.rand(4, 1), x=np.random.rand(4, 2))" in text


def test_two_training_ops_in_one_run_share_one_forward_pass() -> None:
    # The GAN pattern: `sess.run([train_gen, train_disc, gen_loss, disc_loss])`.
    text, findings = migrate(
        HEADER
        + f"""\
V = tf.Variable(tf.zeros([2, 1]))
other = tf.reduce_mean(tf.square(tf.matmul(x, V) - y))
train_a = tf.train.AdamOptimizer(0.1).minimize(cost, var_list=[W, b])
train_b = tf.train.GradientDescentOptimizer(0.1).minimize(other, var_list=[V])
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    _, _, c, o = sess.run([train_a, train_b, cost, other], {FEED})
    sess.run(train_a, {FEED})
"""
    )
    assert "def train_a_and_b(x, y):" in text
    assert "with tf.GradientTape(persistent=True) as tape:" in text
    body = text[text.index("def train_a_and_b"):]
    assert body.index("tape.gradient(cost") < body.index("tape.gradient(other")
    assert "def train_a(x, y):" in text  # the lone run trains one op only
    assert not [f for f in findings if f.kind == "declined"]


def test_a_loop_body_reading_graph_tensors_moves_into_the_function() -> None:
    text, findings = migrate(
        """\
        import tensorflow as tf

        A = tf.placeholder(tf.float32, [2, 2])

        def body(i, v):
            return i + 1, tf.matmul(A, v)

        _, v = tf.while_loop(lambda i, v: i < 3, body, [tf.constant(0), tf.ones([2, 1])])
        with tf.Session() as sess:
            print(sess.run(v, {A: [[1.0, 0.0], [0.0, 2.0]]}))
        """
    )
    assert "def compute_v(A):\n    def body(i, v):\n        return i + 1, tf.matmul(A, v)\n\n" in text
    assert not [f for f in findings if f.kind == "declined"]


def test_a_fetched_list_keeps_none_where_tf1_ran_a_training_op() -> None:
    text, _ = migrate(
        HEADER
        + f"""\
train_op = tf.train.GradientDescentOptimizer(0.1).minimize(cost)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    print(sess.run([train_op, cost], {FEED})[1])
"""
    )
    assert "print([None, train_step(np.ones((4, 2)), np.ones((4, 1))).numpy()][1])" in text


def test_rmsprop_slots_of_layer_weights_are_set_at_the_first_step() -> None:
    # tf.layers weights exist only once the step has run: no module-level build.
    from codemods.graph.g102_layers_to_keras import LayersToKeras

    source = """\
        import tensorflow as tf

        x = tf.placeholder(tf.float32, [None, 3])
        y = tf.placeholder(tf.float32, [None, 1])
        pred = tf.layers.dense(x, 1)
        loss = tf.reduce_mean(tf.square(pred - y))
        train_op = tf.train.RMSPropOptimizer(0.01).minimize(loss)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            sess.run(train_op, {x: [[1.0, 2.0, 3.0]], y: [[1.0]]})
        """
    result = migrate_source(textwrap.dedent(source).encode(), "t.py", [LayersToKeras, GraphToEager])
    text = result.new_bytes.decode()
    assert "compat.v1" not in text
    body = text[text.index("def train_step"):]
    assert "    if not optimizer.built:\n        # TF1's RMSprop" in body
    assert "    if optimizer.iterations == 0:\n        for slot in optimizer.variables:" in body
    assert body.index("optimizer.iterations == 0") < body.index("optimizer.apply_gradients")


def test_initialising_a_deterministic_untouched_variable_twice_converts() -> None:
    text, findings = migrate(
        HEADER
        + f"""\
sess = tf.InteractiveSession()
W.initializer.run()
print(W.eval())
tf.global_variables_initializer().run()
print(cost.eval({FEED}))
"""
    )
    assert "compat.v1" not in text and "initializer" not in text


def test_graph_state_reached_through_private_modules_converts() -> None:
    """``ops.reset_default_graph()`` and ``array_ops.placeholder`` are TF1's public
    functions reached through private module paths: the module converts as with ``tf.``."""
    text, findings = migrate(
        """\
        import numpy as np
        import tensorflow as tf
        from tensorflow.python.framework import ops
        from tensorflow.python.ops import array_ops

        ops.reset_default_graph()
        x = array_ops.placeholder(tf.float32, [None, 2])
        w = tf.Variable(tf.ones([2, 1]))
        y = tf.matmul(x, w)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            print(sess.run(y, feed_dict={x: np.ones((3, 2))}))
        """
    )
    assert "compat.v1" not in text and "Session" not in text and "placeholder" not in text
    assert "def compute_y(x):" in text
    assert not [f for f in findings if f.kind == "declined"]


def test_fetches_built_inside_their_runs_get_functions_defined_before_each_use():
    # The cookbook style: nothing is built before the session, each run builds its op.
    text, _ = migrate(
        """\
import tensorflow as tf
sess = tf.Session()
print(sess.run(tf.add(3, 4)))
print(sess.run(tf.multiply(3.0, 4.0)))
"""
    )
    assert "sess" not in text and text.count("@tf.function") == 2
    assert text.index("def compute_value():") < text.index("print(compute_value().numpy())")
    assert text.index("print(compute_value().numpy())") < text.index("def compute_value_2():")


def test_a_fetch_built_from_a_loop_variable_is_computed_eagerly() -> None:
    # TF 1 built a new op from each value and ran it once: an eager computation of it.
    text, findings = migrate(
        """\
import tensorflow as tf


def polynomial(v):
    return tf.subtract(3 * tf.square(v), v) + 10


sess = tf.Session()
for num in range(3):
    print(sess.run(tf.square(num)))
    print(sess.run([polynomial(num), tf.square(num) + 1]))
    sess.run(tf.abs(num))
"""
    )
    assert "sess" not in text and "compat.v1" not in text
    assert "    print(tf.square(num).numpy())\n" in text
    assert "    print([polynomial(num).numpy(), (tf.square(num) + 1).numpy()])\n" in text
    assert "    tf.abs(num)\n" in text
    assert not [f for f in findings if f.kind == "declined"]


@pytest.mark.parametrize("fetch", [
    "tf.square(num) + w",  # a variable
    "tf.random_normal([num])",  # a new random op each time
    "scaled(num)",  # a function reading a variable
])
def test_a_fetch_built_from_a_loop_variable_and_the_graph_keeps_the_module_on_the_fallback(fetch: str) -> None:
    text, findings = migrate(
        f"""\
import tensorflow as tf

w = tf.Variable(2.0)


def scaled(v):
    return v * w


sess = tf.Session()
sess.run(tf.global_variables_initializer())
for num in range(3):
    print(sess.run({fetch}))
"""
    )
    assert text.startswith("import tensorflow.compat.v1 as tf\ntf.disable_v2_behavior()\n")
    (finding,) = [f for f in findings if f.kind == "declined"]
    assert "loop variable `num`" in finding.message


def test_variable_fetched_with_its_training_op_is_read_after_the_update() -> None:
    # TF1 returned a fetched variable's buffer after the run: the training op had updated it.
    text, _ = migrate(
        HEADER
        + """\
train_op = tf.train.GradientDescentOptimizer(0.1).minimize(cost)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    _, c, w = sess.run([train_op, cost, W], feed_dict={x: np.ones((4, 2)), y: np.ones((4, 1))})
    print(c, w)
"""
    )
    update = text.index("optimizer.apply_gradients(zip(gradients, variables))")
    assert text.index("return cost, tf.identity(W)") > update
    assert "W_value" not in text and "tf_value" not in text


def test_fallback_switches_imports_inside_functions_too() -> None:
    # `def main(): import tensorflow as tf` binds the same module: left on TF 2 it would
    # give the TF 1 code tf.train.AdamOptimizer and friends from the TF 2 API.
    text, _ = migrate(
        """\
        import tensorflow as tf

        def main():
            import tensorflow as tf
            x = tf.placeholder(tf.float32)
            for i in range(2):
                y = x * tf.Variable(2.0)
            with tf.Session() as sess:
                print(sess.run(y, {x: 1.0}))

        main()
        """
    )
    assert text.startswith("import tensorflow.compat.v1 as tf\ntf.disable_v2_behavior()\n")
    assert "def main():\n    import tensorflow.compat.v1 as tf\n" in text


def test_one_optimizer_minimizing_two_var_lists_is_built_on_both() -> None:
    """TF1's optimizer keeps one step count for both minimize ops; Keras' is built once."""
    text, _ = migrate(
        HEADER
        + """\
V = tf.Variable(tf.ones([1]))
other = tf.reduce_mean(tf.square(V - y))
solver = tf.train.AdamOptimizer(0.1)
step_W = solver.minimize(cost, var_list=[W, b])
step_V = solver.minimize(other, var_list=[V])
sess = tf.Session()
sess.run(tf.global_variables_initializer())
for i in range(3):
    sess.run(step_W, feed_dict={x: np.ones((4, 2)), y: np.ones((4, 1))})
    print(sess.run([step_V, other], feed_dict={y: np.ones((4, 1))})[1])
"""
    )
    assert text.count("solver.build([*[W, b], *[V]])\n") == 1
    assert text.index("solver.build(") < text.index("solver.apply_gradients(")


def test_an_optimizer_with_slots_is_built_before_its_step() -> None:
    # Built in the step, its slots would make tf.function trace the step twice (and create
    # its random ops twice: other op seeds than TF1's).
    text, _ = migrate(
        HEADER
        + """\
solver = tf.train.AdamOptimizer(0.1)
step = solver.minimize(cost, var_list=[W, b])
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    print(sess.run([step, cost], feed_dict={x: np.ones((4, 2)), y: np.ones((4, 1))})[1])
"""
    )
    assert text.count("solver.build([W, b])\n") == 1
    assert text.index("solver.build(") < text.index("def train_step")


def test_applied_gradients_build_the_optimizer_on_the_computed_variables() -> None:
    text, _ = migrate(
        HEADER
        + """\
opt = tf.train.MomentumOptimizer(0.1, 0.9)
gv = opt.compute_gradients(cost, [W, b])
step = opt.apply_gradients([(tf.clip_by_value(g, -1.0, 1.0), v) for g, v in gv])
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    print(sess.run([step, cost], feed_dict={x: np.ones((4, 2)), y: np.ones((4, 1))})[1])
"""
    )
    assert text.count("opt.build([W, b])\n") == 1
    assert text.index("opt.build(") < text.index("def train_step")


def test_a_var_list_the_step_computes_leaves_the_optimizer_unbuilt() -> None:
    # `params = [weights["w"], b]` moves into the step: the module level has no `params`.
    text, _ = migrate(
        HEADER.replace("W = tf.Variable", "weights = {}\nweights['w'] = tf.Variable").replace("(x, W)", "(x, weights['w'])")
        + """\
params = [weights['w'], b]
step = tf.train.AdamOptimizer(0.1).minimize(cost, var_list=params)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    print(sess.run([step, cost], feed_dict={x: np.ones((4, 2)), y: np.ones((4, 1))})[1])
"""
    )
    assert "apply_gradients(" in text and ".build(" not in text
    compile(text, "<migrated>", "exec")


def test_plain_gradient_descent_is_not_built() -> None:
    # Keras' SGD without momentum has no slots: its step creates no variables.
    text, _ = migrate(
        HEADER
        + """\
step = tf.train.GradientDescentOptimizer(0.1).minimize(cost)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    print(sess.run([step, cost], feed_dict={x: np.ones((4, 2)), y: np.ones((4, 1))})[1])
"""
    )
    assert "apply_gradients(" in text and ".build(" not in text


def test_layer_weights_leave_the_optimizer_unbuilt() -> None:
    # tf.layers weights exist only once the step has run: the step builds the optimizer.
    from codemods.graph.g102_layers_to_keras import LayersToKeras

    source = """\
        import tensorflow as tf

        x = tf.placeholder(tf.float32, [None, 3])
        y = tf.placeholder(tf.float32, [None, 1])
        pred = tf.layers.dense(x, 1)
        loss = tf.reduce_mean(tf.square(pred - y))
        train_op = tf.train.AdamOptimizer(0.01).minimize(loss)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            sess.run(train_op, {x: [[1.0, 2.0, 3.0]], y: [[1.0]]})
        """
    result = migrate_source(textwrap.dedent(source).encode(), "t.py", [LayersToKeras, GraphToEager])
    text = result.new_bytes.decode()
    assert "compat.v1" not in text and "optimizer.apply_gradients(" in text and ".build(" not in text


def test_one_optimizer_applying_gradients_of_two_var_lists_is_built_on_both() -> None:
    text, _ = migrate(
        HEADER
        + """\
V = tf.Variable(tf.ones([1]))
opt = tf.train.AdamOptimizer(0.1)
gv = opt.compute_gradients(cost, [W])
shared_gv = opt.compute_gradients(cost, [b])
shared_gv = [(0.5 * g, v) for g, v in shared_gv]
solver = tf.group(opt.apply_gradients(gv), opt.apply_gradients(shared_gv))
sess = tf.Session()
sess.run(tf.global_variables_initializer())
for i in range(3):
    print(sess.run([solver, cost], feed_dict={x: np.ones((4, 2)), y: np.ones((4, 1))})[1])
"""
    )
    assert text.count("opt.build([*[W], *[b]])\n") == 1
    assert text.index("opt.build(") < text.index("opt.apply_gradients(")
def test_fallback_binds_compat_v1_after_a_star_import_that_rebinds_the_alias():
    # `from libs.utils import *` re-exports the `tf` its module imported; migrated natively,
    # that is TF 2's tensorflow, which has no disable_v2_behavior() or placeholder().
    text, _ = migrate(
        """\
# %% Imports
import tensorflow as tf
from libs.utils import *
import numpy as np
x = tf.placeholder(tf.float32)
with tf.Session() as sess:
    print(sess.run(tf.get_default_graph().get_tensor_by_name("x:0"), {x: 1.0}))
"""
    )
    assert text.startswith(
        "# %% Imports\nfrom libs.utils import *\nimport tensorflow.compat.v1 as tf\nimport numpy as np\n"
        "tf.disable_v2_behavior()\n"
    )


def test_fallback_keeps_the_other_names_of_the_import_line_above_a_star_import():
    text, _ = migrate(
        """\
import os, tensorflow as tf
from helpers import *
x = tf.placeholder(tf.float32)
with tf.Session() as sess:
    print(sess.run(tf.get_default_graph().get_tensor_by_name("x:0"), {x: 1.0}), os.sep)
"""
    )
    assert text.startswith(
        "import os\nfrom helpers import *\nimport tensorflow.compat.v1 as tf\ntf.disable_v2_behavior()\n"
    )


def test_fallback_rewrites_a_tensorflow_import_inside_a_function():
    # A tutorial's test function imports TensorFlow again: left alone, its `tf` would be
    # TF 2's inside that function (no tf.train.AdamOptimizer, no Session).
    text, _ = migrate(
        """\
import tensorflow as tf


def model():
    x = tf.placeholder(tf.float32, [None], name="x")
    return x


def main():
    import tensorflow as tf
    x = model()
    with tf.Session() as sess:
        print(sess.run(tf.get_default_graph().get_tensor_by_name("x:0"), {x: [1.0]}))


main()
"""
    )
    assert text.startswith("import tensorflow.compat.v1 as tf\ntf.disable_v2_behavior()\n")
    assert "def main():\n    import tensorflow.compat.v1 as tf\n" in text


def test_fallback_keeps_every_statement_of_the_import_line():
    text, _ = migrate(
        """\
import os; import tensorflow as tf
x = tf.placeholder(tf.float32)
with tf.Session() as sess:
    print(sess.run(tf.get_default_graph().get_tensor_by_name("x:0"), {x: 1.0}), os.sep)
"""
    )
    assert text.startswith("import os; import tensorflow.compat.v1 as tf\ntf.disable_v2_behavior()\n")
def test_graph_level_feed_dict_used_by_several_runs_is_inlined_at_each() -> None:
    text, _ = migrate(
        HEADER
        + "feed_test = {x: np.ones((3, 2)), y: np.zeros((3, 1))}\n"
        + "sess = tf.InteractiveSession()\n"
        + "sess.run(tf.global_variables_initializer())\n"
        + "print(sess.run(cost, feed_dict=feed_test))\n"
        + "print(sess.run(pred, feed_dict=feed_test))\n"
    )
    assert "feed_test" not in text and "compat.v1" not in text
    assert "print(compute_cost(np.ones((3, 2)), np.zeros((3, 1))).numpy())" in text
    assert "print(compute_pred(np.ones((3, 2))).numpy())" in text


def test_loop_variable_named_like_a_placeholder_is_not_a_graph_use() -> None:
    text, _ = migrate(
        HEADER
        + "with tf.Session() as sess:\n"
        + "    sess.run(tf.global_variables_initializer())\n"
        + "    preds = sess.run(pred, feed_dict={x: np.ones((3, 2))})\n"
        + "for i, x in enumerate(preds):\n"
        + "    print(i, x)\n"
    )
    assert "compat.v1" not in text
    assert "for i, x in enumerate(preds):\n    print(i, x)\n" in text


def test_graph_built_by_imported_functions_says_so() -> None:
    text, findings = migrate(
        """\
        import numpy as np
        import tensorflow as tf
        from ops import fc_layer

        x = tf.placeholder(tf.float32, [None, 2])
        y = tf.placeholder(tf.float32, [None, 1])
        out = fc_layer(x, 1, 'OUT')
        loss = tf.reduce_mean(tf.square(out - y))
        train_op = tf.train.AdamOptimizer(0.1).minimize(loss)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            print(sess.run([train_op, loss], feed_dict={x: np.ones((1, 2)), y: np.ones((1, 1))})[1])
        """
    )
    assert "compat.v1" in text
    assert any(
        "no trainable variables are created before this training op (the graph calls `fc_layer` from `ops`" in f.message
        for f in findings
    )


def test_graph_built_by_a_model_function_calling_imported_functions_says_so() -> None:
    # The module's own function (built in main()) calls the imported helper; the standard library's are not it.
    text, findings = migrate(
        """\
        from collections import namedtuple

        import numpy as np
        import tensorflow as tf
        from libs.connections import conv2d


        def model(x):
            Block = namedtuple('Block', ['n'])
            return conv2d(x, Block(1).n)


        def main():
            x = tf.placeholder(tf.float32, [None, 2])
            loss = tf.reduce_mean(tf.square(model(x)))
            train_op = tf.train.AdamOptimizer(0.1).minimize(loss)
            with tf.Session() as sess:
                sess.run(tf.global_variables_initializer())
                print(sess.run([train_op, loss], feed_dict={x: np.ones((1, 2))})[1])


        main()
        """
    )
    assert "compat.v1" in text
    assert any("(the graph calls `conv2d` from `libs.connections`" in f.message for f in findings)


def test_static_shape_and_dtype_of_a_placeholder_come_from_its_declaration() -> None:
    # TF1 knew them while building the graph: the placeholder's own shape and dtype.
    text, findings = migrate("""\
import numpy as np
import tensorflow as tf

size = 5
x = tf.placeholder(dtype=tf.float32, shape=[size])
y = tf.placeholder(tf.float32)
w = tf.Variable(tf.ones([size]))
out = x * w
sess = tf.Session()
sess.run(tf.global_variables_initializer())
print(x.shape.as_list()[0], x.get_shape(), x.dtype, y.shape)
print(sess.run(out, feed_dict={x: np.arange(5.0)}))
""")
    assert "compat.v1" not in text
    assert "print(tf.TensorShape([size]).as_list()[0], tf.TensorShape([size]), tf.float32, tf.TensorShape(None))" in text
    assert not [f for f in findings if f.kind == "declined"]


def test_the_static_shape_of_a_computed_tensor_is_its_traced_output() -> None:
    text, findings = migrate(HEADER + f"""\
assert pred.shape.as_list() == y.shape.as_list()
print(pred.get_shape(), pred.dtype)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    print(sess.run(pred, {FEED}))
""")
    assert "compat.v1" not in text
    traced = "compute_pred.get_concrete_function(tf.TensorSpec([None, 2], tf.float32))"
    assert f"assert {traced}.output_shapes.as_list() == tf.TensorShape([None, 1]).as_list()\n" in text
    assert f"print({traced}.output_shapes, {traced}.output_dtypes)\n" in text
    # The run shares the function the shape read defined.
    assert text.count("def compute_pred(") == 1 and "print(compute_pred(np.ones((4, 2))).numpy())" in text
    assert not [f for f in findings if f.kind == "declined"]


def test_static_shapes_that_cannot_be_traced_fall_back() -> None:
    text, findings = migrate(HEADER + f"""\
noisy = pred + tf.random_normal([4, 1])
print(noisy.shape)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    print(sess.run(noisy, {FEED}))
""")
    assert "compat.v1" in text
    assert any("reads the static shape of `noisy`, computed with `tf.random_normal`" in f.message for f in findings)
    text, findings = migrate(HEADER + f"""\
def describe():
    return pred.name


with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    print(describe(), sess.run(pred, {FEED}))
""")
    assert any("reads `name` of graph tensor `pred` outside a session run" in f.message for f in findings)


def test_a_printed_graph_tensor_is_its_traced_output() -> None:
    # TF1 printed `Tensor("Add:0", shape=(), dtype=int32)`: the symbolic tensor, not a value.
    text, findings = migrate("""\
import tensorflow as tf

c = tf.add(2, 3, name='Add')
print("c:", c)
with tf.Session() as sess:
    print(sess.run(c))
""")
    assert "compat.v1" not in text
    assert 'print("c:", compute_c.get_concrete_function().structured_outputs)' in text


def test_a_printed_placeholder_is_its_traced_parameter() -> None:
    # TF1 printed `Tensor("Placeholder:0", shape=(?, 3), dtype=float32)`.
    text, _ = migrate("""\
import tensorflow as tf

X = tf.placeholder(tf.float32, [None, 3])
print(X)
with tf.Session() as sess:
    print(sess.run(X * 2, feed_dict={X: [[1, 2, 3]]}))
""")
    assert "compat.v1" not in text
    assert "print(compute_X.get_concrete_function(tf.TensorSpec([None, 3], tf.float32)).structured_outputs)" in text


def test_printing_a_graph_tensor_in_a_function_or_a_random_one_falls_back() -> None:
    text, findings = migrate("""\
import tensorflow as tf

c = tf.add(2, 3, name='Add')


def show():
    print(c)


show()
with tf.Session() as sess:
    print(sess.run(c))
""")
    assert "compat.v1" in text
    assert any("prints graph tensor `c` inside a function or before the graph defines it" in f.message for f in findings)
    text, findings = migrate("""\
import tensorflow as tf

noise = tf.random_normal([2])
print(noise)
with tf.Session() as sess:
    print(sess.run(noise))
""")
    assert "compat.v1" in text


def test_a_variable_name_bound_to_its_value_is_plain_python_after() -> None:
    # The cookbook's `[[b]] = sess.run(b)`, then `b` in NumPy arithmetic.
    text, findings = migrate(HEADER + f"""\
train_op = tf.train.GradientDescentOptimizer(0.1).minimize(cost)
sess = tf.Session()
sess.run(tf.global_variables_initializer())
sess.run(train_op, {FEED})
[[w1], [w2]] = sess.run(W)
b = sess.run(b)
slope = -w2 / w1
intercept = b / w1
print(slope, intercept)
""")
    assert "compat.v1" not in text
    assert "[[w1], [w2]] = W.numpy()\nb = b.numpy()\nslope = -w2 / w1\nintercept = b / w1\n" in text
    assert not [f for f in findings if f.kind == "declined"]


def test_a_function_first_run_after_its_variable_was_bound_to_a_value_falls_back() -> None:
    text, findings = migrate(HEADER + f"""\
sess = tf.Session()
sess.run(tf.global_variables_initializer())
b = sess.run(b)
print(sess.run(cost, {FEED}))
""")
    assert "compat.v1" in text
    assert any("`b` holds a Python value when this run's function is first traced" in f.message for f in findings)


def test_a_function_traced_before_its_variable_was_bound_to_a_value_keeps_it() -> None:
    # `b = sess.run(pred, ...)` reuses the bias's name for a result; the function, run
    # (and traced, with its fixed signature) before, still holds the variable.
    text, findings = migrate(HEADER + f"""\
sess = tf.Session()
sess.run(tf.global_variables_initializer())
a = sess.run(pred, {FEED})
b = sess.run(pred, {FEED})
print(a, b, sess.run(pred, {FEED}))
""")
    assert "compat.v1" not in text and "b = compute_pred(" in text


def test_flag_definitions_and_logging_are_plain_python_not_graph_state() -> None:
    text, findings = migrate(
        """\
        import numpy as np
        import tensorflow as tf

        tf.app.flags.DEFINE_float("learning_rate", 0.1, "Learning rate.")
        tf.flags.DEFINE_integer("steps", 3, "Training steps.")
        FLAGS = tf.app.flags.FLAGS
        tf.logging.set_verbosity(tf.logging.INFO)

        x = tf.placeholder(tf.float32, [None])
        w = tf.Variable(1.0)
        loss = tf.reduce_mean(tf.square(x * w - 2.0))
        train_op = tf.train.GradientDescentOptimizer(FLAGS.learning_rate).minimize(loss)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            for step in range(FLAGS.steps):
                _, l = sess.run([train_op, loss], feed_dict={x: np.ones(4)})
                tf.logging.info("step %d", step)
                print(l)
        """
    )
    assert not [f for f in findings if f.kind == "declined"], findings
    assert 'tf.app.flags.DEFINE_float("learning_rate", 0.1, "Learning rate.")\n' in text  # T102's to move
    assert "optimizer = tf.keras.optimizers.SGD(learning_rate=FLAGS.learning_rate)" in text
    assert "    l = train_step(np.ones(4)).numpy()\n    tf.logging.info" in text


def test_a_graph_function_reads_tensors_defined_after_it_but_before_its_call() -> None:
    # `loss_fn` reads `kernel`, created after the def and before the call: TF1 read it
    # at the call; the generated step defines both, the def first.
    text, findings = migrate(
        """\
        import numpy as np
        import tensorflow as tf

        def loss_fn(w, y):
            return tf.reduce_sum(tf.square(tf.matmul(kernel, w) - y))

        y = tf.placeholder(tf.float32, [2, 1])
        w = tf.Variable(tf.ones([2, 1]))
        kernel = tf.constant([[1.0, 2.0], [3.0, 4.0]])
        loss = loss_fn(w, y)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            print(sess.run(loss, feed_dict={y: np.ones((2, 1))}))
        """
    )
    assert not [f for f in findings if f.kind == "declined"], findings
    body = text[text.index("def compute_loss(y):"):]
    assert body.index("def loss_fn(w, y):") < body.index("kernel = tf.constant") < body.index("loss = loss_fn(w, y)")


def test_eval_of_ops_built_at_the_run_and_names_bound_again_to_numpy() -> None:
    # DeepLearningZeroToAll's tensor manipulation notebook: `.eval()` of expressions
    # written where they are evaluated, `t` a constant, then a NumPy array, then fed to an op.
    text, findings = migrate("""\
import numpy as np
import tensorflow as tf

sess = tf.InteractiveSession()
t = tf.constant([1, 2, 3, 4])
print(tf.shape(t).eval())
matrix1 = tf.constant([[3., 3.]])
matrix2 = tf.constant([[2.], [2.]])
print((matrix1 * matrix2).eval())
t = np.array([[0, 1, 2], [3, 4, 5]])
print(t.shape)
print(tf.reshape(t, shape=[-1, 3]).eval())
""")
    assert "compat.v1" not in text and "Session" not in text
    assert "def compute_value():\n    t = tf.constant([1, 2, 3, 4])\n    return tf.shape(t)\n" in text
    assert "    return (matrix1 * matrix2)\n" in text
    # The last op reads the NumPy `t` (bound after the constant): a global, not the constant.
    assert "def compute_value_3():\n    return tf.reshape(t, shape=[-1, 3])\n" in text
    assert "print(compute_value_3().numpy())" in text
    assert not [f for f in findings if f.kind == "declined"]


def test_names_that_are_not_graph_reads() -> None:
    # Before the graph binds them: a name bound to Python (`c = 0`), lambda parameters,
    # a function; later the graph's names (MorvanZhou's and wiseodd's scripts).
    body = HEADER.split("x = tf.placeholder", 1)[1]
    text, findings = migrate("""\
import numpy as np
import tensorflow as tf

c = 0
b_fun = lambda x, pred: x * pred


def pred():
    return 1


print(c, pred(), b_fun(2, 3))
x = tf.placeholder""" + body + """\
c = tf.placeholder(tf.float32, [None, 1])
loss = cost + tf.reduce_mean(c)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    print(sess.run(loss, {x: np.ones((4, 2)), y: np.ones((4, 1)), c: np.ones((4, 1))}))
""")
    assert "compat.v1" not in text
    assert "c = 0\nb_fun = lambda x, pred: x * pred\n" in text
    assert not [f for f in findings if f.kind == "declined"]


def test_a_graph_tensor_shown_as_a_cell_value_goes() -> None:
    # A notebook cell ending in `pred` showed TF1's description of the tensor.
    text, findings = migrate(HEADER + f"""\
pred
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    print(sess.run(pred, {FEED}))
""")
    assert "compat.v1" not in text and "\npred\n" not in text
    assert any("`pred`, a graph tensor shown as a cell's value, removed" in f.message for f in findings)


def test_a_graph_tensor_given_to_a_function_that_runs_it_is_given_its_function() -> None:
    # `show(pred)` ran `pred` with the helper's feed: it is given the function computing
    # it (taking every placeholder the helper feeds) and calls it with the same values.
    text, findings = migrate(HEADER + f"""\
sess = tf.Session()


def show(tensor):
    print(sess.run(tensor, {FEED}))


def show_weights(weights):
    print(sess.run(weights))


sess.run(tf.global_variables_initializer())
show(pred)
show_weights(W)
""")
    assert "compat.v1" not in text, text
    assert "def compute_pred(x, y):" in text
    assert "print(tensor(x=np.ones((4, 2)), y=np.ones((4, 1))).numpy())" in text
    assert "print(weights().numpy())" in text
    assert "show(compute_pred)\nshow_weights(W.read_value)\n" in text
    assert any("graph tensor `pred` given to a helper that runs it" in f.message for f in findings)


@pytest.mark.parametrize(("extra", "reason"), [
    # The helper also reads the parameter otherwise: TF1's symbolic tensor.
    ("    print(tensor.name)\n", "which runs what it is given, and uses that parameter other than as a run's whole fetch"),
    # Given something else at another call.
    ("show(0.5)\n", "`show` runs what it is given for `tensor`, a graph tensor at other calls"),
])
def test_a_graph_tensor_given_to_a_function_that_runs_it_otherwise_falls_back(extra: str, reason: str) -> None:
    body = extra if extra.startswith(" ") else ""
    tail = "" if body else extra
    text, findings = migrate(HEADER + f"""\
sess = tf.Session()


def show(tensor):
    print(sess.run(tensor, {FEED}))
{body}

sess.run(tf.global_variables_initializer())
show(pred)
{tail}""")
    assert "compat.v1" in text
    assert any(reason in f.message for f in findings), [f.message for f in findings]


def test_a_training_op_fetched_after_the_value_gives_none_in_its_place() -> None:
    text, _ = migrate(HEADER + f"""\
train_op = tf.train.GradientDescentOptimizer(0.1).minimize(cost)
sess = tf.Session()
sess.run(tf.global_variables_initializer())


def train():
    return sess.run([cost, train_op], {FEED})


print(train()[0])
""")
    assert "compat.v1" not in text
    assert "    return [train_step(np.ones((4, 2)), np.ones((4, 1))).numpy(), None]\n" in text


def test_a_name_bound_again_names_another_tensor_at_each_run() -> None:
    # `step` the hand-written update, later the optimizer's step (DeepLearningZeroToAll's
    # lab 10-X1); `t` one transpose, then another.
    text, _ = migrate(HEADER + f"""\
step = [tf.assign(W, W - 0.1 * tf.matmul(tf.transpose(x), pred - y))]
t = tf.transpose(W)
sess = tf.Session()
sess.run(tf.global_variables_initializer())
sess.run(step, {FEED})
print(sess.run(t))
t = tf.transpose(t) * 2.0
step = tf.train.GradientDescentOptimizer(0.1).minimize(cost)
sess.run(step, {FEED})
print(sess.run(t))
""")
    assert "compat.v1" not in text
    assert "def compute_step(x, y):" in text and "def train_step(x, y):" in text
    assert "def compute_t():\n    t = tf.transpose(W)\n    return t\n" in text
    assert "def compute_t_2():\n    t = tf.transpose(W)\n    t = tf.transpose(t) * 2.0\n    return t\n" in text


def test_a_run_reading_a_python_value_and_binding_a_tensor_of_one_name_falls_back() -> None:
    text, findings = migrate("""\
import numpy as np
import tensorflow as tf

sess = tf.InteractiveSession()
t = tf.constant([1.0])
print(t.eval())
t = np.array([[0, 1], [2, 3]])
t1 = tf.transpose(t)
t = tf.transpose(t1)
print(t.eval())
""")
    assert "compat.v1" in text
    assert any("`t` is read as a Python value and defined as a tensor by the same run" in f.message for f in findings)


def test_a_sequence_loss_of_contrib_is_an_op_of_the_function() -> None:
    # G103 writes TF 1.15's sequence_loss into the module (tensor ops TF 2 has): not a
    # reason to keep the module on TF1.
    source = """\
        import tensorflow as tf

        logits = tf.placeholder(tf.float32, [None, 3, 4])
        targets = tf.placeholder(tf.int32, [None, 3])
        loss = tf.contrib.seq2seq.sequence_loss(logits, targets, tf.ones([1, 3]))
        with tf.Session() as sess:
            print(sess.run(loss, feed_dict={logits: [[[0.0] * 4] * 3], targets: [[0, 1, 2]]}))
        """
    text, findings = migrate(source)
    assert "def compute_loss(logits, targets):" in text
    assert "    loss = tf.contrib.seq2seq.sequence_loss(logits, targets, tf.ones([1, 3]))" in text
    assert "disable_v2_behavior" not in text and not [f for f in findings if f.kind == "declined"]
    # Another tf.contrib function still keeps it there.
    text, _ = migrate(source.replace("seq2seq.sequence_loss", "seq2seq.hardmax"))
    assert "disable_v2_behavior" in text


def test_a_streaming_metric_becomes_a_keras_metric_object() -> None:
    # tf.metrics.accuracy keeps its counts in local variables: a Keras metric made once holds them.
    text, findings = migrate(
        """\
        import tensorflow as tf

        labels = tf.placeholder(tf.int64, [None])
        predictions = tf.placeholder(tf.int64, [None])
        accuracy = tf.metrics.accuracy(labels=labels, predictions=predictions)[1]
        with tf.Session() as sess:
            sess.run(tf.group(tf.global_variables_initializer(), tf.local_variables_initializer()))
            print(sess.run(accuracy, feed_dict={labels: [1, 2], predictions: [1, 0]}))
        """
    )
    assert "disable_v2_behavior" not in text and "accuracy_metric = tf.keras.metrics.Accuracy()" in text
    assert "accuracy_metric.update_state(labels, predictions)\n    accuracy = accuracy_metric.result()" in text
    assert "local_variables_initializer" not in text
    assert any("keras.metrics.Accuracy made once" in f.message for f in findings)


@pytest.mark.parametrize(
    ("graph", "runs", "reason"),
    [
        (
            "acc, acc_op = tf.metrics.accuracy(labels, predictions)",
            "sess.run(tf.local_variables_initializer())\nprint(sess.run([acc, acc_op], feed))",
            "read by one run",
        ),
        (
            "acc, acc_op = tf.metrics.accuracy(labels, predictions)",
            "for epoch in range(2):\n"
            "    sess.run(tf.group(tf.global_variables_initializer(), tf.local_variables_initializer()))\n"
            "    sess.run(acc_op, feed)",
            "runs again together with other initializers",
        ),
        (
            "acc, acc_op = tf.metrics.accuracy(labels, predictions)\ninit = tf.local_variables_initializer()\n"
            "total, total_op = tf.metrics.mean(labels)",
            "for epoch in range(2):\n    sess.run(init)\n    sess.run([acc_op, total_op], feed)",
            "made after the local-variables initializer",
        ),
        (
            "acc, acc_op = tf.metrics.accuracy(labels, predictions, weights=labels)",
            "sess.run(tf.local_variables_initializer())\nsess.run(acc_op, feed)",
            "weights=",
        ),
        (
            "auc, auc_op = tf.metrics.auc(labels, predictions)",
            "sess.run(tf.local_variables_initializer())\nsess.run(auc_op, feed)",
            "no Keras metric",
        ),
        (
            "pair = tf.metrics.accuracy(labels, predictions)",
            "sess.run(tf.local_variables_initializer())\nsess.run(pair[1], feed)",
            "assigned at the graph's level",
        ),
    ],
)
def test_streaming_metrics_declined(graph: str, runs: str, reason: str) -> None:
    body = "\n".join("    " + line for line in runs.splitlines())
    source = (
        "import tensorflow as tf\n\n"
        "labels = tf.placeholder(tf.int64, [None])\n"
        "predictions = tf.placeholder(tf.int64, [None])\n"
        f"{graph}\n"
        "feed = {labels: [1, 2], predictions: [1, 0]}\n"
        f"with tf.Session() as sess:\n{body}\n"
    )
    text, findings = migrate(source)
    assert "disable_v2_behavior" in text
    assert any(reason in f.message for f in findings if f.rule == "G101"), [f.message for f in findings]


def test_a_session_opened_in_a_function_the_rule_does_not_read_keeps_the_script_in_graph_mode() -> None:
    # main() parses the arguments, train(args) builds the model (another module's class)
    # and runs it: without the switch, the TF 1 graph code it keeps could not run eagerly.
    text, findings = migrate(
        """\
        import tensorflow as tf
        from model import Model


        def main():
            train(parse_args())


        def train(args):
            model = Model(args)
            with tf.Session() as sess:
                sess.run(tf.global_variables_initializer())
                print(sess.run(model.cost))


        if __name__ == "__main__":
            main()
        """
    )
    assert text.startswith("import tensorflow.compat.v1 as tf\nfrom model import Model\ntf.disable_v2_behavior()\n")
    [message] = [f.message for f in findings if f.kind == "declined"]
    assert "the Session is opened in `train`" in message


def test_a_scaled_placeholder_fed_itself_is_the_parameter() -> None:
    # `x = tf.placeholder(...) / 255.` fed as {x: batch}: TF1 used the fed value unscaled.
    text, findings = migrate(
        """\
        import tensorflow as tf

        tf_x = tf.placeholder(tf.float32, [None, 3]) / 255.
        w = tf.Variable(tf.ones([3, 1]))
        y = tf.matmul(tf_x, w)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            print(sess.run(y, {tf_x: [[1.0, 2.0, 3.0]]}))
        """
    )
    assert "@tf.function(input_signature=[tf.TensorSpec([None, 3], tf.float32)])\ndef compute_y(tf_x):" in text
    assert "255" not in text and "disable_v2_behavior" not in text
    assert any("a scaled placeholder, is fed itself" in f.message for f in findings)


@pytest.mark.parametrize(
    ("definition", "reason"),
    [
        # An integer placeholder divided is a float tensor of another dtype: left as a tensor.
        ("tf_x = tf.placeholder(tf.int32, [None, 3]) / 255", "which is not a placeholder"),
        ("tf_x = tf.reshape(tf.placeholder(tf.float32, [None, 3]), [-1, 3])", "which is not a placeholder"),
    ],
)
def test_placeholders_in_other_expressions_fed_by_name_are_declined(definition: str, reason: str) -> None:
    text, findings = migrate(
        "import tensorflow as tf\n\n"
        f"{definition}\n"
        "y = tf_x * 2\n"
        "with tf.Session() as sess:\n"
        "    print(sess.run(y, {tf_x: [[1, 2, 3]]}))\n"
    )
    assert "disable_v2_behavior" in text
    assert any(reason in f.message for f in findings if f.rule == "G101"), [f.message for f in findings]


DATASET_GRAPH = """\
import numpy as np
import tensorflow as tf

tfx = tf.placeholder({dtype}, [8, 1])
tfy = tf.placeholder({dtype}, [8, 1])
dataset = tf.data.Dataset.from_tensor_slices((tfx, tfy)).batch(4)
iterator = dataset.make_initializable_iterator()
bx, by = iterator.get_next()
out = tf.layers.dense(bx, 1)
loss = tf.losses.mean_squared_error(by, out)
train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
sess = tf.Session()
sess.run([iterator.initializer, tf.global_variables_initializer()], feed_dict={{tfx: np.ones((8, 1)), tfy: np.ones((8, 1))}})
sess.run(train)
print(sess.run(loss, {{{feed}}}))
"""


def _with_layers(source: str) -> tuple[str, list]:
    from codemods.graph.g102_layers_to_keras import LayersToKeras

    result = migrate_source(source.encode(), "t.py", [LayersToKeras, GraphToEager])
    assert result.status is not Status.FAILED, result.error
    return result.new_bytes.decode(), result.findings


def test_a_fed_dataset_element_is_a_parameter_of_the_elements_dtype() -> None:
    # TF1 replaced the element by the fed value (the iterator did not advance), converted to its dtype.
    text, findings = _with_layers(DATASET_GRAPH.format(dtype="tf.float32", feed="bx: np.zeros((3, 1)), by: np.ones((3, 1))"))
    assert "disable_v2_behavior" not in text, [f.message for f in findings]
    assert "def compute_loss(bx, by):\n    bx = tf.convert_to_tensor(bx, iterator.element_spec[0].dtype)" in text
    assert "    by = tf.convert_to_tensor(by, iterator.element_spec[1].dtype)" in text
    assert "print(compute_loss(np.zeros((3, 1)), np.ones((3, 1))).numpy())" in text


def test_a_dataset_element_fed_in_part_is_declined() -> None:
    # `by` unfed: TF1 ran get_next for it, advancing the iterator, and used the fed `bx`.
    text, findings = _with_layers(DATASET_GRAPH.format(dtype="tf.float32", feed="bx: np.zeros((4, 1))"))
    assert "disable_v2_behavior" in text
    assert any("feeding `bx` while the run still computes the rest of its statement" in f.message for f in findings)


@pytest.mark.parametrize("dtype", ["tf.float64", "npx.dtype"])
def test_layers_on_data_of_another_or_unknown_float_dtype_are_declined(dtype: str) -> None:
    # TF1's dense layer made float64 weights for float64 data; Keras computes in float32.
    text, findings = _with_layers(DATASET_GRAPH.format(dtype=dtype, feed="bx: np.zeros((3, 1)), by: np.ones((3, 1))"))
    assert "disable_v2_behavior" in text
    assert any(f"placeholder `tfx` has dtype `{dtype}`: TF1's layers took their input's dtype" in f.message for f in findings)


def test_global_step_of_a_session_is_a_read_of_the_step() -> None:
    # tf.train.global_step(sess, step) is int(sess.run(step)) in TF1.
    text, findings = migrate(HEADER + """\
global_step = tf.Variable(0, trainable=False)
opt = tf.train.GradientDescentOptimizer(0.1)
train_op = opt.apply_gradients(opt.compute_gradients(cost), global_step=global_step)
sess = tf.Session()
sess.run(tf.global_variables_initializer())
for i in range(3):
    sess.run(train_op, feed_dict={x: np.ones((4, 2)), y: np.ones((4, 1))})
    current_step = tf.train.global_step(sess, global_step)
    print(current_step)
""")
    assert "compat.v1" not in text and "Session" not in text
    assert "current_step = int(global_step.numpy())" in text


def test_embedding_gradients_after_compute_gradients_are_dense_for_adam() -> None:
    # TF1's Adam updated every row's moments for a sparse gradient: Keras's gets it dense.
    text, _ = migrate("""\
import numpy as np
import tensorflow as tf

ids = tf.placeholder(tf.int32, [None])
E = tf.Variable(tf.ones([5, 2]))
loss = tf.reduce_sum(tf.nn.embedding_lookup(E, ids))
opt = tf.train.AdamOptimizer(0.1)
train_op = opt.apply_gradients(opt.compute_gradients(loss))
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    sess.run(train_op, feed_dict={ids: [0, 0, 1]})
    print(sess.run(E))
""")
    assert "compat.v1" not in text
    assert "for g, v in" in text and "isinstance(g, tf.IndexedSlices)" in text


def test_variables_in_a_device_and_name_scope_block_stay_in_it() -> None:
    text, findings = migrate("""\
import numpy as np
import tensorflow as tf

x = tf.placeholder(tf.float32, [None, 2])
with tf.device('/cpu:0'), tf.name_scope("embedding"):
    W = tf.Variable(tf.ones([2, 1]), name="W")
    h = tf.matmul(x, W)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    print(sess.run(h, feed_dict={x: np.ones((1, 2))}))
""")
    assert "compat.v1" not in text and not [f for f in findings if f.kind == "declined"]
    assert text.count("with tf.device('/cpu:0'), tf.name_scope(\"embedding\"):") == 2
    assert "with tf.device('/cpu:0'), tf.name_scope(\"embedding\"):\n    W = tf.Variable(" in text


def test_a_name_bound_to_a_second_variable_while_the_first_is_used_gets_its_own_name() -> None:
    """Layers written with the same local names (``W``, ``b`` per name scope): TF1 built the
    hidden layer from the first ``W``; moved into a function, it would read the second."""
    text, findings = migrate(
        """\
import numpy as np
import tensorflow as tf

x = tf.placeholder(tf.float32, [None, 2])
with tf.name_scope("hidden"):
    W = tf.Variable(tf.ones([2, 3]), name="W")
    h = tf.nn.relu(tf.matmul(x, W))
with tf.name_scope("output"):
    W = tf.Variable(tf.ones([3, 1]), name="W")
    pred = tf.matmul(h, W)
loss = tf.reduce_mean(tf.square(pred))
train_op = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    print(sess.run([train_op, loss], {x: np.ones((4, 2))})[1])
    print(sess.run(W))
"""
    )
    assert 'W_2 = tf.Variable(tf.ones([3, 1]), name="W")' in text
    assert "h = tf.nn.relu(tf.matmul(x, W))" in text and "pred = tf.matmul(h, W_2)" in text
    assert "variables = [W, W_2]" in text
    assert "print(W_2.numpy())" in text
    assert any("`W` names a second variable" in f.message for f in findings)


@pytest.mark.parametrize(("lookup", "reason"), [
    (
        "for v in tf.get_collection(tf.GraphKeys.GLOBAL_VARIABLES):\n    print(v)\n",
        "the GLOBAL_VARIABLES collection lists every variable of TF1's graph, the optimizer slots",
    ),
    (
        "names = [op.name for op in tf.get_default_graph().get_operations() if op.type == 'MatMul']\n",
        "get_operations() lists the operations TF1 built",
    ),
])
def test_a_graph_lookup_is_declined_with_what_it_reads(lookup: str, reason: str) -> None:
    text, findings = migrate(HEADER + lookup + f"""\
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    print(sess.run(pred, {FEED}))
""")
    assert "compat.v1" in text
    assert any("has no eager equivalent this rule can prove: " + reason in f.message for f in findings), [
        f.message for f in findings
    ]
