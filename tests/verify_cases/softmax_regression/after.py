"""The same softmax regression in TF2: eager variables, GradientTape, Keras SGD."""
import numpy as np
import tensorflow as tf

rng = np.random.RandomState(3)
centers = rng.randn(3, 4) * 2.0
labels = rng.randint(0, 3, size=300)
features = (centers[labels] + rng.randn(300, 4)).astype(np.float32)
onehot = np.eye(3, dtype=np.float32)[labels]

W = tf.Variable(tf.random.normal([4, 3], stddev=0.1))
b = tf.Variable(tf.zeros([3]))
optimizer = tf.keras.optimizers.SGD(learning_rate=0.5)


def compute_logits(x):
    return tf.matmul(x, W) + b


def compute_loss(x, y):
    return tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=compute_logits(x)))


@tf.function
def train_step(x, y):
    with tf.GradientTape() as tape:
        value = compute_loss(x, y)
    grads = tape.gradient(value, [W, b])
    optimizer.apply_gradients(zip(grads, [W, b]))
    return value


def compute_accuracy(x, y):
    logits = compute_logits(x)
    return tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, 1), tf.argmax(y, 1)), tf.float32))


for step in range(30):
    batch = slice(step * 10, step * 10 + 10)
    value = train_step(features[batch], onehot[batch]).numpy()
    print("step", step, "loss", value)
print("accuracy", compute_accuracy(features, onehot).numpy())
print("W", W.numpy())
