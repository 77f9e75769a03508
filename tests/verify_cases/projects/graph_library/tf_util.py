"""A helper module holding its own graph and Session, as baselines' tf_util does."""
import tensorflow as tf

x = tf.placeholder(tf.float32, [None], name="x")
scale = tf.Variable(1.5, name="scale")
scaled = x * scale + 1.0
sess = tf.Session()
sess.run(tf.global_variables_initializer())


def make_feed(values):
    return {x: values}


def transform(values):
    return sess.run(scaled, feed_dict=make_feed(values))
