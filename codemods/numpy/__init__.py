"""Rules for the NumPy 1 code that TF1-era programs carry along (they run on NumPy 2)."""
