"""G101's examples: what the rule converts and what it must leave alone (they generate its
tests and its section of docs/rules.md). Beside the rule, in their own module: together
they are longer than the rule's code."""

from __future__ import annotations

import textwrap

from codemods.base import Example

EXAMPLES = (
    Example(
        before=textwrap.dedent(
            """\
            import tensorflow as tf

            x = tf.placeholder(tf.float32, [None])
            w = tf.Variable(2.0)
            y = x * w
            with tf.Session() as sess:
                sess.run(tf.global_variables_initializer())
                print(sess.run(y, feed_dict={x: [1.0, 2.0]}))
            """
        ),
        after=textwrap.dedent(
            """\
            import tensorflow as tf

            w = tf.Variable(2.0)


            @tf.function(input_signature=[tf.TensorSpec([None], tf.float32)])
            def compute_y(x):
                y = x * w
                return y


            print(compute_y([1.0, 2.0]).numpy())
            """
        ),
    ),
    Example(
        # Adam on an embedding: TF1 summed the sparse gradient's repeated rows.
        before=textwrap.dedent(
            """\
            import tensorflow as tf

            ids = tf.placeholder(tf.int32, [None])
            embedding = tf.Variable(tf.random_uniform([10, 4]))
            loss = tf.reduce_sum(tf.square(tf.nn.embedding_lookup(embedding, ids)))
            train_op = tf.train.AdamOptimizer(0.1).minimize(loss)
            with tf.Session() as sess:
                sess.run(tf.global_variables_initializer())
                _, value = sess.run([train_op, loss], feed_dict={ids: [1, 1, 2]})
            """
        ),
        after=textwrap.dedent(
            """\
            import tensorflow as tf

            embedding = tf.Variable(tf.random_uniform([10, 4]))
            optimizer = tf.keras.optimizers.Adam(learning_rate=0.1, epsilon=1e-08)


            # Keras optimizers create their slots at the first step; built now, the step
            # creates no variables and tf.function traces it once.
            optimizer.build([embedding])


            @tf.function(input_signature=[tf.TensorSpec([None], tf.int32)])
            def train_step(ids):
                with tf.GradientTape() as tape:
                    loss = tf.reduce_sum(tf.square(tf.nn.embedding_lookup(embedding, ids)))
                variables = [embedding]
                gradients = tape.gradient(loss, variables)
                # TF1's AdamOptimizer summed the repeated rows of a sparse gradient and updated every row.
                gradients = [tf.convert_to_tensor(g) if isinstance(g, tf.IndexedSlices) else g for g in gradients]
                optimizer.apply_gradients(zip(gradients, variables))
                return loss


            value = train_step([1, 1, 2]).numpy()
            """
        ),
    ),
    Example(
        # A layer helper whose bias exists only when a parameter says so, called in a loop
        # by a model function: the variables under `if bias:` are created on the first call
        # under the same test; the loop's calls each get an instance, in call order.
        before=textwrap.dedent(
            """\
            import tensorflow as tf


            def dense(x, n, bias=True):
                w = tf.Variable(tf.truncated_normal([int(x.shape[1]), n], stddev=0.1))
                y = tf.matmul(x, w)
                if bias:
                    b = tf.Variable(tf.zeros([n]))
                    y = y + b
                return y


            def model(x, sizes):
                for n in sizes:
                    x = tf.nn.relu(dense(x, n))
                return dense(x, 1, bias=False)


            x = tf.placeholder(tf.float32, [None, 2])
            y = model(x, [4, 4])
            with tf.Session() as sess:
                sess.run(tf.global_variables_initializer())
                print(sess.run(y, feed_dict={x: [[1.0, 2.0]]}))
            """
        ),
        after=textwrap.dedent(
            """\
            import tensorflow as tf


            class Dense(tf.Module):
                \"\"\"`dense`, called once per instance; its variables are created on the first call.\"\"\"

                built = False
                b = None  # made only when its test holds

                def __call__(self, x, n, bias=True):
                    if not self.built:
                        with tf.init_scope():
                            self.w = tf.Variable(tf.truncated_normal([int(x.shape[1]), n], stddev=0.1))
                            if bias:
                                self.b = tf.Variable(tf.zeros([n]))
                        self.built = True
                    w, b = self.w, self.b
                    y = tf.matmul(x, w)
                    if bias:
                        y = y + b
                    return y


            class Model(tf.Module):
                \"\"\"`model`, called once per instance; it holds an instance of each helper it calls.\"\"\"

                def __init__(self):
                    super().__init__()
                    self.dense_instance = Dense()
                    # The helpers it calls in loops, conditions or try blocks: an instance per call, in call order.
                    self._repeated = []

                def _next_instance(self, make):
                    \"\"\"The instance for the next helper call made in a loop, condition or try block (made at its first call).\"\"\"
                    if self._calls == len(self._repeated):
                        self._repeated.append(make())
                    instance = self._repeated[self._calls]
                    self._calls += 1
                    if type(instance) is not make:
                        raise RuntimeError("the helpers are called in another order than at the first call")
                    return instance

                def __call__(self, x, sizes):
                    self._calls = 0
                    for n in sizes:
                        x = tf.nn.relu(self._next_instance(Dense)(x, n))
                    return self.dense_instance(x, 1, bias=False)


            y_layer = Model()


            @tf.function(input_signature=[tf.TensorSpec([None, 2], tf.float32)])
            def compute_y(x):
                y = y_layer(x, [4, 4])
                return y


            print(compute_y([[1.0, 2.0]]).numpy())
            """
        ),
    ),
    Example(
        # A layer helper calling a weight wrapper: a tf.Module whose variables are
        # created once, on its first call, with TF1's initial values.
        before=textwrap.dedent(
            """\
            import tensorflow as tf


            def new_weights(shape):
                return tf.Variable(tf.truncated_normal(shape, stddev=0.05))


            def new_fc_layer(x, num_inputs, num_outputs):
                weights = new_weights(shape=[num_inputs, num_outputs])
                return tf.matmul(x, weights)


            x = tf.placeholder(tf.float32, [None, 4])
            h = new_fc_layer(x, 4, 8)
            with tf.Session() as sess:
                sess.run(tf.global_variables_initializer())
                print(sess.run(h, feed_dict={x: [[1.0, 2.0, 3.0, 4.0]]}))
            """
        ),
        after=textwrap.dedent(
            """\
            import tensorflow as tf


            def new_weights(shape):
                return tf.Variable(tf.truncated_normal(shape, stddev=0.05))


            class NewFcLayer(tf.Module):
                \"\"\"`new_fc_layer`, called once per instance; its variables are created on the first call.\"\"\"

                built = False

                def __call__(self, x, num_inputs, num_outputs):
                    if not self.built:
                        with tf.init_scope():
                            self.weights = new_weights(shape=[num_inputs, num_outputs])
                        self.built = True
                    weights = self.weights
                    return tf.matmul(x, weights)


            h_layer = NewFcLayer()


            @tf.function(input_signature=[tf.TensorSpec([None, 4], tf.float32)])
            def compute_h(x):
                h = h_layer(x, 4, 8)
                return h


            print(compute_h([[1.0, 2.0, 3.0, 4.0]]).numpy())
            """
        ),
    ),
    Example(
        # A function creating variables itself and calling a layer helper in a loop: its
        # own variables are created on its first call, the loop's instances as it runs;
        # left on tf.compat.v1, with the reason.
        before=textwrap.dedent(
            """\
            import tensorflow as tf


            def fc(x, n):
                W = tf.Variable(tf.zeros([4, n]))
                return tf.matmul(x, W)


            def model(x):
                scale = tf.Variable(1.0)
                for n in (4, 4):
                    x = fc(x, n)
                return x * scale


            x = tf.placeholder(tf.float32, [None, 4])
            h = model(x)
            with tf.Session() as sess:
                sess.run(tf.global_variables_initializer())
                print(sess.run(h, feed_dict={x: [[1.0, 2.0, 3.0, 4.0]]}))
            """
        ),
        after=textwrap.dedent(
            """\
            import tensorflow.compat.v1 as tf
            tf.disable_v2_behavior()


            def fc(x, n):
                W = tf.Variable(tf.zeros([4, n]))
                return tf.matmul(x, W)


            def model(x):
                scale = tf.Variable(1.0)
                for n in (4, 4):
                    x = fc(x, n)
                return x * scale


            x = tf.placeholder(tf.float32, [None, 4])
            h = model(x)
            with tf.Session() as sess:
                sess.run(tf.global_variables_initializer())
                print(sess.run(h, feed_dict={x: [[1.0, 2.0, 3.0, 4.0]]}))
            """
        ),
    ),
    Example(
        # A tf.data iterator: each initializer run is a new Python iterator, each step
        # reads one element with next(); OutOfRangeError still ends the epoch.
        before=textwrap.dedent(
            """\
            import tensorflow as tf

            dataset = tf.data.Dataset.from_tensor_slices([1.0, 2.0, 3.0, 4.0]).batch(2)
            iterator = dataset.make_initializable_iterator()
            batch = iterator.get_next()
            total = tf.reduce_sum(batch)
            with tf.Session() as sess:
                for epoch in range(2):
                    sess.run(iterator.initializer)
                    while True:
                        try:
                            print(sess.run(total))
                        except tf.errors.OutOfRangeError:
                            break
            """
        ),
        after=textwrap.dedent(
            """\
            import tensorflow as tf

            dataset = tf.data.Dataset.from_tensor_slices([1.0, 2.0, 3.0, 4.0]).batch(2)


            @tf.function
            def compute_total(iterator):
                batch = next(iterator)
                total = tf.reduce_sum(batch)
                return total


            for epoch in range(2):
                iterator = iter(dataset)
                while True:
                    try:
                        print(compute_total(iterator).numpy())
                    except tf.errors.OutOfRangeError:
                        break
            """
        ),
    ),
    Example(
        # The fallback: the graph is read back by name. The star import re-exports its
        # module's `tf` (TF 2's, once that module is migrated): compat.v1 is bound after it.
        before=textwrap.dedent(
            """\
            import tensorflow as tf
            from utils import *

            a = tf.add(2, 3, name="add")
            with tf.Session() as sess:
                print(sess.run(tf.get_default_graph().get_tensor_by_name("add:0")))
            """
        ),
        after=textwrap.dedent(
            """\
            from utils import *
            import tensorflow.compat.v1 as tf
            tf.disable_v2_behavior()

            a = tf.add(2, 3, name="add")
            with tf.Session() as sess:
                print(sess.run(tf.get_default_graph().get_tensor_by_name("add:0")))
            """
        ),
    ),
    Example(
        before=textwrap.dedent(
            """\
            import tensorflow as tf


            def build(n):
                x = tf.placeholder(tf.float32, [None, n])
                w = tf.Variable(tf.ones([n]))
                return {"x": x, "y": x * w}


            model = build(2)
            with tf.Session() as sess:
                sess.run(tf.global_variables_initializer())
                print(sess.run(model["y"], feed_dict={model["x"]: [[1.0, 2.0]]}))
            """
        ),
        after=textwrap.dedent(
            """\
            import tensorflow as tf


            class Build(tf.Module):
                \"\"\"`build`: its graph, built at each call; its variables are made by the first.\"\"\"

                def __init__(self, n):
                    super().__init__()
                    self.n = n
                    self.graph_variables = []  # created by the first call, in the order TF1 created them

                def variable(self, create):
                    \"\"\"The graph's next variable: made by `create` at the first call, the same one at every later call.\"\"\"
                    if self.created == len(self.graph_variables):
                        with tf.init_scope():
                            self.graph_variables.append(create())
                    self.created += 1
                    return self.graph_variables[self.created - 1]

                def __call__(self, x):
                    self.created = 0
                    n = self.n
                    w = self.variable(lambda: tf.Variable(tf.ones([n])))
                    return {"y": x * w}


            model = Build(2)


            @tf.function(input_signature=[tf.TensorSpec([None, model.n], tf.float32)])
            def compute_y(x):
                model_outputs = model(x)
                y = model_outputs["y"]
                return y


            print(compute_y([[1.0, 2.0]]).numpy())
            """
        ),
    ),
    Example(
        before=textwrap.dedent(
            """\
            import tensorflow as tf

            w = tf.Variable(tf.random_normal([2]))
            step = w.assign_add([1.0, 1.0])
            init = tf.global_variables_initializer()
            sess = tf.Session()
            sess.run(init)
            sess.run(step)
            sess.run(init)  # TF1 draws the initial value again
            print(sess.run(w))
            """
        ),
        after=textwrap.dedent(
            """\
            import tensorflow as tf


            @tf.function
            def initial_w():
                return tf.random_normal([2])


            w = tf.Variable(initial_w())


            @tf.function
            def compute_step():
                step = w.assign_add([1.0, 1.0])
                return step


            compute_step()
            w.assign(initial_w())  # TF1 draws the initial value again
            print(w.numpy())
            """
        ),
    ),
    Example(
        before=textwrap.dedent(
            """\
            import tensorflow as tf

            use_l1 = True
            x = tf.placeholder(tf.float32, [None])
            w = tf.Variable(2.0)
            if use_l1:
                loss = tf.reduce_mean(tf.abs(x * w - 1.0))
            else:
                loss = tf.reduce_mean(tf.square(x * w - 1.0))
            with tf.Session() as sess:
                sess.run(tf.global_variables_initializer())
                print(sess.run(loss, feed_dict={x: [1.0, 2.0]}))
            """
        ),
        after=textwrap.dedent(
            """\
            import tensorflow as tf

            use_l1 = True
            w = tf.Variable(2.0)


            @tf.function(input_signature=[tf.TensorSpec([None], tf.float32)])
            def compute_loss(x):
                if use_l1:
                    loss = tf.reduce_mean(tf.abs(x * w - 1.0))
                else:
                    loss = tf.reduce_mean(tf.square(x * w - 1.0))
                return loss


            print(compute_loss([1.0, 2.0]).numpy())
            """
        ),
    ),
    Example(
        before=textwrap.dedent(
            """\
            import tensorflow as tf

            x = tf.placeholder(tf.float32, [None])
            w = tf.Variable(2.0)
            with tf.name_scope("model"):
                y = tf.reduce_mean(x * w)
                y_summary = tf.summary.scalar("mean", y)
            with tf.Session() as sess:
                sess.run(tf.global_variables_initializer())
                writer = tf.summary.FileWriter("logs", sess.graph)
                for step in range(2):
                    summary, value = sess.run([y_summary, y], feed_dict={x: [1.0, 2.0]})
                    writer.add_summary(summary, step)
                    print(value)
            """
        ),
        # TF1 tagged the summary `model/mean_1`: its scope already had `Mean`.
        after=textwrap.dedent(
            """\
            import tensorflow as tf

            w = tf.Variable(2.0)


            @tf.function(input_signature=[tf.TensorSpec([None], tf.float32)])
            def compute_y_summary_and_y(x):
                with tf.name_scope("model"):
                    y = tf.reduce_mean(x * w)
                    y_summary = {"model/mean_1": y}
                return y_summary, y


            writer = tf.summary.create_file_writer("logs")


            @tf.function(reduce_retracing=True)
            def write_y_summary(writer, values, step):
                with writer.as_default(step=step):
                    tf.summary.scalar("model/mean_1", values["model/mean_1"])


            for step in range(2):
                summary, value = tf.nest.map_structure(lambda value: value.numpy(), compute_y_summary_and_y([1.0, 2.0]))
                write_y_summary(writer, summary, tf.constant(step, tf.int64))
                print(value)
            """
        ),
    ),
    Example(
        # Variables selected by their TF1 names (scope "discriminator/"): a plain list.
        before=textwrap.dedent(
            """\
            import tensorflow as tf

            x = tf.placeholder(tf.float32, [None, 2])
            with tf.name_scope("generator"):
                G_W = tf.Variable(tf.ones([2, 2]), name="W")
            with tf.name_scope("discriminator"):
                D_W = tf.Variable(tf.ones([2, 1]), name="W")
            loss = tf.reduce_sum(tf.matmul(tf.matmul(x, G_W), D_W))
            d_vars = tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES, scope="discriminator")
            train_D = tf.train.GradientDescentOptimizer(0.1).minimize(loss, var_list=d_vars)
            with tf.Session() as sess:
                sess.run(tf.global_variables_initializer())
                _, l = sess.run([train_D, loss], feed_dict={x: [[1.0, 2.0]]})
                print(l)
            """
        ),
        after=textwrap.dedent(
            """\
            import tensorflow as tf

            with tf.name_scope("generator"):
                G_W = tf.Variable(tf.ones([2, 2]), name="W")
            with tf.name_scope("discriminator"):
                D_W = tf.Variable(tf.ones([2, 1]), name="W")
            d_vars = [D_W]
            optimizer = tf.keras.optimizers.SGD(learning_rate=0.1)


            @tf.function(input_signature=[tf.TensorSpec([None, 2], tf.float32)])
            def train_D(x):
                with tf.GradientTape() as tape:
                    loss = tf.reduce_sum(tf.matmul(tf.matmul(x, G_W), D_W))
                variables = d_vars
                gradients = tape.gradient(loss, variables)
                optimizer.apply_gradients(zip(gradients, variables))
                return loss


            l = train_D([[1.0, 2.0]]).numpy()
            print(l)
            """
        ),
    ),
    Example(
        # A streaming metric: a Keras metric object made once, updated by the runs of its update op.
        before=textwrap.dedent(
            """\
            import tensorflow as tf

            x = tf.placeholder(tf.float32, [None])
            y = tf.placeholder(tf.float32, [None])
            acc, acc_op = tf.metrics.accuracy(labels=y, predictions=tf.round(x))
            with tf.Session() as sess:
                sess.run(tf.group(tf.global_variables_initializer(), tf.local_variables_initializer()))
                for batch in ([0.2, 0.9], [0.7, 0.1]):
                    sess.run(acc_op, feed_dict={x: batch, y: [0.0, 1.0]})
                print(sess.run(acc))
            """
        ),
        after=textwrap.dedent(
            """\
            import tensorflow as tf

            acc_metric = tf.keras.metrics.Accuracy()


            @tf.function(input_signature=[tf.TensorSpec([None], tf.float32), tf.TensorSpec([None], tf.float32)])
            def compute_acc_op(x, y):
                acc_metric.update_state(y, tf.round(x))
                acc_op = acc_metric.result()
                return acc_op


            @tf.function
            def compute_acc():
                acc = acc_metric.result()
                return acc


            for batch in ([0.2, 0.9], [0.7, 0.1]):
                compute_acc_op(batch, [0.0, 1.0])
            print(compute_acc().numpy())
            """
        ),
    ),
    Example(
        # The local-variables initializer run again set the metric back to zero: reset_state().
        before=textwrap.dedent(
            """\
            import tensorflow as tf

            x = tf.placeholder(tf.float32, [None])
            mean, mean_op = tf.metrics.mean(x)
            with tf.Session() as sess:
                for epoch in range(2):
                    sess.run(tf.local_variables_initializer())  # the mean starts again at each epoch
                    sess.run(mean_op, feed_dict={x: [1.0, 2.0]})
                    print(sess.run(mean))
            """
        ),
        after=textwrap.dedent(
            """\
            import tensorflow as tf

            mean_metric = tf.keras.metrics.Mean()


            @tf.function(input_signature=[tf.TensorSpec([None], tf.float32)])
            def compute_mean_op(x):
                mean_metric.update_state(x)
                mean_op = mean_metric.result()
                return mean_op


            @tf.function
            def compute_mean():
                mean = mean_metric.result()
                return mean


            for epoch in range(2):
                mean_metric.reset_state()  # the mean starts again at each epoch
                compute_mean_op([1.0, 2.0])
                print(compute_mean().numpy())
            """
        ),
    ),
    Example(
        # Declined: the value and the update read by one run, in no fixed order in TF1.
        before=textwrap.dedent(
            """\
            import tensorflow as tf

            x = tf.placeholder(tf.float32, [None])
            mean, mean_op = tf.metrics.mean(x)
            with tf.Session() as sess:
                sess.run(tf.local_variables_initializer())
                print(sess.run([mean, mean_op], feed_dict={x: [1.0, 2.0]}))  # read and update in no fixed order
            """
        ),
        after=textwrap.dedent(
            """\
            import tensorflow.compat.v1 as tf
            tf.disable_v2_behavior()

            x = tf.placeholder(tf.float32, [None])
            mean, mean_op = tf.metrics.mean(x)
            with tf.Session() as sess:
                sess.run(tf.local_variables_initializer())
                print(sess.run([mean, mean_op], feed_dict={x: [1.0, 2.0]}))  # read and update in no fixed order
            """
        ),
    ),
    Example(
        before=textwrap.dedent(
            """\
            import tensorflow as tf

            x = tf.constant([1.0, 2.0])
            print(tf.reduce_sum(x))
            """
        ),
    ),
    Example(
        before=textwrap.dedent(
            """\
            import tensorflow as tf


            @tf.function
            def initial_w():
                return tf.random.normal([2])


            w = tf.Variable(initial_w())
            w.assign(initial_w())  # eager re-initialisation, no Session: nothing to convert
            """
        ),
    ),
    Example(
        before=textwrap.dedent(
            """\
            import tensorflow as tf

            x = tf.placeholder(tf.float32, [None])
            w = tf.Variable(2.0)
            step = tf.Variable(0, trainable=False)
            y = x * w
            sess = tf.Session()
            saver = tf.train.Saver(tf.global_variables())
            ckpt = tf.train.get_checkpoint_state("./model")
            if ckpt and tf.train.checkpoint_exists(ckpt.model_checkpoint_path):
                saver.restore(sess, ckpt.model_checkpoint_path)
            else:
                sess.run(tf.global_variables_initializer())
            print(sess.run(y, feed_dict={x: [1.0, 2.0]}))
            saver.save(sess, "./model/dnn.ckpt", global_step=step)
            """
        ),
        after=textwrap.dedent(
            """\
            import tensorflow as tf

            w = tf.Variable(2.0)
            step = tf.Variable(0, trainable=False)


            @tf.function(input_signature=[tf.TensorSpec([None], tf.float32)])
            def compute_y(x):
                y = x * w
                return y


            saver = tf.train.Checkpoint(w=w, step=step)
            ckpt = tf.train.get_checkpoint_state("./model")
            if ckpt and bool(tf.io.gfile.glob(ckpt.model_checkpoint_path + ".index") or tf.io.gfile.glob(ckpt.model_checkpoint_path)):
                saver.read(ckpt.model_checkpoint_path).assert_existing_objects_matched()
            print(compute_y([1.0, 2.0]).numpy())
            tf.train.CheckpointManager(saver, "./model", max_to_keep=5, checkpoint_name="dnn.ckpt").save(checkpoint_number=step.numpy())
            """
        ),
    ),
    Example(
        before=textwrap.dedent(
            """\
            import tensorflow as tf

            x = tf.placeholder(tf.float32, [None])
            w = tf.Variable(2.0)
            step = tf.Variable(0, trainable=False)
            y = x * w
            sess = tf.Session()
            saver = tf.train.Saver(tf.global_variables())
            ckpt = tf.train.get_checkpoint_state("./model")
            if ckpt and tf.train.checkpoint_exists(ckpt.model_checkpoint_path):
                saver.restore(sess, ckpt.model_checkpoint_path)
            else:
                sess.run(tf.global_variables_initializer())
            print(sess.run(y, feed_dict={x: [1.0, 2.0]}))
            saver.save(sess, "./model/dnn.ckpt")
            """
        ),
        after=textwrap.dedent(
            """\
            import tensorflow.compat.v1 as tf
            tf.disable_v2_behavior()

            x = tf.placeholder(tf.float32, [None])
            w = tf.Variable(2.0)
            step = tf.Variable(0, trainable=False)
            y = x * w
            sess = tf.Session()
            saver = tf.train.Saver(tf.global_variables())
            ckpt = tf.train.get_checkpoint_state("./model")
            if ckpt and tf.train.checkpoint_exists(ckpt.model_checkpoint_path):
                saver.restore(sess, ckpt.model_checkpoint_path)
            else:
                sess.run(tf.global_variables_initializer())
            print(sess.run(y, feed_dict={x: [1.0, 2.0]}))
            saver.save(sess, "./model/dnn.ckpt")
            """
        ),
    ),
    Example(
        before=textwrap.dedent(
            """\
            import tensorflow as tf

            graph = tf.Graph()
            with graph.as_default():
                x = tf.placeholder(tf.float32, [None])
                w = tf.Variable(2.0)
                y = x * w
                init = tf.global_variables_initializer()
            graph.finalize()

            config = tf.ConfigProto(allow_soft_placement=True)
            with tf.Session(graph=graph, config=config) as sess:
                sess.run(init)
                print(sess.run(y, feed_dict={x: [1.0, 2.0]}))
            """
        ),
        after=textwrap.dedent(
            """\
            import tensorflow as tf

            w = tf.Variable(2.0)


            @tf.function(input_signature=[tf.TensorSpec([None], tf.float32)])
            def compute_y(x):
                y = x * w
                return y


            print(compute_y([1.0, 2.0]).numpy())
            """
        ),
    ),
    Example(
        before=textwrap.dedent(
            """\
            import tensorflow as tf


            def main():
                with tf.Graph().as_default():
                    x = tf.placeholder(tf.float32, [None])
                    w = tf.Variable(2.0)
                    loss = tf.reduce_sum(tf.square(x * w))
                    train_op = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
                    sess = tf.Session()
                    with sess.as_default():
                        sess.run(tf.global_variables_initializer())
                        for _ in range(3):
                            _, l = sess.run([train_op, loss], feed_dict={x: [1.0, 2.0]})
                        print(l)


            if __name__ == "__main__":
                main()
            """
        ),
        after=textwrap.dedent(
            """\
            import tensorflow as tf


            def main():
                w = tf.Variable(2.0)
                optimizer = tf.keras.optimizers.SGD(learning_rate=0.1)

                @tf.function(input_signature=[tf.TensorSpec([None], tf.float32)])
                def train_step(x):
                    with tf.GradientTape() as tape:
                        loss = tf.reduce_sum(tf.square(x * w))
                    variables = [w]
                    gradients = tape.gradient(loss, variables)
                    optimizer.apply_gradients(zip(gradients, variables))
                    return loss

                for _ in range(3):
                    l = train_step([1.0, 2.0]).numpy()
                print(l)


            if __name__ == "__main__":
                main()
            """
        ),
    ),
    Example(
        before=textwrap.dedent(
            """\
            import tensorflow as tf

            graph = tf.Graph()
            with graph.as_default():
                x = tf.placeholder(tf.float32, [None], name="x")
                y = tf.multiply(x, 2.0, name="y")
            with tf.Session(graph=graph) as sess:
                print(sess.run(graph.get_tensor_by_name("y:0"), feed_dict={x: [1.0, 2.0]}))
            """
        ),
        after=textwrap.dedent(
            """\
            import tensorflow.compat.v1 as tf
            tf.disable_v2_behavior()

            graph = tf.Graph()
            with graph.as_default():
                x = tf.placeholder(tf.float32, [None], name="x")
                y = tf.multiply(x, 2.0, name="y")
            with tf.Session(graph=graph) as sess:
                print(sess.run(graph.get_tensor_by_name("y:0"), feed_dict={x: [1.0, 2.0]}))
            """
        ),
    ),
    Example(
        before=textwrap.dedent(
            """\
            import tensorflow as tf


            def build_graph():
                graph = tf.Graph()
                with graph.as_default():
                    x = tf.placeholder(tf.float32, [None], name="x")
                    tf.multiply(x, 2.0, name="y")
                return graph
            """
        ),
    ),
    Example(
        before=textwrap.dedent(
            """\
            import tensorflow as tf

            x = tf.placeholder(tf.float32, [None])
            y_pred = tf.Variable(0.5, name="bias")
            for power in range(1, 3):
                w = tf.Variable(0.1 * power, name="weight_%d" % power)
                y_pred = tf.add(tf.multiply(tf.pow(x, power), w), y_pred)
            with tf.Session() as sess:
                sess.run(tf.global_variables_initializer())
                print(sess.run(y_pred, feed_dict={x: [1.0, 2.0]}))
            """
        ),
        after=textwrap.dedent(
            """\
            import tensorflow as tf

            bias = tf.Variable(0.5, name="bias")
            w_per_power = []
            for power in range(1, 3):
                w = tf.Variable(0.1 * power, name="weight_%d" % power)
                w_per_power.append(w)


            @tf.function(input_signature=[tf.TensorSpec([None], tf.float32)])
            def compute_y_pred(x):
                y_pred = bias
                for power, w in zip(range(1, 3), w_per_power):
                    y_pred = tf.add(tf.multiply(tf.pow(x, power), w), y_pred)
                return y_pred


            print(compute_y_pred([1.0, 2.0]).numpy())
            """
        ),
    ),
    Example(
        before=textwrap.dedent(
            """\
            import tensorflow as tf

            sess = tf.Session()
            for num in range(3):
                print(sess.run(tf.square(num) + 1))
            """
        ),
        after=textwrap.dedent(
            """\
            import tensorflow as tf

            for num in range(3):
                print((tf.square(num) + 1).numpy())
            """
        ),
    ),
    Example(
        # A helper that runs the graph tensor it is given (plot_conv_layer(layer_conv1, image)):
        # it is given the function computing it, and a variable its read_value.
        before=textwrap.dedent(
            """\
            import tensorflow as tf

            x = tf.placeholder(tf.float32, [None, 2])
            w = tf.Variable([[1.0], [2.0]])
            h = tf.nn.relu(tf.matmul(x, w))
            sess = tf.Session()
            sess.run(tf.global_variables_initializer())


            def show(layer, image):
                print(sess.run(layer, feed_dict={x: [image]}))


            def show_weights(weights):
                print(sess.run(weights).sum())


            show(h, [1.0, -1.0])
            show_weights(w)
            """
        ),
        after=textwrap.dedent(
            """\
            import tensorflow as tf

            w = tf.Variable([[1.0], [2.0]])


            @tf.function(input_signature=[tf.TensorSpec([None, 2], tf.float32)])
            def compute_h(x):
                h = tf.nn.relu(tf.matmul(x, w))
                return h


            def show(layer, image):
                print(layer(x=[image]).numpy())


            def show_weights(weights):
                print(weights().numpy().sum())


            show(compute_h, [1.0, -1.0])
            show_weights(w.read_value)
            """
        ),
    ),
)
