import numpy as np
import tensorflow as tf


def to_mask(values):
    mask = np.asarray(values, dtype=np.bool)
    return np.logical_and(mask, np.isfinite(np.asarray(values, dtype=np.float64)))


def as_long(values):
    return np.asarray(values).astype(np.long)


def normalize(images):
    images = np.asarray(images, dtype=np.float32)
    mean = images.mean(axis=(0, 1, 2), keepdims=True)
    return (images - mean) / np.maximum(images.std(axis=(0, 1, 2), keepdims=True), np.finfo(np.float32).eps)


rng = np.random.default_rng(42)
batch = tf.convert_to_tensor(normalize(rng.random((4, 8, 8, 3))))
print(batch.shape, to_mask([1.0, 0.0, np.nan]), as_long([1.5]), np.prod(batch.shape), np.nan)
