"""G103 beyond its examples: every spelling of the names TF 2.21 + Keras 3 lacks, the
imports it rewrites or drops, and what it reports. The fallback_* fixtures prove by
running both versions that the homes compute the same numbers."""

from __future__ import annotations

import ast
import textwrap

from codemods.graph.g103_legacy_homes import LegacyHomes
from migrator.engine import Status, migrate_source

LEGACY_IMPORT = "from tf_keras.api._v1.keras.__internal__ import legacy as tf_legacy"


def migrate(source: str, rules=(LegacyHomes,)) -> tuple[str, list]:
    kwargs = {} if rules is None else {"rules": list(rules)}
    result = migrate_source(textwrap.dedent(source).encode(), "t.py", **kwargs)
    assert result.status is not Status.FAILED, result.error
    text = result.new_bytes.decode()
    ast.parse(text)
    again = migrate_source(result.new_bytes, "t.py", **kwargs)
    assert again.new_bytes == result.new_bytes, "not idempotent"
    return text, result.findings


def declined(findings) -> list[str]:
    return [f.message for f in findings if f.kind == "declined"]


def test_fallback_module_gets_runnable_layers_through_the_whole_pipeline() -> None:
    text, findings = migrate(
        """\
        import tensorflow as tf

        x = tf.placeholder(tf.float32, [None, 4])
        h = tf.layers.dense(x, 8, activation=tf.nn.relu, name="h")
        out = tf.layers.dense(h, 1)
        tf.add_to_collection("outputs", out)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            print(sess.run(out, feed_dict={x: [[1.0] * 4]}))
        """,
        rules=None,
    )
    assert text.startswith(f"import tensorflow.compat.v1 as tf\n{LEGACY_IMPORT}\ntf.disable_v2_behavior()\n")
    assert 'h = tf_legacy.layers.dense(x, 8, activation=tf.nn.relu, name="h")' in text
    assert "out = tf_legacy.layers.dense(h, 1)" in text and "tf.layers" not in text
    [note] = [f for f in findings if f.rule == "G103"]
    assert note.kind == "converted" and "pip install tf-keras" in note.message and note.line == 4


def test_contrib_rnn_module_import_goes_with_its_last_use() -> None:
    text, findings = migrate(
        """\
        import tensorflow.compat.v1 as tf
        from tensorflow.contrib import rnn

        cell = rnn.BasicLSTMCell(4, forget_bias=1.0)
        outputs, states = rnn.static_rnn(cell, steps, dtype=tf.float32)
        stacked = tf.contrib.rnn.MultiRNNCell([rnn.GRUCell(3), tf.nn.rnn_cell.LSTMCell(3)])
        """
    )
    assert text == textwrap.dedent(
        f"""\
        import tensorflow.compat.v1 as tf
        {LEGACY_IMPORT}

        cell = tf_legacy.rnn_cell.BasicLSTMCell(4, forget_bias=1.0)
        outputs, states = tf.nn.static_rnn(cell, steps, dtype=tf.float32)
        stacked = tf_legacy.rnn_cell.MultiRNNCell([tf_legacy.rnn_cell.GRUCell(3), tf_legacy.rnn_cell.LSTMCell(3)])
        """
    )
    assert not declined(findings)


def test_homes_are_imported_before_their_first_use_not_after_a_late_import() -> None:
    text, _ = migrate(
        """\
        import tensorflow.compat.v1 as tf
        import numpy as np

        x = tf.placeholder(tf.float32, [None, 4])
        out = tf.layers.dense(x, 2)

        from matplotlib import cm
        print(cm)
        """
    )
    assert text.startswith(f"import tensorflow.compat.v1 as tf\nimport numpy as np\n{LEGACY_IMPORT}\n")
    assert text.count(LEGACY_IMPORT) == 1


def test_plain_tensorflow_module_left_by_t101() -> None:
    """T101 moves a compat module to ``import tensorflow as tf`` and leaves these names."""
    text, findings = migrate(
        """\
        import tensorflow as tf

        init = tf.contrib.layers.xavier_initializer()
        net = tf.contrib.layers.fully_connected(x, 4, weights_initializer=init)
        outputs, state = tf.contrib.rnn.static_rnn(tf.nn.rnn_cell.BasicRNNCell(2), steps, dtype=tf.float32)
        pool = tf.compat.v1.layers.max_pooling2d(images, 2, 2)
        """
    )
    assert text == textwrap.dedent(
        f"""\
        import tensorflow as tf
        import tf_slim as slim
        {LEGACY_IMPORT}

        init = slim.xavier_initializer()
        net = slim.fully_connected(x, 4, weights_initializer=init)
        outputs, state = tf.compat.v1.nn.static_rnn(tf_legacy.rnn_cell.BasicRNNCell(2), steps, dtype=tf.float32)
        pool = tf_legacy.layers.max_pooling2d(images, 2, 2)
        """
    )
    notes = sorted(f.message for f in findings if f.kind == "converted")
    assert len(notes) == 2 and "pip install tf-keras" in notes[0] and "pip install tf-slim" in notes[1]


def test_slim_imports_become_tf_slim() -> None:
    text, _ = migrate(
        """\
        import tensorflow as tf
        import tensorflow.contrib.slim as slim
        from tensorflow.contrib import layers as contrib_layers
        from tensorflow.contrib.layers import fully_connected, l2_regularizer as l2

        with slim.arg_scope([slim.conv2d], weights_regularizer=l2(0.1)):
            net = slim.conv2d(images, 8, [3, 3], scope="conv1")
        net = contrib_layers.flatten(net)
        logits = fully_connected(net, 10, activation_fn=None)
        """
    )
    assert text == textwrap.dedent(
        """\
        import tensorflow as tf
        import tf_slim as slim
        import tf_slim as contrib_layers
        from tf_slim import fully_connected, l2_regularizer as l2

        with slim.arg_scope([slim.conv2d], weights_regularizer=l2(0.1)):
            net = slim.conv2d(images, 8, [3, 3], scope="conv1")
        net = contrib_layers.flatten(net)
        logits = fully_connected(net, 10, activation_fn=None)
        """
    )


def test_module_aliases_and_from_imports_of_cells() -> None:
    text, _ = migrate(
        """\
        import tensorflow as tf
        from tensorflow.contrib.rnn import BasicLSTMCell, MultiRNNCell as Multi

        slim = tf.contrib.slim
        rnn_cell = tf.nn.rnn_cell
        cell = Multi([BasicLSTMCell(4), rnn_cell.GRUCell(4)])
        """
    )
    assert text == textwrap.dedent(
        f"""\
        import tensorflow as tf
        from tf_keras.api._v1.keras.__internal__.legacy.rnn_cell import BasicLSTMCell, MultiRNNCell as Multi
        import tf_slim
        {LEGACY_IMPORT}

        slim = tf_slim
        rnn_cell = tf_legacy.rnn_cell
        cell = Multi([BasicLSTMCell(4), rnn_cell.GRUCell(4)])
        """
    )


def test_private_module_paths_are_the_public_names() -> None:
    text, _ = migrate(
        """\
        import tensorflow as tf
        from tensorflow.python.ops import rnn_cell_impl
        from tensorflow.python.layers import core as layers_core

        cell = rnn_cell_impl.LSTMCell(4)
        out = layers_core.dense(x, 3)
        """
    )
    assert "cell = tf_legacy.rnn_cell.LSTMCell(4)" in text and "out = tf_legacy.layers.dense(x, 3)" in text


def test_names_without_a_home_are_reported_with_what_to_use() -> None:
    source = """\
        import tensorflow as tf
        from tensorflow.contrib.rnn import LSTMBlockCell

        cell = LSTMBlockCell(4)
        decoder = tf.contrib.seq2seq.BasicDecoder(cell, helper, state)
        columns = tf.contrib.layers.real_valued_column("x")
        """
    text, findings = migrate(source)
    assert text == textwrap.dedent(source)
    messages = declined(findings)
    assert len(messages) == 3
    assert "tf.contrib.rnn.LSTMBlockCell" in messages[0] and "BasicLSTMCell, LSTMCell" in messages[0]
    assert "tfa.seq2seq" in messages[1]
    assert "tf.feature_column" in messages[2]
    assert [f.line for f in findings if f.kind == "declined"] == [4, 5, 6]


def test_from_import_of_names_with_homes_in_different_modules_is_reported() -> None:
    source = """\
        import tensorflow as tf
        from tensorflow.contrib.rnn import BasicLSTMCell, static_rnn

        outputs, state = static_rnn(BasicLSTMCell(4), steps, dtype=tf.float32)
        """
    text, findings = migrate(source)
    assert text == textwrap.dedent(source)
    [message] = declined(findings)
    assert "tensorflow.compat.v1.nn" in message and "legacy.rnn_cell" in message


def test_tf2_code_and_other_names_are_left_alone() -> None:
    source = """\
        import tensorflow as tf
        from tensorflow.keras import layers

        dense = tf.keras.layers.Dense(3)
        cell = tf.keras.layers.LSTMCell(4)
        conv = layers.Conv2D(8, 3)


        def build(tf):
            return tf.layers.dense(x, 3)  # a parameter named tf is not TensorFlow
        """
    text, findings = migrate(source)
    assert text == textwrap.dedent(source) and findings == []


def test_bound_names_are_not_shadowed() -> None:
    text, _ = migrate(
        """\
        import tensorflow as tf

        tf_legacy = "mine"
        slim = 3
        h = tf.layers.dense(x, 2)
        w = tf.contrib.layers.l2_regularizer(0.1)
        """
    )
    assert "from tf_keras.api._v1.keras.__internal__ import legacy as tf_keras_legacy" in text
    assert "h = tf_keras_legacy.layers.dense(x, 2)" in text
    assert "import tf_slim\n" in text and "w = tf_slim.l2_regularizer(0.1)" in text


def test_slim_nets_come_from_tf_slim_nets() -> None:
    text, findings = migrate(
        """\
        import tensorflow as tf
        import tensorflow.contrib.slim as slim
        from tensorflow.contrib.slim.nets import resnet_v1

        net, _ = resnet_v1.resnet_v1_50(images, 10)
        vgg, _ = slim.nets.vgg.vgg_16(images)
        """
    )
    assert text == textwrap.dedent(
        """\
        import tensorflow as tf
        import tf_slim as slim
        from tf_slim.nets import resnet_v1
        import tf_slim.nets

        net, _ = resnet_v1.resnet_v1_50(images, 10)
        vgg, _ = slim.nets.vgg.vgg_16(images)
        """
    )
    assert not declined(findings)


def test_a_from_import_mixing_names_with_and_without_a_home_is_split() -> None:
    text, findings = migrate(
        """\
        import tensorflow as tf
        from tensorflow.contrib import slim, rnn, seq2seq

        net = slim.fully_connected(x, 4)
        cell = rnn.GRUCell(4)
        helper = seq2seq.TrainingHelper(inputs, lengths)
        """
    )
    assert text == textwrap.dedent(
        f"""\
        import tensorflow as tf
        from tensorflow.contrib import seq2seq
        {LEGACY_IMPORT}
        import tf_slim as slim

        net = slim.fully_connected(x, 4)
        cell = tf_legacy.rnn_cell.GRUCell(4)
        helper = seq2seq.TrainingHelper(inputs, lengths)
        """
    )
    [message] = declined(findings)
    assert "tf.contrib.seq2seq.TrainingHelper" in message and "tfa.seq2seq" in message


def test_sequence_loss_gets_a_copy_of_tf1s_function_once() -> None:
    text, findings = migrate(
        """\
        import tensorflow.compat.v1 as tf

        sequence_loss = tf.contrib.seq2seq.sequence_loss(logits=logits, targets=y, weights=w)
        per_step = tf.contrib.seq2seq.sequence_loss(logits, y, w, average_across_timesteps=False)
        """
    )
    assert text.count("def seq2seq_sequence_loss(") == 1  # the module binds `sequence_loss` itself
    assert "sequence_loss = seq2seq_sequence_loss(logits=logits, targets=y, weights=w)" in text
    assert "per_step = seq2seq_sequence_loss(logits, y, w, average_across_timesteps=False)" in text
    assert "tf.nn.sparse_softmax_cross_entropy_with_logits(labels=targets, logits=logits_flat)" in text
    assert text.index("def seq2seq_sequence_loss(") < text.index("sequence_loss = ")
    assert "contrib.seq2seq.sequence_loss(" not in text and not declined(findings)


def test_sequence_loss_imported_by_name_becomes_the_copy_under_that_name() -> None:
    text, _ = migrate(
        """\
        import tensorflow as tf
        from tensorflow.contrib.seq2seq import sequence_loss as seq_loss

        loss = seq_loss(logits, targets, weights)
        """
    )
    assert "from tensorflow.contrib" not in text
    assert text.startswith("import tensorflow as tf\n\n\ndef seq_loss(logits, targets, weights,")
    assert "    with tf.name_scope(name or \"sequence_loss\"):" in text
    assert text.endswith("\n\n\nloss = seq_loss(logits, targets, weights)\n")


def test_projector_comes_from_tensorboard() -> None:
    text, findings = migrate(
        """\
        import tensorflow as tf
        from tensorflow.contrib.tensorboard.plugins import projector
        import tensorflow.contrib.tensorboard.plugins.projector as tb_projector

        config = projector.ProjectorConfig()
        embedding = tf.contrib.tensorboard.plugins.projector.EmbeddingInfo()
        tb_projector.visualize_embeddings(writer, config)
        """
    )
    assert text == textwrap.dedent(
        """\
        import tensorflow as tf
        from tensorboard.plugins import projector
        import tensorboard.plugins.projector as tb_projector

        config = projector.ProjectorConfig()
        embedding = projector.EmbeddingInfo()
        tb_projector.visualize_embeddings(writer, config)
        """
    )
    assert not findings


def test_slim_functions_whose_tf_slim_code_cannot_run_on_tf_2_21_are_copied_or_reported() -> None:
    text, findings = migrate(
        """\
        import tensorflow.compat.v1 as tf
        import tensorflow.contrib.slim as slim

        net = slim.fully_connected(x, 4)
        net = slim.batch_norm(net, is_training=True)
        train = tf.contrib.layers.optimize_loss(loss, step, 0.1, "SGD")
        scaled = slim.learning.multiply_gradients(grads, {"w": 2.0})
        train_op = slim.learning.create_train_op(loss, optimizer)
        """
    )
    assert "import tf_slim as slim" in text and "slim.fully_connected(x, 4)" in text
    assert 'tf.contrib.layers.optimize_loss(loss, step, 0.1, "SGD")' in text  # left, and reported
    assert "net = batch_norm(net, is_training=True)" in text and "\ndef batch_norm(inputs, decay=0.999," in text
    messages = declined(findings)
    assert [m.split("`")[1] for m in messages] == [
        "tf.contrib.layers.optimize_loss", "tf.contrib.slim.learning.multiply_gradients",
    ]  # create_train_op reaches the removed internals only when asked to summarize or clip gradients
    assert messages[0].endswith("rewrite that part with TF 2 / Keras")
    assert "ops.Tensor (tf_slim/layers/optimizers.py:172)" in messages[0]


def test_batch_norm_gets_one_copy_of_tf1s_function_for_every_spelling() -> None:
    text, findings = migrate(
        """\
        import tensorflow.compat.v1 as tf
        import tensorflow.contrib.slim as slim
        from tensorflow.contrib.layers import fully_connected, batch_norm

        with slim.arg_scope([slim.conv2d], normalizer_fn=slim.batch_norm):
            net = slim.conv2d(x, 4, [3, 3])
        net = fully_connected(net, 8, normalizer_fn=batch_norm)
        out = tf.contrib.layers.batch_norm(net, updates_collections=None)
        """
    )
    assert text.count("def batch_norm(") == 1 and "def slim_batch_norm" not in text
    assert "from tf_slim import fully_connected\n" in text  # the copied name leaves the import
    assert "normalizer_fn=batch_norm)" in text and "out = batch_norm(net, updates_collections=None)" in text
    assert "from tf_keras.api._v1.keras.__internal__ import legacy as tf_legacy" in text  # its 4-D path
    assert not declined(findings)
    compile(text, "<migrated>", "exec")


def test_legacy_seq2seq_losses_get_copies_of_tf1s_functions() -> None:
    text, findings = migrate(
        """\
        import tensorflow.compat.v1 as tf
        from tensorflow.contrib import legacy_seq2seq

        loss = tf.contrib.legacy_seq2seq.sequence_loss_by_example([logits], [targets], [weights])
        cost = legacy_seq2seq.sequence_loss(outputs, targets, weights, average_across_batch=False)
        total = tf.contrib.seq2seq.sequence_loss(logits3d, targets2d, weights2d)
        """
    )
    assert "from tensorflow.contrib" not in text and not declined(findings)
    assert "loss = sequence_loss_by_example([logits], [targets], [weights])" in text
    # Both modules' sequence_loss in one module: the second copy is named after its module.
    assert "cost = sequence_loss(outputs, targets, weights, average_across_batch=False)" in text
    assert "total = seq2seq_sequence_loss(logits3d, targets2d, weights2d)" in text
    assert [text.count(f"def {name}(") for name in (
        "sequence_loss_by_example", "sequence_loss", "seq2seq_sequence_loss"
    )] == [1, 1, 1]
    assert "total_size += 1e-12" in text and "return cost / tf.cast(batch_size, cost.dtype)" in text


def test_vocabulary_processor_gets_a_copy_of_tf1s_class_its_restore_too() -> None:
    text, findings = migrate(
        """\
        import numpy as np
        import tensorflow as tf
        from tensorflow.contrib import learn

        vocab_processor = learn.preprocessing.VocabularyProcessor(max_document_length)
        x = np.array(list(vocab_processor.fit_transform(x_text)))
        restored = learn.preprocessing.VocabularyProcessor.restore(vocab_path)
        """
    )
    assert "from tensorflow.contrib" not in text and not declined(findings)
    assert text.count("class VocabularyProcessor:") == 1
    assert "vocab_processor = VocabularyProcessor(max_document_length)" in text
    assert "restored = VocabularyProcessor.restore(vocab_path)" in text
    # TF 1's tokenizer, and its files read and written through TensorFlow's gfile
    assert r'''re.findall(r"[A-Z]{2,}(?![a-z])|[A-Z][a-z]+(?=[A-Z])|['\w\-]+", value)''' in text
    assert 'with tf.io.gfile.GFile(filename, "rb") as f:' in text


def test_vocabulary_processor_copy_gives_tf1s_word_ids() -> None:
    text, _ = migrate(
        """\
        import tensorflow as tf

        vp = tf.contrib.learn.preprocessing.VocabularyProcessor(4, min_frequency=1)
        """
    )
    namespace: dict = {}
    exec(compile(text.replace("import tensorflow as tf\n", "", 1), "t.py", "exec"), namespace)  # noqa: S102
    vp = namespace["vp"]
    ids = [[int(i) for i in row] for row in vp.fit_transform(["the cat sat", "the dog sat on the mat", "a cat"])]
    # Words seen more than once, by frequency then alphabetically, the others 0 like the
    # padding: what TF 1.15's VocabularyProcessor gives.
    assert ids == [[1, 2, 3, 0], [1, 0, 3, 0], [0, 2, 0, 0]]
    assert len(vp.vocabulary_) == 4 and list(vp.reverse([[1, 3, 0]])) == ["the sat <UNK>"]


def test_rnn_decoder_and_nas_cell_get_copies_on_compat_v1_and_the_legacy_cell() -> None:
    text, findings = migrate(
        """\
        import tensorflow as tf
        from tensorflow.contrib import rnn
        from tensorflow.contrib import legacy_seq2seq

        cell = rnn.MultiRNNCell([rnn.NASCell(8), rnn.LSTMCell(8)])
        outputs, last_state = legacy_seq2seq.rnn_decoder(inputs, state, cell, scope="rnnlm")
        """
    )
    assert "from tensorflow.contrib" not in text and not declined(findings)
    assert LEGACY_IMPORT in text
    assert "class NASCell(tf_legacy.rnn_cell.RNNCell):" in text
    assert "cell = tf_legacy.rnn_cell.MultiRNNCell([NASCell(8), tf_legacy.rnn_cell.LSTMCell(8)])" in text
    assert "outputs, last_state = rnn_decoder(inputs, state, cell, scope=\"rnnlm\")" in text
    # variable scopes exist only under tf.compat.v1 in TF 2
    assert "    with tf.compat.v1.variable_scope(scope or \"rnn_decoder\"):" in text
    assert "input_size = tf.compat.v1.dimension_value(" in text


def test_contrib_kmeans_gets_a_copy_of_tf1s_class_and_its_constants() -> None:
    text, findings = migrate(
        """\
        import tensorflow as tf
        from tensorflow.contrib.factorization import KMeans, COSINE_DISTANCE

        kmeans = KMeans(inputs=X, num_clusters=25, distance_metric=COSINE_DISTANCE, use_mini_batch=True)
        other = tf.contrib.factorization.KMeans(
            [X], 4, initial_clusters=tf.contrib.factorization.KMEANS_PLUS_PLUS_INIT)
        """
    )
    assert "from tensorflow.contrib" not in text and "= tf.contrib" not in text and not declined(findings)
    assert text.count("class KMeans:") == 1
    assert 'COSINE_DISTANCE = "cosine"\n' in text and 'KMEANS_PLUS_PLUS_INIT = "kmeans_plus_plus"\n' in text
    assert "other = KMeans(\n    [X], 4, initial_clusters=KMEANS_PLUS_PLUS_INIT)" in text
    # TF 1's clustering kernels, which TF 2.21 keeps as raw ops; graph-mode ops from tf.compat.v1
    assert "tf.raw_ops.NearestNeighbors(points=inp, centers=centers, k=1)" in text
    assert "tf.raw_ops.KmeansPlusPlusInitialization(" in text and "tf.raw_ops.KMC2ChainInitialization(" in text
    assert 'centers_var = tf.compat.v1.Variable(empty, name="clusters", validate_shape=False)' in text
    [note] = [f for f in findings if f.kind == "converted"]
    assert "`tf.contrib.factorization.KMeans` is not in TF 2.21" in note.message and note.line == 2


def test_contrib_kmeans_keeps_the_module_in_graph_mode() -> None:
    """The copy fills variables of unknown shape by an init op run until a flag is set: G101
    does not turn its Session into functions."""
    text, findings = migrate(
        """\
        import tensorflow as tf
        from tensorflow.contrib.factorization import KMeans

        X = tf.placeholder(tf.float32, shape=[None, 2])
        (_, idx, scores, _, init_op, train_op) = KMeans(inputs=X, num_clusters=3).training_graph()
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            sess.run(init_op, feed_dict={X: data})
            _, d = sess.run([train_op, scores], feed_dict={X: data})
        """,
        rules=None,
    )
    assert "import tensorflow.compat.v1 as tf" in text and "tf.disable_v2_behavior()" in text
    assert "with tf.Session() as sess:" in text and "class KMeans:" in text
    assert any(f.rule == "G101" and "`KMeans` has no eager equivalent" in f.message for f in findings)


def test_contrib_estimators_and_tensor_forest_are_reported_with_what_to_use() -> None:
    source = """\
        import tensorflow as tf
        from tensorflow.contrib.tensor_forest.python import tensor_forest

        estimator = tf.contrib.factorization.KMeansClustering(num_clusters=5)
        hparams = tensor_forest.ForestHParams(num_classes=10, num_features=784).fill()
        """
    text, findings = migrate(source)
    assert text == textwrap.dedent(source)
    kmeans, forest = declined(findings)
    assert "its KMeans" in kmeans and "KMeansClustering" in kmeans and "sklearn.cluster.KMeans" in kmeans
    assert "tensor_forest" in forest and "has no TF 2 home" in forest and "TensorFlow Decision Forests" in forest


def test_contrib_kmeans_from_clustering_ops_or_beside_a_name_without_a_home() -> None:
    text, findings = migrate(
        """\
        import tensorflow as tf
        from tensorflow.contrib.factorization import KMeans, KMeansClustering
        from tensorflow.contrib.factorization.python.ops import clustering_ops

        k = KMeans(X, 3, initial_clusters=clustering_ops.KMC2_INIT)
        e = KMeansClustering(3)
        """
    )
    # the name with a copy leaves the import; the one without stays there, reported
    assert "from tensorflow.contrib.factorization import KMeansClustering\n" in text
    assert "clustering_ops" not in text and 'KMC2_INIT = "kmc2"\n' in text and text.count("class KMeans:") == 1
    assert "k = KMeans(X, 3, initial_clusters=KMC2_INIT)" in text
    [message] = declined(findings)
    assert "KMeansClustering" in message
