"""A candidate for the suite's 16x20x24 matmul baselines that runs for a minute or so: an evaluation long enough
to kill a worker, or close an evaluator, under."""

# A candidate that runs for tens of seconds (a long chain of dependent float adds, which LLVM cannot shorten)
# and so times out: an evaluation long enough to kill a worker under. Longer than any deadline test_dask.CONFIG allows
# (its cap): a deadline comes from the baseline's time in the reference process, and one call of this tiny
# kernel timed at 18 ms on a loaded machine gave 18 s, which a spin of 6e9 adds (~10 s) met, with a wrong
# result instead of a timeout. It ends by itself, so a sandbox orphaned by a killed Dask worker does not spin
# forever.
SPIN = """module {
  func.func @matmul(%A: memref<16x20xf32>, %B: memref<20x24xf32>, %C: memref<16x24xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %big = arith.constant 40000000000 : index
    %zero = arith.constant 0.0 : f32
    %v = memref.load %A[%c0, %c0] : memref<16x20xf32>
    %s = scf.for %i = %c0 to %big step %c1 iter_args(%acc = %zero) -> (f32) {
      %n = arith.addf %acc, %v : f32
      scf.yield %n : f32
    }
    memref.store %s, %C[%c0, %c0] : memref<16x24xf32>
    return
  }
}
"""
