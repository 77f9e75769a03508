"""The same MLP in native TF2: eager variables, GradientTape, Keras Adam."""
import numpy as np
import tensorflow as tf

STEPS = 200
LEARNING_RATE = 0.02

rng = np.random.RandomState(0)
features = rng.rand(256, 8).astype(np.float32)
targets = (features.sum(axis=1, keepdims=True) > 4.0).astype(np.float32)

w1 = tf.Variable(tf.random.normal([8, 16], stddev=0.5))
b1 = tf.Variable(tf.zeros([16]))
w2 = tf.Variable(tf.random.normal([16, 1], stddev=0.5))
b2 = tf.Variable(tf.zeros([1]))
optimizer = tf.keras.optimizers.Adam(learning_rate=LEARNING_RATE, epsilon=1e-8)


def compute_loss(x, y):
    hidden = tf.nn.relu(tf.matmul(x, w1) + b1)
    logits = tf.matmul(hidden, w2) + b2
    return tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=y, logits=logits))


@tf.function
def train_step(x, y):
    with tf.GradientTape() as tape:
        value = compute_loss(x, y)
    variables = [w1, b1, w2, b2]
    optimizer.apply_gradients(zip(tape.gradient(value, variables), variables))
    return value


for step in range(STEPS):
    batch = slice((step * 32) % 256, (step * 32) % 256 + 32)
    value = train_step(features[batch], targets[batch]).numpy()
    if step % 10 == 0:
        print("step %d loss %.6f" % (step, value))
print("final loss", compute_loss(features, targets).numpy())
