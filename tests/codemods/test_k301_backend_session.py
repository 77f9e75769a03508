"""K301 beyond its examples: each backend session or global-state call Keras 3 has no form
for is reported where it is and left; set_session is removed and said."""

from __future__ import annotations

import textwrap

from codemods.keras.k301_backend_session import BackendSession
from tests.codemods import run


def test_what_keras3_has_no_form_for_is_reported_one_finding_each() -> None:
    source = """\
        from keras import backend as K
        f = K.function([model.input, K.learning_phase()], [model.output])
        g = K.function([model.input], [model.output], updates=ops)
        s = K.get_session()
        K.set_learning_phase(1)
        K.set_image_dim_ordering(order)
        """
    text, findings = run(BackendSession, source)
    assert text == textwrap.dedent(source)
    assert [(f.line, f.kind) for f in findings] == [(2, "declined"), (2, "declined"), (3, "declined"),
                                                    (4, "declined"), (5, "declined"), (6, "declined")]
    assert "build keras.Model(inputs, outputs)" in findings[0].message
    assert findings[1].message.startswith("`K.learning_phase()`")
    assert "updates or other options" in findings[2].message
    assert findings[3].message.startswith("`K.get_session`: Keras 3 has no session")


def test_set_session_is_removed_and_said() -> None:
    text, findings = run(BackendSession, "from keras import backend as K\nK.set_session(sess)\nx = 1\n")
    assert text == "from keras import backend as K\nx = 1\n"
    assert [(f.line, f.kind) for f in findings] == [(2, "converted")] and "tf.config" in findings[0].message


def test_function_is_wrapped_to_return_numpy_and_said() -> None:
    text, findings = run(BackendSession, "from keras import backend as K\nf = K.function([inp], [out])\n")
    assert "lambda inputs, _function=keras.Function([inp], [out]):" in text
    assert "keras.tree.map_structure(keras.ops.convert_to_numpy, _function(inputs))" in text
    assert [f.kind for f in findings] == ["converted"]


def test_image_dim_ordering_alone_keeps_its_th_tf_values() -> None:
    text, _ = run(BackendSession, "from keras import backend as K\nx = K.image_dim_ordering()\n")
    assert "x = ('th' if K.image_data_format() == 'channels_first' else 'tf')" in text


def test_image_dim_ordering_imported_by_name_is_reported() -> None:
    source = "import keras\nfrom keras.backend import image_dim_ordering\nif image_dim_ordering() == 'th':\n    pass\n"
    text, findings = run(BackendSession, source)
    assert text == source
    assert [(f.line, f.kind) for f in findings] == [(3, "declined")] and "imported by name" in findings[0].message
