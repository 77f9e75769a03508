"""Offline, deterministic stand-ins for the datasets programs download.

Runs under Python 3.7 (NumPy 1.18) and the project's Python (NumPy 2.x): keep it
valid Python 3.7.  Every array is generated from NumPy's legacy ``RandomState``
stream (stable across NumPy versions) with integer arithmetic only, so both runtimes
get bit-identical data.  Shapes and dtypes are those of the real datasets; sizes are
smaller so programs run fast:

==============  ==================  =================  ==========================
dataset         real train / test   stand-in           shapes, dtypes
==============  ==================  =================  ==========================
mnist           60000 / 10000       12000 / 2000       (n, 28, 28) uint8, (n,) uint8
fashion_mnist   60000 / 10000       12000 / 2000       as mnist
cifar10         50000 / 10000       5000 / 1000        (n, 32, 32, 3) uint8, (n, 1) uint8
imdb            25000 / 25000       2000 / 2000        object array of lists, (n,) int64
boston_housing  404 / 102           404 / 102          (n, 13) float64, (n,) float64
==============  ==================  =================  ==========================

Each image class is a noisy, randomly shifted copy of its own prototype, each IMDB
label changes which "sentiment" words appear, and Boston prices are a noisy linear
function of the features: there is something to learn, so training losses fall.

``read_data_sets`` (TF1's ``tensorflow.examples.tutorials.mnist.input_data``) uses the
MNIST stand-in: validation is the first ``validation_size`` training images, as in
TF1, and ``DataSet`` reproduces TF1's class, including ``numpy.random.seed`` in its
constructor and ``numpy.random.shuffle`` in ``next_batch``.  The graph seed it seeds
NumPy with is the program's own (``tf.set_random_seed``) or verify's fixed seed.
It prints no "Extracting ..." lines: nothing is downloaded or extracted.
"""

import collections

import numpy

SIZES = {
    "mnist": (12000, 2000),
    "fashion_mnist": (12000, 2000),
    "cifar10": (5000, 1000),
    "imdb": (2000, 2000),
}
IMDB_VOCABULARY = 5000
_SEEDS = {"mnist": 101, "fashion_mnist": 202, "cifar10": 303, "imdb": 404, "boston_housing": 505}
_cache = {}


def _images(name, height, width, channels, sparse):
    if name in _cache:
        return _cache[name]
    n_train, n_test = SIZES[name]
    n = n_train + n_test
    rng = numpy.random.RandomState(_SEEDS[name])
    low = rng.randint(0, 256, size=(10, height // 4, width // 4, channels))
    if sparse:  # MNIST-like: dark background, bright strokes
        low = numpy.where(low < 150, 0, low)
    prototypes = low.repeat(4, axis=1).repeat(4, axis=2)
    shifted = numpy.empty((10, 5, 5, height, width, channels), dtype=numpy.int16)
    for dy in range(-2, 3):
        for dx in range(-2, 3):
            shifted[:, dy + 2, dx + 2] = numpy.roll(numpy.roll(prototypes, dy, axis=1), dx, axis=2)
    labels = rng.randint(0, 10, size=n)
    shifts = rng.randint(0, 5, size=(n, 2))
    # Each image blends its class prototype with a random distractor prototype and
    # noise, so classes overlap: learnable, but not in one epoch.
    distractors = rng.randint(0, 10, size=n)
    other_shifts = rng.randint(0, 5, size=(n, 2))
    images = shifted[labels, shifts[:, 0], shifts[:, 1]] * 3
    images += shifted[distractors, other_shifts[:, 0], other_shifts[:, 1]] * 2
    images //= 5
    noise = rng.randint(-96, 97, size=images.shape).astype(numpy.int16)
    images += noise
    numpy.clip(images, 0, 255, out=images)
    images = images.astype(numpy.uint8)
    labels = labels.astype(numpy.uint8)
    if channels == 1:
        images = images.reshape(n, height, width)
    else:
        labels = labels.reshape(n, 1)
    result = (images[:n_train], labels[:n_train]), (images[n_train:], labels[n_train:])
    _cache[name] = result
    return result


def _copy(arrays):
    (a, b), (c, d) = arrays
    return (a.copy(), b.copy()), (c.copy(), d.copy())


def load_mnist(path="mnist.npz"):
    return _copy(_images("mnist", 28, 28, 1, sparse=True))


def load_fashion_mnist():
    return _copy(_images("fashion_mnist", 28, 28, 1, sparse=False))


def load_cifar10():
    return _copy(_images("cifar10", 32, 32, 3, sparse=False))


def _imdb_raw():
    if "imdb" in _cache:
        return _cache["imdb"]
    n_train, n_test = SIZES["imdb"]
    n = n_train + n_test
    rng = numpy.random.RandomState(_SEEDS["imdb"])
    labels = rng.randint(0, 2, size=n)
    lengths = rng.randint(20, 150, size=n)
    total = int(lengths.sum())
    a = rng.randint(0, IMDB_VOCABULARY, size=total)
    b = rng.randint(0, IMDB_VOCABULARY, size=total)
    words = a * b // IMDB_VOCABULARY + 1  # skewed towards frequent (small) ranks
    token_labels = numpy.repeat(labels, lengths)
    sentiment = rng.randint(0, 8, size=total) == 0
    picks = rng.randint(0, 40, size=total)
    words = numpy.where(sentiment, numpy.where(token_labels == 1, 20 + picks, 60 + picks), words)
    ends = numpy.cumsum(lengths)
    flat = words.tolist()
    reviews = []
    start = 0
    for end in ends.tolist():
        reviews.append(flat[start:end])
        start = end
    result = (reviews[:n_train], labels[:n_train].astype(numpy.int64)), (
        reviews[n_train:], labels[n_train:].astype(numpy.int64))
    _cache["imdb"] = result
    return result


def _object_array(lists):
    out = numpy.empty(len(lists), dtype=object)
    for i, item in enumerate(lists):
        out[i] = item
    return out


def load_imdb(path="imdb.npz", num_words=None, skip_top=0, maxlen=None, seed=113,
              start_char=1, oov_char=2, index_from=3, **kwargs):
    """Keras 3's ``imdb.load_data`` processing applied to the stand-in reviews."""
    kwargs.pop("nb_words", None)
    if kwargs:
        raise TypeError("Unrecognized keyword arguments: " + str(kwargs))
    (x_train, labels_train), (x_test, labels_test) = _imdb_raw()
    rng = numpy.random.RandomState(seed)
    indices = numpy.arange(len(x_train))
    rng.shuffle(indices)
    x_train = [x_train[i] for i in indices]
    labels_train = labels_train[indices]
    indices = numpy.arange(len(x_test))
    rng.shuffle(indices)
    x_test = [x_test[i] for i in indices]
    labels_test = labels_test[indices]
    if start_char is not None:
        x_train = [[start_char] + [w + index_from for w in x] for x in x_train]
        x_test = [[start_char] + [w + index_from for w in x] for x in x_test]
    elif index_from:
        x_train = [[w + index_from for w in x] for x in x_train]
        x_test = [[w + index_from for w in x] for x in x_test]
    else:
        x_train = [list(x) for x in x_train]
        x_test = [list(x) for x in x_test]
    if maxlen:
        x_train, labels_train = _remove_long_seq(maxlen, x_train, labels_train)
        x_test, labels_test = _remove_long_seq(maxlen, x_test, labels_test)
        if not x_train or not x_test:
            raise ValueError(
                "After filtering for sequences shorter than maxlen=%s, no sequence was kept. "
                "Increase maxlen." % (maxlen,))
    xs = x_train + x_test
    labels = numpy.concatenate([labels_train, labels_test])
    if not num_words:
        num_words = max(max(x) for x in xs)
    if oov_char is not None:
        xs = [[w if (skip_top <= w < num_words) else oov_char for w in x] for x in xs]
    else:
        xs = [[w for w in x if skip_top <= w < num_words] for x in xs]
    idx = len(x_train)
    return (_object_array(xs[:idx]), labels[:idx]), (_object_array(xs[idx:]), labels[idx:])


def _remove_long_seq(maxlen, seq, label):
    new_seq, new_label = [], []
    for x, y in zip(seq, label):
        if len(x) < maxlen:
            new_seq.append(x)
            new_label.append(y)
    return new_seq, numpy.array(new_label, dtype=numpy.int64)


def imdb_get_word_index(path="imdb_word_index.json"):
    return dict(("word%d" % rank, rank) for rank in range(1, IMDB_VOCABULARY + 1))


def _boston_raw():
    if "boston_housing" in _cache:
        return _cache["boston_housing"]
    rng = numpy.random.RandomState(_SEEDS["boston_housing"])
    n = 506
    highs = rng.randint(2, 100, size=13)
    columns = [rng.randint(0, int(high) * 10 + 1, size=n) / 10.0 for high in highs]
    coefficients = rng.randint(-30, 31, size=13) / 100.0
    y = numpy.zeros(n)
    for coefficient, column in zip(coefficients.tolist(), columns):
        y = y + coefficient * column
    y = y - y.min() + 5.0 + rng.randint(-20, 21, size=n) / 10.0
    y = numpy.round(numpy.clip(y, 5.0, 50.0), 1)
    x = numpy.stack(columns, axis=1)
    _cache["boston_housing"] = (x, y)
    return x, y


def load_boston_housing(path="boston_housing.npz", test_split=0.2, seed=113):
    assert 0 <= test_split < 1
    x, y = _boston_raw()
    rng = numpy.random.RandomState(seed)
    indices = numpy.arange(len(x))
    rng.shuffle(indices)
    x = x[indices]
    y = y[indices]
    cut = int(len(x) * (1 - test_split))
    return (numpy.array(x[:cut]), numpy.array(y[:cut])), (numpy.array(x[cut:]), numpy.array(y[cut:]))


_LOADERS = {
    "mnist": load_mnist,
    "fashion_mnist": load_fashion_mnist,
    "cifar10": load_cifar10,
    "imdb": load_imdb,
    "boston_housing": load_boston_housing,
}


def keras_loader(name):
    return _LOADERS[name]


# ----------------------------------------------------------------------------------
# tensorflow.examples.tutorials.mnist.input_data (TF1 only)
# ----------------------------------------------------------------------------------

Datasets = collections.namedtuple("Datasets", ["train", "validation", "test"])


def maybe_download(filename, work_directory, source_url=None):
    raise RuntimeError("migrator verify runs offline: the MNIST stand-in downloads nothing")


def dense_to_one_hot(labels_dense, num_classes):
    num_labels = labels_dense.shape[0]
    index_offset = numpy.arange(num_labels) * num_classes
    labels_one_hot = numpy.zeros((num_labels, num_classes))
    labels_one_hot.flat[index_offset + labels_dense.ravel()] = 1
    return labels_one_hot


def _dtype_name(dtype):
    base = getattr(dtype, "base_dtype", dtype)
    name = getattr(base, "name", None)
    if name is None:
        name = numpy.dtype(base).name
    return name


def _graph_seed():
    import _migrator_child_hooks as hooks

    return hooks.graph_seed()


class DataSet(object):
    """TF1's ``DataSet`` (tensorflow/contrib/learn/.../datasets/mnist.py), same behaviour."""

    def __init__(self, images, labels, fake_data=False, one_hot=False, dtype="float32",
                 reshape=True, seed=None):
        numpy.random.seed(_graph_seed() if seed is None else seed)
        dtype = _dtype_name(dtype)
        if dtype not in ("uint8", "float32"):
            raise TypeError("Invalid image dtype %r, expected uint8 or float32" % dtype)
        if fake_data:
            self._num_examples = 10000
            self.one_hot = one_hot
        else:
            assert images.shape[0] == labels.shape[0], (
                "images.shape: %s labels.shape: %s" % (images.shape, labels.shape))
            self._num_examples = images.shape[0]
            if reshape:
                assert images.shape[3] == 1
                images = images.reshape(images.shape[0], images.shape[1] * images.shape[2])
            if dtype == "float32":
                images = images.astype(numpy.float32)
                images = numpy.multiply(images, 1.0 / 255.0)
        self._images = images
        self._labels = labels
        self._epochs_completed = 0
        self._index_in_epoch = 0

    @property
    def images(self):
        return self._images

    @property
    def labels(self):
        return self._labels

    @property
    def num_examples(self):
        return self._num_examples

    @property
    def epochs_completed(self):
        return self._epochs_completed

    def next_batch(self, batch_size, fake_data=False, shuffle=True):
        if fake_data:
            fake_image = [1] * 784
            fake_label = [1] + [0] * 9 if self.one_hot else 0
            return [fake_image for _ in range(batch_size)], [fake_label for _ in range(batch_size)]
        start = self._index_in_epoch
        if self._epochs_completed == 0 and start == 0 and shuffle:
            perm0 = numpy.arange(self._num_examples)
            numpy.random.shuffle(perm0)
            self._images = self.images[perm0]
            self._labels = self.labels[perm0]
        if start + batch_size > self._num_examples:
            self._epochs_completed += 1
            rest_num_examples = self._num_examples - start
            images_rest_part = self._images[start:self._num_examples]
            labels_rest_part = self._labels[start:self._num_examples]
            if shuffle:
                perm = numpy.arange(self._num_examples)
                numpy.random.shuffle(perm)
                self._images = self.images[perm]
                self._labels = self.labels[perm]
            start = 0
            self._index_in_epoch = batch_size - rest_num_examples
            end = self._index_in_epoch
            images_new_part = self._images[start:end]
            labels_new_part = self._labels[start:end]
            return (numpy.concatenate((images_rest_part, images_new_part), axis=0),
                    numpy.concatenate((labels_rest_part, labels_new_part), axis=0))
        self._index_in_epoch += batch_size
        end = self._index_in_epoch
        return self._images[start:end], self._labels[start:end]


def read_data_sets(train_dir=None, fake_data=False, one_hot=False, dtype="float32", reshape=True,
                   validation_size=5000, seed=None, source_url=None):
    if fake_data:
        def fake():
            return DataSet([], [], fake_data=True, one_hot=one_hot, dtype=dtype, seed=seed)

        return Datasets(train=fake(), validation=fake(), test=fake())
    (train_images, train_labels), (test_images, test_labels) = load_mnist()
    train_images = train_images.reshape(train_images.shape + (1,))
    test_images = test_images.reshape(test_images.shape + (1,))
    if one_hot:
        train_labels = dense_to_one_hot(train_labels, 10)
        test_labels = dense_to_one_hot(test_labels, 10)
    if not 0 <= validation_size <= len(train_images):
        raise ValueError("Validation size should be between 0 and {}. Received: {}.".format(
            len(train_images), validation_size))
    validation_images = train_images[:validation_size]
    validation_labels = train_labels[:validation_size]
    train_images = train_images[validation_size:]
    train_labels = train_labels[validation_size:]
    options = dict(dtype=dtype, reshape=reshape, seed=seed)
    train = DataSet(train_images, train_labels, **options)
    validation = DataSet(validation_images, validation_labels, **options)
    test = DataSet(test_images, test_labels, **options)
    return Datasets(train=train, validation=validation, test=test)
