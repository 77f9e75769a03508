"""Standalone Keras 2.3.1 with Adam: per-batch losses and the first update of a weight.

On TF 1.15, Keras 2.3.1's Adam reads its step counter unordered with its increment;
verify orders the read first, so the first step moves each weight by exactly lr.
"""
import numpy as np
from keras.layers import Dense
from keras.models import Sequential
from keras.optimizers import Adam

rng = np.random.RandomState(0)
x = rng.rand(64, 5).astype("float32")
y = (x.sum(axis=1, keepdims=True) > 2.5).astype("float32")

model = Sequential([Dense(8, activation="relu", input_shape=(5,)), Dense(1, activation="sigmoid")])
model.compile(optimizer=Adam(lr=0.05), loss="binary_crossentropy")
start = model.get_weights()[1].copy()  # the first layer's bias starts at zero
for step in range(12):
    loss = model.train_on_batch(x[step * 5 % 60:step * 5 % 60 + 16], y[step * 5 % 60:step * 5 % 60 + 16])
    if step == 0:
        print("first bias update", np.round(model.get_weights()[1] - start, 6))
    print("step %d loss %.6f" % (step, loss))
