"""A TF1 MLP trained with Adam: placeholders, a Session, printed losses."""
import numpy as np
import tensorflow as tf

STEPS = 200
LEARNING_RATE = 0.01

rng = np.random.RandomState(0)
features = rng.rand(256, 8).astype(np.float32)
targets = (features.sum(axis=1, keepdims=True) > 4.0).astype(np.float32)

x = tf.placeholder(tf.float32, [None, 8])
y = tf.placeholder(tf.float32, [None, 1])
w1 = tf.Variable(tf.random_normal([8, 16], stddev=0.5))
b1 = tf.Variable(tf.zeros([16]))
w2 = tf.Variable(tf.random_normal([16, 1], stddev=0.5))
b2 = tf.Variable(tf.zeros([1]))
hidden = tf.nn.relu(tf.matmul(x, w1) + b1)
logits = tf.matmul(hidden, w2) + b2
loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=y, logits=logits))
train_op = tf.train.AdamOptimizer(LEARNING_RATE).minimize(loss)

with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for step in range(STEPS):
        batch = slice((step * 32) % 256, (step * 32) % 256 + 32)
        _, value = sess.run([train_op, loss], feed_dict={x: features[batch], y: targets[batch]})
        if step % 10 == 0:
            print("step %d loss %.6f" % (step, value))
    print("final loss", sess.run(loss, feed_dict={x: features, y: targets}))
