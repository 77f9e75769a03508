"""T105 beyond its examples."""

from __future__ import annotations

import ast
import collections
import importlib.util
import subprocess
import sys
import textwrap
import types
from pathlib import Path

import numpy
import pytest

from codemods.api.t105_mnist_input_data import MnistInputData, _helper_source
from migrator.engine import migrate_source

ROOT = Path(__file__).resolve().parents[2]


def migrate(source: str) -> tuple[str, list]:
    result = migrate_source(textwrap.dedent(source).encode(), "t.py", [MnistInputData])
    text = result.new_bytes.decode()
    ast.parse(text)
    assert migrate_source(result.new_bytes, "t.py", [MnistInputData]).new_bytes == result.new_bytes
    return text, result.findings


def body(text: str) -> str:
    """The module after the inlined helper."""
    return text.split("        test=data_set(test_images, test_labels),\n    )\n", 1)[-1]


# -- import spellings ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("imports", "call"),
    [
        ("from tensorflow.examples.tutorials.mnist import input_data", "input_data.read_data_sets"),
        ("import tensorflow.examples.tutorials.mnist.input_data as input_data", "input_data.read_data_sets"),
        ("from tensorflow.examples.tutorials.mnist.input_data import read_data_sets", "read_data_sets"),
        ("from tensorflow.examples.tutorials.mnist.input_data import read_data_sets as load", "load"),
        ("from tensorflow.examples.tutorials import mnist as tutorial", "tutorial.input_data.read_data_sets"),
        ("from tensorflow.contrib.learn.python.learn.datasets import mnist as mnist_data", "mnist_data.read_data_sets"),
        ("from tensorflow.contrib.learn.python.learn.datasets.mnist import read_data_sets", "read_data_sets"),
        ("", "tf.contrib.learn.datasets.mnist.read_data_sets"),
    ],
)
def test_import_spellings(imports: str, call: str) -> None:
    text, findings = migrate(f"import tensorflow as tf\n{imports}\nmnist = {call}('/tmp/data', one_hot=True)\n")
    assert text.startswith("import tensorflow as tf\nimport collections\nimport numpy as np\n\n\n# TF 2 has no")
    assert body(text) == "\n\nmnist = read_data_sets('/tmp/data', one_hot=True)\n"
    assert "def read_data_sets(train_dir, one_hot=False):" in text
    assert all(f.kind == "converted" for f in findings)


def test_bare_dotted_import_keeps_tensorflow_bound() -> None:
    text, _ = migrate(
        """\
        import tensorflow.examples.tutorials.mnist.input_data
        mnist = tensorflow.examples.tutorials.mnist.input_data.read_data_sets("d")
        x = tensorflow.constant(1)
        """
    )
    assert text.startswith("import tensorflow\nimport collections\nimport numpy as np\n")
    assert "tensorflow.keras.datasets.mnist.load_data()" in text
    assert body(text) == '\n\nmnist = read_data_sets("d")\nx = tensorflow.constant(1)\n'


def test_existing_aliases_are_reused_and_comments_kept() -> None:
    text, _ = migrate(
        """\
        '''Doc.'''
        from __future__ import print_function
        import numpy
        import tensorflow.compat.v1 as tf1
        # Import MNIST data
        from tensorflow.examples.tutorials.mnist import input_data
        mnist = input_data.read_data_sets("/tmp/data/")
        print(numpy.mean(mnist.train.next_batch(10)[0]))
        """
    )
    assert text.startswith("'''Doc.'''\nfrom __future__ import print_function\nimport numpy\nimport tensorflow.compat.v1 as tf1\n"
                           "import collections\n\n\n# TF 2 has no")
    assert "numpy.random.shuffle(perm)" in text and "tf1.keras.datasets.mnist.load_data()" in text
    assert body(text) == '\n\n# Import MNIST data\nmnist = read_data_sets("/tmp/data/")\nprint(numpy.mean(mnist.train.next_batch(10)[0]))\n'


def test_an_unused_import_just_goes() -> None:
    text, _ = migrate("import tensorflow as tf\nfrom tensorflow.examples.tutorials.mnist import input_data\nx = 1\n")
    assert text == "import tensorflow as tf\nx = 1\n"


# -- arguments -------------------------------------------------------------------------
def test_positional_arguments_become_keywords() -> None:
    text, findings = migrate(
        """\
        import tensorflow as tf
        from tensorflow.examples.tutorials.mnist import input_data
        mnist = input_data.read_data_sets("d", False, True, tf.uint8, False, 100, source_url="http://x/")
        """
    )
    assert 'mnist = read_data_sets("d", one_hot=True, dtype=tf.uint8, reshape=False, validation_size=100)\n' in text
    assert "def read_data_sets(train_dir, one_hot=False, dtype=tf.float32, reshape=True, validation_size=5000):" in text
    assert any("source_url" in f.message for f in findings)


def test_imported_inside_a_function_or_an_if_block() -> None:
    # The way notebooks and tutorials wrote it: the import inside the loader function.
    text, findings = migrate(
        """\
        import tensorflow as tf


        def load_data(mode="train"):
            # the tutorial's loader
            from tensorflow.examples.tutorials.mnist import input_data
            mnist = input_data.read_data_sets("MNIST_data/", one_hot=True)
            return mnist.train if mode == "train" else mnist.test


        def only_import():
            from tensorflow.examples.tutorials.mnist import input_data


        if __name__ == "__main__":
            import tensorflow.examples.tutorials.mnist.input_data as loader
            print(loader.read_data_sets("d").test.num_examples, load_data().num_examples)
        """
    )
    assert "input_data" not in text.replace("# TF 2 has no tensorflow.examples.tutorials.mnist.input_data", "")
    assert '    # the tutorial\'s loader\n    mnist = read_data_sets("MNIST_data/", one_hot=True)\n' in text
    assert "def only_import():\n    pass\n" in text
    assert '    print(read_data_sets("d").test.num_examples, load_data().num_examples)' in text
    assert [f.line for f in findings if f.kind == "converted"] == [6, 12, 16]
    compile(text, "migrated.py", "exec")


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        ("mnist = input_data.read_data_sets('d', fake_data=True)", "fake_data"),
        ("mnist = input_data.read_data_sets('d', True)", "fake_data"),
        ("mnist = input_data.read_data_sets(**options)", "**kwargs"),
        ("mnist = input_data.read_data_sets('d')\nd = input_data.DataSet(a, b)", "input_data.DataSet"),
        ("loader = input_data.read_data_sets", "other than calling"),
        ("mnist = input_data.read_data_sets('d')\nx, y = mnist.train.next_batch(10, True)", "fake data"),
        ("class DataSet: pass\nmnist = input_data.read_data_sets('d')", "`DataSet`"),
        ("def load():\n    from tensorflow.examples.tutorials.mnist import input_data as i\n    return i", "other than calling"),
        ("try:\n    from tensorflow.examples.tutorials.mnist import input_data as i\nexcept ImportError:\n    i = None\n"
         "m = i.read_data_sets('d')", "a try block"),
        ("class Data:\n    from tensorflow.examples.tutorials.mnist import input_data as i\n", "a class body"),
    ],
)
def test_what_is_left_alone(source: str, reason: str) -> None:
    source = "import tensorflow as tf\nfrom tensorflow.examples.tutorials.mnist import input_data\n" + source + "\n"
    text, findings = migrate(source)
    assert text == source
    assert [f.kind for f in findings] == ["declined"] and reason in findings[0].message, findings


# -- seeds -----------------------------------------------------------------------------
def test_graph_seed_before_the_call_becomes_its_seed() -> None:
    text, findings = migrate(
        """\
        import tensorflow as tf
        from tensorflow.examples.tutorials.mnist import input_data

        SEED = 3
        tf.set_random_seed(SEED)


        def main():
            return input_data.read_data_sets("d")


        def other():
            tf.random.set_random_seed(5)
            with tf.Graph().as_default():
                return input_data.read_data_sets("d", seed=9), input_data.read_data_sets("e")
        """
    )
    assert 'return read_data_sets("d", seed=SEED)\n' in text
    assert 'return read_data_sets("d", seed=9), read_data_sets("e", seed=5)\n' in text
    assert "        numpy.random.seed(seed)" in text.replace("np.", "numpy.")
    assert sum("graph seed is passed" in f.message for f in findings) == 2


def test_graph_seed_set_after_the_call_is_noted() -> None:
    text, findings = migrate(
        """\
        import tensorflow as tf
        from tensorflow.examples.tutorials.mnist import input_data
        mnist = input_data.read_data_sets("d")
        tf.set_random_seed(1)
        """
    )
    assert 'mnist = read_data_sets("d")\n' in text and "seed" not in text.split("def read_data_sets")[1].split(":")[0]
    assert any("could not tell" in f.message for f in findings)


def test_the_rule_never_imports_tensorflow() -> None:
    code = (
        "import sys\nfrom migrator.engine import migrate_source\nfrom codemods import PIPELINE\n"
        "r = migrate_source(b'import tensorflow as tf\\nfrom tensorflow.examples.tutorials.mnist import input_data\\n"
        "m = input_data.read_data_sets(\"d\")\\n', 't.py', PIPELINE)\n"
        "assert b'def read_data_sets' in r.new_bytes\nassert 'tensorflow' not in sys.modules, 'imported TF'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, env={"PYTHONPATH": str(ROOT)})


# -- behaviour: the inlined code against the verify runtime's copy of TF 1's --------------
def _stand_in():
    path = ROOT / "migrator" / "verify" / "child" / "_migrator_child_data.py"
    spec = importlib.util.spec_from_file_location("_t105_child_data", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class _DType:
    def __init__(self, name: str) -> None:
        self.name = name
        self.base_dtype = self

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _DType) and other.name == self.name

    def __hash__(self) -> int:
        return hash(self.name)


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"one_hot": True},
        {"one_hot": False, "validation_size": 7000, "seed": 11},
        {"dtype": "uint8", "reshape": False, "seed": 2},
        {"dtype": "float32", "reshape": True, "validation_size": 0},
    ],
)
def test_inlined_code_matches_tf1(options: dict) -> None:
    data = _stand_in()
    fake_tf = types.SimpleNamespace(
        float32=_DType("float32"), uint8=_DType("uint8"),
        as_dtype=lambda d: d if isinstance(d, _DType) else _DType(numpy.dtype(d).name),
        keras=types.SimpleNamespace(datasets=types.SimpleNamespace(mnist=types.SimpleNamespace(load_data=data.load_mnist))),
    )
    namespace = {"tf": fake_tf, "np": numpy, "collections": collections}
    features = set(options) | {"seed"}
    exec(_helper_source("tf", "np", "collections", features, shuffle_param=True), namespace)
    kwargs = dict(options)
    if "dtype" in kwargs:
        kwargs["dtype"] = fake_tf.as_dtype(kwargs["dtype"])
    kwargs.setdefault("seed", 5)
    theirs = data.read_data_sets("unused", **kwargs)  # reseeds NumPy with `seed`, as TF 1 did
    ours = namespace["read_data_sets"]("unused", **kwargs)
    state = numpy.random.get_state()
    for name in ("train", "validation", "test"):
        a, b = getattr(ours, name), getattr(theirs, name)
        assert a.images.dtype == b.images.dtype and a.labels.dtype == b.labels.dtype, name
        numpy.testing.assert_array_equal(a.images, b.images)
        numpy.testing.assert_array_equal(a.labels, b.labels)
        assert a.num_examples == b.num_examples
    if theirs.train.num_examples == 0:
        return
    sizes = [100, 3000, 4999, 64, 7001, 128, 1, 9000]
    numpy.random.set_state(state)
    expected = [(theirs.train.next_batch(n), theirs.test.next_batch(n, shuffle=n % 2 == 0), theirs.train.epochs_completed)
                for n in sizes]
    numpy.random.set_state(state)
    got = [(ours.train.next_batch(n), ours.test.next_batch(n, shuffle=n % 2 == 0), ours.train.epochs_completed)
           for n in sizes]
    for (e_train, e_test, e_epochs), (g_train, g_test, g_epochs) in zip(expected, got):
        assert e_epochs == g_epochs
        for e, g in zip((*e_train, *e_test), (*g_train, *g_test)):
            assert e.dtype == g.dtype
            numpy.testing.assert_array_equal(e, g)
    assert theirs.test.epochs_completed == ours.test.epochs_completed


def test_tensorflow_imported_after_the_mnist_lines() -> None:
    # The aymericdamien examples import input_data first and tensorflow below it.
    text, findings = migrate(
        """\
        from __future__ import print_function

        from tensorflow.examples.tutorials.mnist import input_data
        mnist = input_data.read_data_sets("/tmp/data/", one_hot=True)

        import tensorflow as tf
        x = tf.constant(mnist.test.images[:2])
        """
    )
    assert "import input_data" not in text
    assert text.index("import tensorflow as tf") < text.index("class DataSet")
    assert not [f for f in findings if f.kind == "declined"]
