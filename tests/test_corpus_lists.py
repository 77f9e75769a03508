"""The development corpus lists (`benchmarks/corpus/*.toml`) and the runner's pure parts.

Needs no mirror and runs nothing: every list parses with valid keys and values, edits
apply as the format says, notebooks become scripts.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LISTS = sorted((ROOT / "benchmarks" / "corpus").glob("*.toml"))


def _load_runner():
    spec = importlib.util.spec_from_file_location("corpus_runner", ROOT / "benchmarks" / "corpus.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


corpus = _load_runner()


@pytest.mark.parametrize("path", LISTS, ids=[p.name for p in LISTS])
def test_list_is_valid(path: Path) -> None:
    programs, errors = corpus.load_list(path)
    assert errors == []
    assert programs
    for program in programs:
        assert re.fullmatch(r"[0-9a-f]{40}", program.commit)
        assert program.kind in ("tf1", "keras", "tf1-keras")
        assert program.compare in ("steps", "final")
        assert all(isinstance(old, str) and old and isinstance(new, str) for old, new in program.edits)


def _errors(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "owner__name.toml"
    path.write_text(text)
    return corpus.load_list(path)[1]


HEAD = 'repo = "owner/name"\ncommit = "' + "a" * 40 + '"\n'


def test_load_list_reports_each_mistake(tmp_path: Path) -> None:
    assert _errors(tmp_path, HEAD + '[[program]]\npath = "a.py"\nkind = "tf1"\n') == []
    assert any("commit" in e for e in _errors(tmp_path, 'repo = "owner/name"\ncommit = "abc"\n[[program]]\npath = "a.py"\nkind = "tf1"\n'))
    assert any("[[program]]" in e for e in _errors(tmp_path, HEAD))
    bad = {
        'kind = "tf2"': "kind",
        'kind = "tf1"\nedits = [["only old"]]': "edits",
        'kind = "tf1"\ncompare = "exact"': "compare",
        'kind = "tf1"\ntimeout = 0': "timeout",
        'kind = "tf1"\ndata = "x.csv"': "data",
        'kind = "tf1"\nedit = []': "unknown key 'edit'",
    }
    for body, word in bad.items():
        errors = _errors(tmp_path, HEAD + '[[program]]\npath = "a.py"\n' + body + "\n")
        assert len(errors) == 1 and word in errors[0], (body, errors)
    twice = HEAD + '[[program]]\npath = "a.py"\nkind = "tf1"\n' * 2
    assert [e.endswith("listed twice") for e in _errors(tmp_path, twice)] == [True]


def test_edits_apply_in_order_exactly_once() -> None:
    text = "epochs = 1000\nsteps = 10\n"
    assert corpus.apply_edits(text, [("epochs = 1000", "epochs = 3"), ("epochs = 3\n", "epochs = 2\n")]) == (
        "epochs = 2\nsteps = 10\n"
    )
    with pytest.raises(corpus.ListError, match="occurs 0 times"):
        corpus.apply_edits(text, [("batch = 5", "batch = 1")])
    with pytest.raises(corpus.ListError, match="occurs 2 times"):
        corpus.apply_edits("a = 1\na = 1\n", [("a = 1", "a = 2")])


def test_notebook_becomes_a_script() -> None:
    notebook = {
        "nbformat": 4,
        "cells": [
            {"cell_type": "markdown", "source": ["# Title\n"]},
            {"cell_type": "code", "source": ["%matplotlib inline\n", "import numpy as np\n", "!pip install x\n"]},
            {"cell_type": "code", "source": "%%bash\nls -l\n"},
            {"cell_type": "code", "source": ["%%time\n", "for i in range(2):\n", "    print(i)\n"]},
            {"cell_type": "code", "source": ["%load_ext autoreload\n", "  \n"]},
            {"cell_type": "code", "source": ["print(np.pi)"]},
        ],
    }
    script = corpus.notebook_to_script(json.dumps(notebook).encode())
    assert script == "import numpy as np\n\n\nfor i in range(2):\n    print(i)\n\n\nprint(np.pi)\n"
    compile(script, "<notebook>", "exec")
    # nbformat 3: cells in worksheets, code under "input".
    old = {"nbformat": 3, "worksheets": [{"cells": [{"cell_type": "code", "input": ["x = 1\n", "print(x)"]}]}]}
    assert corpus.notebook_to_script(json.dumps(old).encode()) == "x = 1\nprint(x)\n"


def test_native_and_normalised_reasons() -> None:
    assert corpus.is_native([b"import tensorflow as tf\n# was tf.Session()\nx = tf.constant(1)\n"], "tf1")
    assert not corpus.is_native([b"import tensorflow as tf\nx = tf.compat.v1.placeholder(tf.float32)\n"], "tf1")
    assert not corpus.is_native([b"from keras.layers import Dense\n"], "keras")
    assert corpus.is_native([b"from tensorflow import keras\nfrom tensorflow.keras.layers import Dense\n"], "keras")
    assert not corpus.is_native([b"import keras.backend as K\n"], "tf1-keras")
    assert corpus.normalise("`tf.foo` kept as `tf.compat.v1.foo`: TF 2 has none (line 12)") == (
        "`…` kept as `…`: TF # has none (line #)"
    )
    assert corpus.normalise("ValueError: shapes (3, 4) and (5,) in /tmp/x/a.py") == (
        "ValueError: shapes (#, #) and (#,) in …"
    )
