// PolyBench trisolv: forward substitution x = L^-1 b, N=192, f32. On random data its rows grow until they pass f32's range.
module {
  func.func @trisolv(%L: memref<192x192xf32>, %x: memref<192xf32> {neurojit.output}, %b: memref<192xf32>) {
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
    return
  }
}
