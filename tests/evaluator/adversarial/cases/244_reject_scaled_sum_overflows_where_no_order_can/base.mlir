// Attention scores S = (Q K^T) / sqrt(64) over [batch, heads, seq, head_dim], as torch-mlir writes
// torch.matmul(q, k.transpose(-2, -1)) * 0.125: a batched contraction with K as stored, then a scale.
#q = affine_map<(b, h, i, j, k) -> (b, h, i, k)>
#k = affine_map<(b, h, i, j, k) -> (b, h, j, k)>
#s = affine_map<(b, h, i, j, k) -> (b, h, i, j)>
#e = affine_map<(b, h, i, j) -> (b, h, i, j)>
module {
  func.func @attention_scores(%Q: memref<2x8x128x64xf32>, %K: memref<2x8x128x64xf32>,
                              %S: memref<2x8x128x128xf32> {neurojit.output}) {
    %zero = arith.constant 0.0 : f32
    %scale = arith.constant 0.125 : f32
    linalg.fill ins(%zero : f32) outs(%S : memref<2x8x128x128xf32>)
    linalg.generic {indexing_maps = [#q, #k, #s],
                    iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
        ins(%Q, %K : memref<2x8x128x64xf32>, memref<2x8x128x64xf32>) outs(%S : memref<2x8x128x128xf32>) {
    ^bb0(%a: f32, %b: f32, %acc: f32):
      %m = arith.mulf %a, %b : f32
      %s = arith.addf %acc, %m : f32
      linalg.yield %s : f32
    }
    linalg.generic {indexing_maps = [#e], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
        outs(%S : memref<2x8x128x128xf32>) {
    ^bb0(%x: f32):
      %y = arith.mulf %x, %scale : f32
      linalg.yield %y : f32
    }
    return
  }
}
