"""A Keras 3 script that keeps writing HDF5 files (Keras 3 still writes a whole model
there) and feeds its model 1-D arrays, which Keras 3 takes as a column."""

import keras
import numpy as np

model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(4, activation="relu"), keras.layers.Dense(1)])
model.compile(optimizer="adam", loss="mse")
x = np.linspace(-1.0, 1.0, 64)
model.fit(x.reshape(-1, 1), x**2, epochs=2, verbose=0)
print(model.predict(np.linspace(-1.0, 1.0, 5), verbose=0))
model.save("regressor.h5")
restored = keras.saving.load_model("regressor.h5")
print(restored.evaluate(x, x**2, verbose=0))
