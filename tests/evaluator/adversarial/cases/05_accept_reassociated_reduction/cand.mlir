// out[0] = out[0] + (sum_even + sum_odd): a legal reassociation of the float reduction.
module {
  func.func @vsum(%x: memref<1024xf32>, %out: memref<1xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c2 = arith.constant 2 : index
    %c1024 = arith.constant 1024 : index
    %zero = arith.constant 0.0 : f32
    %r:2 = scf.for %i = %c0 to %c1024 step %c2 iter_args(%s0 = %zero, %s1 = %zero) -> (f32, f32) {
      %i1 = arith.addi %i, %c1 : index
      %a = memref.load %x[%i] : memref<1024xf32>
      %b = memref.load %x[%i1] : memref<1024xf32>
      %n0 = arith.addf %s0, %a : f32
      %n1 = arith.addf %s1, %b : f32
      scf.yield %n0, %n1 : f32, f32
    }
    %tot = arith.addf %r#0, %r#1 : f32
    %init = memref.load %out[%c0] : memref<1xf32>
    %res = arith.addf %init, %tot : f32
    memref.store %res, %out[%c0] : memref<1xf32>
    return
  }
}
