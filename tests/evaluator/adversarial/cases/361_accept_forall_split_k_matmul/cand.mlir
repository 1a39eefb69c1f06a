// CORRECT: split-K in parallel: 4 scf.forall tasks each compute A[:, 64t:64t+64] @ B[64t:64t+64, :] into
// their own slice of a 4x64x64 scratch (no shared writes), then C += P0 + P1 + P2 + P3 sequentially.
module {
  func.func @mm(%A: memref<64x256xf32>, %B: memref<256x64xf32>, %C: memref<64x64xf32>) {
    %z = arith.constant 0.0 : f32
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c4 = arith.constant 4 : index
    %c64 = arith.constant 64 : index
    %P = memref.alloc() : memref<4x64x64xf32>
    scf.forall (%t) in (4) {
      %k0 = arith.muli %t, %c64 : index
      scf.for %i = %c0 to %c64 step %c1 {
        scf.for %j = %c0 to %c64 step %c1 {
          %s = scf.for %k = %c0 to %c64 step %c1 iter_args(%acc = %z) -> (f32) {
            %kk = arith.addi %k0, %k : index
            %a = memref.load %A[%i, %kk] : memref<64x256xf32>
            %b = memref.load %B[%kk, %j] : memref<256x64xf32>
            %p = arith.mulf %a, %b : f32
            %n = arith.addf %acc, %p : f32
            scf.yield %n : f32
          }
          memref.store %s, %P[%t, %i, %j] : memref<4x64x64xf32>
        }
      }
    }
    scf.for %i = %c0 to %c64 step %c1 {
      scf.for %j = %c0 to %c64 step %c1 {
        %c = memref.load %C[%i, %j] : memref<64x64xf32>
        %r = scf.for %t = %c0 to %c4 step %c1 iter_args(%acc = %c) -> (f32) {
          %p = memref.load %P[%t, %i, %j] : memref<4x64x64xf32>
          %n = arith.addf %acc, %p : f32
          scf.yield %n : f32
        }
        memref.store %r, %C[%i, %j] : memref<64x64xf32>
      }
    }
    memref.dealloc %P : memref<4x64x64xf32>
    return
  }
}
