// Layer normalisation over rows, as generics that read their own outputs: the mean and the inverse standard
// deviation are outputs, each computed in place and read back by the next step.
#x = affine_map<(i, j) -> (i, j)>
#r = affine_map<(i, j) -> (i)>
#v = affine_map<(i) -> (i)>
#c = affine_map<(i, j) -> (j)>
module {
  func.func @layer_norm(%x: memref<32x768xf32>, %gamma: memref<768xf32>, %beta: memref<768xf32>,
                        %mean: memref<32xf32> {neurojit.output}, %rstd: memref<32xf32> {neurojit.output},
                        %y: memref<32x768xf32> {neurojit.output}) {
    %zero = arith.constant 0.0 : f32
    %n = arith.constant 768.0 : f32
    %eps = arith.constant 1.0e-5 : f32
    linalg.fill ins(%zero : f32) outs(%mean : memref<32xf32>)
    linalg.generic {indexing_maps = [#x, #r], iterator_types = ["parallel", "reduction"]}
        ins(%x : memref<32x768xf32>) outs(%mean : memref<32xf32>) {
    ^bb0(%a: f32, %acc: f32):
      %s = arith.addf %acc, %a : f32
      linalg.yield %s : f32
    }
    linalg.generic {indexing_maps = [#v], iterator_types = ["parallel"]} outs(%mean : memref<32xf32>) {
    ^bb0(%m: f32):
      %d = arith.divf %m, %n : f32
      linalg.yield %d : f32
    }
    linalg.fill ins(%zero : f32) outs(%rstd : memref<32xf32>)
    linalg.generic {indexing_maps = [#x, #r, #r], iterator_types = ["parallel", "reduction"]}
        ins(%x, %mean : memref<32x768xf32>, memref<32xf32>) outs(%rstd : memref<32xf32>) {
    ^bb0(%a: f32, %m: f32, %acc: f32):
      %d = arith.subf %a, %m : f32
      %sq = arith.mulf %d, %d : f32
      %s = arith.addf %acc, %sq : f32
      linalg.yield %s : f32
    }
    linalg.generic {indexing_maps = [#v], iterator_types = ["parallel"]} outs(%rstd : memref<32xf32>) {
    ^bb0(%s: f32):
      %var = arith.divf %s, %n : f32
      %ve = arith.addf %var, %eps : f32
      %r = math.rsqrt %ve : f32
      linalg.yield %r : f32
    }
    linalg.generic {indexing_maps = [#x, #r, #r, #c, #c, #x], iterator_types = ["parallel", "parallel"]}
        ins(%x, %mean, %rstd, %gamma, %beta : memref<32x768xf32>, memref<32xf32>, memref<32xf32>, memref<768xf32>, memref<768xf32>)
        outs(%y : memref<32x768xf32>) {
    ^bb0(%a: f32, %m: f32, %r: f32, %g: f32, %b: f32, %o: f32):
      %d = arith.subf %a, %m : f32
      %n1 = arith.mulf %d, %r : f32
      %n2 = arith.mulf %n1, %g : f32
      %n3 = arith.addf %n2, %b : f32
      linalg.yield %n3 : f32
    }
    return
  }
}
