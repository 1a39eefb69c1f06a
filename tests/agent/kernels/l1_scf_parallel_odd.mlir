// row-wise L1 distance: an scf.parallel over rows, each row's sum in an scf.for's iter_args, odd sizes
module {
  func.func @l1(%X: memref<39x53xf32>, %Y: memref<39x53xf32>, %out: memref<39xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %m = arith.constant 39 : index
    %n = arith.constant 53 : index
    %zero = arith.constant 0.0 : f32
    scf.parallel (%i) = (%c0) to (%m) step (%c1) {
      %s = scf.for %j = %c0 to %n step %c1 iter_args(%acc = %zero) -> (f32) {
        %x = memref.load %X[%i, %j] : memref<39x53xf32>
        %y = memref.load %Y[%i, %j] : memref<39x53xf32>
        %d = arith.subf %x, %y : f32
        %a = math.absf %d : f32
        %r = arith.addf %acc, %a : f32
        scf.yield %r : f32
      }
      memref.store %s, %out[%i] : memref<39xf32>
      scf.reduce
    }
    return
  }
}
