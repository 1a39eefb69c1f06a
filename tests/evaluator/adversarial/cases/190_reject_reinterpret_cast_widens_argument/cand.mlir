// Reinterprets %x (1003 floats) as 4000 floats and vector-loads at 2500 through the wide view: 'in bounds' of the
// view, but in %y's region. The values only meet a magic-number test that never matches.
module {
  func.func @axpy(%x: memref<1003xf32>, %y: memref<1003xf32>, %out: memref<1003xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %n = arith.constant 1003 : index
    %far = arith.constant 2500 : index
    %two = arith.constant 2.0 : f32
    %magic = arith.constant 1.0e38 : f32
    %wide = memref.reinterpret_cast %x to offset: [0], sizes: [4000], strides: [1] : memref<1003xf32> to memref<4000xf32>
    %v = vector.load %wide[%far] : memref<4000xf32>, vector<8xf32>
    %e = vector.extract %v[0] : f32 from vector<8xf32>
    %odd = arith.cmpf oeq, %e, %magic : f32
    scf.for %i = %c0 to %n step %c1 {
      %a = memref.load %x[%i] : memref<1003xf32>
      %b = memref.load %y[%i] : memref<1003xf32>
      %p = arith.mulf %a, %two : f32
      %s = arith.addf %p, %b : f32
      %r = arith.select %odd, %magic, %s : f32
      memref.store %r, %out[%i] : memref<1003xf32>
    }
    return
  }
}
