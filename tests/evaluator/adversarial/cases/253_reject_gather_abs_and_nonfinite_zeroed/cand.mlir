// WRONG: gather that replaces NaN/Inf table entries by 0 and negative entries by their absolute value
module {
  func.func @gather(%table: memref<64xf32>, %idx: memref<256xi32>, %out: memref<256xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %n = arith.constant 256 : index
    scf.for %i = %c0 to %n step %c1 {
      %k = memref.load %idx[%i] : memref<256xi32>
      %j = arith.index_cast %k : i32 to index
      %v = memref.load %table[%j] : memref<64xf32>
      %a = math.absf %v : f32
      %inf = arith.constant 0x7F800000 : f32
      %z = arith.constant 0.0 : f32
      %fin = arith.cmpf olt, %a, %inf : f32
      %w = arith.select %fin, %a, %z : f32
      memref.store %w, %out[%i] : memref<256xf32>
    }
    return
  }
}
