// The same read through extract_strided_metadata's base buffer, reinterpreted as 4000 floats.
module {
  func.func @axpy(%x: memref<1003xf32>, %y: memref<1003xf32>, %out: memref<1003xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %n = arith.constant 1003 : index
    %far = arith.constant 2500 : index
    %two = arith.constant 2.0 : f32
    %magic = arith.constant 1.0e38 : f32
    %base, %off, %sz, %st = memref.extract_strided_metadata %x : memref<1003xf32> -> memref<f32>, index, index, index
    %wide = memref.reinterpret_cast %base to offset: [0], sizes: [4000], strides: [1] : memref<f32> to memref<4000xf32>
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
