"""Produces keras3_verbose.txt (Keras 3 display output) for the comparison tests."""
import tensorflow as tf
(x, y), (xt, yt) = tf.keras.datasets.mnist.load_data()
x = x[:2000].reshape(-1, 784).astype("float32") / 255.0
y = y[:2000]
model = tf.keras.Sequential()
model.add(tf.keras.Input(shape=(784,)))
model.add(tf.keras.layers.Dense(64, activation="relu"))
model.add(tf.keras.layers.Dense(10, activation="softmax"))
model.compile(optimizer=tf.keras.optimizers.SGD(learning_rate=0.1), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
print(model.get_weights()[0][0, :5])
h = model.fit(x, y, epochs=2, batch_size=100, shuffle=False, verbose=1, validation_split=0.1)
for i, l in enumerate(h.history["loss"]):
    print("epoch", i, "loss", l, "acc", h.history["accuracy"][i])
print(model.evaluate(xt.reshape(-1, 784).astype("float32") / 255.0, yt, verbose=0))
model.summary()
print(model.predict(xt[:3].reshape(-1,784)/255.0).sum(axis=1))
model.fit(x, y, epochs=1, batch_size=100, verbose=2)
model.evaluate(x, y)
