"""K101 beyond its examples."""

from __future__ import annotations

import ast
import textwrap

from codemods.keras.k101_keras_imports import KerasImports
from migrator.engine import migrate_source


def migrate(source: str) -> tuple[str, list]:
    result = migrate_source(textwrap.dedent(source).encode(), "k.py", [KerasImports])
    text = result.new_bytes.decode()
    ast.parse(text)
    assert migrate_source(result.new_bytes, "k.py", [KerasImports]).new_bytes == result.new_bytes
    return text, result.findings


def test_every_import_form() -> None:
    text, findings = migrate(
        """\
        import keras
        import keras as k
        import keras.layers
        from keras import layers, optimizers as opt
        from keras.layers import *
        """
    )
    assert text == textwrap.dedent(
        """\
        from tensorflow import keras
        from tensorflow import keras as k
        from tensorflow import keras
        from tensorflow.keras import layers, optimizers as opt
        from tensorflow.keras.layers import *
        """
    )
    assert findings == []


def test_private_modules_are_split_by_where_names_live_now() -> None:
    text, _ = migrate("from keras.engine.training import Model\nfrom keras.engine import Layer, InputSpec\n")
    assert "from tensorflow.keras.models import Model\n" in text
    assert "from tensorflow.keras.layers import Layer, InputSpec\n" in text


def test_utility_modules_keep_their_name() -> None:
    text, _ = migrate("from keras.utils import np_utils\ny = np_utils.to_categorical([0, 1])\n")
    assert text.startswith("from tensorflow.keras import utils as np_utils\n")


def test_dotted_private_paths_and_other_modules_of_the_statement() -> None:
    text, _ = migrate("import os, keras\nx = keras.layers.convolutional.Conv2D(4, 3)\n")
    assert text == "import os\nfrom tensorflow import keras\nx = keras.layers.Conv2D(4, 3)\n"


def test_names_that_no_longer_exist_are_reported_and_kept() -> None:
    text, findings = migrate("from keras.legacy import interfaces\n")
    assert text == "from keras.legacy import interfaces\n"
    assert findings[0].rule == "K101" and (findings[0].line, findings[0].col) == (1, 0)
    assert "interfaces" in findings[0].message


def test_imports_inside_functions_and_try_blocks() -> None:
    text, _ = migrate(
        """\
        def build():
            try:
                from keras.layers.merge import concatenate
            except ImportError:
                concatenate = None
            return concatenate
        """
    )
    assert "        from tensorflow.keras.layers import concatenate\n" in text


def test_tensorflow_keras_code_is_left_alone() -> None:
    source = "import tensorflow as tf\nfrom tensorflow.keras import layers\nm = tf.keras.Sequential([layers.Dense(2)])\n"
    text, findings = migrate(source)
    assert text == source and findings == []


def test_names_imported_from_a_private_module_are_fixed_at_the_import_only() -> None:
    text, _ = migrate("from keras.utils import np_utils\nY = np_utils.to_categorical([0, 1], 2)\n")
    assert text.endswith("Y = np_utils.to_categorical([0, 1], 2)\n")
