// per-tensor fake quantisation with 2047 levels: s = max|x| / 2047, y = round(x / s) * s (magic-constant round)
module {
  func.func @fq(%x: memref<64xf32>, %y: memref<64xf32> {neurojit.output}) {
    %C = arith.constant 12582912.0 : f32
    %L = arith.constant 2047.0 : f32
    %z = arith.constant 0.0 : f32
    %m = affine.for %i = 0 to 64 iter_args(%acc = %z) -> f32 {
      %v = affine.load %x[%i] : memref<64xf32>
      %a = math.absf %v : f32
      %n = arith.maximumf %acc, %a : f32
      affine.yield %n : f32
    }
    %s = arith.divf %m, %L : f32
    affine.for %i = 0 to 64 {
      %v = affine.load %x[%i] : memref<64xf32>
      %u = arith.divf %v, %s : f32
      %b = arith.addf %u, %C : f32
      %d = arith.subf %b, %C : f32
      %e = arith.mulf %d, %s : f32
      affine.store %e, %y[%i] : memref<64xf32>
    }
    return
  }
}
