"""S101 beyond its examples: its tables checked against the scikit-learn 1.9 installed here and
the legacy runtime's 1.0.2; names resolved through imports; what it reports."""

from __future__ import annotations

import ast
import importlib
import inspect
import json
import subprocess
import textwrap

import pytest

from codemods.ecosystem.s101_sklearn_keywords import DECLINED, RENAMED, TSNE_DEFAULTS, SklearnKeywords
from migrator.engine import migrate_source
from migrator.verify import runtimes

TF1 = "import tensorflow as tf\nx = tf.placeholder(tf.float32)\n"


def migrate(source: str) -> tuple[str, list]:
    result = migrate_source(textwrap.dedent(source).encode(), "t.py", [SklearnKeywords])
    assert result.error is None, result.error
    text = result.new_bytes.decode()
    ast.parse(text)
    assert migrate_source(result.new_bytes, "t.py", [SklearnKeywords]).new_bytes == result.new_bytes, "not idempotent"
    return text, result.findings


def _class(qualified: str) -> type:
    module, name = qualified.rsplit(".", 1)
    return getattr(importlib.import_module(module), name)


# -- the tables against scikit-learn 1.9 and 1.0.2 ------------------------------------------
@pytest.mark.parametrize(("qualified", "old", "new"), [(q, o, n) for q, r in RENAMED.items() for o, n in r.items()])
def test_renamed_keywords_are_gone_and_their_new_names_exist(qualified: str, old: str, new: str) -> None:
    parameters = inspect.signature(_class(qualified)).parameters
    assert old not in parameters and parameters[new].kind is inspect.Parameter.KEYWORD_ONLY


def test_the_legacy_runtime_has_the_old_keywords_and_tsne_defaults() -> None:
    python = runtimes.require_legacy_runtime().python
    script = textwrap.dedent(
        """\
        import importlib, inspect, json, sys, warnings
        warnings.simplefilter("ignore")
        import numpy as np
        from sklearn.manifold import TSNE
        renamed = json.loads(sys.argv[1])
        keywords = {}
        for qualified, names in renamed.items():
            module, name = qualified.rsplit(".", 1)
            parameters = inspect.signature(getattr(importlib.import_module(module), name)).parameters
            keywords[qualified] = [parameters[old].kind == inspect.Parameter.KEYWORD_ONLY for old in names]
        tsne = TSNE(n_iter=250)
        tsne._fit(np.random.RandomState(0).rand(8, 3))
        print(json.dumps([keywords, repr(tsne._learning_rate), repr(tsne._init)]))
        """
    )
    out = subprocess.run([python, "-c", script, json.dumps(RENAMED)], capture_output=True, text=True, timeout=300,
                         check=True)
    keywords, learning_rate, init = json.loads(out.stdout.strip().splitlines()[-1])
    assert all(all(kinds) for kinds in keywords.values())
    assert [learning_rate, init] == list(TSNE_DEFAULTS.values())


def test_tsne_defaults_changed_in_scikit_learn_1_9() -> None:
    parameters = inspect.signature(_class("sklearn.manifold.TSNE")).parameters
    for name, old in TSNE_DEFAULTS.items():
        assert repr(parameters[name].default) != old


@pytest.mark.parametrize("qualified", sorted(DECLINED))
def test_declined_names_are_gone(qualified: str) -> None:
    module, name = qualified.rsplit(".", 1)
    with pytest.raises((AttributeError, ImportError)):
        getattr(importlib.import_module(module), name)


# -- names through imports --------------------------------------------------------------
def test_aliases_and_module_imports() -> None:
    text, _ = migrate(
        TF1 + textwrap.dedent("""\
        from sklearn.manifold import TSNE as Embed
        import sklearn.preprocessing as pre
        e = Embed(n_components=2, n_iter=300, init='random', learning_rate=100.0)
        o = pre.OneHotEncoder(categories='auto', sparse = True)
        """)
    )
    assert "Embed(n_components=2, max_iter=300, init='random', learning_rate=100.0)" in text
    assert "pre.OneHotEncoder(categories='auto', sparse_output = True)" in text


def test_same_names_not_from_scikit_learn_are_left_alone() -> None:
    source = TF1 + textwrap.dedent(
        """\
        from openTSNE import TSNE
        from sklearn.model_selection import RandomizedSearchCV

        class OneHotEncoder:
            def __init__(self, sparse=False):
                self.sparse = sparse

        e = TSNE(n_iter=300)
        o = OneHotEncoder(sparse=False)
        s = RandomizedSearchCV(model, params, n_iter=10)
        """
    )
    text, findings = migrate(source)
    assert text == source and not findings


def test_tsne_defaults_only_where_the_module_shows_its_age() -> None:
    modern = "import tensorflow as tf\nfrom sklearn.manifold import TSNE\ne = TSNE(n_components=2)\n"
    assert migrate(modern)[0] == modern
    # n_iter= only shows scikit-learn < 1.7, whose TSNE defaults may already be 1.2's
    assert migrate(modern.replace("2)", "2, n_iter=300)"))[0] == modern.replace("2)", "2, max_iter=300)")
    text, findings = migrate(TF1 + "from sklearn.manifold import TSNE\ne = TSNE(n_components=2)\n")
    assert "TSNE(n_components=2, learning_rate=200.0, init='random')" in text
    assert [f.kind for f in findings] == ["converted"]


# -- reported ---------------------------------------------------------------------------
def test_what_no_argument_restores_is_reported() -> None:
    text, findings = migrate(
        TF1 + textwrap.dedent("""\
        from sklearn.manifold import TSNE
        from sklearn.datasets import load_boston
        a = TSNE(n_iter=300, init='pca', metric='cosine')
        b = TSNE(n_iter=300, **options)
        data = load_boston()
        """)
    )
    assert "TSNE(max_iter=300, init='pca', metric='cosine', learning_rate=200.0)" in text
    assert "TSNE(max_iter=300, **options)" in text
    messages = [f.message for f in findings if f.kind == "declined"]
    assert len(messages) == 4
    assert any("init='pca'" in m for m in messages) and any("metric" in m for m in messages)
    assert any("**" in m for m in messages) and any("load_boston" in m for m in messages)
