"""K208 beyond its examples: module-level GAN scripts, several frozen models, declines."""

from __future__ import annotations

import textwrap

from codemods.keras.k208_trainable_at_compile import TrainableAtCompile
from migrator.engine import migrate_source


def migrate(source: str) -> tuple[str, list]:
    result = migrate_source(textwrap.dedent(source).encode(), "m.py", [TrainableAtCompile])
    assert result.error is None, result.error
    return result.new_bytes.decode(), result.findings


def test_a_module_level_gan_loop_sets_the_flags_each_model_was_compiled_with() -> None:
    text, findings = migrate(
        """\
        from keras.models import Sequential, Model

        d.compile(loss='binary_crossentropy', optimizer='adam')
        d.trainable = False
        gan = Model(z, d(g(z)))
        gan.compile(loss='binary_crossentropy', optimizer='adam')
        for epoch in range(3):
            d.train_on_batch(x, y)
            print(epoch)
            gan.train_on_batch(z, y)
            gan.train_on_batch(z, y)
        """
    )
    loop = text.split("for epoch in range(3):\n", 1)[1]
    assert loop == (
        "    d.trainable = True\n"
        "    d.train_on_batch(x, y)\n"
        "    print(epoch)\n"
        "    d.trainable = False\n"
        "    gan.train_on_batch(z, y)\n"
        "    gan.train_on_batch(z, y)\n"
    )
    assert [(f.line, f.kind) for f in findings] == [(4, "converted")]


def test_flags_set_in_several_functions_or_a_model_compiled_twice_are_reported() -> None:
    source = textwrap.dedent(
        """\
        from keras.models import Model

        def build():
            d.compile(loss='mse', optimizer='adam')
            d.trainable = False
            gan.compile(loss='mse', optimizer='adam')

        def freeze():
            d.trainable = False

        def train():
            d.train_on_batch(x, y)
            gan.train_on_batch(z, y)
        """
    )
    text, findings = migrate(source)
    assert text == source and findings[0].kind == "declined" and "several functions" in findings[0].message


def test_nothing_to_do_when_every_compile_saw_the_final_flags() -> None:
    source = "from keras.models import Model\nbase.trainable = False\nmodel.compile(loss='mse')\nmodel.fit(x, y)\n"
    assert migrate(source) == (source, [])
