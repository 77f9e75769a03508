"""A TF 2 library module logging through TensorFlow's own logger (TF 2 still has
``tensorflow.python.platform.tf_logging``; ``tf.get_logger()`` configures it)."""

import tensorflow as tf
from tensorflow.python.platform import tf_logging as logging


def clipped(values, limit):
    if limit <= 0:
        logging.warning("limit %s is not positive: values kept", limit)
        return values
    logging.vlog(1, "clipping to %s", limit)
    return tf.clip_by_value(values, -limit, limit)


def log_shapes(*tensors):
    for tensor in tensors:
        logging.info("shape %s", tensor.shape)
