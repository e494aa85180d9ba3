"""numba's inliner copies one scope per block: a fix that makes the kernels' cold compile 3x faster, same code.

gpdc's batch drivers inline the step and its helpers into one parallel loop (``inline="always"``,
:mod:`gpdc.kernels.cpu`).  numba's inliner (``InlineWorker.inline_ir`` in
``numba/core/inline_closurecall.py``) copies the callee's IR before it inlines it, one
``copy.deepcopy`` per block, each with its own memo.  Every block refers to the function's one
``Scope``, which holds every variable of the function, so every block's copy copies the whole
scope again: work that grows with blocks x variables.  With the step inlined into a block loop,
that copying was three quarters of a driver's compile (a profile of the green-only driver: 140 s
of 188 in ``copy_ir``, 29 million ``deepcopy`` calls; upstream: numba issue #8989, open, and the
partial fix #9245 for the ``Loc`` objects).

:func:`install` gives the copy of all blocks of one function one memo, so the scope and every
object the blocks share are copied once, as shared as in the original.  The inliner renames the
variables through the first block's scope and then points every inlined block at the caller's
scope; the other blocks' private copies of the scope did nothing a shared one does not, and the
compiled code is the same instruction for instruction (LLVM IR and assembly of a fresh compile
of the green-only driver with and without it: identical but for the process-specific address in
the name of numba's parallel-loop function; ``tests/test_inline_copy.py`` checks it on a small
parallel kernel with nested inlined helpers).  Measured on an Intel Xeon, 2026-12-03: a cold
compile of the green-only driver 48-61 s -> 18 s of CPU, of every kernel 350 -> 158 s; a first ``gpdc
run`` of the Inner Mongolia scenario 75.7 -> 22.9 s, its results identical.

The fix edits numba's own source of ``inline_ir`` (two lines: one shared memo) and compiles it in
the namespace of numba's module; it is applied only where that source contains the exact lines it
was written against (numba 0.68); elsewhere numba is left alone (:data:`STATE` says why).
``GPDC_NUMBA_INLINE_COPY=0`` in the environment leaves numba alone too.  It affects every
function numba inlines in the process, gpdc's or not, in the same way.
"""

from __future__ import annotations

import inspect
import os
import textwrap
from typing import Any

__all__ = ["ENV", "STATE", "install"]

#: the environment variable that leaves numba's inliner as it is ("0")
ENV = "GPDC_NUMBA_INLINE_COPY"

#: what :func:`install` did: "installed", or why not
STATE = "not installed yet"

# numba's lines (in the dedented source of InlineWorker.inline_ir) and their replacement
_PER_BLOCK = """\
        for block_label, block in the_ir.blocks.items():
            new_block = copy.deepcopy(the_ir.blocks[block_label])
            kernel_copy.blocks[block_label] = new_block
"""
_ONE_MEMO = """\
        memo = {}  # gpdc.kernels.inline_copy: one memo for all blocks, the scope copied once
        for block_label, block in the_ir.blocks.items():
            new_block = copy.deepcopy(the_ir.blocks[block_label], memo)
            kernel_copy.blocks[block_label] = new_block
"""


def install() -> str:
    """Give numba's inliner one copy memo per function (see the module's text); return :data:`STATE`.

    Idempotent.  Leaves numba alone where :data:`ENV` is ``"0"`` or numba's source differs from
    the one the fix was written against.
    """
    global STATE
    if STATE == "installed":
        return STATE
    if os.environ.get(ENV, "1") == "0":
        STATE = f"off ({ENV}=0)"
        return STATE
    try:
        from numba.core import inline_closurecall as module

        worker = module.InlineWorker
        source = textwrap.dedent(inspect.getsource(worker.inline_ir))
    except (ImportError, AttributeError, OSError, TypeError) as exc:  # pragma: no cover - another numba
        STATE = f"not installed: numba's inliner was not found ({type(exc).__name__}: {exc})"
        return STATE
    if source.count(_PER_BLOCK) != 1:
        STATE = "not installed: numba's inline_ir differs from the source the fix was written against"
        return STATE
    namespace: dict[str, object] = {}
    code = compile(source.replace(_PER_BLOCK, _ONE_MEMO), "<numba's InlineWorker.inline_ir, gpdc.kernels.inline_copy>",
                   "exec")
    exec(code, vars(module), namespace)  # noqa: S102 - numba's own source, two lines changed
    fixed: Any = namespace["inline_ir"]
    fixed.__qualname__, fixed.__module__, fixed.__doc__ = (worker.inline_ir.__qualname__, worker.inline_ir.__module__,
                                                           worker.inline_ir.__doc__)
    setattr(worker, "inline_ir", fixed)  # noqa: B010 - a method of numba's class, replaced
    STATE = "installed"
    return STATE
