import tensorflow as tf
from tensorflow import keras


class Residual(keras.layers.Layer):
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.inner = keras.layers.Dense(units, activation="gelu")

    def call(self, x):
        return x + self.inner(x)


inputs = keras.Input(shape=(16,))
x = Residual(16)(inputs)
x = keras.layers.LayerNormalization()(x)
outputs = keras.layers.Dense(4)(x)
model = keras.Model(inputs, outputs)
model.compile(optimizer=keras.optimizers.AdamW(learning_rate=1e-3), loss=keras.losses.MeanSquaredError())
dataset = tf.data.Dataset.from_tensor_slices((tf.random.normal([64, 16]), tf.random.normal([64, 4]))).batch(8)
model.fit(dataset, epochs=1, verbose=0)
model.save_weights("residual.weights.h5")
