"""TF1 random ops and initializers, in graph mode, in creation order."""
import tensorflow as tf

normal = tf.random_normal([3])
uniform = tf.random_uniform([2])
truncated = tf.truncated_normal([2], stddev=0.1)
variable = tf.Variable(tf.random_normal([2, 2]))
glorot = tf.get_variable("glorot", [3, 2])  # default initializer: glorot_uniform
dense = tf.layers.Dense(2)
dense(tf.ones([1, 4]))
dropout = tf.nn.dropout(tf.ones([2, 6]), keep_prob=0.5)
shuffled = tf.random_shuffle(tf.range(8))
categorical = tf.multinomial(tf.log([[0.2, 0.3, 0.5]]), 6)
gamma = tf.random_gamma([3], alpha=2.0)
seeded = tf.random_normal([2], seed=7)

with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for tensor in (normal, uniform, truncated, variable, glorot, dense.kernel, dropout, shuffled,
                   categorical, gamma, seeded):
        print(sess.run(tensor))

# NumPy's and Python's global generators are seeded by verify, identically in both runtimes.
import random  # noqa: E402

import numpy as np  # noqa: E402

print(np.random.rand(3), np.random.randint(0, 100, size=4), random.random())
