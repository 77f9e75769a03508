import argparse

import numpy as np

from model import LinearModel

parser = argparse.ArgumentParser()
parser.add_argument("--num_epochs", type=int, default=20)
parser.add_argument("--learning_rate", type=float, default=0.1)
args = parser.parse_args()

data = np.loadtxt("data/points.csv", delimiter=",", dtype=np.float32)
features, targets = data[:, :2], data[:, 2:]

model = LinearModel(n_features=2, learning_rate=args.learning_rate)
for epoch in range(args.num_epochs):
    for start in range(0, len(features), 4):
        loss = model.train_step(features[start:start + 4], targets[start:start + 4])
    print("epoch %d loss %.6f" % (epoch + 1, loss))
print("w", model.w.numpy().ravel(), "b", model.b.numpy())
