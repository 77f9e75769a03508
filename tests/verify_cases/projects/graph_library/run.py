import numpy as np

from tf_util import transform

if __name__ == "__main__":
    values = np.arange(4, dtype=np.float32)
    print("transformed", transform(values))
    print("sum %.4f" % transform(values).sum())
