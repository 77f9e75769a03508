"""A linear regression model, built in the graph by one module and trained by another."""
import tensorflow as tf


class LinearModel(tf.Module):
    def __init__(self, n_features, learning_rate):
        super().__init__()
        self.w = tf.Variable(tf.keras.initializers.GlorotUniform()([n_features, 1]), name="w")
        self.b = tf.Variable(tf.zeros([1]), name="b")
        self.optimizer = tf.keras.optimizers.SGD(learning_rate)

    def loss(self, x, y):
        prediction = tf.matmul(x, self.w) + self.b
        return tf.reduce_mean(tf.square(prediction - y))

    @tf.function
    def train_step(self, x, y):
        with tf.GradientTape() as tape:
            loss = self.loss(x, y)
        gradients = tape.gradient(loss, [self.w, self.b])
        self.optimizer.apply_gradients(zip(gradients, [self.w, self.b]))
        return loss
