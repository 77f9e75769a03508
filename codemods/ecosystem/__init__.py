"""Rules for the libraries TF1-era programs carry along beside TensorFlow: NumPy 1 and
scikit-learn 1.0 code, which the modern environment runs on NumPy 2 and scikit-learn 1.9."""
