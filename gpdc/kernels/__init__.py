"""Numba kernels: arrays and integer codes in, totals out.  Imports numpy and numba only."""

from gpdc.kernels import target  # noqa: F401 - before any kernel compiles: the vector width (GPDC_AVX512)
from gpdc.kernels.blas_check import install as _install_blas_check
from gpdc.kernels.cache_locator import install as _install_cache_locator
from gpdc.kernels.inline_copy import install as _install_inline_copy

# before any kernel is decorated: the on-disk cache keyed on every kernel source file
_install_cache_locator()
# before any kernel compiles: numba's inliner copies each inlined function's scope once, not per block
_install_inline_copy()
# before numba's CPU target loads: its BLAS check finds scipy's cython_blas without importing scipy.linalg
_install_blas_check()
