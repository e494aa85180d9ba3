"""Independent reference implementations of the hourly dispatch (docs/dispatch.md).

Written for clarity, not speed, and separately from the numba kernels in
``gpdc.kernels.dispatch``; the tests hold the kernels against these.
"""

from __future__ import annotations

from gpdc.reference.dispatch_py import dispatch_numpy, dispatch_python

__all__ = ["dispatch_numpy", "dispatch_python"]
