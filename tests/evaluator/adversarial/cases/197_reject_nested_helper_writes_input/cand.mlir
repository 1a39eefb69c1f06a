// The right answer, then %x handed to a private helper that hands it on to another, which overwrites x[999]
// only when x[0] is exactly 1234.5 (no input set has it): the dynamic check never sees a write, and the
// static check followed calls one level deep.
#id = affine_map<(d0) -> (d0)>
module {
  func.func private @scribble(%a: memref<1000xf32>) {
    %c0 = arith.constant 0 : index
    %c999 = arith.constant 999 : index
    %key = arith.constant 1234.5 : f32
    %v = memref.load %a[%c0] : memref<1000xf32>
    %hit = arith.cmpf oeq, %v, %key : f32
    scf.if %hit {
      %z = arith.constant 0.0 : f32
      memref.store %z, %a[%c999] : memref<1000xf32>
    }
    return
  }
  func.func private @relay(%a: memref<1000xf32>) {
    func.call @scribble(%a) : (memref<1000xf32>) -> ()
    return
  }
  func.func @ew(%x: memref<1000xf32>, %y: memref<1000xf32>, %out: memref<1000xf32>) {
    linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel"]}
        ins(%x, %y : memref<1000xf32>, memref<1000xf32>) outs(%out : memref<1000xf32>) {
    ^bb0(%a: f32, %b: f32, %o: f32):
      %m = arith.mulf %a, %b : f32
      %s = arith.addf %m, %a : f32
      linalg.yield %s : f32
    }
    func.call @relay(%x) : (memref<1000xf32>) -> ()
    return
  }
}
