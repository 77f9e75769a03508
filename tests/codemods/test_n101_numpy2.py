"""N101 beyond its examples: every mapping, checked against the NumPy 2 installed here
(and, for what the old names were, against the legacy runtime's NumPy 1.18)."""

from __future__ import annotations

import ast
import builtins
import json
import subprocess
import textwrap
import warnings

import numpy as np
import pytest

from codemods.ecosystem.n101_numpy2 import BUILTINS, CALLS, DECLINED, EXPRESSIONS, READDED, RENAMES, Numpy2
from migrator.engine import migrate_source
from migrator.verify import runtimes

HEADER = "import numpy as np\nimport tensorflow as tf\n"
# Names NumPy 2 still has, with another meaning than in NumPy 1 (np.bool and np.long are
# NumPy scalar types again) or deprecated (np.row_stack).
STILL_IN_NUMPY2 = {"numpy.bool", "numpy.long", "numpy.row_stack"}


def migrate(source: str) -> tuple[str, list]:
    result = migrate_source(textwrap.dedent(source).encode(), "t.py", [Numpy2])
    assert result.error is None, result.error
    text = result.new_bytes.decode()
    ast.parse(text)
    assert migrate_source(result.new_bytes, "t.py", [Numpy2]).new_bytes == result.new_bytes, "not idempotent"
    return text, result.findings


def short(qualified: str) -> str:
    return qualified.split(".", 1)[1]


# -- the tables against NumPy 2 ---------------------------------------------------------
@pytest.mark.parametrize("qualified", sorted(set(BUILTINS) | set(RENAMES) | set(EXPRESSIONS) | CALLS | set(DECLINED)))
def test_every_name_the_rule_handles_is_gone_from_numpy2(qualified: str) -> None:
    module = np.random if qualified.startswith("numpy.random.") else np
    name = qualified.rsplit(".", 1)[1]
    if qualified in STILL_IN_NUMPY2:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            value = getattr(module, name)
        assert value is not getattr(builtins, name, None)
        return
    if qualified == "numpy.random.random_integers":
        with pytest.warns(DeprecationWarning):
            np.random.RandomState(0).random_integers(1, 2)
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert not hasattr(module, name), qualified


@pytest.mark.parametrize(("old", "new"), sorted(BUILTINS.items()))
def test_builtin_aliases_become_the_builtin(old: str, new: str) -> None:
    assert isinstance(getattr(builtins, new), type)
    # np.bool / np.long are NumPy 2 names again: only NumPy 1 code (here: TF 1) has the aliases.
    header = HEADER + "tf.log(1.0)\n" if old in READDED else HEADER
    text, findings = migrate(header + f"x = a.astype(np.{short(old)})\ny = np.{short(old)}\n")
    assert text == header + f"x = a.astype({new})\ny = {new}\n"
    assert findings == []


@pytest.mark.parametrize("old", sorted(READDED))
def test_names_numpy2_has_again_are_left_alone_without_numpy1_evidence(old: str) -> None:
    source = HEADER + f"mask = np.zeros(3, dtype=np.{short(old)})\n"
    text, findings = migrate(source)
    assert text == source
    assert [f.line for f in findings] == [3] and "could not tell" in findings[0].message


@pytest.mark.parametrize("evidence", ["y = np.float(2)\n", "x = tf.placeholder(tf.float32)\n"])
def test_names_numpy2_has_again_are_converted_in_numpy1_code(evidence: str) -> None:
    text, _ = migrate(HEADER + evidence + "mask = np.zeros(3, dtype=np.bool)\n")
    assert text.endswith("mask = np.zeros(3, dtype=bool)\n")


def test_numpy1_pin_of_the_project_is_evidence(tmp_path) -> None:
    (tmp_path / "requirements.txt").write_text("numpy<2\ntensorflow==2.15.0\n")
    source = (HEADER + "mask = np.zeros(3, dtype=np.bool)\n").encode()
    result = migrate_source(source, str(tmp_path / "m.py"), [Numpy2])
    assert result.new_bytes.decode().endswith("dtype=bool)\n")


@pytest.mark.parametrize(("old", "new"), sorted(RENAMES.items()))
def test_renames(old: str, new: str) -> None:
    assert hasattr(np, new), new
    text, findings = migrate(HEADER + f"x = np.{short(old)}\n")
    assert text == HEADER + f"x = np.{new}\n"
    assert findings == []


def test_old_names_meant_their_replacements_in_numpy1() -> None:
    """On the legacy runtime's NumPy 1.18, each old name is (or computes) its replacement."""
    python = runtimes.require_legacy_runtime().python
    pairs = {short(k): v for k, v in RENAMES.items() if v != "trapezoid"}
    script = textwrap.dedent(
        """\
        import builtins, json, sys, warnings
        import numpy as np
        warnings.simplefilter("ignore")
        builtin_pairs, pairs = json.loads(sys.argv[1])
        bad = [old for old, new in builtin_pairs.items() if getattr(np, old) is not getattr(builtins, new)]
        a = np.array([[1.5, -2.0], [0.25, 3.0]])
        for old, new in pairs.items():
            o, n = getattr(np, old, None), getattr(np, new)
            if o is None:
                continue  # not in NumPy 1.18 either (np.rank)
            if o is n:
                continue
            if isinstance(o, float):
                if not (o == n or (o != o and n != n)):
                    bad.append(old)
            elif callable(o) and not isinstance(o, type):
                if not np.array_equal(np.asarray(o(a)), np.asarray(n(a))):
                    bad.append(old)
            elif np.dtype(o) != np.dtype(n):
                bad.append(old)
        bad += [n for n, v in (("NINF", -np.inf), ("NZERO", -0.0), ("PZERO", 0.0)) if str(getattr(np, n)) != str(v)]
        print(json.dumps(bad))
        """
    )
    argument = json.dumps([{short(k): v for k, v in BUILTINS.items()}, pairs])
    out = subprocess.run([python, "-c", script, argument], capture_output=True, text=True, timeout=120, check=True)
    assert json.loads(out.stdout) == []


# -- aliases, from-imports ----------------------------------------------------------------
def test_import_numpy_and_numpy_random_alias() -> None:
    text, _ = migrate(
        """\
        import numpy
        import numpy.random as npr
        import tensorflow as tf
        a = numpy.zeros(2, numpy.float) + numpy.NaN
        b = npr.random_integers(5, size=(2,))
        c = numpy.random.random_integers(low, high)
        """
    )
    assert text == textwrap.dedent(
        """\
        import numpy
        import numpy.random as npr
        import tensorflow as tf
        a = numpy.zeros(2, float) + numpy.nan
        b = npr.randint(1, 6, size=(2,))
        c = numpy.random.randint(low, high + 1)
        """
    )


def test_from_imports_are_renamed_or_removed() -> None:
    text, findings = migrate(
        """\
        import tensorflow as tf
        from numpy import float, int as npint, float_, NaN, asscalar, zeros  # numpy names
        from numpy import (
            product,
            asfarray,
        )
        x = zeros(3, dtype=float) + NaN
        y = asscalar(x.sum()) + npint(2) + product(x.shape)
        z = float_(1), asfarray(x)
        """
    )
    assert text == textwrap.dedent(
        """\
        import tensorflow as tf
        from numpy import float64 as float_, nan as NaN, zeros  # numpy names
        from numpy import (
            prod as product,
            asfarray,
        )
        x = zeros(3, dtype=float) + NaN
        y = x.sum().item() + int(2) + product(x.shape)
        z = float_(1), asfarray(x)
        """
    )
    assert [(f.kind, f.message.split("`")[1]) for f in findings] == [("declined", "asfarray")]


def test_from_import_removed_entirely() -> None:
    text, _ = migrate("import tensorflow as tf\nfrom numpy import float, asscalar\nx = asscalar(a) * float(2)\n")
    assert text == "import tensorflow as tf\nx = a.item() * float(2)\n"


# -- calls ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("np.asscalar(a)", "a.item()"),
        ("np.asscalar(a + b)", "(a + b).item()"),
        ("np.asscalar(a=x[0])", "x[0].item()"),
        ("np.cast[np.float32](x)", "np.asarray(x).astype(np.float32)"),
        ("np.in1d(a, b, invert=True)", "np.isin(a, b, invert=True).ravel()"),
        ("np.in1d(ar1=a, ar2=b)", "np.isin(element=a, test_elements=b).ravel()"),
        ("np.trapz(y, dx=0.5)", "np.trapezoid(y, dx=0.5)"),
        ("np.random.random_integers(3)", "np.random.randint(1, 4)"),
        ("np.random.random_integers(0, 9, 10)", "np.random.randint(0, 10, 10)"),
        ("np.random.random_integers(a, b * 2, size=n)", "np.random.randint(a, (b * 2) + 1, size=n)"),
        ("np.reshape(g, newshape=(4, 28, 28, 1))", "np.reshape(g, (4, 28, 28, 1))"),
        ("np.reshape(g, order='F', newshape=[2, -1])", "np.reshape(g, [2, -1], order='F')"),
        ("np.fromstring(raw, dtype=np.uint8)", "np.frombuffer(raw, dtype=np.uint8).copy()"),
        ("np.fromstring(raw, np.float32, 4, '')", "np.frombuffer(raw, np.float32, 4).copy()"),
        ("np.NINF", "-np.inf"),
        ("np.NINF ** 2", "(-np.inf) ** 2"),
        ("-np.NINF", "-(-np.inf)"),
        ("(np.PZERO, np.NZERO)", "(0.0, -0.0)"),
        ("a.tostring()", "a.tobytes()"),
        ("a.tostring(order='F')", "a.tobytes(order='F')"),
        ("np.round_(np.product(a.shape) * 0.5)", "np.round(np.prod(a.shape) * 0.5)"),
        ("np.alltrue(a) and np.sometrue(b)", "np.all(a) and np.any(b)"),
    ],
)
def test_calls(before: str, after: str) -> None:
    text, findings = migrate(HEADER + f"x = {before}  # keep\n")
    assert text == HEADER + f"x = {after}  # keep\n"
    assert all(f.kind == "converted" for f in findings)


# -- declined and left alone --------------------------------------------------------------
@pytest.mark.parametrize(
    "source",
    [
        "f = np.asscalar\n",
        "x = np.msort(a)\n",
        "x = np.reshape(a=g, newshape=(2, 2))\n",
        "x = np.random.random_integers(*bounds)\n",
        "x = np.fromstring(raw, sep=separator)\n",
        "float = 1.0\nx = a.astype(np.float)\n",
        "def f(int):\n    return a.astype(np.int)\n",
    ],
)
def test_declined_and_reported(source: str) -> None:
    text, findings = migrate(HEADER + source)
    assert text == HEADER + source
    assert findings and all(f.kind == "declined" for f in findings), findings


@pytest.mark.parametrize(
    "source",
    [
        "x = np.zeros(3, dtype=np.float32).astype(np.int64) + np.float64(np.inf) + np.nan\n",
        "x = np.bool_(True), np.int_(1), np.prod(a), np.round(a), np.isin(a, b), np.str_('s')\n",
        "x = config.float, obj.int, self.NaN, other.asscalar(3), thing.product\n",
        "x = np.fromstring('1 2 3', sep=' ')\n",
        "x = np.reshape(a, (2, 2))\n",
        "import xml.etree.ElementTree as ET\nx = ET.tostring(root), s.tostring(element)\n",
        "def f(np):\n    return np.float\n",
        "np.float = float\nnp.NaN: float = np.nan\n",
    ],
)
def test_left_alone(source: str) -> None:
    text, findings = migrate(HEADER + source)
    assert text == HEADER + source
    assert findings == []


def test_star_import() -> None:
    text, _ = migrate("import tensorflow as tf\nfrom numpy import *\nx = zeros(2, float) + NaN + product(s) + asscalar(a)\n")
    assert text == "import tensorflow as tf\nfrom numpy import *\nx = zeros(2, float) + nan + prod(s) + a.item()\n"


def test_needs_a_numpy_import() -> None:
    source = "import tensorflow as tf\nimport numpy_like as np\nx = np.float + a.tostring()\n"
    text, findings = migrate(source)
    assert text == source and findings == []


def test_formatting_and_comments_kept() -> None:
    source = HEADER + "x = np.zeros(\n    (2, 2),  # shape\n    dtype=np.float,  # was np.float\n)\n"
    text, _ = migrate(source)
    assert text == HEADER + "x = np.zeros(\n    (2, 2),  # shape\n    dtype=float,  # was np.float\n)\n"


def test_an_array_made_of_a_returned_tuple_goes_through_the_helper() -> None:
    # NumPy 1 made an object array of items with different shapes; NumPy 2 raises. The
    # helper decides at run time; a dtype given (object or not) leaves the call alone.
    source = HEADER + textwrap.dedent(
        """\
        def normalize_cols(m, low=None):
            if low is None:
                return m / m.max(axis=0), m.max(axis=0)
            return m / low, low

        def scale(m):
            if m.ndim > 1:
                return m / 2, 2
            return m

        def stats(m):
            return m.mean(), m.std()

        x = tf.placeholder(tf.float32)
        train, top = np.nan_to_num(normalize_cols(np.ones((3, 2))))
        test = np.nan_to_num(scale(np.ones(3)))
        values = np.array(normalize_cols(np.ones(3)), dtype=object)
        floats = np.asarray(normalize_cols(np.ones(3)), float)
        mean, std = np.round(stats(np.ones(3)), 2)
        total = np.sum(stats(np.ones(3)), 0, np.float64)
        """
    )
    text, findings = migrate(source)
    assert "train, top = np.nan_to_num(ragged_as_objects(normalize_cols(np.ones((3, 2)))))\n" in text
    assert "mean, std = np.round(ragged_as_objects(stats(np.ones(3))), 2)\n" in text
    for kept in ("test = np.nan_to_num(scale(np.ones(3)))", "values = np.array(normalize_cols(np.ones(3)), dtype=object)",
                 "floats = np.asarray(normalize_cols(np.ones(3)), float)", "total = np.sum(stats(np.ones(3)), 0, np.float64)"):
        assert kept + "\n" in text
    assert text.count("def ragged_as_objects(values):") == 1
    assert text.index("import tensorflow as tf\n") < text.index("def ragged_as_objects") < text.index("def normalize_cols")
    assert [f.kind for f in findings] == ["converted", "converted"]
    assert "`np.nan_to_num(normalize_cols(...))` makes one array of the 2 values" in findings[0].message
    assert "np.round" in findings[1].message


def _helper():
    """The helper the rule writes, defined here (numpy as np)."""
    text, _ = migrate(HEADER + "def pair(m):\n    return m, m\n\nx = tf.placeholder(tf.float32)\ny = np.nan_to_num(pair(1))\n")
    tree = ast.parse(text)
    helper = next(node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name == "ragged_as_objects")
    namespace: dict = {"np": np}
    exec(ast.get_source_segment(text, helper), namespace)
    return namespace["ragged_as_objects"]


# The legacy runtime's NumPy 1.18 (np.nan_to_num of a tuple of them): "objects" when it made
# an object array of the values themselves, "raises" where it raised ValueError.
RAGGED = {
    "agree": ("np.ones((2, 3)), np.ones((2, 3))", "array"),
    "first dimensions differ": ("np.ones((4, 2)), np.zeros(2), np.ones(2)", "objects"),
    "two dimensions, first differ": ("np.ones((2, 3)), np.ones((3, 4))", "objects"),
    "a number and an array": ("1.0, np.ones(3)", "objects"),
    "a 0-d array and an array": ("np.array(2.0), np.ones(2)", "objects"),
    "lists": ("[1, 2], [1, 2, 3]", "objects"),
    "empty and not": ("np.ones(0), np.ones(2)", "objects"),
    "numbers": ("1.0, 2, 3.5", "array"),
    "later dimensions differ": ("np.ones((2, 3)), np.ones((2, 4))", "raises"),
    "a column and a row": ("np.ones((2, 1)), np.ones(2)", "raises"),
}


@pytest.mark.parametrize("case", sorted(RAGGED))
def test_the_helper_makes_what_numpy1_made(case: str) -> None:
    values_text, numpy1 = RAGGED[case]
    helper = _helper()
    values = eval(f"({values_text},)", {"np": np})
    if numpy1 == "raises":
        with pytest.raises(ValueError):
            np.nan_to_num(helper(values))
        return
    result = np.nan_to_num(helper(values))
    if numpy1 == "objects":
        assert result.dtype == object and result.shape == (len(values),)
        assert all(item is value for item, value in zip(result, values))
    else:
        np.testing.assert_array_equal(result, np.nan_to_num(np.array(values)))


def test_the_table_is_what_numpy1_made_on_the_legacy_runtime(legacy_runtime) -> None:
    script = "import numpy as np\nresults = {}\n" + "".join(
        f"v = ({values},)\ntry:\n    r = np.nan_to_num(v)\n"
        f"    results[{case!r}] = 'objects' if r.dtype == object and all(a is b for a, b in zip(r, v)) else 'array'\n"
        f"except ValueError:\n    results[{case!r}] = 'raises'\n"
        for case, (values, _) in RAGGED.items()
    ) + "import json\nprint(json.dumps(results))\n"
    out = subprocess.run([str(legacy_runtime.python), "-c", script], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == {case: numpy1 for case, (_, numpy1) in RAGGED.items()}


def test_a_helper_name_the_module_binds_is_not_reused() -> None:
    source = HEADER + textwrap.dedent(
        """\
        ragged_as_objects = 3

        def pair(m):
            return m, m.max()

        x = tf.placeholder(tf.float32)
        y = np.nan_to_num(pair(np.ones(2)))
        """
    )
    text, _ = migrate(source)
    assert "def ragged_as_objects_(values):" in text and "np.nan_to_num(ragged_as_objects_(pair(np.ones(2))))" in text


def test_an_array_of_a_returned_tuple_without_numpy1_evidence_is_reported() -> None:
    source = HEADER + "\ndef pair(m):\n    return m, m.max()\n\ny = np.nan_to_num(pair(np.ones(2)))\n"
    text, findings = migrate(source)
    assert text == source
    assert [f.kind for f in findings] == ["declined"] and "no sign of NumPy 1" in findings[0].message


def test_a_class_count_used_as_a_tensorflow_size_becomes_an_int() -> None:
    # NumPy 2 keeps uint8 labels' dtype in `max(labels) + 1` (NumPy 1: int64), which TF
    # refuses as a shape in graph code.
    source = HEADER + textwrap.dedent(
        """\
        target_size = max(labels) + 1
        n_classes = np.max(labels) + 1
        x_max = points.max() + 1
        w = tf.Variable(tf.truncated_normal([100, target_size]))
        y = tf.one_hot(labels, depth=n_classes)
        z = tf.one_hot(labels, labels.max() + 1)
        grid = np.zeros([x_max, 2])
        """
    )
    text, findings = migrate(source)
    assert "target_size = int(max(labels)) + 1\nn_classes = int(np.max(labels)) + 1\nx_max = points.max() + 1\n" in text
    assert "tf.one_hot(labels, int(labels.max()) + 1)" in text
    assert [f.line for f in findings] == [3, 4, 8] and all(f.kind == "converted" for f in findings)


def test_a_class_count_bound_twice_or_in_numpy2_code_is_left_alone() -> None:
    rebound = HEADER + "n = max(labels) + 1\nn = n * 2\nw = tf.truncated_normal([n])\n"
    assert migrate(rebound)[0] == rebound
    numpy2 = "import numpy as np\nimport tensorflow as tf\n\nn = max(labels) + 1\nw = tf.zeros([n])\n"
    assert migrate(numpy2)[0] == numpy2


def test_a_row_of_a_column_array_converted_to_a_number_takes_item() -> None:
    # NumPy 1 converted one-element arrays to numbers; NumPy 2 raises TypeError.
    source = HEADER + textwrap.dedent(
        """\
        x = tf.placeholder(tf.float32)
        labels = np.arange(10).reshape(-1, 1)
        flat = np.arange(10)
        print("%d %s" % (labels[0], labels[1]), int(labels[2]), float(flat[3]), labels[4])
        print("%d" % labels[0:1], "%.1f" % flat[5])
        """
    )
    text, findings = migrate(source)
    assert 'print("%d %s" % (labels[0].item(), labels[1]), int(labels[2].item()), float(flat[3]), labels[4])' in text
    assert 'print("%d" % labels[0:1], "%.1f" % flat[5])' in text
    assert len(findings) == 2


def test_an_import_line_with_a_suppression_comment_is_left_and_the_others_still_fixed() -> None:
    # The second pass (from-imports) pairs the import lines the first pass saw, which
    # skipped the suppressed one: it used to run out of them (StopIteration).
    text, _ = migrate(HEADER + "from os import path  # noqa\nfrom numpy import float\n\nx = float(path.sep)\n")
    assert text == HEADER + "from os import path  # noqa\n\nx = float(path.sep)\n"


@pytest.mark.parametrize(("imports", "call", "why"), [
    ("from numpy import nan_to_num, ones\n", "nan_to_num(pair(ones(2)))", "no `import numpy`"),
    ("import numpy as np\n", "np.mean(pair(np.ones(2)), *options)", "unpacked with `*`"),
])
def test_an_array_of_a_returned_tuple_the_helper_cannot_take_is_reported(imports: str, call: str, why: str) -> None:
    source = imports + "import tensorflow as tf\n\ndef pair(m):\n    return m, m.max()\n\n" \
        f"x = tf.placeholder(tf.float32)\ny = {call}\n"
    text, findings = migrate(source)
    assert text == source
    assert [f.kind for f in findings] == ["declined"] and why in findings[0].message
