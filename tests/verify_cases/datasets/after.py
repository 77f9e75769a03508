"""The same data through tensorflow.keras.datasets, with TF1's DataSet batching by hand."""
import hashlib

import keras
import numpy as np
import tensorflow as tf

datasets = tf.keras.datasets


def digest(array):
    if array.dtype == object:
        return hashlib.md5(repr([list(row) for row in array]).encode()).hexdigest()[:12]
    return hashlib.md5(np.ascontiguousarray(array).tobytes()).hexdigest()[:12]


for name, module in (("mnist", datasets.mnist), ("fashion_mnist", datasets.fashion_mnist),
                     ("cifar10", datasets.cifar10), ("imdb", datasets.imdb),
                     ("boston_housing", datasets.boston_housing), ("mnist", keras.datasets.mnist)):
    (x_train, y_train), (x_test, y_test) = module.load_data()
    print(name, x_train.shape, x_train.dtype, y_train.shape, y_train.dtype,
          x_test.shape, y_test.shape, digest(x_train), digest(y_train), digest(x_test), digest(y_test))
(x_train, y_train), (x_test, y_test) = datasets.imdb.load_data(num_words=1000, maxlen=100, seed=5)
print("imdb filtered", len(x_train), len(x_test), digest(x_train), digest(y_train), digest(x_test))
print("word index", len(datasets.imdb.get_word_index()))

# TF1's read_data_sets(one_hot=True): validation = the first 5000 training images;
# each DataSet seeds NumPy with the graph seed; next_batch shuffles with NumPy.
(x_train, y_train), (x_test, y_test) = datasets.mnist.load_data()
one_hot = lambda labels: np.eye(10)[labels]
train_images = x_train[5000:].reshape(-1, 784).astype(np.float32) * (1.0 / 255.0)
train_labels = one_hot(y_train[5000:])
test_images = x_test.reshape(-1, 784).astype(np.float32) * (1.0 / 255.0)
print("input_data", len(train_images), 5000, len(test_images), train_images.shape, train_images.dtype,
      train_labels.dtype, digest(test_images))
np.random.seed(7)
position, epochs = 0, 0
perm = np.arange(len(train_images))
np.random.shuffle(perm)
train_images, train_labels = train_images[perm], train_labels[perm]
for _ in range(5):
    if position + 3000 > len(train_images):
        epochs += 1
        rest_images, rest_labels = train_images[position:], train_labels[position:]
        perm = np.arange(len(train_images))
        np.random.shuffle(perm)
        train_images, train_labels = train_images[perm], train_labels[perm]
        position = 3000 - len(rest_images)
        images = np.concatenate([rest_images, train_images[:position]])
        labels = np.concatenate([rest_labels, train_labels[:position]])
    else:
        images, labels = train_images[position:position + 3000], train_labels[position:position + 3000]
        position += 3000
    print("batch", images.shape, float(images.sum()), labels.argmax(axis=1)[:8], epochs)
