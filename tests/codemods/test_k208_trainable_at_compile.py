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


def test_a_frozen_discriminator_built_without_batch_normalization_gets_no_helper() -> None:
    # The generator normalises its batches, the discriminator does not: Keras 3 changes nothing.
    text, findings = migrate(
        """\
        from keras.layers import BatchNormalization, Dense
        from keras.models import Sequential, Model

        class GAN:
            def __init__(self):
                self.discriminator = self.build_discriminator()
                self.discriminator.compile(loss='binary_crossentropy', optimizer='adam')
                self.generator = Sequential([Dense(8, input_dim=4), BatchNormalization(), Dense(2)])
                self.discriminator.trainable = False
                self.combined = Model(z, self.discriminator(self.generator(z)))
                self.combined.compile(loss='binary_crossentropy', optimizer='adam')

            def build_discriminator(self):
                return Sequential([Dense(8, input_dim=2), Dense(1, activation='sigmoid')])

            def train(self):
                self.discriminator.train_on_batch(x, y)
                self.combined.train_on_batch(z, y)
        """
    )
    assert "use_batch_statistics_when_frozen" not in text
    assert "        self.discriminator.trainable = False\n        self.combined.train_on_batch" in text
    assert [f.kind for f in findings] == ["converted"]


def test_models_built_together_by_a_method_creating_batch_normalization_share_one_helper() -> None:
    text, findings = migrate(
        """\
        import keras

        class CoGAN:
            def __init__(self):
                self.d1, self.d2 = self.build_discriminators()
                self.d1.compile(loss='binary_crossentropy', optimizer='adam')
                self.d2.compile(loss='binary_crossentropy', optimizer='adam')
                self.d1.trainable = False
                self.d2.trainable = False
                self.combined = keras.models.Model(z, [self.d1(a), self.d2(b)])
                self.combined.compile(loss='binary_crossentropy', optimizer='adam')

            def build_discriminators(self):
                shared = self.shared_layers()
                return keras.models.Model(a, shared(a)), keras.models.Model(b, shared(b))

            def shared_layers(self):
                return keras.models.Sequential([keras.layers.Dense(8), keras.layers.BatchNormalization()])

            def train(self):
                self.d1.train_on_batch(x, y)
                self.d2.train_on_batch(x, y)
                self.combined.train_on_batch(z, [y, y])
        """
    )
    assert text.count("def use_batch_statistics_when_frozen(model):") == 1
    assert "        if isinstance(layer, keras.layers.BatchNormalization) and not layer.trainable:\n" in text
    assert "train_layers_shared_with" not in text  # both models built together are frozen
    assert text.split("def train(self):\n", 1)[1] == (
        "        self.d1.trainable = True\n"
        "        self.d2.trainable = True\n"
        "        self.d1.train_on_batch(x, y)\n"
        "        self.d2.train_on_batch(x, y)\n"
        "        self.d1.trainable = False\n"
        "        use_batch_statistics_when_frozen(self.d1)\n"
        "        self.d2.trainable = False\n"
        "        use_batch_statistics_when_frozen(self.d2)\n"
        "        self.combined.train_on_batch(z, [y, y])\n"
    )
    assert sum("BatchNormalization layers of a frozen model" in f.message for f in findings) == 2


def test_a_model_built_out_of_sight_may_hold_batch_normalization_when_the_module_creates_one() -> None:
    text, _ = migrate(
        """\
        from keras.layers import BatchNormalization, Dense
        from keras.models import Model, Sequential
        from nets import discriminator

        generator = Sequential([Dense(8, input_dim=4), BatchNormalization(), Dense(2)])
        discriminator.compile(loss='mse', optimizer='adam')
        discriminator.trainable = False
        gan = Model(z, discriminator(generator(z)))
        gan.compile(loss='mse', optimizer='adam')
        for step in range(3):
            discriminator.train_on_batch(x, y)
            gan.train_on_batch(z, y)
        """
    )
    assert "    discriminator.trainable = False\n    use_batch_statistics_when_frozen(discriminator)\n" in text


def test_a_frozen_model_built_with_a_model_that_trains_gives_back_their_shared_layers() -> None:
    # InfoGAN: the discriminator and the recognition network share their convolutions.
    text, findings = migrate(
        """\
        from keras.models import Model

        class InfoGAN:
            def __init__(self):
                self.discriminator, self.auxiliary = self.build_disk_and_q_net()
                self.discriminator.compile(loss='binary_crossentropy', optimizer='adam')
                self.discriminator.trainable = False
                self.combined = Model(z, [self.discriminator(g(z)), self.auxiliary(g(z))])
                self.combined.compile(loss=['binary_crossentropy', 'mse'], optimizer='adam')

            def train(self):
                self.discriminator.train_on_batch(x, y)
                self.combined.train_on_batch(z, [y, c])
        """
    )
    assert text.count("def train_layers_shared_with(frozen, model):") == 1
    assert text.split("def train(self):\n", 1)[1] == (
        "        self.discriminator.trainable = True\n"
        "        self.discriminator.train_on_batch(x, y)\n"
        "        self.discriminator.trainable = False\n"
        "        train_layers_shared_with(self.discriminator, self.combined)\n"
        "        self.combined.train_on_batch(z, [y, c])\n"
    )
    assert any("layers shared with a part that trains kept training" in f.message for f in findings)


def test_the_shared_layers_helper_unfreezes_only_what_another_trained_part_uses() -> None:
    from codemods.keras.k208_trainable_at_compile import _SHARED_HELPER_TEXT

    class Layer:  # what the helper reads of a Keras 3 layer or model
        def __init__(self, *layers: "Layer") -> None:
            self.trainable = True
            if layers:
                self.layers = list(layers)

    namespace: dict = {}
    exec(_SHARED_HELPER_TEXT.format(name="unfreeze"), namespace)
    conv, head, q_head, g_dense = Layer(), Layer(), Layer(), Layer()
    shared = Layer(conv)
    discriminator, auxiliary, generator = Layer(shared, head), Layer(shared, q_head), Layer(g_dense)
    combined = Layer(Layer(), generator, discriminator, auxiliary)
    for layer in (discriminator, shared, conv, head):  # Keras 3's recursive freeze
        layer.trainable = False
    namespace["unfreeze"](discriminator, combined)
    assert shared.trainable and conv.trainable  # shared with the recognition network
    assert not head.trainable and not discriminator.trainable
