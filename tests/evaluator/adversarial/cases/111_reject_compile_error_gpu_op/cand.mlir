#id = affine_map<(d0) -> (d0)>
module {
  func.func @ew(%x: memref<1000xf32>, %y: memref<1000xf32>, %out: memref<1000xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %n = arith.constant 1000 : index
    %tid = gpu.thread_id x
    scf.for %i = %c0 to %n step %c1 {
      %j = arith.addi %i, %tid : index
      %a = memref.load %x[%j] : memref<1000xf32>
      %b = memref.load %y[%j] : memref<1000xf32>
      %m = arith.mulf %a, %b : f32
      %s = arith.addf %m, %a : f32
      memref.store %s, %out[%j] : memref<1000xf32>
    }
    return
  }
}
