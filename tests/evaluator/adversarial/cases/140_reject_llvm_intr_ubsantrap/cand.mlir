#id = affine_map<(d0) -> (d0)>
module {
  func.func @ew(%x: memref<1000xf32>, %y: memref<1000xf32>, %out: memref<1000xf32>) {
    linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel"]}
        ins(%x, %y : memref<1000xf32>, memref<1000xf32>) outs(%out : memref<1000xf32>) {
    ^bb0(%a: f32, %b: f32, %o: f32):
      %m = arith.mulf %a, %b : f32
      %s = arith.addf %m, %a : f32
      linalg.yield %s : f32
    }
    %c0 = arith.constant 0 : index
    %v = memref.load %x[%c0] : memref<1000xf32>
    %big = arith.constant 1.0e30 : f32
    %huge = arith.cmpf ogt, %v, %big : f32
    scf.if %huge {
      "llvm.intr.ubsantrap"() <{failureKind = 7 : i8}> : () -> ()
    }
    return
  }
}
