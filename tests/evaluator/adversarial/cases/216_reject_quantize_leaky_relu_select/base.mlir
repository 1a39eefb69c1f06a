// Baseline: a leaky ReLU of x * y + x over 1000 f32 elements, written as torch-mlir writes it (a comparison and a
// select): out[i] = s > 0 ? s : 0.01 * s, s = x[i] * y[i] + x[i]. out is the output (last argument).
#id = affine_map<(d0) -> (d0)>
module {
  func.func @leaky(%x: memref<1000xf32>, %y: memref<1000xf32>, %out: memref<1000xf32>) {
    %zero = arith.constant 0.0 : f32
    %slope = arith.constant 0.01 : f32
    linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel"]}
        ins(%x, %y : memref<1000xf32>, memref<1000xf32>) outs(%out : memref<1000xf32>) {
    ^bb0(%a: f32, %b: f32, %o: f32):
      %m = arith.mulf %a, %b : f32
      %s = arith.addf %m, %a : f32
      %pos = arith.cmpf ogt, %s, %zero : f32
      %l = arith.mulf %s, %slope : f32
      %r = arith.select %pos, %s, %l : f32
      linalg.yield %r : f32
    }
    return
  }
}
