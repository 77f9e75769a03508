"""TF1 softmax regression: placeholders, GradientDescentOptimizer, Session.run."""
import numpy as np
import tensorflow as tf

rng = np.random.RandomState(3)
centers = rng.randn(3, 4) * 2.0
labels = rng.randint(0, 3, size=300)
features = (centers[labels] + rng.randn(300, 4)).astype(np.float32)
onehot = np.eye(3, dtype=np.float32)[labels]

x = tf.placeholder(tf.float32, [None, 4])
y = tf.placeholder(tf.float32, [None, 3])
W = tf.Variable(tf.random_normal([4, 3], stddev=0.1))
b = tf.Variable(tf.zeros([3]))
logits = tf.matmul(x, W) + b
loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(labels=y, logits=logits))
train = tf.train.GradientDescentOptimizer(0.5).minimize(loss)
accuracy = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, 1), tf.argmax(y, 1)), tf.float32))

sess = tf.Session()
sess.run(tf.global_variables_initializer())
for step in range(30):
    batch = slice(step * 10, step * 10 + 10)
    _, value = sess.run([train, loss], feed_dict={x: features[batch], y: onehot[batch]})
    print("step", step, "loss", value)
print("accuracy", sess.run(accuracy, feed_dict={x: features, y: onehot}))
print("W", sess.run(W))
