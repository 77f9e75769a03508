"""Code that is already TF 2 / Keras 3 / NumPy 2 comes out byte-identical (issue 18).

``tests/modern_code/`` holds files written the way current code is written: Keras 3
library modules on ``keras.ops`` with registered layers, Keras 3 training scripts,
TF 2 custom training with ``tf.function``/``tf.data``, TF 2's broadcasting ``tf.where``
and integer ``tf.nn.max_pool``, TF 2's initializer objects, ``tf.keras`` models, NumPy 2's ``np.bool``/``np.long``,
Keras 3's own tests (``keras.src``) and scripts still saving HDF5 files, TF 2 modules on
TensorFlow's private ``tf_logging``, NumPy-version switches.
Each is migrated with every rule, in a folder of its own (no project pins above it)
and where it lies.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from codemods import PIPELINE
from migrator.engine import Status, migrate_source

CORPUS = Path(__file__).resolve().parent / "modern_code"
FILES = sorted(CORPUS.glob("*.py"))


def test_the_corpus_is_there() -> None:
    assert len(FILES) >= 6


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_modern_code_comes_out_byte_identical(path: Path, tmp_path: Path) -> None:
    data = path.read_bytes()
    alone = tmp_path / path.name
    shutil.copy(path, alone)
    for where in (path, alone):
        result = migrate_source(data, str(where))
        assert result.status is Status.UNCHANGED, (result.error, result.findings)
        assert result.new_bytes == data
        # nor is any of it reported as TF 1 left over (tf.where, tf.zeros_initializer are TF 2's too)
        assert [f.message for f in result.findings if f.kind == "remaining"] == []


def test_every_keras_rule_leaves_keras3_code_to_the_one_judgement() -> None:
    # codemods.base.Rule keeps a file judged Keras 3 code (codemods.analysis.evidence) as it was
    keras_rules = [rule for rule in PIPELINE if rule.__module__.startswith("codemods.keras.")]
    assert len(keras_rules) >= 10 and all(rule.keras3_keeps for rule in keras_rules)
