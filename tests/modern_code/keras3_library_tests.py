"""Tests of a Keras 3 library, written on its own sources (``keras.src``): a model fed
row vectors, then single values, saved in the legacy HDF5 format and read back."""

import os

import numpy as np
from keras.src import layers, models, saving, testing


class ScaleTest(testing.TestCase):
    def test_fit_then_predict_scalars(self):
        model = models.Sequential([layers.Dense(1)])
        model.compile(optimizer="sgd", loss="mse")
        model.fit(np.random.random((8, 1)), np.random.random((8, 1)), epochs=1)
        scalars = np.arange(4)
        self.assertEqual(model.predict(scalars).shape, (4, 1))

    def test_legacy_h5_round_trip(self):
        model = models.Sequential([layers.Input((3,)), layers.Dense(2)])
        path = os.path.join(self.get_temp_dir(), "model.h5")
        model.save(path)
        restored = saving.load_model(path)
        weights = os.path.join(self.get_temp_dir(), "weights.h5")
        restored.save_weights(weights)
        x = np.ones((2, 3))
        self.assertAllClose(model.predict(x), restored.predict(x))
