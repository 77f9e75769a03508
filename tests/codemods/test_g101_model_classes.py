"""G101 on model classes that build their graph in ``__init__`` (g101_session_to_function/model_classes.py).

The fixtures graph/model_class_init_graph and graph/model_class_build_method prove the
numbers; these check the generated shape and the refusals.
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


MODEL = """\
import numpy as np
import tensorflow as tf


class Model(object):
    def __init__(self, n_in, n_hidden, n_out, learning_rate=0.01):
        self.x = tf.placeholder(tf.float32, [None, n_in])
        self.y = tf.placeholder(tf.int64, [None])
        self.W1 = tf.Variable(tf.truncated_normal([n_in, n_hidden], stddev=0.1))
        self.b1 = tf.Variable(tf.zeros([n_hidden]))
        self.W2 = tf.Variable(tf.truncated_normal([n_hidden, n_out], stddev=0.1))
        self.b2 = tf.Variable(tf.zeros([n_out]))
        h = tf.nn.relu(tf.matmul(self.x, self.W1) + self.b1)
        self.logits = tf.matmul(h, self.W2) + self.b2
        self.loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=self.y, logits=self.logits))
        correct = tf.equal(tf.argmax(self.logits, 1), self.y)
        self.accuracy = tf.reduce_mean(tf.cast(correct, tf.float32))
        self.train_op = tf.train.AdamOptimizer(learning_rate).minimize(self.loss)
"""

RUN = """\
xb, yb = np.ones((4, 4)), np.zeros(4, dtype=np.int64)
model = Model(4, 16, 3)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for step in range(3):
        _, loss = sess.run([model.train_op, model.loss], feed_dict={model.x: xb, model.y: yb})
        print(step, loss)
    print(sess.run(model.accuracy, feed_dict={model.x: xb, model.y: yb}))
    print(sess.run(model.W1))
"""


def native(text: str) -> None:
    assert "compat.v1" not in text and "Session" not in text and "placeholder" not in text


def test_init_graph_becomes_state_and_tf_function_methods() -> None:
    text, findings = migrate(MODEL + "\n\n" + RUN)
    native(text)
    init = text.split("    def __init__")[1].split("    @tf.function")[0]
    # State only, in creation order; the optimizer is an attribute.
    assert init.index("self.W1 = tf.Variable") < init.index("self.b1") < init.index("self.W2") < init.index("self.b2")
    assert "self.optimizer = tf.keras.optimizers.Adam(learning_rate=learning_rate, epsilon=1e-08)" in init
    assert "self.loss" not in init and "self.x" not in init
    assert "    @tf.function\n    def train_step(self, x, y):\n        x = tf.cast(x, tf.float32)\n        y = tf.cast(y, tf.int64)\n" in text
    assert "logits = tf.matmul(h, self.W2) + self.b2" in text
    assert "variables = [self.W1, self.b1, self.W2, self.b2]" in text
    assert "self.optimizer.apply_gradients(zip(gradients, variables))" in text
    assert "def compute_accuracy(self, x, y):" in text
    assert "loss = model.train_step(xb, yb).numpy()" in text
    assert "print(model.compute_accuracy(xb, yb).numpy())" in text
    assert "print(model.W1.numpy())" in text
    assert any("model class `Model`" in f.message and f.kind == "converted" for f in findings)


def test_build_method_is_inlined_and_literal_shapes_keep_an_input_signature() -> None:
    text, _ = migrate(
        """\
import numpy as np
import tensorflow as tf


class Net:
    def __init__(self, lr):
        self.lr = lr
        self._build()

    def _build(self):
        with tf.name_scope("inputs"):
            self.x = tf.placeholder(tf.float32, [None, 2])
        self.w = tf.Variable(tf.zeros([2, 1]))
        self.out = tf.matmul(self.x, self.w)
        optimizer = tf.train.GradientDescentOptimizer(self.lr)
        self.train = optimizer.minimize(tf.reduce_sum(self.out))


net = Net(0.1)
sess = tf.Session()
sess.run(tf.global_variables_initializer())
sess.run(net.train, feed_dict={net.x: np.ones((3, 2))})
print(sess.run(net.out, feed_dict={net.x: np.ones((1, 2))}))
"""
    )
    native(text)
    assert "_build" not in text
    assert "        self.lr = lr\n        self.w = tf.Variable(tf.zeros([2, 1]))\n        self.optimizer = tf.keras.optimizers.SGD(learning_rate=self.lr)\n" in text
    assert "@tf.function(input_signature=[tf.TensorSpec([None, 2], tf.float32)])\n    def train_step(self, x):" in text
    assert "net.train_step(np.ones((3, 2)))" in text
    assert "print(net.compute_out(np.ones((1, 2))).numpy())" in text


def test_names_the_script_also_uses_come_back_as_attributes_and_locals() -> None:
    # The script binds `loss` and `h` too: the class still reads its own names.
    text, _ = migrate(MODEL + "\n\nh = 3\n" + RUN)
    native(text)
    assert "h = tf.nn.relu(tf.matmul(x, self.W1) + self.b1)" in text
    assert "loss = tf.reduce_mean(" in text


@pytest.mark.parametrize(
    "source, reason",
    [
        (  # placeholders created outside the class
            """\
import tensorflow as tf

x = tf.placeholder(tf.float32, [None, 2])


class Model(object):
    def __init__(self, x):
        self.w = tf.Variable(tf.zeros([2, 1]))
        self.out = tf.matmul(x, self.w)


model = Model(x)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    print(sess.run(model.out, feed_dict={x: [[1.0, 2.0]]}))
""",
            "builds graph on placeholders created outside `__init__`",
        ),
        (  # tf.layers inside the class
            MODEL.replace("h = tf.nn.relu(tf.matmul(self.x, self.W1) + self.b1)", "h = tf.layers.dense(self.x, 16)") + RUN,
            "`tf.layers.dense` has no eager equivalent",
        ),
        (  # the class opens its own session
            MODEL + "        self.sess = tf.Session()\n\n\nmodel = Model(4, 16, 3)\nmodel.sess.run(model.loss)\n",
            "opens its own session",
        ),
        (  # another method runs the graph
            MODEL + "\n    def predict(self, sess, x):\n        return sess.run(self.logits, feed_dict={self.x: x})\n\n\n" + RUN,
            "method `Model.predict` uses the graph built in `__init__`",
        ),
        (  # two instances
            MODEL + "\n\nother = Model(4, 8, 3)\n" + RUN,
            "instantiated 2 times",
        ),
        (  # the instance escapes
            MODEL + "\n\ndef show(m):\n    print(m)\n\n\n" + RUN + "show(model)\n",
            "used other than as `model.attribute`",
        ),
        (  # a generated method would read a parameter of __init__
            MODEL.replace("self.logits = tf.matmul(h, self.W2) + self.b2", "self.logits = tf.reshape(tf.matmul(h, self.W2) + self.b2, [-1, n_out])") + RUN,
            "would read `n_out`, a parameter or local of `__init__`",
        ),
    ],
    ids=["outside-placeholders", "tf-layers", "own-session", "other-method", "two-instances", "escaping-instance", "init-parameter"],
)
def test_unprovable_model_classes_fall_back(source: str, reason: str) -> None:
    text, findings = migrate(source)
    assert "import tensorflow.compat.v1 as tf" in text and "tf.disable_v2_behavior()" in text
    messages = [f.message for f in findings if f.kind == "declined"]
    assert any(reason in m for m in messages), messages


def test_instance_created_in_main_and_optimizer_slots_set_up_in_init() -> None:
    text, findings = migrate(
        """\
import numpy as np
import tensorflow as tf


class Model(object):
    def __init__(self, lr):
        self.x = tf.placeholder(tf.float32, [None, 3])
        self.weights = {"h": tf.Variable(tf.random_normal([3, 1]))}
        self.global_step = tf.Variable(0, trainable=False)
        self.loss = tf.reduce_mean(tf.square(tf.matmul(self.x, self.weights["h"])))
        self.opt = tf.train.RMSPropOptimizer(lr)
        self.train_op = self.opt.minimize(self.loss, global_step=self.global_step)


def main():
    m = Model(0.01)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        _, l = sess.run([m.train_op, m.loss], feed_dict={m.x: np.ones((2, 3))})
        print(l, sess.run(m.global_step))


if __name__ == "__main__":
    main()
"""
    )
    native(text)
    # RMSProp's slots start at 1.0 as in TF1, set up once the variables exist.
    assert "        self.opt = tf.keras.optimizers.RMSprop(learning_rate=lr, epsilon=1e-10)\n        self.opt.build([*self.weights.values()])\n" in text
    assert "        self.global_step.assign_add(1)\n" in text
    assert "    l = m.train_step(np.ones((2, 3))).numpy()\n    print(l, m.global_step.numpy())\n" in text
    assert any("RMSprop(learning_rate=lr" in f.message for f in findings)
