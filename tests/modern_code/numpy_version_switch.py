"""A module that runs on NumPy 1 and 2 alike: it picks the dtype names by NumPy's version."""

import numpy as np
import tensorflow as tf

if int(np.__version__.split(".")[0]) < 2:
    float_ = np.float_
    complex_ = np.complex_
else:
    float_ = np.float64
    complex_ = np.complex128

DTYPES = {"float": float_, "complex": complex_, "bool": np.bool}


def as_tensor(values, kind="float"):
    return tf.convert_to_tensor(np.asarray(values, dtype=DTYPES[kind]))
