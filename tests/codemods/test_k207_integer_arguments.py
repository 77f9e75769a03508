"""K207: NumPy integers as layer sizes -> int(...)."""

from __future__ import annotations

import textwrap

from codemods.keras.k207_integer_arguments import IntegerArguments
from migrator.engine import migrate_source


def migrate(source: str):
    return migrate_source(textwrap.dedent(source).encode(), "model.py", [IntegerArguments])


def migrated(source: str) -> str:
    return migrate(source).new_bytes.decode()


def test_generator_layer_sized_by_np_prod_of_an_attribute():
    source = """\
        import numpy as np
        from keras.layers import Dense, Reshape
        from keras.models import Sequential

        class GAN:
            def __init__(self):
                self.img_shape = (28, 28, 1)

            def build_generator(self):
                model = Sequential()
                model.add(Dense(np.prod(self.img_shape), activation='tanh'))
                model.add(Reshape(self.img_shape))
                return model
        """
    out = migrated(source)
    assert "Dense(int(np.prod(self.img_shape)), activation='tanh')" in out
    assert "Reshape(self.img_shape)" in out


def test_name_bound_once_to_numpy_arithmetic_in_a_function():
    out = migrated("""\
        import numpy
        import tensorflow as tf

        def build(y):
            n_classes = numpy.max(y) + 1
            return tf.keras.layers.Dense(units=n_classes)
        """)
    assert "Dense(units=int(n_classes))" in out


def test_from_import_of_a_numpy_function_and_filters():
    out = migrated("""\
        from numpy import prod
        from keras.layers import Conv2D
        layer = Conv2D(prod((4, 8)), (3, 3))
        """)
    assert "Conv2D(int(prod((4, 8))), (3, 3))" in out


def test_left_alone_python_ints_rebound_names_and_parameters():
    source = textwrap.dedent("""\
        import numpy as np
        from keras.layers import Dense, Embedding

        size = np.prod((2, 3))
        size = 6
        a = Dense(size)
        b = Dense(int(np.prod((2, 3))))
        c = Dense(len(np.arange(4)))

        def build(units):
            return Dense(units)

        class Model:
            width = np.prod((2, 2))

            def layer(self):
                return Dense(width)
        e = Embedding(10, 4)
        """)
    result = migrate(source)
    assert result.new_bytes.decode() == source
    assert not result.findings


def test_a_local_np_that_is_not_numpy_is_not_numpy():
    source = textwrap.dedent("""\
        import numpy
        from keras.layers import Dense
        np = load_config()
        layer = Dense(np.prod(shape))
        """)
    assert migrated(source) == source


def test_each_conversion_is_reported_and_idempotent():
    result = migrate("""\
        import numpy as np
        from keras.layers import Dense
        layer = Dense(np.prod((7, 7, 64)))
        """)
    assert [(f.rule, f.line, f.kind) for f in result.findings] == [("K207", 3, "converted")]
    again = migrate_source(result.new_bytes, "model.py", [IntegerArguments])
    assert again.new_bytes == result.new_bytes
