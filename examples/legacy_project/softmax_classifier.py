"""A softmax classifier trained with Adam in mini-batches, evaluated by a helper."""
import numpy as np
import tensorflow as tf

n_features, n_classes, batch_size = 4, 3, 16

rng = np.random.RandomState(42)
centers = rng.randn(n_classes, n_features) * 2.0
labels = rng.randint(0, n_classes, 240)
data = centers[labels] + rng.randn(240, n_features)
onehot = np.eye(n_classes)[labels]
train_x, test_x = data[:200], data[200:]
train_y, test_y = onehot[:200], onehot[200:]

x = tf.placeholder(tf.float32, [None, n_features], name="x")
y_ = tf.placeholder(tf.float32, [None, n_classes], name="labels")

W = tf.Variable(tf.zeros([n_features, n_classes]))
b = tf.Variable(tf.zeros([n_classes]))
logits = tf.matmul(x, W) + b

cross_entropy = tf.reduce_mean(
    tf.nn.softmax_cross_entropy_with_logits_v2(labels=y_, logits=logits))
train_step = tf.train.AdamOptimizer(0.05).minimize(cross_entropy)

correct_prediction = tf.equal(tf.argmax(logits, 1), tf.argmax(y_, 1))
accuracy = tf.reduce_mean(tf.cast(correct_prediction, tf.float32))


def evaluate(sess, inputs, targets):
    """Accuracy over a data set, as a Python float."""
    return float(sess.run(accuracy, feed_dict={x: inputs, y_: targets}))


with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for epoch in range(5):
        for start in range(0, len(train_x), batch_size):
            batch = slice(start, start + batch_size)
            _, loss = sess.run([train_step, cross_entropy],
                               feed_dict={x: train_x[batch], y_: train_y[batch]})
        print("epoch %d loss %.5f train accuracy %.4f" % (epoch, loss, evaluate(sess, train_x, train_y)))
    print("test accuracy", evaluate(sess, test_x, test_y))
