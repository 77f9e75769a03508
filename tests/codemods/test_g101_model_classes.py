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
    # `[None, n_in]` names a parameter of `__init__`: None in the signature, which still traces
    # once (a smaller last batch would trace again, with new random ops) and converts the feeds.
    signature = "[tf.TensorSpec([None, None], tf.float32), tf.TensorSpec([None], tf.int64)]"
    assert f"    @tf.function(input_signature={signature})\n    def train_step(self, x, y):\n        with tf.GradientTape()" in text
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
            "model class `Model` creates variables with `tf.layers.dense` (looked up by name in its variable scope)",
        ),
        (  # a method opens a session
            MODEL + "\n    def fit(self, x):\n        with tf.Session() as sess:\n            sess.run(self.train_op, feed_dict={self.x: x})\n\n\n" + RUN,
            "method `Model.fit` opens a session",
        ),
        (  # a method keeps state on the instance
            MODEL + "\n    def predict(self, sess, x):\n        self.last = sess.run(self.logits, feed_dict={self.x: x})\n\n\n" + RUN,
            "method `Model.predict` sets `self.last`",
        ),
        (  # two instances, the graph run by the script
            MODEL + "\n\nother = Model(4, 8, 3)\n" + RUN,
            "model class `Model` is instantiated 2 times and `Model`'s graph is not run by its own methods",
        ),
        (  # the instance escapes
            MODEL + "\n\ndef show(m):\n    print(m)\n\n\n" + RUN + "show(model)\n",
            "used other than as `model.attribute`",
        ),
        (  # a generated method would read a Python local __init__ binds twice (kept once: an attribute)
            MODEL.replace(
                "        self.logits = tf.matmul(h, self.W2) + self.b2",
                "        width = n_out\n        self.logits = tf.reshape(tf.matmul(h, self.W2) + self.b2, [-1, width])\n"
                "        width = 0",
            ) + RUN,
            "would read `width`, a local of `__init__`",
        ),
    ],
    ids=[
        "outside-placeholders", "tf-layers", "method-session", "method-state", "two-instances", "escaping-instance",
        "init-local",
    ],
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


# The class is given the session and runs its own graph (DeepLearningZeroToAll's lab 11
# style): the session parameter goes, the methods call the generated methods.
GIVEN_SESSION = """\
import numpy as np
import tensorflow as tf


class Model:
    def __init__(self, sess, name):
        self.sess = sess
        self.name = name
        self._build_net()

    def _build_net(self):
        with tf.variable_scope(self.name):
            self.X = tf.placeholder(tf.float32, [None, 4])
            self.Y = tf.placeholder(tf.float32, [None, 3])
            W1 = tf.Variable(tf.random_normal([4, 3]))
            self.logits = tf.matmul(self.X, W1)
        self.cost = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(logits=self.logits, labels=self.Y))
        self.optimizer = tf.train.AdamOptimizer(learning_rate=0.01).minimize(self.cost)

    def predict(self, x_test):
        return self.sess.run(self.logits, feed_dict={self.X: x_test})

    def train(self, x_data, y_data):
        return self.sess.run([self.cost, self.optimizer], feed_dict={self.X: x_data, self.Y: y_data})


"""

X_DATA = "x, y = np.ones((2, 4), np.float32), np.eye(3)[[0, 1]].astype(np.float32)\n"


def test_methods_running_the_graph_through_the_session_they_were_given() -> None:
    text, _ = migrate(
        GIVEN_SESSION + X_DATA
        + "sess = tf.Session()\nm1 = Model(sess, \"m1\")\nsess.run(tf.global_variables_initializer())\n"
        + "c, _ = m1.train(x, y)\nprint(c, m1.predict(x))\n"
    )
    native(text)
    # The session parameter and attribute go; the variable scope only named things.
    assert "    def __init__(self, name):\n        self.name = name\n        with tf.name_scope(self.name):\n" in text
    assert "            self.W1 = tf.Variable(tf.random_normal([4, 3]))\n" in text
    assert "self.sess" not in text and "_build_net" not in text
    assert "    def predict(self, x_test):\n        return self.compute_logits(x_test).numpy()\n" in text
    # TF1 gave None for the training op fetched after the cost.
    assert "    def train(self, x_data, y_data):\n        return [self.train_step(x_data, y_data).numpy(), None]\n" in text
    assert "        self.optimizer.apply_gradients(zip(gradients, variables))\n" in text
    assert 'm1 = Model("m1")\nc, _ = m1.train(x, y)\nprint(c, m1.predict(x))\n' in text


def test_a_method_given_the_session_at_each_call() -> None:
    source = MODEL + "\n    def predict(self, sess, x):\n        return sess.run(self.logits, feed_dict={self.x: x})\n\n\n"
    text, _ = migrate(source + RUN + "    print(model.predict(sess, xb))\n")
    native(text)
    assert "    def predict(self, x):\n        return self.compute_logits(x).numpy()\n" in text
    assert "print(model.predict(xb))" in text
    # A method parameter named like an attribute (`x` and `self.x`): each keeps its name.
    assert "    def compute_logits(self, x):\n        h = tf.nn.relu(tf.matmul(x, self.W1) + self.b1)\n" in text


def test_a_session_the_class_opens_itself() -> None:
    text, _ = migrate(
        MODEL
        + "        self.sess = tf.Session()\n        self.sess.run(tf.global_variables_initializer())\n\n"
        + "    def fit(self, x, y):\n        return self.sess.run([self.train_op, self.loss], feed_dict={self.x: x, self.y: y})[1]\n\n\n"
        + "model = Model(4, 16, 3)\nprint(model.fit(np.ones((4, 4)), np.zeros(4, dtype=np.int64)))\n"
    )
    native(text)
    assert "Session" not in text and "self.sess" not in text
    assert "        return [None, self.train_step(x, y).numpy()][1]\n" in text


def test_several_instances_each_with_its_variables() -> None:
    text, findings = migrate(
        GIVEN_SESSION + X_DATA
        + "sess = tf.Session()\nmodels = []\nfor m in range(2):\n    models.append(Model(sess, \"model\" + str(m)))\n"
        + "sess.run(tf.global_variables_initializer())\n"
        + "predictions = np.zeros([2, 3])\nfor m in models:\n    c, _ = m.train(x, y)\n    predictions += m.predict(x)\n"
        + "accuracy = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(predictions, 1), tf.argmax(y, 1)), tf.float32))\n"
        + "print('Ensemble accuracy:', sess.run(accuracy))\n"
    )
    native(text)
    # The class is the same as for one instance: every instance makes its own variables.
    assert "    def __init__(self, name):\n" in text and "            self.W1 = tf.Variable(" in text
    assert "    models.append(Model(\"model\" + str(m)))\n" in text
    # The script's own graph is converted as any other.
    assert "def compute_accuracy():\n" in text and "print('Ensemble accuracy:', compute_accuracy().numpy())" in text
    assert any("model class `Model`" in f.message for f in findings)


def test_two_model_classes_each_running_its_graph() -> None:
    value = GIVEN_SESSION.split("class Model:")[1].replace("predict", "value").replace("AdamOptimizer", "GradientDescentOptimizer")
    text, _ = migrate(
        GIVEN_SESSION + "class Critic:" + value + X_DATA
        + "with tf.Session() as sess:\n    actor = Model(sess, \"actor\")\n    critic = Critic(sess, \"critic\")\n"
        + "    sess.run(tf.global_variables_initializer())\n    print(actor.train(x, y)[0], critic.train(x, y)[0], critic.value(x))\n"
    )
    native(text)
    assert "class Critic:\n    def __init__(self, name):\n" in text
    assert "self.optimizer = tf.keras.optimizers.SGD(learning_rate=0.01)" in text
    assert '    actor = Model("actor")\n' not in text  # the session block is opened
    assert 'actor = Model("actor")\ncritic = Critic("critic")\n' in text


INSTANCES = GIVEN_SESSION + X_DATA + "sess = tf.Session()\nmodels = [Model(sess, 'a'), Model(sess, 'b')]\n"


@pytest.mark.parametrize(
    "source, reason",
    [
        (
            INSTANCES + "sess.run(tf.global_variables_initializer())\nprint(sess.run(models[0].logits, feed_dict={models[0].X: x}))\n",
            "`models[0].logits` reads `logits` of a `Model` instance's graph outside its methods",
        ),
        (
            INSTANCES + "init = tf.global_variables_initializer()\nsess.run(init)\nmodels[0].train(x, y)\nsess.run(init)\n",
            "the variables of `Model` instances are initialised 2 times",
        ),
        (
            INSTANCES + "sess.run(tf.global_variables_initializer())\nlate = Model(sess, 'c')\nprint(late.predict(x))\n",
            "a `Model` instance is created after the initializer run",
        ),
        (
            INSTANCES + "saver = tf.train.Saver()\nsess.run(tf.global_variables_initializer())\nsaver.save(sess, 'ckpt')\n",
            "`tf.train.Saver` reaches every variable of the graph",
        ),
        (
            GIVEN_SESSION.replace("W1 = tf.Variable(tf.random_normal([4, 3]))", "W1 = tf.get_variable('W1', [4, 3])")
            + INSTANCES.split(X_DATA)[1] + "sess.run(tf.global_variables_initializer())\n",
            "model class `Model` creates variables with `tf.get_variable`",
        ),
    ],
    ids=["attribute-read", "initialised-twice", "created-late", "saver", "get-variable"],
)
def test_unprovable_instances_fall_back(source: str, reason: str) -> None:
    text, findings = migrate(source)
    assert "import tensorflow.compat.v1 as tf" in text and "tf.disable_v2_behavior()" in text
    messages = [f.message for f in findings if f.kind == "declined"]
    assert any(reason in m for m in messages), messages


def test_instances_of_a_class_reading_a_tensor_of_the_module_fall_back() -> None:
    source = GIVEN_SESSION.replace("import tensorflow as tf\n", "import tensorflow as tf\n\nscale = tf.constant(2.0)\n")
    source = source.replace("self.logits = tf.matmul(self.X, W1)", "self.logits = scale * tf.matmul(self.X, W1)")
    text, findings = migrate(source + INSTANCES.split(X_DATA)[1] + "sess.run(tf.global_variables_initializer())\n")
    assert "import tensorflow.compat.v1 as tf" in text
    assert any("model class `Model` reads `scale`, built by the module's graph" in f.message for f in findings), [
        f.message for f in findings
    ]


def test_init_parameter_read_by_a_method_is_kept_as_an_attribute() -> None:
    # TF1 built the parameter's value into the graph; the method reads it from the model.
    source = MODEL.replace(
        "self.logits = tf.matmul(h, self.W2) + self.b2", "self.logits = tf.reshape(tf.matmul(h, self.W2) + self.b2, [-1, n_out])"
    )
    text, _ = migrate(source + RUN)
    native(text)
    assert "    def __init__(self, n_in, n_hidden, n_out, learning_rate=0.01):\n        self.n_out = n_out\n" in text
    assert "logits = tf.reshape(tf.matmul(h, self.W2) + self.b2, [-1, self.n_out])" in text


def test_state_local_beside_an_attribute_of_its_name() -> None:
    # `W = tf.Variable(...)` beside `self.W`: each variable keeps an attribute of its own.
    source = MODEL.replace("self.W2 = tf.Variable(", "W1 = tf.Variable(").replace("h, self.W2)", "h, W1)")
    text, _ = migrate(source + RUN)
    native(text)
    assert "self.W1 = tf.Variable(tf.random.truncated_normal([n_in, n_hidden]" in text.replace("tf.truncated_normal", "tf.random.truncated_normal")
    assert "self.W1_2 = tf.Variable(" in text
    assert "logits = tf.matmul(h, self.W1_2) + self.b2" in text


SESSION_IN_FUNCTION = """

def train(xb, yb):
    with tf.Graph().as_default():
        sess = tf.Session(config=tf.ConfigProto(allow_soft_placement=True))
        with sess.as_default():
            model = Model(4, 16, 3)
            sess.run(tf.global_variables_initializer())
            for step in range(3):
                _, loss = sess.run([model.train_op, model.loss], feed_dict={model.x: xb, model.y: yb})
                print(step, loss)


if __name__ == "__main__":
    train(np.ones((4, 4)), np.zeros(4, dtype=np.int64))
"""


def test_session_in_a_function_under_a_default_graph_and_session() -> None:
    # `with tf.Graph().as_default():` and `with sess.as_default():` only set defaults: opened.
    text, findings = migrate(MODEL + SESSION_IN_FUNCTION)
    native(text)
    assert "as_default" not in text and "ConfigProto" not in text
    assert "def train(xb, yb):\n    model = Model(4, 16, 3)\n    for step in range(3):\n" in text
    assert "        loss = model.train_step(xb, yb).numpy()\n" in text
    assert not [f for f in findings if f.kind == "declined"]


LAYERS_CLASS = """\
import numpy as np
import tensorflow as tf


class Net(object):
    def __init__(self, n_in, n_hidden):
        self.x = tf.placeholder(tf.float32, [None, n_in])
        n_total = n_hidden * 2
        with tf.name_scope("hidden"):
            W = tf.Variable(tf.ones([n_in, n_total]), name="W")
            h = tf.reshape(tf.matmul(self.x, W), [-1, n_total])
        with tf.name_scope("output"):
            W = tf.Variable(tf.ones([n_total, 1]), name="W")
            self.loss = tf.reduce_mean(tf.square(tf.matmul(h, W)))


net = Net(2, 3)
train_op = tf.train.AdamOptimizer(0.1).minimize(net.loss)
saver = tf.train.Saver(max_to_keep=2)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for step in range(2):
        print(sess.run([train_op, net.loss], {net.x: np.ones((4, 2))})[1])
    saver.save(sess, "/tmp/net")
"""


def test_a_model_class_with_layers_under_one_local_name_and_a_computed_size() -> None:
    """cnn-text-classification's TextCNN: `W` bound in each layer's scope (the second gets
    an attribute of its own), `num_filters_total` computed once in `__init__` and read by
    the step (kept as an attribute), the script naming the locals' attributes."""
    text, findings = migrate(LAYERS_CLASS)
    assert not [f for f in findings if f.kind == "declined"], findings
    assert "self.W = tf.Variable(tf.ones([n_in, n_total]), name=\"W\")" in text
    assert "self.W_2 = tf.Variable(tf.ones([n_total, 1]), name=\"W\")" in text
    assert "self.n_total = n_total" in text
    assert "tf.reshape(tf.matmul(x, self.W), [-1, self.n_total])" in text
    assert "net.W, net.W_2" in text and " W," not in text.split("class Net")[1].split("net = Net")[1]


STATIC_SHAPE = """\
import numpy as np
import tensorflow as tf


class Model(object):
    def __init__(self, n_in, n_out):
        self.x = tf.placeholder(tf.float32, [None, n_in])
        self.keep = tf.placeholder(tf.float32)
        self.W = tf.Variable(tf.ones([n_in, n_out]))
        columns = tf.add_n(tf.unstack(self.x, axis=1))
        h = tf.nn.dropout(tf.matmul(self.x, self.W), self.keep)
        self.out = tf.reduce_sum(h, 1) + columns


model = Model(4, 3)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    print(sess.run(model.out, feed_dict={model.x: np.ones((2, 4)), model.keep: 1.0}))
"""


def test_a_body_reading_a_static_shape_gets_its_exact_signature_bound_in_init() -> None:
    # tf.unstack counts the columns from the static shape: `[None, None]` would not do.
    text, findings = migrate(STATIC_SHAPE)
    native(text)
    assert (
        "        self.W = tf.Variable(tf.ones([n_in, n_out]))\n\n"
        "        # The signature reads __init__'s values: one trace for every batch size, as TF1 built one graph.\n"
        "        self.compute_out = tf.function(self.compute_out, input_signature=[tf.TensorSpec([None, n_in], tf.float32), "
        "tf.TensorSpec(None, tf.float32)])\n\n"
        "    def compute_out(self, x, keep):\n        columns = tf.add_n(tf.unstack(x, axis=1))\n"
    ) in text
    assert "tf.cast" not in text
    assert not [f for f in findings if f.kind == "declined"]


def test_a_shape_naming_a_value_init_changes_keeps_a_bare_function() -> None:
    source = STATIC_SHAPE.replace("[None, n_in])", "[None, n_in])\n        n_in = n_in * 1")
    text, findings = migrate(source)
    native(text)
    assert "    @tf.function\n    def compute_out(self, x, keep):\n        x = tf.cast(x, tf.float32)\n" in text
    assert any(
        "`compute_out` keeps a bare @tf.function" in f.message and "reads `tf.unstack(self.x, axis=1)`" in f.message
        and "`n_in` in a placeholder's shape changes in `__init__`" in f.message
        for f in findings
    )


def test_a_bound_signature_reads_an_attribute_init_sets_once() -> None:
    source = STATIC_SHAPE.replace(
        "        self.x = tf.placeholder(tf.float32, [None, n_in])\n",
        "        self.n_in = n_in\n        self.x = tf.placeholder(tf.float32, [None, self.n_in])\n",
    )
    text, _ = migrate(source)
    native(text)
    assert "self.compute_out = tf.function(self.compute_out, input_signature=[tf.TensorSpec([None, self.n_in], tf.float32), " in text
    # Set twice: which value the placeholder had is not the one at the end of `__init__`.
    text, findings = migrate(source.replace("        self.W = ", "        self.n_in = n_in + 1\n        self.W = "))
    assert "    @tf.function\n    def compute_out(self, x, keep):\n        x = tf.cast(x, tf.float32)\n" in text
    assert any("`self.n_in` in a placeholder's shape changes in `__init__`" in f.message for f in findings)


def test_a_module_constant_in_a_shape_stays_in_the_decorator() -> None:
    source = MODEL.replace("import tensorflow as tf\n", "import tensorflow as tf\n\nN_IN = 4\n").replace(
        "[None, n_in]", "[None, N_IN]"
    )
    text, _ = migrate(source + "\n\n" + RUN)
    native(text)
    signature = "[tf.TensorSpec([None, N_IN], tf.float32), tf.TensorSpec([None], tf.int64)]"
    assert f"    @tf.function(input_signature={signature})\n    def train_step(self, x, y):\n" in text
    # Bound again after the class: not the value the decorator would read.
    text, _ = migrate(source + "\n\nN_IN = 5\n" + RUN)
    assert "    @tf.function(input_signature=[tf.TensorSpec([None, None], tf.float32), " in text


MODULE_PLACEHOLDERS = """\
import numpy as np
import tensorflow as tf

tf_x = tf.placeholder(tf.float32, [None, 1])
tf_y = tf.placeholder(tf.float32, [None, 1])


class Net(object):
    def __init__(self, lr):
        self.w = tf.Variable(tf.ones([1, 1]))
        self.out = tf.matmul(tf_x, self.w)
        self.loss = tf.reduce_mean(tf.square(self.out - tf_y))
        self.train = tf.train.GradientDescentOptimizer(lr).minimize(self.loss)

    def fit(self, sess, x, y):
        return sess.run([self.train, self.loss], {tf_x: x, tf_y: y})[1]


net = Net(0.1)
sess = tf.Session()
sess.run(tf.global_variables_initializer())
print(net.fit(sess, np.ones((2, 1)), np.ones((2, 1))))
print(sess.run(net.out, {tf_x: np.ones((1, 1))}))
"""


def test_module_placeholders_the_class_reads_become_its_methods_parameters() -> None:
    """MorvanZhou's tutorials: ``tf_x`` and ``tf_y`` at module level, the network built on
    them in ``__init__``: read as the class's own placeholders."""
    text, findings = migrate(MODULE_PLACEHOLDERS)
    native(text)
    assert "tf_x = " not in text
    assert "    def train_step(self, tf_x, tf_y):\n" in text
    assert "    def compute_out(self, tf_x):\n" in text
    assert "        return [None, self.train_step(x, y).numpy()][1]\n" in text
    assert "print(net.compute_out(np.ones((1, 1))).numpy())" in text


def test_module_placeholders_and_module_variables_fall_back() -> None:
    source = MODULE_PLACEHOLDERS.replace("\n\nclass Net", "scale = tf.Variable(2.0)\n\n\nclass Net").replace(
        "tf.matmul(tf_x, self.w)", "tf.matmul(tf_x * scale, self.w)")
    text, findings = migrate(source)
    assert "compat.v1" in text and any(
        "builds graph on placeholders created outside `__init__` while the module creates variables too" in f.message
        and f.kind == "declined" for f in findings)
