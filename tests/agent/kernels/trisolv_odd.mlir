// PolyBench trisolv: forward substitution, x = L^-1 b with L lower triangular (diagonal read); N=45 (odd), f64
module {
  func.func @trisolv(%L: memref<45x45xf64>, %b: memref<45xf64>, %x: memref<45xf64>) {
    affine.for %i = 0 to 45 {
      %bi = affine.load %b[%i] : memref<45xf64>
      affine.store %bi, %x[%i] : memref<45xf64>
      affine.for %j = 0 to affine_map<(d0) -> (d0)>(%i) {
        %lij = affine.load %L[%i, %j] : memref<45x45xf64>
        %xj = affine.load %x[%j] : memref<45xf64>
        %xi = affine.load %x[%i] : memref<45xf64>
        %p = arith.mulf %lij, %xj : f64
        %d = arith.subf %xi, %p : f64
        affine.store %d, %x[%i] : memref<45xf64>
      }
      %xi = affine.load %x[%i] : memref<45xf64>
      %lii = affine.load %L[%i, %i] : memref<45x45xf64>
      %q = arith.divf %xi, %lii : f64
      affine.store %q, %x[%i] : memref<45xf64>
    }
    return
  }
}
