// CORRECT: softmax as exp(x - lse) with lse = m + log(sum exp(x - m)) (what log_softmax-then-exp computes; one
// fused pass per row, no division). The subtraction x - lse rounds with error ~eps |x - lse|, so elements far
// below the max carry a few more ulps than the baseline's quotient: a standard, accurate formulation.
module {
  func.func @softmax(%x: memref<32x512xf32>, %out: memref<32x512xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c32 = arith.constant 32 : index
    %c512 = arith.constant 512 : index
    %ninf = arith.constant 0xFF800000 : f32
    %zero = arith.constant 0.0 : f32
    scf.for %i = %c0 to %c32 step %c1 {
      %m = scf.for %j = %c0 to %c512 step %c1 iter_args(%a = %ninf) -> (f32) {
        %v = memref.load %x[%i, %j] : memref<32x512xf32>
        %r = arith.maximumf %a, %v : f32
        scf.yield %r : f32
      }
      %s = scf.for %j = %c0 to %c512 step %c1 iter_args(%a = %zero) -> (f32) {
        %v = memref.load %x[%i, %j] : memref<32x512xf32>
        %d = arith.subf %v, %m : f32
        %e = math.exp %d : f32
        %r = arith.addf %a, %e : f32
        scf.yield %r : f32
      }
      %l = math.log %s : f32
      %lse = arith.addf %m, %l : f32
      scf.for %j = %c0 to %c512 step %c1 {
        %v = memref.load %x[%i, %j] : memref<32x512xf32>
        %d = arith.subf %v, %m : f32
        %d2 = arith.subf %d, %l : f32
        %e = math.exp %d2 : f32
        memref.store %e, %out[%i, %j] : memref<32x512xf32>
      }
    }
    return
  }
}
