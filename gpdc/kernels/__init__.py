"""Numba kernels: arrays and integer codes in, totals out.  Imports numpy and numba only."""

from gpdc.kernels import target  # noqa: F401 - before any kernel compiles: the vector width (GPDC_AVX512)
