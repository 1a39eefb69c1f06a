"""A memref.alloca_scope around a loop body: it compiles (MLIR's own lowering of the scope refused the blocks
the loop inside it had become) and hands its stack back after every iteration."""

import threading

import numpy as np

from neurojit.compiler.jit import compile_kernel

# 64 iterations, each with a 64 KiB scratch and a loop over it: 4 MiB of stack without the scope, 64 KiB with it
SCOPED = """module {
  func.func @k(%x: memref<16384xf32>, %out: memref<1xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c64 = arith.constant 64 : index
    %n = arith.constant 16384 : index
    %zero = arith.constant 0.0 : f32
    %tot = scf.for %b = %c0 to %c64 step %c1 iter_args(%acc = %zero) -> (f32) {
      %part = memref.alloca_scope -> (f32) {
        %tmp = memref.alloca() : memref<16384xf32>
        scf.for %k = %c0 to %n step %c1 {
          %v = memref.load %x[%k] : memref<16384xf32>
          memref.store %v, %tmp[%k] : memref<16384xf32>
        }
        %v = memref.load %tmp[%b] : memref<16384xf32>
        memref.alloca_scope.return %v : f32
      }
      %next = arith.addf %acc, %part : f32
      scf.yield %next : f32
    }
    memref.store %tot, %out[%c0] : memref<1xf32>
    return
  }
}"""


def test_a_scope_around_a_loop_compiles_and_hands_its_stack_back_every_iteration():
    kernel = compile_kernel(SCOPED, isolate=False)
    x = np.arange(16384, dtype=np.float32)
    out = np.zeros(1, np.float32)
    done = []

    def run():
        kernel(x, out)
        done.append(True)

    threading.stack_size(1 << 20)  # 1 MiB: the 4 MiB an unscoped alloca would pile up overflows it
    try:
        t = threading.Thread(target=run)
        t.start()
        t.join()
    finally:
        threading.stack_size(0)
    assert done and out[0] == np.float32(sum(range(64)))
