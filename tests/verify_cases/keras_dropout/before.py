"""A standalone-Keras (2.3.1) MLP with dropout: verify gives Keras 3 the same masks."""
from keras.datasets import mnist
from keras.layers import Dense, Dropout
from keras.models import Sequential
from keras.optimizers import SGD
from keras.utils import to_categorical

(x_train, y_train), (x_test, y_test) = mnist.load_data()
x_train = x_train[:3000].reshape(-1, 784).astype("float32") / 255.0
y_train = to_categorical(y_train[:3000], 10)
x_test = x_test.reshape(-1, 784).astype("float32") / 255.0
y_test = to_categorical(y_test, 10)

model = Sequential()
model.add(Dense(64, activation="relu", input_shape=(784,)))
model.add(Dropout(0.3))
model.add(Dense(10, activation="softmax"))
model.compile(loss="categorical_crossentropy", optimizer=SGD(lr=0.05), metrics=["accuracy"])
model.summary()

history = model.fit(x_train, y_train, batch_size=64, epochs=6, shuffle=False, verbose=2,
                    validation_data=(x_test, y_test))
for epoch, loss in enumerate(history.history["loss"]):
    print("epoch %d loss %.6f val_loss %.6f" % (epoch + 1, loss, history.history["val_loss"][epoch]))
score = model.evaluate(x_test, y_test, verbose=0)
print("Test loss:", score[0])
print("Test accuracy:", score[1])
