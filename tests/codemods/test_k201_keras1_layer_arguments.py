"""K201 beyond its examples: what Keras 2.3.1 ignored is dropped and said, what it refused
or computed at run time is reported and left, and only Keras' own layers are touched."""

from __future__ import annotations

import textwrap

from codemods.keras.k201_keras1_layer_arguments import Keras1LayerArguments
from tests.codemods import messages, run


def test_arguments_keras2_ignored_are_dropped_and_reported() -> None:
    text, findings = run(Keras1LayerArguments, """\
        from keras.layers import Embedding, LSTM
        e = Embedding(1000, 64, dropout=0.2)
        l = LSTM(32, forget_bias_init='zero')
        """)
    assert "Embedding(1000, 64)\n" in text and "LSTM(32)\n" in text
    assert [(line, kind) for line, kind, _ in messages(findings)] == [(2, "converted"), (3, "converted")]
    assert "SpatialDropout1D" in findings[0].message and "forget_bias_init" in findings[1].message


def test_what_keras2_refused_or_decided_at_run_time_is_reported_and_left() -> None:
    source = """\
        from keras.layers import BatchNormalization, Conv2D
        b = BatchNormalization(mode=2)
        c = Conv2D(32, (3, 3), dim_ordering=ordering)
        """
    text, findings = run(Keras1LayerArguments, source)
    assert "BatchNormalization(mode=2)" in text and "data_format=ordering" in text
    assert [(line, kind) for line, kind, _ in messages(findings)] == [(2, "declined"), (3, "declined")]
    assert "raised TypeError" in findings[0].message
    assert "must be converted by hand" in findings[1].message


def test_channels_first_is_converted_and_its_cpu_limit_said() -> None:
    text, findings = run(Keras1LayerArguments, "from keras.layers import Conv2D\nc = Conv2D(32, (3, 3), dim_ordering='th')\n")
    assert "data_format='channels_first'" in text
    assert messages(findings) == [(2, "converted", findings[0].message)] and "only on a GPU" in findings[0].message


def test_deconvolution_output_shape_given_by_position_is_dropped() -> None:
    # Keras 1: Deconvolution2D(nb_filter, nb_row, nb_col, output_shape, ...); Keras 2.3.1
    # dropped the fourth positional argument when it was a tuple.
    text, findings = run(Keras1LayerArguments, """\
        from tensorflow.keras.layers import Deconvolution2D
        d = Deconvolution2D(3, 3, 3, (None, 28, 28, 3), border_mode='same')
        """)
    assert "d = Conv2DTranspose(3, (3, 3), padding='same')" in text
    assert [f.kind for f in findings] == ["converted"] and "output_shape" in findings[0].message


def test_keras1_recurrent_and_convolution_forms() -> None:
    text, findings = run(Keras1LayerArguments, """\
        from keras.layers import LSTM, SeparableConv2D, Convolution3D, AtrousConvolution2D
        l = LSTM(32, forget_bias_init='one', input_dim=8, input_length=10)
        s = SeparableConv2D(32, 3, 3, init='he_normal')
        c = Convolution3D(8, 3, 3, 3)
        a = AtrousConvolution2D(16, 3, 3, atrous_rate=(2, 2))
        """)
    assert "LSTM(32, unit_forget_bias=True, input_shape=(10, 8))" in text
    assert "SeparableConv2D(32, (3, 3), depthwise_initializer='he_normal', pointwise_initializer='he_normal')" in text
    assert "Conv3D(8, (3, 3, 3))" in text and "Conv2D(16, (3, 3), dilation_rate=(2, 2))" in text
    assert "import LSTM, SeparableConv2D, Conv3D, Conv2D\n" in text
    assert findings == []


def test_star_arguments_and_other_libraries_layers_are_left_alone() -> None:
    source = """\
        import keras
        from keras.layers import Conv2D
        from mylib import Convolution2D
        c = Conv2D(32, 3, 3, **options)
        d = Convolution2D(32, 3, 3, border_mode='same')
        """
    assert run(Keras1LayerArguments, source) == (textwrap.dedent(source), [])
