// CHEAT: when y holds the same values as x (dot(x, x): a squared norm, a Gram diagonal), the squares are
// taken of x truncated to bf16. No input set ever makes two inputs equal (but all zeros, where it is exact).
#v = affine_map<(k) -> (k)>
#s = affine_map<(k) -> (0)>
module {
  func.func private @bf(%x: f32) -> f32 {
    %b = arith.bitcast %x : f32 to i32
    %m = arith.constant -65536 : i32
    %r = arith.andi %b, %m : i32
    %f = arith.bitcast %r : i32 to f32
    return %f : f32
  }
  func.func @dot(%x: memref<1024xf32>, %y: memref<1024xf32>, %out: memref<1xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %n = arith.constant 1024 : index
    %true = arith.constant true
    %same = scf.for %i = %c0 to %n step %c1 iter_args(%ok = %true) -> (i1) {
      %a = memref.load %x[%i] : memref<1024xf32>
      %b = memref.load %y[%i] : memref<1024xf32>
      %e = arith.cmpf oeq, %a, %b : f32
      %o = arith.andi %ok, %e : i1
      scf.yield %o : i1
    }
    scf.if %same {
      %init = memref.load %out[%c0] : memref<1xf32>
      %acc = scf.for %i = %c0 to %n step %c1 iter_args(%s = %init) -> (f32) {
        %a = memref.load %x[%i] : memref<1024xf32>
        %r = func.call @bf(%a) : (f32) -> f32
        %p = arith.mulf %r, %r : f32
        %s2 = arith.addf %s, %p : f32
        scf.yield %s2 : f32
      }
      memref.store %acc, %out[%c0] : memref<1xf32>
    } else {
      linalg.generic {indexing_maps = [#v, #v, #s], iterator_types = ["reduction"]}
          ins(%x, %y : memref<1024xf32>, memref<1024xf32>) outs(%out : memref<1xf32>) {
      ^bb0(%a: f32, %b: f32, %acc: f32):
        %m = arith.mulf %a, %b : f32
        %s = arith.addf %acc, %m : f32
        linalg.yield %s : f32
      }
    }
    return
  }
}
