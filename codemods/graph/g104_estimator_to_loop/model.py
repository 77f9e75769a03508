"""G104's typed values: what the analysis decided, for the rewrite to apply.

``Plan`` holds every edit as an action keyed by the id of the node of the original tree
it applies to; ``Declined`` is the one way the analysis refuses (the module is then left
as it was and the report names the construct).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst


class Declined(Exception):
    """The program is left as it was: ``node`` is what the rule cannot convert, and why."""

    def __init__(self, node: cst.CSTNode, reason: str) -> None:
        super().__init__(reason)
        self.node = node
        self.reason = reason


@dataclass(frozen=True)
class Layer:
    """``tf.layers.X(inputs, ...)`` -> ``estimator.layer(lambda: <constructor>)(inputs[, training=...])``."""

    constructor: str
    inputs: str  # the TF1 parameter holding the inputs
    params: tuple[str, ...]  # the TF1 parameters, to find the inputs among the rewritten arguments
    training: str | None = None  # code of the call's `training=`


@dataclass(frozen=True)
class Dropout:
    """``tf.layers.dropout(x, rate, training=t)`` -> the op TF 1 ran when ``t`` (a Python bool)."""

    params: tuple[str, ...]
    extra: tuple[str, ...]  # noise_shape, seed: those given
    training: str | None  # None: TF 1's default (no dropout); "True"; "flag": the call's own expression


@dataclass(frozen=True)
class Metric:
    """``tf.metrics.X(labels, predictions, ...)`` -> ``estimator.metric(lambda: <constructor>, <update args>)``."""

    constructor: str
    params: tuple[str, ...]
    updates: tuple[tuple[str, str | None], ...]  # (TF1 parameter, Keras keyword or None: positional)


@dataclass(frozen=True)
class Optimizer:
    """``tf.train.XOptimizer(...)`` -> ``estimator.optimizer(lambda: <constructor>)``."""

    constructor: str


@dataclass(frozen=True)
class Minimize:
    """``optimizer.minimize(loss, global_step=...)`` -> ``estimator.minimize(optimizer, loss)``."""

    params: tuple[str, ...]  # minimize's parameters, to find the loss among the rewritten arguments


@dataclass(frozen=True)
class Replace:
    """An expression replaced by code (``tf.estimator.ModeKeys.TRAIN`` -> ``ModeKeys.TRAIN``)."""

    code: str


@dataclass(frozen=True)
class PassEstimator:
    """A call of a helper function that makes layers: it is given the estimator too."""


@dataclass(frozen=True)
class WrapLayer:
    """A Keras layer constructed in the model_fn: made once, by ``estimator.layer(lambda: ...)``."""


@dataclass(frozen=True)
class AddParams:
    """An ``Estimator(...)`` whose model_fn takes ``params`` without being given any: TF 1 passed ``{}``."""


@dataclass(frozen=True)
class Scope:
    """``with tf.variable_scope(name, reuse=r):`` -> ``with estimator.variable_scope(name, reuse=r):``."""


@dataclass(frozen=True)
class DropHooks:
    """A train/evaluate/predict call whose ``hooks=`` (LoggingTensorHooks only) is dropped."""


Action = DropHooks | Scope | Layer | Dropout | Metric | Optimizer | Minimize | Replace | PassEstimator | WrapLayer | AddParams


@dataclass
class Plan:
    """Every edit of one module."""

    tf: str
    actions: dict[int, Action] = field(default_factory=dict)  # id(original node) -> edit
    takes_estimator: set[int] = field(default_factory=set)  # ids of the FunctionDefs given `estimator`
    returns_dataset: dict[int, cst.BaseExpression] = field(default_factory=dict)  # id(Return) -> its dataset
    dropped: set[int] = field(default_factory=set)  # ids of statements removed (iterators, imports)
    numpy_input_fn: bool = False
    variable_scopes: bool = False  # a model_fn enters tf.variable_scope
    notes: list[tuple[cst.CSTNode, str]] = field(default_factory=list)  # "converted" findings
