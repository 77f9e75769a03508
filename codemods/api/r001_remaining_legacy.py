"""R001: what still ties the code to TF 1, found on the code as it is after migration.

Changes nothing. Every use of ``tf.compat.v1`` (whatever the module imports it as), of a
TF 1 name TF 2 lacks (``tf.placeholder``, ``tf.Session``), of ``tf.contrib`` and of
``tf.estimator`` is reported where it is, with what to do instead: the to-do list that
``migrator migrate --check --fail-on remaining`` turns into a CI gate. A call of
``tf.disable_v2_behavior()`` / ``tf.disable_eager_execution()`` is reported as a
process-wide switch: every module that imports this one runs in graph mode. Names are
resolved through the imports, so a local variable called ``tf`` is not TensorFlow.
Runs last, on what the other rules left; a name another rule's finding on the same line
already names (a declined rewrite) is reported once, by that rule.
"""

from __future__ import annotations

import textwrap

import libcst as cst

from codemods.analysis import tf_api
from codemods.analysis.names import FastVisitor, is_statement, walk
from codemods.base import Example, Rule

_GRAPH_ONLY = (
    "Session", "InteractiveSession", "placeholder", "placeholder_with_default", "global_variables_initializer",
    "local_variables_initializer", "tables_initializer", "train.Saver", "get_default_graph", "Graph",
)
_PROCESS_WIDE = ("disable_v2_behavior", "disable_eager_execution")

# What to use instead, by TF 1 symbol or module prefix (``tf.`` omitted).
_ADVICE = {
    "variable_scope": "use tf.Variable or Keras layers, which own their weights (G101 turns get_variable into "
    "tf.Variable where it can)",
    "get_variable": "use tf.Variable or a Keras layer's add_weight (G101 converts get_variable where it can)",
    "layers.": "use the tf.keras.layers class (G102 converts tf.layers calls where it can)",
    "train.": "use tf.keras.optimizers / tf.train.Checkpoint (T101 and G101 convert the common cases)",
    "summary.": "use tf.summary with tf.summary.create_file_writer(...).as_default() (G101 converts scalars "
    "and histograms where it can)",
    "nn.rnn_cell.": "use tf.keras.layers.LSTMCell / GRUCell inside tf.keras.layers.RNN",
    "nn.dynamic_rnn": "use tf.keras.layers.RNN (or LSTM / GRU) with return_sequences=True",
    "losses.": "use tf.keras.losses (mind the reduction: TF 1 summed over the batch by weights)",
    "metrics.": "use tf.keras.metrics objects (update_state / result)",
    "app.": "use absl.app (T102 converts tf.app.run and tf.app.flags)",
    "flags.": "use absl.flags (T102 converts tf.flags)",
    "logging.": "use absl.logging (T102 converts tf.logging)",
}


def _advice(table: dict[str, str], symbol: str) -> str | None:
    for key, text in table.items():
        if symbol == key or (key.endswith(".") and symbol.startswith(key)):
            return text
    return None


def _native_advice(symbol: str) -> str | None:
    if symbol in tf_api.CASTS:
        return f"use tf.cast(x, tf.{tf_api.CASTS[symbol]}) (T101 rewrites it)"
    native = tf_api.native_target(symbol)
    if native and native != symbol:
        return f"use `{native}` (T101 rewrites it)"
    return None


class _Uses(FastVisitor):
    """Every dotted chain naming TensorFlow, in the statements the rule visits."""

    def __init__(self, rule: RemainingLegacy) -> None:
        super().__init__()
        self.rule = rule

    def on_visit(self, node: cst.CSTNode) -> bool:
        if is_statement(node):
            return self.rule.visits_statement(node)
        if isinstance(node, (cst.Import, cst.ImportFrom)):
            return False
        if isinstance(node, cst.Attribute):
            return not self.rule._check(node)
        if isinstance(node, cst.Name):
            self.rule._check(node)
            return False
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        pass


class RemainingLegacy(Rule):
    code = "R001"
    details = __doc__.split("\n\n", 1)[1].strip()
    changes_code = False
    examples = (
        Example(
            before=textwrap.dedent(
                """\
                import tensorflow.compat.v1 as tf

                tf.disable_v2_behavior()
                x = tf.placeholder(tf.float32, [None])
                norm = tf.contrib.layers.layer_norm(x)
                """
            ),
        ),
        Example(
            before=textwrap.dedent(
                """\
                import tensorflow as tf

                tf = {"placeholder": 1}
                x = tf["placeholder"]
                """
            ),
        ),
    )

    def rewrite(self, tree: cst.Module) -> cst.Module:
        if self.resolver.imports_from("tensorflow"):
            self.skip_statements_without("tensorflow")
            walk(tree, _Uses(self))  # read-only: LibCST's visit would rebuild the tree
        return tree  # a report, never a change

    def _check(self, node: cst.BaseExpression) -> bool:
        """Report ``node`` if it names legacy TensorFlow; True when it named TensorFlow
        at all (one finding per dotted chain)."""
        name = self.qualified_name(node)
        if name is None or not (name == "tensorflow" or name.startswith("tensorflow.")):
            return False
        if name.startswith("tensorflow.compat.v1."):
            symbol = name[len("tensorflow.compat.v1.") :]
            spelled = f"tf.compat.v1.{symbol}"
        elif name.startswith("tensorflow."):
            symbol = name[len("tensorflow.") :]
            spelled = f"tf.{symbol}"
            # A name TF 2 has too (tf.where, tf.random_normal_initializer) is TF 2's here: T101
            # wrote it, or moved the TF 1 meaning to tf.compat.v1, or judged the module TF 2.
            if not (symbol.startswith(("contrib.", "estimator.")) or tf_api.tf1_only(spelled)) or (
                spelled in tf_api.in_tf2()
            ):
                return True
        else:
            return True
        message = self._message(symbol, spelled)
        if message is not None:
            kind = "process-wide" if symbol in _PROCESS_WIDE else "remaining"
            self.report(node, message, kind=kind)
        return True

    @staticmethod
    def _message(symbol: str, spelled: str) -> str | None:
        if symbol in _PROCESS_WIDE:
            return (
                f"`{spelled}()` switches the whole process to TF 1 graph mode, for every module that imports "
                "this one too: make the code eager (G101 converts placeholder/Session programs where it can) "
                "and delete the call"
            )
        if symbol.startswith("contrib."):
            advice = tf_api.contrib_advice("tf." + symbol)
            return f"`{spelled}`: tf.contrib is gone in TF 2; " + (
                advice or "replace it with a core TensorFlow 2 or Keras API"
            )
        if symbol.startswith("estimator."):
            return (
                f"`{spelled}`: tf.estimator is gone since TF 2.16; move the model_fn to a Keras model "
                "(model.fit) or a custom training loop with tf.GradientTape"
            )
        if symbol == "compat":  # the bare ``tf.compat.v1`` module object
            return None
        if not tf_api.tf1_only("tf." + symbol):
            return (
                f"`{spelled}` is `tf.{symbol}` in TF 2 too: it only needs the module off tf.compat.v1 "
                "(`import tensorflow as tf`) once nothing else here uses TF 1"
            )
        if symbol.split(".")[0] in _GRAPH_ONLY or symbol in _GRAPH_ONLY:
            advice = (
                "TF 1 graph-mode code: make it eager (plain calls, tf.function); G101 converts "
                "placeholder/Session programs where it can and its findings say why not here"
            )
        else:
            advice = _advice(_ADVICE, symbol) or _native_advice("tf." + symbol) or (
                f"{tf_api.compat_reason('tf.' + symbol)}; rewrite it with the TF 2 API"
            )
        return f"`{spelled}` still uses TF 1: {advice}"
