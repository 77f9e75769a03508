"""tf.get_variable and variable scopes at the graph's level, through G102 then G101.

G102 writes the variables (tf.Variable with the Keras initializer drawing TF1's values,
variable scopes as name scopes, lookups as the Python name holding the variable); G101
converts the graph around them and selects variable lists by their TF1 names. The
fixtures graph/get_variable_xavier_scopes, graph/scope_reuse_tied_autoencoder and
graph/gan_layers_scope_collections prove the numbers; these check the shapes and the
refusals.
"""

from __future__ import annotations

import ast
import textwrap

from codemods.graph.g101_session_to_function import GraphToEager
from codemods.graph.g102_layers_to_keras import LayersToKeras
from migrator.engine import Status, migrate_source


def migrate(source: str) -> tuple[str, list]:
    result = migrate_source(textwrap.dedent(source).encode(), "t.py", [LayersToKeras, GraphToEager])
    assert result.status is not Status.FAILED, result.error
    text = result.new_bytes.decode()
    ast.parse(text)
    again = migrate_source(result.new_bytes, "t.py", [LayersToKeras, GraphToEager])
    assert again.new_bytes == result.new_bytes, "not idempotent"
    return text, result.findings


RUN = """\
loss = tf.reduce_mean(tf.square(y))
train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    print(sess.run([train, loss], feed_dict={x: [[1.0, 2.0, 3.0]]})[1])
"""


def declined(findings: list, rule: str = "G101") -> list[str]:
    return [f.message for f in findings if f.rule == rule and f.kind == "declined"]


def test_get_variable_becomes_a_variable_with_tf1s_initial_value_and_name() -> None:
    text, findings = migrate(textwrap.dedent(
        """\
        import tensorflow as tf

        x = tf.placeholder(tf.float32, [None, 3])
        W1 = tf.get_variable("W1", shape=[3, 4], initializer=tf.contrib.layers.xavier_initializer())
        b1 = tf.get_variable("b1", [4], initializer=tf.truncated_normal_initializer(stddev=0.1))
        W2 = tf.get_variable("W2", [4, 1])
        c = tf.get_variable("c", initializer=tf.constant([0.5]), trainable=False)
        y = tf.matmul(tf.nn.relu(tf.matmul(x, W1) + b1), W2) + c
        """
    ) + RUN)
    assert 'W1 = tf.Variable(tf.keras.initializers.GlorotUniform()(shape=[3, 4]), name="W1")' in text
    assert 'b1 = tf.Variable(tf.keras.initializers.TruncatedNormal(mean=0.0, stddev=0.1)(shape=[4]), name="b1")' in text
    assert 'W2 = tf.Variable(tf.keras.initializers.GlorotUniform()(shape=[4, 1]), name="W2")' in text  # the default
    assert 'c = tf.Variable(tf.constant([0.5]), name="c", trainable=False)' in text
    assert "variables = [W1, b1, W2]" in text
    assert "get_variable" not in text and "compat.v1" not in text and not declined(findings)


def test_variable_scope_becomes_a_name_scope_naming_the_variables() -> None:
    text, _ = migrate(textwrap.dedent(
        """\
        import tensorflow as tf

        x = tf.placeholder(tf.float32, [None, 3])
        with tf.variable_scope('layer1') as scope:
            W = tf.get_variable("W", shape=[3, 4], initializer=tf.random_normal_initializer())
            b = tf.Variable(tf.zeros([4]))
            h = tf.nn.relu(tf.matmul(x, W) + b)
        with tf.variable_scope('out'):
            with tf.variable_scope('linear'):
                V = tf.get_variable("V", [4, 1])
                y = tf.matmul(h, V)
        """
    ) + RUN)
    assert (
        "with tf.name_scope('layer1'):\n"
        '    W = tf.Variable(tf.keras.initializers.RandomNormal(mean=0.0, stddev=1.0)(shape=[3, 4]), name="W")\n'
        "    b = tf.Variable(tf.zeros([4]))\n"
    ) in text
    # The block's tensors run in the function, in the same scope.
    assert "        with tf.name_scope('layer1'):\n            h = tf.nn.relu(tf.matmul(x, W) + b)\n" in text
    assert "variable_scope" not in text and " as scope" not in text
    # Nested scopes: the variable in both (out/linear/V), its tensor in both too.
    assert '''with tf.name_scope('out'):
    with tf.name_scope('linear'):
        V = tf.Variable(tf.keras.initializers.GlorotUniform()(shape=[4, 1]), name="V")
''' in text
    assert "        with tf.name_scope('out'):\n            with tf.name_scope('linear'):\n                y = tf.matmul(h, V)\n" in text


def test_variables_looked_up_again_are_the_same_python_variable() -> None:
    text, findings = migrate(textwrap.dedent(
        """\
        import tensorflow as tf

        x = tf.placeholder(tf.float32, [None, 3])
        with tf.variable_scope("shared"):
            w = tf.get_variable("w", [3, 1])
        with tf.variable_scope("shared", reuse=True):
            w_again = tf.get_variable("w")
        with tf.variable_scope("auto", reuse=tf.AUTO_REUSE):
            v = tf.get_variable("v", [1], initializer=tf.zeros_initializer())
            v_again = tf.get_variable("v", [1])
        with tf.variable_scope("gain") as scope:
            g = tf.get_variable("g", [], initializer=tf.ones_initializer())
            scope.reuse_variables()
            y = (tf.matmul(x, w_again) + v_again) * tf.get_variable("g")
        print(w_again.name)
        """
    ) + RUN)
    assert "w_again = w\n" in text and "v_again = v\n" in text
    assert "y = (tf.matmul(x, w_again) + v_again) * g" in text
    assert "reuse_variables" not in text and "AUTO_REUSE" not in text
    assert "variables = [w, v, g]" in text  # each variable trained once
    assert not declined(findings)


def test_initializer_bound_to_a_name_is_written_at_the_variable() -> None:
    text, _ = migrate(textwrap.dedent(
        """\
        import tensorflow as tf

        x = tf.placeholder(tf.float32, [None, 3])
        initer = tf.truncated_normal_initializer(stddev=0.01)
        W = tf.get_variable("W", [3, 1], initializer=initer)
        y = tf.matmul(x, W)
        """
    ) + RUN)
    assert 'W = tf.Variable(tf.keras.initializers.TruncatedNormal(mean=0.0, stddev=0.01)(shape=[3, 1]), name="W")' in text
    assert "initer" not in text  # graph code no function needs


def test_get_collection_by_scope_selects_by_tf1_names() -> None:
    text, _ = migrate(
        """\
        import tensorflow as tf

        x = tf.placeholder(tf.float32, [None, 3])
        with tf.variable_scope("gen"):
            G = tf.get_variable("W", [3, 1])
        with tf.variable_scope("disc"):
            D = tf.get_variable("W", [1, 1])
        y = tf.matmul(tf.matmul(x, G), D)
        loss = tf.reduce_mean(tf.square(y))
        d_vars = tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES, scope="disc")
        train_d = tf.train.GradientDescentOptimizer(0.1).minimize(loss, var_list=d_vars)
        train_g = tf.train.GradientDescentOptimizer(0.1).minimize(
            loss, var_list=tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES, "gen"))
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            print(sess.run([train_d, train_g, loss], feed_dict={x: [[1.0, 2.0, 3.0]]})[2])
        """
    )
    assert "d_vars = [D]" in text
    assert "variables = [G]" in text
    assert "get_collection" not in text


def test_get_collection_read_other_than_as_a_variable_list_falls_back() -> None:
    text, findings = migrate(textwrap.dedent(
        """\
        import tensorflow as tf

        x = tf.placeholder(tf.float32, [None, 3])
        W = tf.Variable(tf.ones([3, 1]), name="W")
        y = tf.matmul(x, W)
        print(len(tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES)))
        """
    ) + RUN)
    assert "compat.v1" in text
    assert any("collection read other than as a var_list=" in m for m in declined(findings))


def test_layer_objects_selected_by_their_variable_scope() -> None:
    text, _ = migrate(
        """\
        import tensorflow as tf

        X = tf.placeholder(tf.float32, [None, 2])
        Z = tf.placeholder(tf.float32, [None, 2])


        def generator(z):
            with tf.variable_scope("generator"):
                return tf.layers.dense(z, 2)


        def discriminator(x, reuse=False):
            with tf.variable_scope("discriminator") as scope:
                if reuse:
                    scope.reuse_variables()
                return tf.layers.dense(x, 1)


        G = generator(Z)
        D_real = discriminator(X)
        D_fake = discriminator(G, reuse=True)
        loss_D = tf.reduce_mean(D_fake - D_real)
        loss_G = -tf.reduce_mean(D_fake)
        d_vars = tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES, scope="discriminator")
        t_vars = tf.trainable_variables()
        g_vars = [v for v in t_vars if v.name.startswith("gen")]
        train_D = tf.train.AdamOptimizer().minimize(loss_D, var_list=d_vars)
        train_G = tf.train.AdamOptimizer().minimize(loss_G, var_list=g_vars)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            print(sess.run([train_D, loss_D], feed_dict={X: [[1.0, 2.0]], Z: [[0.5, 0.5]]})[1])
            print(sess.run([train_G, loss_G], feed_dict={Z: [[0.5, 0.5]]})[1])
        """
    )
    # The layers' variables exist once they have run: the lists are written in the steps.
    assert "variables = [*discriminator.trainable_variables]" in text
    assert "variables = [*generator.trainable_variables]" in text
    assert "d_vars" not in text and "reuse" not in text and "compat.v1" not in text


def test_selection_that_only_full_names_could_tell_falls_back() -> None:
    text, findings = migrate(
        """\
        import tensorflow as tf

        X = tf.placeholder(tf.float32, [None, 2])


        def net(x):
            with tf.variable_scope("net"):
                return tf.layers.dense(tf.layers.dense(x, 2), 1)


        y = net(X)
        loss = tf.reduce_mean(y)
        step = tf.train.AdamOptimizer().minimize(
            loss, var_list=tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES, scope="net/dense_1"))
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            print(sess.run([step, loss], feed_dict={X: [[1.0, 2.0]]})[1])
        """
    )
    assert "compat.v1" in text
    assert any("which only their full names tell" in m for m in declined(findings))


def test_declined_get_variable_gives_g102s_reason() -> None:
    for scope, reason in (
        ('tf.variable_scope("s", partitioner=tf.fixed_size_partitioner(2))', "a variable scope with `partitioner=`"),
        ('tf.variable_scope("s", reuse=True)', "`s/W` is looked up again (reuse), and this rule did not create it"),
    ):
        text, findings = migrate(textwrap.dedent(f"""\
            import tensorflow as tf

            x = tf.placeholder(tf.float32, [None, 3])
            with {scope}:
                W = tf.get_variable("W", [3, 1])
            y = tf.matmul(x, W)
            """) + RUN)
        assert "compat.v1" in text and "tf.get_variable(" in text
        messages = declined(findings)
        assert len(messages) == 1 and reason in messages[0], messages
        assert any(reason in m for m in declined(findings, "G102"))


def test_get_variable_inside_a_name_scope_keeps_tf1s_name() -> None:
    # TF1's get_variable ignores name scopes: the variable is created under the root scope.
    text, findings = migrate(textwrap.dedent("""\
        import tensorflow as tf

        x = tf.placeholder(tf.float32, [None, 3])
        with tf.name_scope("s"):
            W = tf.get_variable("W", [3, 1])
            y = tf.matmul(x, W)
        """) + RUN)
    assert "compat.v1" not in text and not declined(findings)
    assert 'with tf.name_scope("s"):\n    with tf.name_scope(""):\n        W = tf.Variable(' in text


def test_variable_scope_inside_a_name_scope_is_declined() -> None:
    text, findings = migrate(textwrap.dedent("""\
        import tensorflow as tf

        x = tf.placeholder(tf.float32, [None, 3])
        with tf.name_scope("s"):
            with tf.variable_scope("v"):
                W = tf.get_variable("W", [3, 1])
        y = tf.matmul(x, W)
        """) + RUN)
    assert "compat.v1" in text
    assert any("a variable scope inside tf.name_scope" in m for m in declined(findings, "G102"))


def test_regularizer_collected_by_name_is_declined() -> None:
    text, findings = migrate(
        """\
        import tensorflow as tf

        x = tf.placeholder(tf.float32, [None, 3])
        W = tf.get_variable("W", [3, 1], regularizer=tf.contrib.layers.l2_regularizer(0.1))
        y = tf.matmul(x, W)
        loss = tf.reduce_mean(tf.square(y)) + tf.add_n(tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES))
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            print(sess.run(loss, feed_dict={x: [[1.0, 2.0, 3.0]]}))
        """
    )
    assert "compat.v1" in text
    assert any("get_variable with `regularizer=`" in m for m in declined(findings))


def test_scope_object_used_otherwise_is_declined() -> None:
    text, findings = migrate(textwrap.dedent(
        """\
        import tensorflow as tf

        x = tf.placeholder(tf.float32, [None, 3])
        with tf.variable_scope("layer") as scope:
            W = tf.get_variable("W", [3, 1])
            print(scope.name)
        y = tf.matmul(x, W)
        """
    ) + RUN)
    assert "compat.v1" in text
    assert any("the variable scope object `scope` is used" in m for m in declined(findings))


def test_reuse_scope_calling_a_function_keeps_helpers_on_tf1() -> None:
    # The function's get_variable looks up the graph's variable: tf.Variable would make a new one.
    text, findings = migrate(textwrap.dedent(
        """\
        import tensorflow as tf


        def layer(x):
            W = tf.get_variable("W", [3, 1])
            return tf.matmul(x, W)


        x = tf.placeholder(tf.float32, [None, 3])
        with tf.variable_scope("model"):
            y = layer(x)
        with tf.variable_scope("model", reuse=True):
            y2 = layer(x)
        """
    ) + RUN.replace("square(y)", "square(y + y2)"))
    assert "compat.v1" in text and "tf.Variable(" not in text


def test_training_scope_nested_beside_other_scopes_follows_the_block() -> None:
    # TF1 scripts name their loss, optimizer and accuracy in scopes under one outer scope.
    text, findings = migrate(
        """\
        import tensorflow as tf

        x = tf.placeholder(tf.float32, [None, 3])
        W = tf.Variable(tf.ones([3, 1]))
        with tf.variable_scope('Train'):
            with tf.variable_scope('Loss'):
                loss = tf.reduce_mean(tf.square(tf.matmul(x, W)))
            with tf.variable_scope('Optimizer'):
                optimizer = tf.train.AdamOptimizer(0.01).minimize(loss)
            with tf.variable_scope('Accuracy'):
                err = tf.reduce_mean(tf.abs(tf.matmul(x, W)))
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            print(sess.run([optimizer, loss], feed_dict={x: [[1.0, 2.0, 3.0]]})[1])
            print(sess.run(err, feed_dict={x: [[1.0, 2.0, 3.0]]}))
        """
    )
    assert "compat.v1" not in text and not declined(findings)
    assert "    with tf.GradientTape() as tape:\n        with tf.name_scope('Train'):\n            with tf.name_scope('Loss'):\n" in text


def test_optimizer_and_step_beside_a_loss_and_its_summary_follow_the_block() -> None:
    # golbin 05 - TensorBoard: `with tf.name_scope('optimizer'): cost = ...; optimizer = ...;
    # train_op = optimizer.minimize(cost); tf.summary.scalar('cost', cost)`.
    text, findings = migrate(
        """\
        import tensorflow as tf

        x = tf.placeholder(tf.float32, [None, 3])
        W = tf.Variable(tf.ones([3, 1]))
        with tf.name_scope('optimizer'):
            cost = tf.reduce_mean(tf.square(tf.matmul(x, W)))

            optimizer = tf.train.AdamOptimizer(0.01)
            train_op = optimizer.minimize(cost)

            tf.summary.scalar('cost', cost)
        merged = tf.summary.merge_all()
        writer = tf.summary.FileWriter('./logs')
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            sess.run(train_op, feed_dict={x: [[1.0, 2.0, 3.0]]})
            writer.add_summary(sess.run(merged, feed_dict={x: [[1.0, 2.0, 3.0]]}), 1)
        """
    )
    assert "compat.v1" not in text and not declined(findings)
    assert '"optimizer/cost"' in text
    # a statement after the step that rebinds what it reads keeps the block (declined)
    text, findings = migrate(
        """\
        import tensorflow as tf

        x = tf.placeholder(tf.float32, [None, 3])
        W = tf.Variable(tf.ones([3, 1]))
        with tf.name_scope('optimizer'):
            cost = tf.reduce_mean(tf.square(tf.matmul(x, W)))
            train_op = tf.train.AdamOptimizer(0.01).minimize(cost)
            cost = cost * 2.0
            tf.summary.scalar('cost', cost)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            print(sess.run([train_op, cost], feed_dict={x: [[1.0, 2.0, 3.0]]})[1])
        """
    )
    assert any("an optimizer or training op inside a `name_scope` block" in m for m in declined(findings))


def test_training_op_read_later_in_its_scope_is_declined() -> None:
    text, findings = migrate(
        """\
        import tensorflow as tf

        x = tf.placeholder(tf.float32, [None, 3])
        W = tf.Variable(tf.ones([3, 1]))
        with tf.name_scope('Train'):
            loss = tf.reduce_mean(tf.square(tf.matmul(x, W)))
            with tf.name_scope('Gradients'):
                grads = tf.train.GradientDescentOptimizer(0.1).compute_gradients(loss)
            with tf.name_scope('Norm'):
                norm = tf.global_norm([g for g, v in grads])
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            print(sess.run(norm, feed_dict={x: [[1.0, 2.0, 3.0]]}))
        """
    )
    assert "compat.v1" in text
    assert any("an optimizer or training op inside a `name_scope` block" in m for m in declined(findings))


def test_model_function_reading_its_reuse_flag_otherwise_stays_tf1() -> None:
    text, findings = migrate(
        """\
        import tensorflow as tf

        X = tf.placeholder(tf.float32, [None, 2])


        def discriminator(x, reuse=False):
            with tf.variable_scope("discriminator") as scope:
                if reuse:
                    scope.reuse_variables()
                h = tf.layers.dense(x, 1)
                return h * 2.0 if reuse else h


        d1 = discriminator(X)
        d2 = discriminator(X, reuse=True)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            print(sess.run(d1 + d2, feed_dict={X: [[1.0, 2.0]]}))
        """
    )
    assert "compat.v1" in text and "class Discriminator" not in text
    assert any("its `reuse` parameter is read other than by its variable scope" in m for m in declined(findings, "G102"))


def test_string_comments_in_a_scope_stay_with_its_variables() -> None:
    # Tutorials note shapes in string literals between the statements of a scope.
    text, findings = migrate(textwrap.dedent('''\
        import tensorflow as tf

        x = tf.placeholder(tf.float32, [None, 3])
        with tf.variable_scope("layer1"):
            W = tf.get_variable("W", [3, 2])
            """Tensor("layer1/MatMul:0", shape=(?, 2), dtype=float32)"""
            y = tf.matmul(x, W)
        ''') + RUN)
    assert (
        'with tf.name_scope("layer1"):\n'
        '    W = tf.Variable(tf.keras.initializers.GlorotUniform()(shape=[3, 2]), name="W")\n'
        '    """Tensor("layer1/MatMul:0", shape=(?, 2), dtype=float32)"""\n'
    ) in text
    assert text.count('"""Tensor(') == 1 and "placeholder" not in text
    assert not declined(findings)
