import keras
import numpy as np
from keras import callbacks, layers

keras.utils.set_random_seed(0)
rng = np.random.default_rng(0)
x = rng.normal(size=(256, 28, 28, 1)).astype("float32")
y = rng.integers(0, 10, size=(256,))

model = keras.Sequential(
    [
        keras.Input(shape=(28, 28, 1)),
        layers.Conv2D(8, 3, activation="relu"),
        layers.MaxPooling2D(2),
        layers.Flatten(),
        layers.Dropout(0.5),
        layers.Dense(10, activation="softmax"),
    ]
)
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
model.fit(
    x,
    y,
    batch_size=32,
    epochs=2,
    validation_split=0.1,
    callbacks=[callbacks.ModelCheckpoint("best.keras", save_best_only=True)],
)
model.save("model.keras")
restored = keras.saving.load_model("model.keras")
print(restored.predict(x[:4]).argmax(axis=-1))
