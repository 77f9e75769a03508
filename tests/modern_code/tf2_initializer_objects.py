import json

import tensorflow as tf


class Dense(tf.Module):
    """A TF 2 module drawing its weights from TF 2's initializer objects (their defaults)."""

    def __init__(self, units, name=None):
        super().__init__(name=name)
        self.units = units
        self.kernel_init = tf.random_normal_initializer()
        self.bias_init = tf.zeros_initializer()
        self.scale_init = tf.constant_initializer(2)
        self.built = False

    def build(self, features):
        self.w = tf.Variable(self.kernel_init([features, self.units]), name="w")
        self.b = tf.Variable(self.bias_init([self.units]), name="b")
        self.s = tf.Variable(self.scale_init([self.units], dtype=tf.float32), name="s")
        self.built = True

    @tf.function
    def __call__(self, x):
        return (tf.matmul(x, self.w) + self.b) * self.s


layer = Dense(4)
layer.build(3)
jitter = tf.random_uniform_initializer(seed=7)([2])
print(layer(tf.ones([2, 3])).numpy(), jitter.numpy())
with tf.io.gfile.GFile("weights.json", "w") as f:
    json.dump(layer.w.numpy().tolist(), f)
