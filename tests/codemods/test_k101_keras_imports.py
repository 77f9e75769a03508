"""K101 beyond its examples."""

from __future__ import annotations

import ast
import textwrap

from codemods.analysis.evidence import project_pins
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


def test_keras_backend_forms() -> None:
    text, findings = migrate(
        """\
        import keras.backend as K
        from keras import backend as B


        def loss(y_true, y_pred):
            return K.mean(K.square(y_pred - y_true)) + B.epsilon()
        """
    )
    assert text.startswith(
        "from tensorflow.keras import backend as K\nfrom tensorflow.keras import backend as B\n"
    )
    assert "return K.mean(K.square(y_pred - y_true)) + B.epsilon()" in text
    assert findings == []


def test_multi_line_imports_keep_their_layout_and_comments() -> None:
    source = "from keras.layers.core import (Dense,  # hidden\n                               Activation)\n"
    text, _ = migrate(source)
    assert text == source.replace("from keras.layers.core", "from tensorflow.keras.layers")


def test_renamed_aliases_keep_the_local_name() -> None:
    text, _ = migrate("from keras.layers.convolutional import Deconv2D, Conv2D as C\nimport keras\nd = keras.layers.convolutional.Deconv2D(2, 3)\n")
    assert text == (
        "from tensorflow.keras.layers import Conv2DTranspose as Deconv2D, Conv2D as C\n"
        "from tensorflow import keras\n"
        "d = keras.layers.Conv2DTranspose(2, 3)\n"
    )


def test_split_import_keeps_the_gone_names_on_keras() -> None:
    text, findings = migrate("from keras.engine.topology import Layer, Network, get_source_inputs\n")
    assert text == (
        "from tensorflow.keras.layers import Layer\n"
        "from tensorflow.keras.utils import get_source_inputs\n"
        "from keras.engine.topology import Network\n"
    )
    assert len(findings) == 1 and "`Network`" in findings[0].message and "keras.Model" in findings[0].message


def test_public_names_that_are_gone_are_reported() -> None:
    text, findings = migrate("from keras.layers import LSTM, CuDNNLSTM\n")
    assert text == "from tensorflow.keras.layers import LSTM\nfrom keras.layers import CuDNNLSTM\n"
    assert "CuDNNLSTM" in findings[0].message and "cuDNN" in findings[0].message


def test_reads_of_gone_names_are_reported_where_they_are() -> None:
    text, findings = migrate("import keras.backend as K\n\nsess = K.get_session()\n")
    assert text == "from tensorflow.keras import backend as K\n\nsess = K.get_session()\n"
    assert [(f.line, f.col) for f in findings] == [(3, 7)]
    assert "get_session" in findings[0].message


def test_private_modules_imported_as_modules() -> None:
    text, findings = migrate(
        """\
        import keras.layers.core as core
        from keras.utils import np_utils
        from keras import objectives
        import keras.utils.np_utils as npu
        d = core.Dense(2)
        y = np_utils.to_categorical([0, 1], 2) + npu.to_categorical([1, 0], 2)
        l = objectives.mean_squared_error
        """
    )
    assert text.startswith(
        "from tensorflow.keras import layers as core\n"
        "from tensorflow.keras import utils as np_utils\n"
        "from tensorflow.keras import losses as objectives\n"
        "from tensorflow.keras import utils as npu\n"
    )
    assert findings == []


def test_a_private_module_whose_used_names_went_elsewhere_is_left_and_reported() -> None:
    source = "import keras.backend.tensorflow_backend as KTF\nKTF.set_session(None)\n"
    text, findings = migrate(source)
    assert text == source
    assert {f.line for f in findings} == {1, 2}


def test_private_star_import() -> None:
    text, _ = migrate("from keras.layers.core import *\nfrom keras.layers import *\n")
    assert text == "from tensorflow.keras.layers import *\nfrom tensorflow.keras.layers import *\n"


def test_several_statements_on_one_line() -> None:
    text, _ = migrate("import numpy as np; import keras\n")
    assert text == "import numpy as np\nfrom tensorflow import keras\n"


def test_local_keras_and_tensorflow_imports() -> None:
    source = textwrap.dedent(
        """\
        import tensorflow as tf
        from keras.models import Sequential


        def build(keras):
            return keras.layers.core.Dense(tf.constant(3))


        keras = {"layers": 1}
        """
    )
    text, findings = migrate(source)
    assert text == source.replace("from keras.models", "from tensorflow.keras.models")
    assert findings == []


def test_dotted_np_utils_after_import_keras() -> None:
    text, _ = migrate("import keras\nimport keras.utils.np_utils\nY = keras.utils.np_utils.to_categorical([0, 1])\n")
    assert text == "from tensorflow import keras\nfrom tensorflow import keras\nY = keras.utils.to_categorical([0, 1])\n"


def test_public_name_moved_from_top_level() -> None:
    text, _ = migrate("from keras import Sequential, Input, Model, layers\n")
    assert text == "from tensorflow.keras import Sequential, Input, Model, layers\n"


def test_private_star_import_keeps_the_names_that_went_elsewhere() -> None:
    text, findings = migrate(
        """\
        from keras.engine.topology import *
        from keras.layers.convolutional import *

        inputs = get_source_inputs(Input((2,)))
        up = Deconv2D(3, 3)
        n = Network
        """
    )
    assert text.startswith(
        "from tensorflow.keras.layers import *\n"
        "from tensorflow.keras.utils import get_source_inputs\n"
        "from tensorflow.keras.layers import *\n"
        "from tensorflow.keras.layers import Conv2DTranspose as Deconv2D\n"
    )
    assert len(findings) == 1 and "`Network`" in findings[0].message


def test_keras_with_a_tensorflow_keras_fallback() -> None:
    # The fallback rebinds the same names: the file still imports standalone keras.
    text, findings = migrate(
        """\
        try:
            import keras
            from keras.layers.core import Dense
        except ImportError:
            from tensorflow import keras
            from tensorflow.keras.layers import Dense
        """
    )
    assert text == textwrap.dedent(
        """\
        try:
            from tensorflow import keras
            from tensorflow.keras.layers import Dense
        except ImportError:
            from tensorflow import keras
            from tensorflow.keras.layers import Dense
        """
    )
    assert findings == []


def test_private_paths_below_an_imported_public_module() -> None:
    text, findings = migrate(
        """\
        from keras import layers, utils
        import keras as k
        d = layers.core.Dense(2)
        y = utils.np_utils.to_categorical([0, 1], 2)
        m = k.engine.training.Model
        """
    )
    assert text.endswith(
        "d = layers.Dense(2)\ny = utils.to_categorical([0, 1], 2)\nm = k.models.Model\n"
    )
    assert findings == []


def test_a_private_path_its_root_cannot_reach_is_reported() -> None:
    source = "from keras import utils\nW = utils.vis_utils.Wrapper\n"
    text, findings = migrate(source)
    assert text == "from tensorflow.keras import utils\nW = utils.vis_utils.Wrapper\n"
    assert [(f.line, f.col) for f in findings] == [(2, 4)]
    assert "tensorflow.keras.layers.Wrapper" in findings[0].message


def test_a_private_module_alias_used_below_its_names_keeps_its_import() -> None:
    source = "from keras import engine\n\n\nclass L(engine.topology.Layer):\n    pass\n"
    text, findings = migrate(source)
    assert text == source
    assert len(findings) == 1 and "`topology`" in findings[0].message


def test_a_private_module_used_as_a_value_is_reported() -> None:
    text, findings = migrate("import keras\nprint(keras.layers.core)\n")
    assert text == "from tensorflow import keras\nprint(keras.layers.core)\n"
    assert [(f.line, f.col) for f in findings] == [(2, 6)]
    assert "`keras.layers.core`" in findings[0].message


def test_a_module_with_no_surviving_names_says_why() -> None:
    _, findings = migrate("import keras.legacy.interfaces as interfaces\n")
    assert len(findings) == 1
    assert "none of its names survive" in findings[0].message and "decorators" in findings[0].message
    assert "None" not in findings[0].message


def test_imports_in_a_one_line_suite() -> None:
    text, findings = migrate("try: import keras.backend as K; from keras.layers.core import Dense, Highway\nexcept ImportError: pass\n")
    assert text == (
        "try: from tensorflow.keras import backend as K; from tensorflow.keras.layers import Dense; "
        "from keras.layers.core import Highway\nexcept ImportError: pass\n"
    )
    assert len(findings) == 1 and "`Highway`" in findings[0].message


def test_nothing_to_change_returns_the_same_tree() -> None:
    # Later rules reuse the name resolver of an unchanged tree.
    import libcst as cst
    from libcst.codemod import CodemodContext

    for source in (
        "import tensorflow as tf\nx = tf.keras.layers.Dense(2)  # not standalone keras\n",
        "from keras.legacy import interfaces\n",
    ):
        tree = cst.parse_module(source)
        assert KerasImports(CodemodContext()).run(tree) is tree


def test_only_what_changes_is_rebuilt() -> None:
    import libcst as cst
    from libcst.codemod import CodemodContext

    tree = cst.parse_module("import keras\n\n\ndef f(x):\n    return x + 1\n\n\ny = keras.layers.core.Dense(2)\n")
    new = KerasImports(CodemodContext()).run(tree)
    assert new.code.startswith("from tensorflow import keras\n")
    assert new.body[1] is tree.body[1]  # the function, untouched, is the same node


# -- Keras 3 code (issue 18) ----------------------------------------------------------------
KERAS3_LIBRARY = textwrap.dedent(
    """\
    import keras
    from keras import layers, ops


    @keras.saving.register_keras_serializable(package="demo")
    class Scale(layers.Layer):
        def call(self, x):
            return ops.multiply(x, 2.0)
    """
)


def test_keras3_code_keeps_import_keras() -> None:
    text, findings = migrate(KERAS3_LIBRARY)
    assert text == KERAS3_LIBRARY
    assert [f.line for f in findings] == [1] and "judged Keras 3 code (uses `keras.ops`" in findings[0].message


def test_keras3_internal_modules_are_evidence() -> None:
    source = "from keras.src import backend\nfrom keras.src.layers.layer import Layer\nimport keras\n"
    assert migrate(source)[0] == source


def test_keras2_code_still_moves_to_tensorflow_keras() -> None:
    text, _ = migrate("import keras\nfrom keras.layers.core import Dense\n")
    assert text == "from tensorflow import keras\nfrom tensorflow.keras.layers import Dense\n"


def test_the_projects_keras_pin_decides_when_the_code_does_not(tmp_path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\ndependencies = ["keras>=3.2", "numpy"]\n')
    source = b"import keras\n\nmodel = keras.Sequential()\n"
    assert migrate_source(source, str(tmp_path / "pkg" / "m.py"), [KerasImports]).new_bytes == source
    (tmp_path / "pyproject.toml").write_text('[project]\ndependencies = ["keras==2.3.1"]\n')
    project_pins.cache_clear()
    assert migrate_source(source, str(tmp_path / "pkg" / "m.py"), [KerasImports]).changed
