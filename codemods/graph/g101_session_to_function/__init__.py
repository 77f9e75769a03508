"""G101: TF1 graph/Session code -> eager TF2 with ``tf.function`` and ``GradientTape``.

The graph the program builds is read statement by statement (placeholders, variables,
tensor definitions, optimizer steps, sessions). Every ``sess.run`` / ``.eval()`` /
``.run()`` site becomes a call of a generated ``@tf.function`` holding the backward
slice of what it fetches; ``minimize`` / ``compute_gradients`` / ``tf.gradients`` are
recorded under a ``tf.GradientTape``; TF1 optimizers become Keras optimizers with their
TF1 hyperparameters written out. A module whose graph cannot be proven convertible
keeps running on ``tensorflow.compat.v1`` with v2 behaviour disabled, and the report
says why.

The stages (``pipeline.run_stages``), each a module passing typed values (``model``):

1. ``scope``     module -> ``Graph``: which block builds the graph (the module, or one
                 ``main()`` / ``if __name__`` body), session blocks opened.
2. ``analysis``  fills the ``Graph``: placeholders, ``Variable``s, optimizers, ``Unit``s
                 (tensor definitions), ``Edits`` of single statements; refuses what it
                 cannot prove (``CannotConvert``, defined once in ``model``).
3. ``sites``     ``Graph`` -> ``Sites``: every run of the graph, in program order.
4. ``plan``      ``Graph`` + ``Sites`` -> ``Plan``: the ``Function`` each run calls, its
                 parameters, units, values, name and position. No code is generated.
5. ``emit``      ``Plan`` -> the module, through a ``Layout``: ``emit.ModuleLayout``
                 (functions at the graph's level) or ``class_layout.ClassLayout``
                 (``__init__`` + ``@tf.function`` methods of a model class);
                 ``bodies`` writes the code inside each function.
On ``CannotConvert`` the rule applies ``fallback``.

Features add one family of TF1 constructs each through the hooks of
``feature.Feature`` (no access to anything but the ``Graph`` and their own state):
``checkpoints`` (tf.train.Saver), ``summaries`` (TensorBoard; ``op_names`` replays TF1's
op names for its tags), ``variable_helpers``
(functions creating variables at each call), ``scoped_variables`` (variable lists
selected by name), ``layer_objects`` (G102's Keras layers). ``model_classes`` reads a
model class's ``__init__`` as a flat module and writes the result back through its
layout. A new feature: subclass ``Feature``, implement the hooks it needs, add it to
``pipeline.features``.
"""

from __future__ import annotations

import textwrap

import libcst as cst

from codemods.analysis.graph import tf1_symbol
from codemods.analysis.graph_outcome import record_graph_outcome
from codemods.analysis.names import resolver_for
from codemods.base import Example, Rule
from codemods.graph.g101_session_to_function.fallback import install_fallback
from codemods.graph.g101_session_to_function.model import CannotConvert, NothingToDo
from codemods.graph.g101_session_to_function.pipeline import convert
from codemods.graph.g101_session_to_function.scope import Sym
from codemods.graph.g102_layers_to_keras import ConvertedLayers, converted_layers

__all__ = ["GraphToEager"]


class GraphToEager(Rule):
    code = "G101"
    slug = "session-to-function"
    summary = "TF1 placeholders, Sessions and optimizer steps become tf.function, GradientTape and Keras optimizers."
    # Nothing is converted unless the module runs a session (Session, InteractiveSession).
    triggers = ("Session",)
    details = (
        "Each sess.run/eval/run site calls a generated @tf.function holding the backward slice of its "
        "fetches; placeholders become its typed parameters (input_signature), initializer runs disappear, "
        "the session block is flattened, results are NumPy again. minimize / compute_gradients / "
        "apply_gradients / tf.gradients become GradientTape code; TF1 optimizers become Keras optimizers "
        "with TF1 hyperparameters written out (Adam epsilon 1e-8, Adagrad without epsilon); RMSProp's "
        "mean-square slots are set to 1.0 before the first step, where TF1 started them. "
        "tf.train.Saver at the graph's level becomes tf.train.Checkpoint over the variables and optimizers "
        "created before it (save -> write, TF1's path-<global_step>; restore -> read, failing on a missing "
        "variable); readers of the `checkpoint` state file are declined. tf.summary.scalar/histogram/image ops "
        "at the graph's level (in name scopes too), run by name, merged with merge([...]) or merge_all(key), "
        "become dicts of their TF1 tags and values that the runs return, written where TF1 called add_summary "
        "to a tf.summary.create_file_writer writer by a tf.function per set of summaries, at the same "
        "steps; the tags are TF1's (name scopes, the `_1` of its unique op names, replayed statically; a "
        "finding says when one cannot be told). TF2 "
        "histograms bucket differently, TF2 images go under one tag; FileWriter graphs and add_graph are "
        "dropped. Summaries inside functions the graph calls are declined. Several training ops in one run "
        "share one forward pass. Variables initialised again (a new session, a loop) are declined unless "
        "nothing could tell. Modules the analysis cannot prove keep running on tensorflow.compat.v1 with "
        "v2 behaviour disabled; the report names the construct."
    )
    examples = (
        Example(
            before=textwrap.dedent(
                """\
                import tensorflow as tf

                x = tf.placeholder(tf.float32, [None])
                w = tf.Variable(2.0)
                y = x * w
                with tf.Session() as sess:
                    sess.run(tf.global_variables_initializer())
                    print(sess.run(y, feed_dict={x: [1.0, 2.0]}))
                """
            ),
            after=textwrap.dedent(
                """\
                import tensorflow as tf

                w = tf.Variable(2.0)


                @tf.function(input_signature=[tf.TensorSpec([None], tf.float32)])
                def compute_y(x):
                    y = x * w
                    return y


                print(compute_y([1.0, 2.0]).numpy())
                """
            ),
        ),
        Example(
            before=textwrap.dedent(
                """\
                import tensorflow as tf

                x = tf.placeholder(tf.float32, [None])
                w = tf.Variable(2.0)
                with tf.name_scope("model"):
                    y = tf.reduce_mean(x * w)
                    y_summary = tf.summary.scalar("mean", y)
                with tf.Session() as sess:
                    sess.run(tf.global_variables_initializer())
                    writer = tf.summary.FileWriter("logs", sess.graph)
                    for step in range(2):
                        summary, value = sess.run([y_summary, y], feed_dict={x: [1.0, 2.0]})
                        writer.add_summary(summary, step)
                        print(value)
                """
            ),
            # TF1 tagged the summary `model/mean_1`: its scope already had `Mean`.
            after=textwrap.dedent(
                """\
                import tensorflow as tf

                w = tf.Variable(2.0)


                @tf.function(input_signature=[tf.TensorSpec([None], tf.float32)])
                def compute_y_summary_and_y(x):
                    with tf.name_scope("model"):
                        y = tf.reduce_mean(x * w)
                        y_summary = {"model/mean_1": y}
                    return y_summary, y


                writer = tf.summary.create_file_writer("logs")


                @tf.function(reduce_retracing=True)
                def write_y_summary(writer, values, step):
                    with writer.as_default(step=step):
                        tf.summary.scalar("model/mean_1", values["model/mean_1"])


                for step in range(2):
                    summary, value = tf.nest.map_structure(lambda value: value.numpy(), compute_y_summary_and_y([1.0, 2.0]))
                    write_y_summary(writer, summary, tf.constant(step, tf.int64))
                    print(value)
                """
            ),
        ),
        Example(
            before=textwrap.dedent(
                """\
                import tensorflow as tf

                x = tf.constant([1.0, 2.0])
                print(tf.reduce_sum(x))
                """
            ),
        ),
    )

    def rewrite(self, tree: cst.Module) -> cst.Module:
        tf_alias = self.resolver.alias_for("tensorflow") or self.resolver.alias_for("tensorflow.compat.v1")
        if tf_alias is None:
            return tree
        layers = converted_layers(self.context.scratch)
        try:
            converted, notes = convert(tree, tf_alias, self._sym_for, layers)
        except CannotConvert as exc:
            # What the abandoned conversion noted did not happen: its notes are dropped.
            return self._fall_back(tree, tf_alias, exc, layers)
        except NothingToDo:
            return _before_layers(layers, tree)
        for node, message, kind in notes:
            self.report(node, message, kind=kind)
        record_graph_outcome(self.context.scratch, converted=True)
        return converted

    def _fall_back(self, tree: cst.Module, alias: str, exc: CannotConvert, layers: ConvertedLayers) -> cst.Module:
        record_graph_outcome(self.context.scratch, fallback=True)
        self.report(exc.node, f"kept on tf.compat.v1 with v2 behaviour disabled: {exc.reason}")
        return install_fallback(_before_layers(layers, tree), alias)  # G103 then homes what TF 2.21 lacks

    def _sym_for(self, module: cst.Module) -> Sym:
        """TF1 symbols of the expressions of ``module`` (the rule's tree, or a model
        class's flat module: the import resolver knows names by node)."""
        scratch = self.context.scratch

        def sym(expr: cst.BaseExpression) -> str | None:
            return tf1_symbol(resolver_for(module, scratch).qualified_name(expr))

        return sym


def _before_layers(layers: ConvertedLayers, tree: cst.Module) -> cst.Module:
    """The tree as it was before G102 (Keras 3 layers do not run in TF1 graph mode)."""
    original, layers.original = layers.original, None
    return tree if original is None else original
