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
