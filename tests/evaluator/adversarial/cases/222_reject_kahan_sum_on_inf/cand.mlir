// Textbook Kahan summation (no guard for non-finite values).
module {
  func.func @rowsum(%x: memref<16x300xf32>, %out: memref<16xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %rows = arith.constant 16 : index
    %cols = arith.constant 300 : index
    %zero = arith.constant 0.0 : f32
    scf.for %i = %c0 to %rows step %c1 {
      %r:2 = scf.for %j = %c0 to %cols step %c1 iter_args(%s = %zero, %c = %zero) -> (f32, f32) {
        %v = memref.load %x[%i, %j] : memref<16x300xf32>
        %y = arith.subf %v, %c : f32
        %t = arith.addf %s, %y : f32
        %ts = arith.subf %t, %s : f32
        %cn = arith.subf %ts, %y : f32
        scf.yield %t, %cn : f32, f32
      }
      memref.store %r#0, %out[%i] : memref<16xf32>
    }
    return
  }
}
