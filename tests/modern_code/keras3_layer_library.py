"""A Keras 3 library module: backend-agnostic layers on keras.ops, registered for saving."""

import keras
from keras import layers, ops


@keras.saving.register_keras_serializable(package="modern")
class RMSNorm(layers.Layer):
    def __init__(self, epsilon=1e-6, **kwargs):
        super().__init__(**kwargs)
        self.epsilon = epsilon

    def build(self, input_shape):
        self.scale = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="scale")

    def call(self, x):
        variance = ops.mean(ops.square(x), axis=-1, keepdims=True)
        return x * ops.rsqrt(variance + self.epsilon) * self.scale

    def get_config(self):
        return {**super().get_config(), "epsilon": self.epsilon}


@keras.saving.register_keras_serializable(package="modern")
class GatedDense(layers.Layer):
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.proj = layers.Dense(units * 2)

    def call(self, x, training=False):
        value, gate = ops.split(self.proj(x), 2, axis=-1)
        out = value * ops.sigmoid(gate)
        if training:
            out = out + keras.random.normal(ops.shape(out), stddev=0.01)
        return ops.where(ops.isnan(out), 0.0, out)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.units)

    def get_config(self):
        return {**super().get_config(), "units": self.units}


def build_model(features=8):
    inputs = keras.Input(shape=(features,))
    x = GatedDense(16)(inputs)
    x = RMSNorm()(x)
    outputs = layers.Dense(1, activation="sigmoid")(x)
    model = keras.Model(inputs, outputs)
    model.compile("rmsprop", "binary_crossentropy", metrics=["accuracy"])
    return model
