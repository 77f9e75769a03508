import numpy as np
import tensorflow as tf

BATCH = 32


def make_dataset(features, labels):
    ds = tf.data.Dataset.from_tensor_slices((features, labels))
    return ds.shuffle(1024).batch(BATCH).prefetch(tf.data.AUTOTUNE)


class ConvNet(tf.Module):
    def __init__(self):
        super().__init__()
        self.kernel = tf.Variable(tf.random.normal([3, 3, 1, 8], stddev=0.1))
        self.dense = tf.Variable(tf.random.normal([8 * 7 * 7, 10], stddev=0.1))

    @tf.function
    def __call__(self, images):
        h = tf.nn.convolution(images, self.kernel, 2, "SAME")
        h = tf.nn.relu(h)
        h = tf.nn.max_pool(h, 2, 2, "VALID")
        h = tf.reshape(h, [tf.shape(h)[0], -1])
        return tf.matmul(h, self.dense)


model = ConvNet()
optimizer = tf.keras.optimizers.Adam(learning_rate=1e-3)


@tf.function
def train_step(images, labels):
    with tf.GradientTape() as tape:
        logits = model(images)
        onehot = tf.one_hot(labels, 10)
        loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=onehot, logits=logits))
    grads = tape.gradient(loss, model.trainable_variables)
    grads = [tf.where(tf.math.is_finite(g), g, 0.0) for g in grads]
    optimizer.apply_gradients(zip(grads, model.trainable_variables))
    return loss


images = np.random.default_rng(0).normal(size=(128, 28, 28, 1)).astype(np.float32)
labels = np.arange(128) % 10
dataset = make_dataset(images, labels)
iterator = iter(dataset)
assert isinstance(iterator, tf.data.Iterator)
for step, (x, y) in enumerate(dataset):
    print(step, float(train_step(x, y)))

tf.saved_model.save(model, "/tmp/convnet")
reloaded = tf.saved_model.load("/tmp/convnet")
