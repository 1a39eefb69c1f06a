// Pack Bt[j,k] = B[k,j] into a scratch buffer, then C[i,j] = C[i,j] + sum_k A[i,k]*Bt[j,k] (k ascending).
module {
  func.func @matmul_odd(%A: memref<13x11xf32>, %B: memref<11x17xf32>, %C: memref<13x17xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c11 = arith.constant 11 : index
    %c13 = arith.constant 13 : index
    %c17 = arith.constant 17 : index
    %bt = memref.alloc() : memref<17x11xf32>
    scf.for %k = %c0 to %c11 step %c1 {
      scf.for %j = %c0 to %c17 step %c1 {
        %v = memref.load %B[%k, %j] : memref<11x17xf32>
        memref.store %v, %bt[%j, %k] : memref<17x11xf32>
      }
    }
    scf.for %i = %c0 to %c13 step %c1 {
      scf.for %j = %c0 to %c17 step %c1 {
        %init = memref.load %C[%i, %j] : memref<13x17xf32>
        %acc = scf.for %k = %c0 to %c11 step %c1 iter_args(%s = %init) -> (f32) {
          %a = memref.load %A[%i, %k] : memref<13x11xf32>
          %b = memref.load %bt[%j, %k] : memref<17x11xf32>
          %p = arith.mulf %a, %b : f32
          %n = arith.addf %s, %p : f32
          scf.yield %n : f32
        }
        memref.store %acc, %C[%i, %j] : memref<13x17xf32>
      }
    }
    memref.dealloc %bt : memref<17x11xf32>
    return
  }
}
