"""A linear regression model, built in the graph by one module and trained by another."""
import tensorflow as tf


class LinearModel(object):
    def __init__(self, n_features, learning_rate):
        self.x = tf.placeholder(tf.float32, [None, n_features], name="x")
        self.y = tf.placeholder(tf.float32, [None, 1], name="y")
        self.w = tf.get_variable("w", [n_features, 1])
        self.b = tf.get_variable("b", [1], initializer=tf.zeros_initializer())
        prediction = tf.matmul(self.x, self.w) + self.b
        self.loss = tf.reduce_mean(tf.square(prediction - self.y))
        self.train_op = tf.train.GradientDescentOptimizer(learning_rate).minimize(self.loss)
