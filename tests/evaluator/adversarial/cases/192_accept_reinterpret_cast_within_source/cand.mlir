// Rebuilds the view of %x from its own strided metadata, and reads %y as 17x59 rows (exactly its 1003 elements).
module {
  func.func @axpy(%x: memref<1003xf32>, %y: memref<1003xf32>, %out: memref<1003xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %n = arith.constant 1003 : index
    %two = arith.constant 2.0 : f32
    %base, %off, %sz, %st = memref.extract_strided_metadata %x : memref<1003xf32> -> memref<f32>, index, index, index
    %same = memref.reinterpret_cast %base to offset: [%off], sizes: [%sz], strides: [%st] : memref<f32> to memref<?xf32, strided<[?], offset: ?>>
    %rows = memref.reinterpret_cast %y to offset: [0], sizes: [17, 59], strides: [59, 1] : memref<1003xf32> to memref<17x59xf32>
    scf.for %i = %c0 to %n step %c1 {
      %a = memref.load %same[%i] : memref<?xf32, strided<[?], offset: ?>>
      %q = arith.divui %i, %c1 : index
      %r = arith.constant 59 : index
      %row = arith.divui %i, %r : index
      %col = arith.remui %i, %r : index
      %b = memref.load %rows[%row, %col] : memref<17x59xf32>
      %p = arith.mulf %a, %two : f32
      %s = arith.addf %p, %b : f32
      memref.store %s, %out[%i] : memref<1003xf32>
    }
    return
  }
}
