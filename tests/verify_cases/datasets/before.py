"""Every dataset stand-in in the legacy runtime: shapes, dtypes and content hashes."""
import hashlib

import numpy as np
import tensorflow as tf
from keras.datasets import boston_housing, cifar10, fashion_mnist, imdb, mnist
import tensorflow.examples.tutorials.mnist.input_data as input_data_by_path
from tensorflow.examples.tutorials.mnist import input_data


def digest(array):
    if array.dtype == object:
        return hashlib.md5(repr([list(row) for row in array]).encode()).hexdigest()[:12]
    return hashlib.md5(np.ascontiguousarray(array).tobytes()).hexdigest()[:12]


for module in (mnist, fashion_mnist, cifar10, imdb, boston_housing, tf.keras.datasets.mnist):
    (x_train, y_train), (x_test, y_test) = module.load_data()
    print(module.__name__.split(".")[-1], x_train.shape, x_train.dtype, y_train.shape, y_train.dtype,
          x_test.shape, y_test.shape, digest(x_train), digest(y_train), digest(x_test), digest(y_test))
(x_train, y_train), (x_test, y_test) = imdb.load_data(num_words=1000, maxlen=100, seed=5)
print("imdb filtered", len(x_train), len(x_test), digest(x_train), digest(y_train), digest(x_test))
print("word index", len(imdb.get_word_index()))

tf.set_random_seed(7)
assert input_data_by_path is input_data  # both import forms reach the stand-in
data = input_data.read_data_sets("MNIST_data", one_hot=True)
print("input_data", data.train.num_examples, data.validation.num_examples, data.test.num_examples,
      data.train.images.shape, data.train.images.dtype, data.train.labels.dtype, digest(data.test.images))
for _ in range(5):
    images, labels = data.train.next_batch(3000)
    print("batch", images.shape, float(images.sum()), labels.argmax(axis=1)[:8], data.train.epochs_completed)
