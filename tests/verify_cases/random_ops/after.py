"""The same random draws in TF2 eager mode, in the same order."""
import tensorflow as tf

print(tf.random.normal([3]).numpy())
print(tf.random.uniform([2]).numpy())
print(tf.random.truncated_normal([2], stddev=0.1).numpy())
variable = tf.Variable(tf.random.normal([2, 2]))
print(variable.numpy())
glorot = tf.Variable(tf.keras.initializers.GlorotUniform()(shape=[3, 2]), name="glorot")
print(glorot.numpy())
dense = tf.keras.layers.Dense(2)
dense.build((None, 4))
print(dense.kernel.numpy())
print(tf.nn.dropout(tf.ones([2, 6]), rate=0.5).numpy())
print(tf.random.shuffle(tf.range(8)).numpy())
print(tf.random.categorical(tf.math.log([[0.2, 0.3, 0.5]]), 6).numpy())
print(tf.random.gamma([3], alpha=2.0).numpy())
print(tf.random.normal([2], seed=7).numpy())

# NumPy's and Python's global generators are seeded by verify, identically in both runtimes.
import random  # noqa: E402

import numpy as np  # noqa: E402

print(np.random.rand(3), np.random.randint(0, 100, size=4), random.random())
