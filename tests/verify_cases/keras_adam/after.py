"""The same model with tensorflow.keras (Keras 3) and its Adam."""
import numpy as np
import tensorflow as tf

rng = np.random.RandomState(0)
x = rng.rand(64, 5).astype("float32")
y = (x.sum(axis=1, keepdims=True) > 2.5).astype("float32")

model = tf.keras.Sequential([
    tf.keras.Input((5,)), tf.keras.layers.Dense(8, activation="relu"), tf.keras.layers.Dense(1, activation="sigmoid"),
])
model.compile(optimizer=tf.keras.optimizers.Adam(learning_rate=0.05), loss="binary_crossentropy")
start = model.get_weights()[1].copy()  # the first layer's bias starts at zero
for step in range(12):
    loss = model.train_on_batch(x[step * 5 % 60:step * 5 % 60 + 16], y[step * 5 % 60:step * 5 % 60 + 16])
    if step == 0:
        print("first bias update", np.round(model.get_weights()[1] - start, 6))
    print("step %d loss %.6f" % (step, loss))
