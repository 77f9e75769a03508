"""K304 beyond its examples: paths that reach the save call through names and dicts."""

from __future__ import annotations

import textwrap

from codemods.keras.k304_saving_formats import SavingFormats
from migrator.engine import migrate_source


def migrate(source: str) -> tuple[str, list]:
    result = migrate_source(textwrap.dedent(source).encode(), "m.py", [SavingFormats])
    assert result.error is None, result.error
    return result.new_bytes.decode(), result.findings


def test_a_template_path_reaching_save_weights_through_a_dict_is_renamed() -> None:
    # How the Keras-GAN scripts save: a %-template, a local name, an options dict.
    text, findings = migrate(
        """\
        from keras.models import Model

        def save(model, model_name):
            weights_path = "saved_model/%s_weights.hdf5" % model_name
            options = {"file_arch": "saved_model/%s.json" % model_name, "file_weight": weights_path}
            model.save_weights(options['file_weight'])

        def load(model, name):
            model.load_weights("saved_model/%s_weights.hdf5" % name)
        """
    )
    assert text.count('"saved_model/%s_weights.weights.h5"') == 2
    assert [f.kind for f in findings] == ["converted"]


def test_a_name_bound_twice_is_still_reported() -> None:
    source = textwrap.dedent(
        """\
        from keras.models import Model

        path = "a.h5"
        if big:
            path = "b.h5"
        model.save_weights(path)
        """
    )
    text, findings = migrate(source)
    assert text == source and "computed at run time" in findings[0].message
