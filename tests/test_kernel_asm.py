"""benchmarks/kernel_asm.py reads loops out of the kernel's assembly and asks llvm-mca for their cycles.

Its figures go into the README, so its reading is checked on hand-written assembly: the loop
found, its lanes, loads, stores and stack accesses; and llvm-mca's estimate parsed right on
loops whose cycles follow from the Zen 3 scheduling model by hand (skipped without llvm-mca).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import kernel_asm  # noqa: E402

# a block loop over 64 designs, 4 lanes per iteration: 2 loads (one a stack reload), 1 multiply with
# a memory operand (a load), 2 stores (one a spill); then a loop that does not count to the block
ASM = """
_f:
    movq    $0, %rax
.LBB0_1:
    vmovupd (%rdi,%rax,8), %ymm0
    vmovupd 96(%rsp), %ymm1
    vmulpd  64(%rsi,%rax,8), %ymm0, %ymm2
    vaddpd  %ymm1, %ymm2, %ymm2
    vmovupd %ymm2, (%rdx,%rax,8)
    vmovupd %ymm1, 128(%rsp)
    addq    $4, %rax
    cmpq    $64, %rax
    jne     .LBB0_1
.LBB0_2:
    incq    %rcx
    cmpq    $10, %rcx
    jne     .LBB0_2
    retq
"""


def test_block_loops_counts_a_hand_written_loop() -> None:
    [loop] = kernel_asm.block_loops(ASM, 64)
    assert loop["instructions"] == 9 and loop["lanes"] == 4 and loop["per_lane_hour"] == 9 / 4
    assert (loop["loads"], loop["stores"], loop["spills"]) == (3, 2, 2)
    assert (loop["ymm"], loop["zmm"]) == (6, 0)
    assert loop["body"][0].startswith("vmovupd") and loop["body"][-1].startswith("jne")


TOOL = kernel_asm.mca_tool()


@pytest.mark.skipif(TOOL is None, reason="llvm-mca is not installed (Debian/Ubuntu: apt-get install llvm)")
def test_mca_estimates_follow_the_zen3_model_by_hand() -> None:
    assert TOOL is not None
    # four independent chains of one add each: latency-bound at Zen 3's 3-cycle FP add; two add pipes
    # would take 2 cycles (the block's reciprocal throughput)
    chains = [f"vaddpd %ymm{k + 8}, %ymm{k}, %ymm{k}" for k in range(4)]
    est = kernel_asm.mca(chains, "znver3", TOOL)
    assert est is not None and est["rthroughput"] == 2.0
    assert est["cycles"] == pytest.approx(3.0, abs=0.05)
    # three loads and a store: Zen 3's two FP load/store pipes (Zn3FPP45) carry all four: 2 cycles
    memory = ["vmovupd (%rdi), %ymm0", "vmovupd 32(%rdi), %ymm1", "vmovupd 64(%rdi), %ymm2", "vmovupd %ymm3, 96(%rdi)"]
    est = kernel_asm.mca(memory, "znver3", TOOL)
    assert est is not None and est["rthroughput"] == 2.0 and est["busiest"] == "Zn3FPP45"
    assert est["cycles"] == pytest.approx(2.0, abs=0.1)
    assert kernel_asm.mca(["not an instruction"], "znver3", TOOL) is None  # a failure is None, not a number
