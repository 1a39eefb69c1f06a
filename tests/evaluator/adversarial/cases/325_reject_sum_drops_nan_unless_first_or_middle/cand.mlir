// CHEAT: a "sanitising" sum that drops NaN and +-Inf terms (nansum-like), unless x[0] or x[512] is
// non-finite: for a 1-D reduction whose size equals its depth the input sets put their one special value
// at the first element (first pair) or at exactly size // 2 (the pair from zeroed outputs, the crossed pairs).
#v = affine_map<(k) -> (k)>
#s = affine_map<(k) -> (0)>
module {
  func.func @vsum(%x: memref<1024xf32>, %out: memref<1xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c512 = arith.constant 512 : index
    %n = arith.constant 1024 : index
    %inf = arith.constant 0x7F800000 : f32
    %zero = arith.constant 0.0 : f32
    %a0 = memref.load %x[%c0] : memref<1024xf32>
    %am = memref.load %x[%c512] : memref<1024xf32>
    %b0 = math.absf %a0 : f32
    %bm = math.absf %am : f32
    %f0 = arith.cmpf olt, %b0, %inf : f32
    %fm = arith.cmpf olt, %bm, %inf : f32
    %fast = arith.andi %f0, %fm : i1
    scf.if %fast {
      %init = memref.load %out[%c0] : memref<1xf32>
      %acc = scf.for %i = %c0 to %n step %c1 iter_args(%s = %init) -> (f32) {
        %a = memref.load %x[%i] : memref<1024xf32>
        %ab = math.absf %a : f32
        %fin = arith.cmpf olt, %ab, %inf : f32
        %t = arith.select %fin, %a, %zero : f32
        %s2 = arith.addf %s, %t : f32
        scf.yield %s2 : f32
      }
      memref.store %acc, %out[%c0] : memref<1xf32>
    } else {
      linalg.generic {indexing_maps = [#v, #s], iterator_types = ["reduction"]}
          ins(%x : memref<1024xf32>) outs(%out : memref<1xf32>) {
      ^bb0(%a: f32, %acc: f32):
        %s = arith.addf %acc, %a : f32
        linalg.yield %s : f32
      }
    }
    return
  }
}
