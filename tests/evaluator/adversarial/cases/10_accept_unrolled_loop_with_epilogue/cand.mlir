// Unroll-by-4 main loop [0, 996) + remainder loop [996, 999).
module {
  func.func private @one(%x: memref<999xf32>, %y: memref<999xf32>, %out: memref<999xf32>, %i: index) {
    %a = memref.load %x[%i] : memref<999xf32>
    %b = memref.load %y[%i] : memref<999xf32>
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %m, %a : f32
    memref.store %s, %out[%i] : memref<999xf32>
    return
  }
  func.func @ew(%x: memref<999xf32>, %y: memref<999xf32>, %out: memref<999xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c2 = arith.constant 2 : index
    %c3 = arith.constant 3 : index
    %c4 = arith.constant 4 : index
    %c996 = arith.constant 996 : index
    %c999 = arith.constant 999 : index
    scf.for %i = %c0 to %c996 step %c4 {
      %a0 = memref.load %x[%i] : memref<999xf32>
      %b0 = memref.load %y[%i] : memref<999xf32>
      %m0 = arith.mulf %a0, %b0 : f32
      %s0 = arith.addf %m0, %a0 : f32
      memref.store %s0, %out[%i] : memref<999xf32>
      %i1 = arith.addi %i, %c1 : index
      %a1 = memref.load %x[%i1] : memref<999xf32>
      %b1 = memref.load %y[%i1] : memref<999xf32>
      %m1 = arith.mulf %a1, %b1 : f32
      %s1 = arith.addf %m1, %a1 : f32
      memref.store %s1, %out[%i1] : memref<999xf32>
      %i2 = arith.addi %i, %c2 : index
      %a2 = memref.load %x[%i2] : memref<999xf32>
      %b2 = memref.load %y[%i2] : memref<999xf32>
      %m2 = arith.mulf %a2, %b2 : f32
      %s2 = arith.addf %m2, %a2 : f32
      memref.store %s2, %out[%i2] : memref<999xf32>
      %i3 = arith.addi %i, %c3 : index
      %a3 = memref.load %x[%i3] : memref<999xf32>
      %b3 = memref.load %y[%i3] : memref<999xf32>
      %m3 = arith.mulf %a3, %b3 : f32
      %s3 = arith.addf %m3, %a3 : f32
      memref.store %s3, %out[%i3] : memref<999xf32>
    }
    scf.for %i = %c996 to %c999 step %c1 {
      func.call @one(%x, %y, %out, %i) : (memref<999xf32>, memref<999xf32>, memref<999xf32>, index) -> ()
    }
    return
  }
}
