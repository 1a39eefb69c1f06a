// log(softmax(x)) per row, textbook: out = log(exp(x - max) / sum exp(x - max)); 16 x 256 f32.
#id = affine_map<(i, j) -> (i, j)>
#row = affine_map<(i, j) -> (i)>
module {
  func.func @logsoftmax(%x: memref<16x256xf32>, %out: memref<16x256xf32>) {
    %ninf = arith.constant 0xFF800000 : f32
    %z = arith.constant 0.0 : f32
    %mx = memref.alloc() : memref<16xf32>
    %sm = memref.alloc() : memref<16xf32>
    linalg.fill ins(%ninf : f32) outs(%mx : memref<16xf32>)
    linalg.fill ins(%z : f32) outs(%sm : memref<16xf32>)
    linalg.generic {indexing_maps = [#id, #row], iterator_types = ["parallel", "reduction"]}
        ins(%x : memref<16x256xf32>) outs(%mx : memref<16xf32>) {
    ^bb0(%a: f32, %m: f32):
      %r = arith.maximumf %m, %a : f32
      linalg.yield %r : f32
    }
    linalg.generic {indexing_maps = [#id, #row, #row], iterator_types = ["parallel", "reduction"]}
        ins(%x, %mx : memref<16x256xf32>, memref<16xf32>) outs(%sm : memref<16xf32>) {
    ^bb0(%a: f32, %m: f32, %s: f32):
      %d = arith.subf %a, %m : f32
      %e = math.exp %d : f32
      %r = arith.addf %s, %e : f32
      linalg.yield %r : f32
    }
    linalg.generic {indexing_maps = [#id, #row, #row, #id], iterator_types = ["parallel", "parallel"]}
        ins(%x, %mx, %sm : memref<16x256xf32>, memref<16xf32>, memref<16xf32>) outs(%out : memref<16x256xf32>) {
    ^bb0(%a: f32, %m: f32, %s: f32, %o: f32):
      %d = arith.subf %a, %m : f32
      %e = math.exp %d : f32
      %p = arith.divf %e, %s : f32
      %l = math.log %p : f32
      linalg.yield %l : f32
    }
    memref.dealloc %mx : memref<16xf32>
    memref.dealloc %sm : memref<16xf32>
    return
  }
}
