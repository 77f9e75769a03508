"""K305 beyond its examples: mode='auto' is decided as Keras 2.3.1 decided it, arguments
Keras 3 dropped are dropped and said, and a period Keras 3 cannot express is reported."""

from __future__ import annotations

import textwrap

from codemods.keras.k305_callbacks import Callbacks
from tests.codemods import run


def test_positional_period_and_mode_auto_are_resolved() -> None:
    text, findings = run(Callbacks, """\
        from keras.callbacks import ModelCheckpoint, EarlyStopping
        a = ModelCheckpoint('m.h5', 'val_acc', 0, True, False, 'auto', 1)
        c = EarlyStopping(monitor='val_acc')
        l = EarlyStopping(monitor='val_loss')
        """)
    assert "a = ModelCheckpoint('m.h5', 'val_acc', 0, True, False, 'max')" in text
    assert "c = EarlyStopping(monitor='val_acc', mode='max')" in text
    assert "l = EarlyStopping(monitor='val_loss')\n" in text
    assert findings == []


def test_a_period_over_one_is_reported_and_left() -> None:
    source = "from keras.callbacks import ModelCheckpoint\nb = ModelCheckpoint('m.h5', period=5)\n"
    text, findings = run(Callbacks, source)
    assert text == source
    assert [(f.line, f.kind) for f in findings] == [(2, "declined")] and "save_freq counts batches" in findings[0].message


def test_dropped_arguments_are_said_and_renamed_ones_renamed() -> None:
    text, findings = run(Callbacks, """\
        from keras.callbacks import ReduceLROnPlateau, TensorBoard
        d = ReduceLROnPlateau(monitor='val_loss', epsilon=1e-4)
        e = TensorBoard(log_dir='logs', write_grads=True, batch_size=32)
        lr = model.optimizer.lr
        """)
    assert "ReduceLROnPlateau(monitor='val_loss', min_delta=1e-4)" in text
    assert "TensorBoard(log_dir='logs')" in text and "model.optimizer.learning_rate" in text
    assert [(f.line, f.kind) for f in findings] == [(3, "converted")]
    assert findings[0].message == "`TensorBoard(write_grads, batch_size=...)`: Keras 3 has no such arguments; dropped"


def test_more_positional_arguments_than_keras2_took_are_left() -> None:
    source = "from keras.callbacks import ModelCheckpoint\nf = ModelCheckpoint('m.h5', 'val_acc', 0, True, False, 'auto', 1, 99)\n"
    assert run(Callbacks, source) == (textwrap.dedent(source), [])
