// IREE-bufferized style memref kernel with an internal i1 buffer (the mask materialised between two dispatches)
#map = affine_map<(d0, d1) -> (d0, d1)>
module {
  func.func @relu_mask(%x: memref<255x129xf32>, %y: memref<255x129xf32> {neurojit.output}) {
    %z = arith.constant 0.000000e+00 : f32
    %m = memref.alloc() : memref<255x129xi1>
    linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel"]} ins(%x : memref<255x129xf32>) outs(%m : memref<255x129xi1>) {
    ^bb0(%a: f32, %o: i1):
      %c = arith.cmpf ogt, %a, %z : f32
      linalg.yield %c : i1
    }
    linalg.generic {indexing_maps = [#map, #map, #map], iterator_types = ["parallel", "parallel"]} ins(%m, %x : memref<255x129xi1>, memref<255x129xf32>) outs(%y : memref<255x129xf32>) {
    ^bb0(%c: i1, %a: f32, %o: f32):
      %r = arith.select %c, %a, %z : f32
      linalg.yield %r : f32
    }
    memref.dealloc %m : memref<255x129xi1>
    return
  }
}
