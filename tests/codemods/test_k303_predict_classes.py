"""K303 beyond its examples: the branch Keras 2 took is chosen from the Sequential model's
last layer when the module shows it, and both are kept (and said) when it does not."""

from __future__ import annotations

from codemods.keras.k303_predict_classes import PredictClasses
from tests.codemods import run


def test_the_width_of_a_sequential_model_built_in_the_module_picks_the_branch() -> None:
    text, findings = run(PredictClasses, """\
        from keras.models import Sequential
        from keras.layers import Dense, Dropout
        binary = Sequential([Dense(8), Dense(1, activation='sigmoid'), Dropout(0.5)])
        several = Sequential()
        several.add(Dense(10))
        a = binary.predict_classes(x)
        b = several.predict_classes(x)
        c = several.predict_proba(x, batch_size=32)
        """)
    assert "a = (binary.predict(x, verbose=0) > 0.5).astype('int32')" in text
    assert "b = several.predict(x, verbose=0).argmax(axis=-1)" in text
    assert "c = several.predict(x, batch_size=32, verbose=0)" in text
    assert findings == []


def test_an_unknown_model_keeps_both_branches_under_a_free_name_and_says_so() -> None:
    text, findings = run(PredictClasses, """\
        import keras
        proba = 1
        labels = net.predict_classes(x, 32, 1)
        """)
    assert (
        "labels = (proba2.argmax(axis=-1) if (proba2 := net.predict(x, 32, 1)).shape[-1] > 1 "
        "else (proba2 > 0.5).astype('int32'))"
    ) in text
    assert [(f.line, f.kind) for f in findings] == [(3, "converted")]
    assert "output width is not known" in findings[0].message


def test_a_call_without_arguments_or_with_star_arguments_is_left() -> None:
    source = "import keras\na = model.predict_classes()\nb = model.predict_classes(*batch)\n"
    assert run(PredictClasses, source) == (source, [])
