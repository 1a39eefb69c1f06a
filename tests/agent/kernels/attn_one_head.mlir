// attn_bt_odd with one head: a unit batch loop (MLIR makes no loop for it when tiled by 1)
#q = affine_map<(b, h, i, j, k) -> (b, h, i, k)>
#k = affine_map<(b, h, i, j, k) -> (b, h, j, k)>
#s = affine_map<(b, h, i, j, k) -> (b, h, i, j)>
#e = affine_map<(b, h, i, j) -> (b, h, i, j)>
module {
  func.func @scores(%Q: memref<2x1x13x40xf32>, %K: memref<2x1x37x40xf32>, %S: memref<2x1x13x37xf32> {neurojit.output}) {
    %z = arith.constant 0.0 : f32
    %c = arith.constant 0.125 : f32
    linalg.fill ins(%z : f32) outs(%S : memref<2x1x13x37xf32>)
    linalg.generic {indexing_maps = [#q, #k, #s], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
        ins(%Q, %K : memref<2x1x13x40xf32>, memref<2x1x37x40xf32>) outs(%S : memref<2x1x13x37xf32>) {
    ^bb0(%a: f32, %b: f32, %acc: f32):
      %m = arith.mulf %a, %b : f32
      %s = arith.addf %acc, %m : f32
      linalg.yield %s : f32
    }
    linalg.generic {indexing_maps = [#e], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} outs(%S : memref<2x1x13x37xf32>) {
    ^bb0(%x: f32):
      %y = arith.mulf %x, %c : f32
      linalg.yield %y : f32
    }
    return
  }
}
