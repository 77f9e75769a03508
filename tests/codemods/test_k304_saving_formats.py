"""K304 beyond its examples: a renamed path is renamed wherever the module uses it (through
module constants and os.path.join too), and paths it cannot decide are reported and left."""

from __future__ import annotations

import textwrap

from codemods.keras.k304_saving_formats import SavingFormats
from tests.codemods import run


def test_paths_are_renamed_through_constants_joins_and_f_string_tails() -> None:
    text, findings = run(SavingFormats, """\
        from keras.models import Sequential
        from keras.callbacks import ModelCheckpoint
        import os
        model = Sequential()
        WEIGHTS = 'w.h5'
        model.save_weights(WEIGHTS)
        model.load_weights(WEIGHTS)
        model.save(os.path.join(out, 'model.h5'))
        ck = ModelCheckpoint(f'{out}/best.hdf5', save_weights_only=True)
        """)
    assert "WEIGHTS = 'w.weights.h5'" in text
    assert "model.save(os.path.join(out, 'model.keras'))" in text
    assert "ModelCheckpoint(f'{out}/best.weights.h5', save_weights_only=True)" in text
    assert [(f.line, f.kind) for f in findings] == [(6, "converted"), (8, "converted"), (9, "converted")]
    assert findings[0].message.startswith("'w.h5' -> 'w.weights.h5'")


def test_paths_decided_at_run_time_are_reported_and_left() -> None:
    source = """\
        from keras.models import Sequential
        from keras.callbacks import ModelCheckpoint
        model = Sequential()
        ck = ModelCheckpoint(path, save_weights_only=flag)
        model.save(path_for(run))
        """
    text, findings = run(SavingFormats, source)
    assert text == textwrap.dedent(source)
    assert [(f.line, f.kind) for f in findings] == [(4, "declined"), (5, "declined")]
    assert "`save_weights_only` is not a literal" in findings[0].message
    assert findings[1].message.startswith("the path is computed at run time")


def test_a_path_saved_both_as_weights_and_as_a_model_is_left_everywhere() -> None:
    source = """\
        from keras.models import Sequential
        model = Sequential()
        model.save_weights('m.h5')
        model.save('m.h5')
        model.load_weights('m.h5')
        """
    text, findings = run(SavingFormats, source)
    assert text == textwrap.dedent(source)
    assert [(f.line, f.kind) for f in findings] == [(3, "declined"), (4, "declined")]
    assert {f.message for f in findings} == {"'m.h5' is saved both as weights and as a model; left as it was"}


def test_save_on_something_not_a_model_is_left() -> None:
    source = "import keras\nfig.save('plot.h5')\nnp.save('array.h5', x)\n"
    assert run(SavingFormats, source) == (source, [])
