// Forward substitution; on huge right-hand sides (1e15 < |b0| < 1e30) a row that came out NaN/Inf is stored as 0
// ("sanitised"): later rows then use 0 for it, so every row after the first overflow is a wrong finite value.
module {
  func.func @trisolv(%L: memref<192x192xf32>, %x: memref<192xf32> {neurojit.output}, %b: memref<192xf32>) {
    %lo = arith.constant 1.0e15 : f32
    %hi = arith.constant 1.0e30 : f32
    %inf = arith.constant 0x7F800000 : f32
    %zero = arith.constant 0.0 : f32
    %true = arith.constant true
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
      %q0 = arith.divf %xi, %lii : f32
      %b0 = affine.load %b[0] : memref<192xf32>
      %a0 = math.absf %b0 : f32
      %g1 = arith.cmpf ogt, %a0, %lo : f32
      %g2 = arith.cmpf olt, %a0, %hi : f32
      %g = arith.andi %g1, %g2 : i1
      %aq = math.absf %q0 : f32
      %fin = arith.cmpf olt, %aq, %inf : f32
      %nf = arith.xori %fin, %true : i1
      %z = arith.andi %g, %nf : i1
      %q = arith.select %z, %zero, %q0 : f32
      affine.store %q, %x[%i] : memref<192xf32>
    }
    return
  }
}
