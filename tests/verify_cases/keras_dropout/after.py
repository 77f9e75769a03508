"""The same MLP with dropout in tensorflow.keras (Keras 3)."""
import tensorflow as tf

(x_train, y_train), (x_test, y_test) = tf.keras.datasets.mnist.load_data()
x_train = x_train[:3000].reshape(-1, 784).astype("float32") / 255.0
y_train = tf.keras.utils.to_categorical(y_train[:3000], 10)
x_test = x_test.reshape(-1, 784).astype("float32") / 255.0
y_test = tf.keras.utils.to_categorical(y_test, 10)

model = tf.keras.Sequential()
model.add(tf.keras.Input(shape=(784,)))
model.add(tf.keras.layers.Dense(64, activation="relu"))
model.add(tf.keras.layers.Dropout(0.3))
model.add(tf.keras.layers.Dense(10, activation="softmax"))
model.compile(loss="categorical_crossentropy", optimizer=tf.keras.optimizers.SGD(learning_rate=0.05),
              metrics=["accuracy"])
model.summary()

history = model.fit(x_train, y_train, batch_size=64, epochs=6, shuffle=False, verbose=2,
                    validation_data=(x_test, y_test))
for epoch, loss in enumerate(history.history["loss"]):
    print("epoch %d loss %.6f val_loss %.6f" % (epoch + 1, loss, history.history["val_loss"][epoch]))
score = model.evaluate(x_test, y_test, verbose=0)
print("Test loss:", score[0])
print("Test accuracy:", score[1])
