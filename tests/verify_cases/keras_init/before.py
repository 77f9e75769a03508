"""Initial weights of common Keras 2.3.1 layers (they come from verify's NumPy source)."""
from keras import initializers
from keras.layers import (GRU, LSTM, BatchNormalization, Conv2D, Dense, Embedding, Flatten, MaxPooling2D,
                          SimpleRNN)
from keras.models import Sequential

conv = Sequential([
    Conv2D(4, 3, activation="relu", input_shape=(8, 8, 1)), MaxPooling2D(), BatchNormalization(), Flatten(),
    Dense(5, kernel_initializer="he_normal"), Dense(3, kernel_initializer=initializers.RandomNormal(stddev=0.01)),
    Dense(2, kernel_initializer="lecun_uniform", bias_initializer="ones"),
    Dense(2, kernel_initializer=initializers.TruncatedNormal(stddev=0.2)),
])
for weights in conv.get_weights():
    print(weights.shape, float(abs(weights).sum()), weights.ravel()[:3])
# Keras 3's GRU defaults to reset_after=True (another bias shape); Keras 2.3.1's to False.
for name, layer in (("LSTM", LSTM(3)), ("GRU", GRU(3)), ("SimpleRNN", SimpleRNN(3))):
    model = Sequential([Embedding(50, 4, input_length=6), layer])
    for weights in model.get_weights():
        print(name, weights.shape, float(abs(weights).sum()), weights.ravel()[:3])
