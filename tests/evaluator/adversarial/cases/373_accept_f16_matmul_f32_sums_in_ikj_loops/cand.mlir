// The same matmul as loops in i, k, j order (each C element still sums its k terms in order): exact.
module {
  func.func @mm(%a: memref<45x300xf16>, %b: memref<300x29xf16>, %c: memref<45x29xf32>) {
    %z = arith.constant 0.000000e+00 : f32
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %m = arith.constant 45 : index
    %n = arith.constant 29 : index
    %k = arith.constant 300 : index
    linalg.fill ins(%z : f32) outs(%c : memref<45x29xf32>)
    scf.for %i = %c0 to %m step %c1 {
      scf.for %p = %c0 to %k step %c1 {
        %x = memref.load %a[%i, %p] : memref<45x300xf16>
        %xe = arith.extf %x : f16 to f32
        scf.for %j = %c0 to %n step %c1 {
          %y = memref.load %b[%p, %j] : memref<300x29xf16>
          %ye = arith.extf %y : f16 to f32
          %acc = memref.load %c[%i, %j] : memref<45x29xf32>
          %pr = arith.mulf %xe, %ye : f32
          %s = arith.addf %acc, %pr : f32
          memref.store %s, %c[%i, %j] : memref<45x29xf32>
        }
      }
    }
    return
  }
}
