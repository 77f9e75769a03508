'''Trains a simple deep NN on MNIST-shaped data (after keras/examples/mnist_mlp.py).'''
from __future__ import print_function

import numpy as np
import keras
from keras.models import Sequential
from keras.layers import Dense, Activation
from keras.optimizers import SGD

batch_size = 32
num_classes = 4
epochs = 3

rng = np.random.RandomState(1337)
x_train = rng.rand(256, 20).astype('float32')
y_train = (x_train[:, :4].argmax(axis=1)).astype('int64')
x_test = rng.rand(64, 20).astype('float32')
y_test = (x_test[:, :4].argmax(axis=1)).astype('int64')
print(x_train.shape[0], 'train samples')

# convert class vectors to binary class matrices
y_train = keras.utils.to_categorical(y_train, num_classes)
y_test = keras.utils.to_categorical(y_test, num_classes)

model = Sequential()
model.add(Dense(32, input_shape=(20,)))
model.add(Activation('relu'))
model.add(Dense(num_classes, activation='softmax'))

model.compile(loss='categorical_crossentropy',
              optimizer=SGD(0.1),
              metrics=['accuracy'])

history = model.fit(x_train, y_train,
                    batch_size=batch_size,
                    epochs=epochs,
                    verbose=0,
                    shuffle=False,
                    validation_data=(x_test, y_test))
for epoch, loss in enumerate(history.history['loss']):
    print('epoch', epoch, 'loss %.5f' % loss)
score = model.evaluate(x_test, y_test, verbose=0)
print('Test loss:', round(float(score[0]), 5))
print('Test accuracy:', round(float(score[1]), 4))
