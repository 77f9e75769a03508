"""migrator: TensorFlow 1.x and standalone Keras code -> native TensorFlow 2."""

__version__ = "0.1.0"
