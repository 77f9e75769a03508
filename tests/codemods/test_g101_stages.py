"""G101's stages on their own: scope, analysis, sites and the plan, without code generation.

The rule's behaviour is tested through its output in the other test_g101_* modules;
these pin the typed values the stages hand to each other.
"""

from __future__ import annotations

import textwrap

import libcst as cst
import pytest

from codemods.analysis.graph import tf1_symbol
from codemods.analysis.names import ImportResolver
from codemods.graph.g101_session_to_function.analysis import analyse
from codemods.graph.g101_session_to_function.model import CannotConvert, Graph, Plan, Sites
from codemods.graph.g101_session_to_function.pipeline import features
from codemods.graph.g101_session_to_function.plan import plan
from codemods.graph.g101_session_to_function.scope import find_scope
from codemods.graph.g101_session_to_function.sites import find_sites
from codemods.graph.g102_layers_to_keras.record import ConvertedLayers

SCRIPT = """\
import numpy as np
import tensorflow as tf

x = tf.placeholder(tf.float32, [None, 2])
y = tf.placeholder(tf.float32, [None, 1])
W = tf.Variable(tf.zeros([2, 1]))
pred = tf.matmul(x, W)
cost = tf.reduce_mean(tf.square(pred - y))
train_op = tf.train.GradientDescentOptimizer(0.1).minimize(cost)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for _ in range(3):
        _, c = sess.run([train_op, cost], feed_dict={x: np.ones([4, 2]), y: np.ones([4, 1])})
    print(sess.run(pred, feed_dict={x: np.ones([1, 2])}))
"""


def stages(source: str) -> tuple[Graph, Sites, Plan]:
    module = cst.parse_module(textwrap.dedent(source))
    resolver = ImportResolver(module)
    graph = find_scope(module, "tf", lambda expr: tf1_symbol(resolver.qualified_name(expr)))
    active = features(ConvertedLayers())
    analyse(graph, active)
    sites = find_sites(graph, active)
    return graph, sites, plan(graph, sites, active)


def test_analysis_reads_the_graph_into_the_model() -> None:
    graph, _, _ = stages(SCRIPT)
    assert graph.sessions == {"sess"}
    assert list(graph.placeholders) == ["x", "y"]
    assert [(v.name, v.kind) for v in graph.variables] == [("W", "var")]
    assert [(u.defines, u.kind) for u in graph.units] == [(["pred"], "tensor"), (["cost"], "tensor"), (["train_op"], "train")]
    train = graph.units[-1]
    assert train.optimizer == "optimizer" and train.optimizer in graph.inline_optimizers.values()
    assert graph.trainable_list(len(graph.body)) == "[W]"


def test_sites_are_the_runs_in_program_order() -> None:
    _, sites, _ = stages(SCRIPT)
    assert [(s.init, sorted(s.feed)) for s in sites.sites] == [(True, []), (False, ["x", "y"]), (False, ["x"])]
    # The session block opened, then the runs; the training run inside the loop.
    assert [e.kind for e in sites.events] == ["session", "run", "run", "run"]
    assert [bool(e.loops) for e in sites.events] == [False, False, True, False]


def test_plan_gives_each_run_its_function() -> None:
    graph, sites, planned = stages(SCRIPT)
    train_run, predict_run = sites.sites[1], sites.sites[2]
    train = planned[id(train_run.call)]
    assert train.function.name == "train_step" and train.shape == "list"
    assert [p.name for p in train.function.params] == ["x", "y"]
    assert train.function.values == ["cost"] and [u.defines[0] for u in train.function.trains] == ["train_op"]
    assert [u.defines[0] for u in train.function.units] == ["pred", "cost", "train_op"]
    predict = planned[id(predict_run.call)]
    assert predict.function.name == "compute_pred" and predict.shape == "single"
    assert [p.name for p in predict.function.params] == ["x"] and predict.function.values == ["pred"]
    # Both are defined where the graph is complete, before the session's first statement.
    assert train.function.position == predict.function.position == 7
    assert id(sites.sites[0].call) not in planned  # the initializer run needs no function


def test_a_placeholder_the_run_does_not_feed_is_refused_at_planning() -> None:
    with pytest.raises(CannotConvert, match="placeholder `y` is needed but not fed"):
        stages(SCRIPT.replace("feed_dict={x: np.ones([4, 2]), y: np.ones([4, 1])}", "feed_dict={x: np.ones([4, 2])}"))
