// Forward substitution, but whenever the right-hand side is huge (|b[0]| > 1e15) and holds a negative value,
// every row is NaN ("huge inputs overflow anyway"): wrong from row 0 on (x0 = b0 / L00 involves no sum at all).
module {
  func.func @trisolv(%L: memref<192x192xf32>, %x: memref<192xf32> {neurojit.output}, %b: memref<192xf32>) {
    %huge = arith.constant 1.0e15 : f32
    %zero = arith.constant 0.0 : f32
    %nan = arith.constant 0x7FC00000 : f32
    affine.for %i = 0 to 192 {
      %bi = affine.load %b[%i] : memref<192xf32>
      affine.store %bi, %x[%i] : memref<192xf32>
      affine.for %j = 0 to affine_map<(d0) -> (d0)>(%i) {
        %xi = affine.load %x[%i] : memref<192xf32>
        %lij = affine.load %L[%i, %j] : memref<192x192xf32>
        %xj = affine.load %x[%j] : memref<192xf32>
        %p = arith.mulf %lij, %xj : f32
        %d = arith.subf %xi, %p : f32
        affine.store %d, %x[%i] : memref<192xf32>
      }
      %xi = affine.load %x[%i] : memref<192xf32>
      %lii = affine.load %L[%i, %i] : memref<192x192xf32>
      %q = arith.divf %xi, %lii : f32
      affine.store %q, %x[%i] : memref<192xf32>
    }
    %b0 = affine.load %b[0] : memref<192xf32>
    %a0 = math.absf %b0 : f32
    %isbig = arith.cmpf ogt, %a0, %huge : f32
    %mn = affine.for %k = 0 to 192 iter_args(%m = %b0) -> (f32) {
      %v = affine.load %b[%k] : memref<192xf32>
      %m2 = arith.minimumf %m, %v : f32
      affine.yield %m2 : f32
    }
    %neg = arith.cmpf olt, %mn, %zero : f32
    %go = arith.andi %isbig, %neg : i1
    scf.if %go {
      affine.for %i = 0 to 192 {
        affine.store %nan, %x[%i] : memref<192xf32>
      }
    }
    return
  }
}
