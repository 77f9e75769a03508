"""K202 beyond its examples: the sample counts Keras 1 took become step counts the way Keras
2.3.1 computed them (and say so), the loader keywords Keras 3 lacks are dropped and said,
and calls Keras 2 would have refused are reported and left."""

from __future__ import annotations

import textwrap

from codemods.keras.k202_training_api import TrainingApi
from tests.codemods import run


def test_samples_per_epoch_is_divided_by_the_batch_size_of_a_flow() -> None:
    text, findings = run(TrainingApi, """\
        from keras.models import Sequential
        model.fit_generator(datagen.flow(x, y, batch_size=64), samples_per_epoch=len(x), nb_epoch=5,
                            nb_val_samples=100, validation_data=val)
        """)
    assert "model.fit(datagen.flow(x, y, batch_size=64), steps_per_epoch=len(x) // 64, epochs=5," in text
    assert "validation_steps=100, validation_data=val)" in text
    assert [f.kind for f in findings] == ["converted", "converted"]
    assert "samples_per_epoch" in findings[0].message and "divide by the batch size" in findings[1].message


def test_samples_per_epoch_of_a_generator_function_counts_batches_already() -> None:
    text, _ = run(TrainingApi, """\
        from keras.models import Sequential
        def batches():
            while True:
                yield x, y
        model.fit_generator(batches(), samples_per_epoch=1000, nb_epoch=2)
        """)
    assert "model.fit(batches(), steps_per_epoch=1000, epochs=2)" in text


def test_samples_per_epoch_of_an_unknown_generator_uses_its_batch_size_when_it_has_one() -> None:
    text, _ = run(TrainingApi, "import keras\nmodel.fit_generator(train_gen, samples_per_epoch=1000, nb_epoch=2)\n")
    assert (
        "model.fit(train_gen, steps_per_epoch=1000 // train_gen.batch_size if hasattr(train_gen, 'batch_size') "
        "else 1000, epochs=2)"
    ) in text


def test_loader_keywords_are_dropped_from_keras_calls_only() -> None:
    text, findings = run(TrainingApi, """\
        from tensorflow import keras
        pool.map(f, items, workers=4)
        model.fit(x, y, epochs=2, workers=4, use_multiprocessing=True)
        """)
    assert "pool.map(f, items, workers=4)" in text and "model.fit(x, y, epochs=2)\n" in text
    assert [(f.line, f.kind) for f in findings] == [(3, "converted")]
    assert findings[0].message.startswith("`workers, use_multiprocessing`: Keras 3's `fit`")


def test_evaluate_generator_says_the_loss_is_now_a_mean() -> None:
    text, findings = run(TrainingApi, "import keras\nscore = model.evaluate_generator(gen, steps=10)\n")
    assert "score = model.evaluate(gen, steps=10, verbose=0)" in text
    assert [f.kind for f in findings] == ["converted"] and "last batch's loss" in findings[0].message


def test_more_positional_arguments_than_keras2_took_is_declined() -> None:
    source = "from keras.models import Sequential\nmodel.fit_generator(gen, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14)\n"
    text, findings = run(TrainingApi, source)
    assert text == source
    assert [(f.line, f.kind) for f in findings] == [(2, "declined")]
    assert "more positional arguments than Keras 2 accepted" in findings[0].message


def test_a_module_importing_neither_keras_nor_tensorflow_is_left_alone() -> None:
    source = "import keras_like\nmodel.fit_generator(gen, 10)\n"
    assert run(TrainingApi, source) == (textwrap.dedent(source), [])
from migrator.engine import migrate_source

KERAS2 = "from keras.layers.advanced_activations import LeakyReLU\n"


def migrate(source: str) -> tuple[str, list]:
    result = migrate_source(textwrap.dedent(source).encode(), "m.py", [TrainingApi])
    assert result.error is None, result.error
    return result.new_bytes.decode(), result.findings


def test_a_flat_metrics_list_is_computed_on_every_output_as_keras2_did() -> None:
    text, findings = migrate(KERAS2 + textwrap.dedent(
        """\
        class GAN:
            def __init__(self):
                losses = ['mse', 'binary_crossentropy', 'categorical_crossentropy']
                self.d.compile(loss=losses, optimizer='adam', metrics=['accuracy', 'mae'])
                self.g.compile(loss=['mse', 'mae'], optimizer='adam')
                self.c.compile('adam', ['mse', 'mae'], metrics=['mae', 'mse'])
        """
    ))
    assert "metrics=[['accuracy', 'mae'], ['accuracy', 'mae'], ['accuracy', 'mae']])" in text
    assert "metrics=[['mae', 'mse'], ['mae', 'mse']])" in text
    assert [f.kind for f in findings] == ["converted", "converted"]


def test_one_output_per_metric_without_keras2_evidence_is_reported() -> None:
    source = "import keras\nmodel.compile(loss=['mse', 'mae'], optimizer='adam', metrics=['mae', 'mse'])\n"
    text, findings = migrate(source)
    assert text == source and "nothing here shows which Keras" in findings[0].message


def test_keras3_code_is_left_alone_and_says_so_once() -> None:
    source = "import keras\nx = keras.ops.ones(3)\nmodel.compile(loss=['mse', 'mae'], optimizer='adam', metrics=['mae'])\n"
    text, findings = migrate(source)
    assert text == source
    assert [(f.line, f.kind) for f in findings] == [(1, "converted")]
    assert findings[0].message.startswith("judged Keras 3 code (uses `keras.ops`")


def test_per_output_lists_are_left_alone() -> None:
    for source in (
        KERAS2 + "model.compile(loss=['mse', 'mae'], optimizer='adam', metrics=[['mae'], ['mse']])\n",
        KERAS2 + "losses = ['mse']\nlosses = ['mse', 'mae']\nmodel.compile(loss=losses, metrics=['mae'])\n",
    ):
        text, findings = migrate(source)
        assert text == source and findings == []


def test_tf1_tf_keras_code_reading_acc_keys_names_the_metric_acc() -> None:
    # TF 1.15's tf.keras logged metrics=['accuracy'] as 'acc'; Keras 3 as 'accuracy'.
    source = textwrap.dedent(
        """\
        import tensorflow as tf
        from tensorflow import keras

        x = tf.placeholder(tf.float32)
        model.compile(optimizer='sgd', loss='mse', metrics=['accuracy'])
        history = model.fit(x_train, y_train)
        print(history.history['val_acc'])
        """
    )
    text, findings = migrate(source)
    assert "metrics=['acc'])" in text and findings[0].kind == "converted"
    # Standalone Keras imported for a utility only builds no model: the model is tf.keras's.
    with_utility = source.replace("from tensorflow import keras", "from tensorflow import keras\nfrom keras.utils import to_categorical")
    assert "metrics=['acc'])" in migrate(with_utility)[0]
    # Standalone Keras 2.3 already logged 'accuracy'; TF 2 code and code not reading the key stay.
    for unchanged in (
        source.replace("from tensorflow import keras", "import keras"),
        source.replace("from tensorflow import keras", "from tensorflow import keras\nfrom keras.layers import Dense"),
        source.replace("x = tf.placeholder(tf.float32)", "x = tf.constant(1.0)"),
        source.replace("'val_acc'", "'val_accuracy'"),
    ):
        assert migrate(unchanged)[0] == unchanged


def test_results_of_a_multi_output_model_with_metrics_are_listed_in_keras2_order() -> None:
    # Keras 3 sorts the metrics by name: 'dense_1_accuracy' (second output) before 'dense_accuracy'.
    text, findings = run(TrainingApi, """\
        from keras.models import Model

        class ACGAN:
            def __init__(self):
                losses = ['binary_crossentropy', 'sparse_categorical_crossentropy']
                self.discriminator.compile(loss=losses, optimizer='adam', metrics=['accuracy'])
                self.combined.compile(loss=losses, optimizer='adam')

            def train(self):
                d_loss = self.discriminator.train_on_batch(imgs, [valid, labels])
                self.discriminator.train_on_batch(imgs, [valid, labels])
                g_loss = self.combined.train_on_batch(noise, [valid, labels])
                score = self.discriminator.evaluate(imgs, [valid, labels], verbose=0)
        """)
    assert text.count("def results_in_keras2_order(model, logs):") == 1
    assert (
        "        d_loss = results_in_keras2_order(self.discriminator, "
        "self.discriminator.train_on_batch(imgs, [valid, labels], return_dict=True))\n"
        # a result nobody reads, and a model without metrics (Keras 3 keeps the losses in output order), stay
        "        self.discriminator.train_on_batch(imgs, [valid, labels])\n"
        "        g_loss = self.combined.train_on_batch(noise, [valid, labels])\n"
        "        score = results_in_keras2_order(self.discriminator, "
        "self.discriminator.evaluate(imgs, [valid, labels], verbose=0, return_dict=True))\n"
    ) in text
    assert sum("Keras 3 sorts the metrics by name" in f.message for f in findings) == 2
    assert run(TrainingApi, text)[0] == text


def test_the_helper_lists_results_as_keras2_did() -> None:
    from codemods.keras.k202_training_api import _RESULTS_HELPER_TEXT

    namespace: dict = {}
    exec(_RESULTS_HELPER_TEXT.format(name="in_order"), namespace)

    class Model:
        output_names = ["dense", "dense_1"]

    logs = {"dense_1_accuracy": 0.25, "dense_1_loss": 2.0, "dense_accuracy": 0.75, "dense_loss": 1.0, "loss": 3.0}
    assert namespace["in_order"](Model(), logs) == [3.0, 1.0, 2.0, 0.75, 0.25]


def test_a_one_dimensional_input_where_the_model_is_also_fed_two_dimensional_ones_gets_its_axis() -> None:
    text, findings = run(TrainingApi, """\
        import numpy as np
        from keras.models import Model

        class CGAN:
            def train(self, batch_size):
                sampled_labels = np.random.randint(0, 10, (batch_size, 1))
                gen_imgs = self.generator.predict([noise, sampled_labels])

            def sample_images(self):
                sampled_labels = np.array([num for _ in range(10) for num in range(10)])
                gen_imgs = self.generator.predict([noise, sampled_labels])
                digits = self.generator.predict([noise, np.arange(10)])
                other = self.classifier.predict(np.arange(10))
        """)
    assert "        gen_imgs = self.generator.predict([noise, sampled_labels])\n\n" in text  # the 2-D one
    assert "        gen_imgs = self.generator.predict([noise, sampled_labels.reshape(-1, 1)])\n" in text
    assert "        digits = self.generator.predict([noise, np.arange(10).reshape(-1, 1)])\n" in text
    assert "        other = self.classifier.predict(np.arange(10))\n" in text  # never fed 2-D arrays
    assert [f.line for f in findings] == [11, 12]
    assert run(TrainingApi, text)[0] == text


def test_a_class_weight_list_becomes_per_output_sample_weights_or_is_dropped_for_one_output() -> None:
    text, findings = run(TrainingApi, """\
        import numpy as np
        from keras.models import Model

        d.compile(loss=['binary_crossentropy', 'categorical_crossentropy'], optimizer='adam')
        gan.compile(loss=['binary_crossentropy'], optimizer='adam')
        clf.compile(loss='categorical_crossentropy', optimizer='adam')
        d.train_on_batch(x, [valid, labels], class_weight=[cw1, cw2])
        gan.train_on_batch(z, valid, class_weight=[cw1, cw2])
        clf.fit(x, labels, class_weight=[cw2])
        d.train_on_batch(x, [valid, np.eye(3)[y]], class_weight=[cw1, cw2])
        """)
    assert text.count("def class_weights_as_sample_weights(targets, class_weights):") == 1
    assert "        y = np.asarray(y)\n" in text
    assert (
        "d.train_on_batch(x, [valid, labels], sample_weight=class_weights_as_sample_weights([valid, labels], [cw1, cw2]))\n"
        "gan.train_on_batch(z, valid)\n"
        "clf.fit(x, labels, class_weight=cw2)\n"
        # a target computed in the call would be computed twice: left, and said
        "d.train_on_batch(x, [valid, np.eye(3)[y]], class_weight=[cw1, cw2])\n"
    ) in text
    assert [f.kind for f in findings] == ["converted", "converted", "converted", "declined"]
    assert run(TrainingApi, text)[0] == text


def test_the_class_weights_helper_weighs_samples_as_keras2_did() -> None:
    import numpy as np

    from codemods.keras.k202_training_api import _CLASS_WEIGHTS_HELPER_TEXT

    namespace: dict = {}
    exec(_CLASS_WEIGHTS_HELPER_TEXT.format(name="weigh", numpy="np"), {"np": np} | namespace, namespace)
    valid = np.ones((3, 1))
    one_hot = np.eye(3)[[2, 0, 1]]
    weights = namespace["weigh"]([valid, one_hot], [{0: 1, 1: 2}, {0: 0.5, 1: 0.25, 2: 4}])
    assert [w.tolist() for w in weights] == [[2.0, 2.0, 2.0], [4.0, 0.5, 0.25]]
