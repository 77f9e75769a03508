"""TF1 streaming metrics (``tf.metrics.*``) and the Keras metrics that accumulate the same value.

TF1's ``tf.metrics.accuracy(labels, predictions)`` returned ``(value, update_op)`` over
two local variables (a float32 total and count): ``update_op`` added the batch and gave
the running value after it, ``value`` read it, ``tf.local_variables_initializer()`` set
it back to zero. A Keras metric object holds the same total and count:
``update_state(...)`` then ``result()``, and ``reset_state()``. Checked on TF 1.15 and
TF 2.21 (Keras 3): the same float32 values batch after batch.

Each entry: (Keras class, TF1 parameters in positional order, (TF1 parameter,
update_state keyword or None for positional)).
"""

from __future__ import annotations

METRICS = {
    "metrics.accuracy": (
        "Accuracy", ("labels", "predictions", "weights", "metrics_collections", "updates_collections", "name"),
        (("labels", None), ("predictions", None), ("weights", "sample_weight")),
    ),
    "metrics.mean": (
        "Mean", ("values", "weights", "metrics_collections", "updates_collections", "name"),
        (("values", None), ("weights", "sample_weight")),
    ),
    # Keras' RootMeanSquaredError is a Mean of the squared errors (labels squeezed to the
    # predictions' rank, as TF 1 did), not a mean of per-sample means like MeanSquaredError:
    # TF 1's value. (Weights are broadcast differently: declined.)
    "metrics.root_mean_squared_error": (
        "RootMeanSquaredError", ("labels", "predictions", "weights", "metrics_collections", "updates_collections", "name"),
        (("labels", None), ("predictions", None)),
    ),
}
