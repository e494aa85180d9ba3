"""Numba kernels: arrays and integer codes in, totals out.  Imports numpy and numba only."""
