"""Rules for the NumPy 1 and scikit-learn 1.0 code that TF1-era programs carry along (they run on NumPy 2
and scikit-learn 1.9)."""
