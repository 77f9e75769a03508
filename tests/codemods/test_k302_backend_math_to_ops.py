"""K302 beyond its examples: Keras 2's default axes are written out, K.sqrt keeps its clip
at 0 unless the argument cannot be negative, what keras.ops lacks stays on the backend,
and keras.ops is reached through the module's own names or one added import."""

from __future__ import annotations

import textwrap

from codemods.keras.k302_backend_math_to_ops import BackendMathToOps
from tests.codemods import run


def test_defaults_and_the_sqrt_clip() -> None:
    text, findings = run(BackendMathToOps, """\
        from keras import backend as K
        a = K.concatenate([x, y])
        b = K.sqrt(K.sum(K.square(x), axis=1))
        c = K.sqrt(x)
        d = K.mean(x, axis=1, keepdims=True)
        """)
    assert text == textwrap.dedent("""\
        from keras import backend as K
        from tensorflow.keras import ops
        a = ops.concatenate([x, y], axis=-1)
        b = ops.sqrt(ops.sum(ops.square(x), axis=1))
        c = ops.sqrt(ops.maximum(x, 0.0))
        d = ops.mean(x, axis=1, keepdims=True)
        """)
    assert findings == []


def test_calls_keras_ops_cannot_take_stay_on_the_backend() -> None:
    source = """\
        from keras import backend as K
        e = K.mean(x, name='m')
        f = K.batch_dot(x, y)
        g = K.mean(*args)
        """
    assert run(BackendMathToOps, source) == (textwrap.dedent(source), [])


def test_an_ops_name_the_module_imports_is_used() -> None:
    text, _ = run(BackendMathToOps, "from tensorflow.keras import backend as K, ops\na = K.argmax(x)\n")
    assert text == "from tensorflow.keras import backend as K, ops\na = ops.argmax(x, axis=-1)\n"


def test_a_module_whose_ops_name_is_taken_reaches_keras_ops_another_way() -> None:
    text, _ = run(BackendMathToOps, "from keras import backend as K\nops = 1\na = K.cumsum(x)\n")
    assert text == "from keras import backend as K\nfrom tensorflow import keras\nops = 1\na = keras.ops.cumsum(x, axis=0)\n"
