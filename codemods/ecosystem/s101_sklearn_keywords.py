"""S101: scikit-learn 1.0 keywords scikit-learn 1.9 removed -> their new names, 1.0's defaults kept.

TF1-era programs embed their features with ``TSNE`` and encode labels with
``OneHotEncoder``, on the scikit-learn 1.0 of their time; the migrated program runs on
1.9, where ``TSNE(n_iter=)`` is ``max_iter=`` (renamed 1.5, removed 1.7) and
``OneHotEncoder(sparse=)`` is ``sparse_output=`` (renamed 1.2, removed 1.4): the old
keyword is a ``TypeError``. Both are renamed, the value kept. ``TSNE``'s defaults also
changed in 1.2 (``learning_rate`` 200.0 -> ``'auto'``, ``init`` ``'random'`` -> ``'pca'``):
in a TF 1 or Keras 2 module (which ran on scikit-learn 1.0) 1.0's are written out so the
optimisation is the one the program ran. What no argument restores is reported:
``init='pca'`` (1.2 rescales the PCA start and computes it with another solver, so the
layout differs), and a ``metric`` other than euclidean (1.0 did not square its
distances, 1.9 does). ``sklearn.datasets.load_boston`` (removed in 1.2, no replacement
in scikit-learn) is reported. Names are resolved through the module's imports; modules,
keywords and methods the legacy scikit-learn 1.0.2 did not have either
(``sklearn.cross_validation``, ``Perceptron(n_iter=)``) are left to the program's author.
"""

from __future__ import annotations

import textwrap

import libcst as cst

from codemods.analysis.cst_tools import as_keyword, code, find_kw, has_star, keyword, literal_value, set_kw
from codemods.analysis.evidence import KERAS2, TF1
from codemods.base import Example, Rule

# class -> {removed keyword: its scikit-learn 1.9 name}
RENAMED = {
    "sklearn.manifold.TSNE": {"n_iter": "max_iter"},
    "sklearn.preprocessing.OneHotEncoder": {"sparse": "sparse_output"},
}

# TSNE's scikit-learn 1.0 defaults that 1.2 changed (keyword-only in both).
TSNE_DEFAULTS = {"learning_rate": "200.0", "init": "'random'"}

DECLINED = {
    "sklearn.datasets.load_boston": "removed in scikit-learn 1.2 with no replacement in scikit-learn "
                                    "(its data can be read from lib.stat.cmu.edu, see the 1.2 release notes)",
}


class SklearnKeywords(Rule):
    code = "S101"
    details = __doc__.split("\n\n", 1)[1].strip()
    examples = (
        Example(
            before=textwrap.dedent(
                """\
                import tensorflow as tf
                from sklearn.manifold import TSNE
                from sklearn import preprocessing

                x = tf.placeholder(tf.float32, [None, 784])
                tsne = TSNE(perplexity=30, n_components=2, n_iter=5000)
                encoder = preprocessing.OneHotEncoder(sparse=False)
                """
            ),
            after=textwrap.dedent(
                """\
                import tensorflow as tf
                from sklearn.manifold import TSNE
                from sklearn import preprocessing

                x = tf.placeholder(tf.float32, [None, 784])
                tsne = TSNE(perplexity=30, n_components=2, max_iter=5000, learning_rate=200.0, init='random')
                encoder = preprocessing.OneHotEncoder(sparse_output=False)
                """
            ),
        ),
        Example(
            before=textwrap.dedent(
                """\
                import sklearn.manifold
                import tensorflow as tf

                x = tf.placeholder(tf.float32, [None, 784])
                embedding = sklearn.manifold.TSNE(n_components=2, init='pca').fit_transform(features)
                """
            ),
            after=textwrap.dedent(
                """\
                import sklearn.manifold
                import tensorflow as tf

                x = tf.placeholder(tf.float32, [None, 784])
                embedding = sklearn.manifold.TSNE(n_components=2, init='pca', learning_rate=200.0).fit_transform(features)
                """
            ),
        ),
        Example(
            before=textwrap.dedent(
                """\
                import tensorflow as tf
                from sklearn.manifold import TSNE
                from sklearn.model_selection import RandomizedSearchCV
                from sklearn.preprocessing import OneHotEncoder

                model = tf.keras.Sequential([tf.keras.layers.Dense(10)])
                tsne = TSNE(n_components=2, max_iter=5000)
                encoder = OneHotEncoder(sparse_output=False)
                search = RandomizedSearchCV(model, params, n_iter=10)
                plot(n_iter=5, sparse=True)
                """
            ),
        ),
    )

    def rewrite(self, tree: cst.Module) -> cst.Module:
        if not self.resolver.imports_from("sklearn"):
            return tree
        evidence = self.evidence
        self._legacy_module = evidence.tensorflow.world == TF1 or evidence.keras.world == KERAS2
        return self.transformed(tree)

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        qualified = self.qualified_name(original_node.func)
        renames = RENAMED.get(qualified or "")
        if renames is None:
            if qualified in DECLINED:
                self.report(original_node, f"`{code(original_node.func)}` {DECLINED[qualified]}: left as it was")
            return updated_node
        args = [as_keyword(arg, renames[name]) if (name := keyword(arg)) in renames else arg for arg in updated_node.args]
        call = updated_node.with_changes(args=args)
        # `n_iter=` only shows scikit-learn < 1.7; TF 1 / Keras 2 code ran on 1.0.
        if qualified == "sklearn.manifold.TSNE" and self._legacy_module:
            call = self._tsne_defaults(original_node, call)
        return call

    def _tsne_defaults(self, original: cst.Call, call: cst.Call) -> cst.Call:
        if has_star(call):
            self.report(original, "`TSNE(**...)`: scikit-learn 1.2 changed the defaults of `learning_rate` (200.0 -> "
                                  "'auto') and `init` ('random' -> 'pca'), which this call may rely on: left as it was")
            return call
        before = call
        for name, value in TSNE_DEFAULTS.items():
            if find_kw(call, name) is None:
                call = set_kw(call, name, value)
        if call is not before:
            self.report(original, "`TSNE`: scikit-learn 1.0's defaults written out (`learning_rate=200.0`, "
                                  "`init='random'`; 1.2 made them 'auto' and 'pca')", kind="converted")
        init = find_kw(call, "init")
        if init is not None and literal_value(init.value) == "pca":
            self.report(original, "`TSNE(init='pca')`: scikit-learn 1.2 rescales the PCA start (PC1's standard "
                                  "deviation 1e-4) and computes it with another solver: the embedding differs from "
                                  "1.0's (no argument restores it)")
        metric = find_kw(call, "metric")
        if metric is not None and literal_value(metric.value) != "euclidean":
            self.report(original, "`TSNE(metric=...)`: scikit-learn 1.0 did not square a non-euclidean metric's "
                                  "distances, 1.9 does: the embedding differs (precompute the distances to keep "
                                  "1.0's)")
        return call
