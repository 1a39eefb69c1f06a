// Bucketize (searchsorted, side='right'): out[i] = #{ j : edges[j] <= v[i] } over 64 edges, 1024 values; i32 out.
#e = affine_map<(i, j) -> (j)>
#v = affine_map<(i, j) -> (i)>
module {
  func.func @bucketize(%edges: memref<64xf32>, %v: memref<1024xf32>, %out: memref<1024xi32>) {
    %z = arith.constant 0 : i32
    linalg.fill ins(%z : i32) outs(%out : memref<1024xi32>)
    linalg.generic {indexing_maps = [#e, #v, #v], iterator_types = ["parallel", "reduction"]}
        ins(%edges, %v : memref<64xf32>, memref<1024xf32>) outs(%out : memref<1024xi32>) {
    ^bb0(%ej: f32, %vi: f32, %acc: i32):
      %one = arith.constant 1 : i32
      %zero = arith.constant 0 : i32
      %le = arith.cmpf ole, %ej, %vi : f32
      %d = arith.select %le, %one, %zero : i32
      %s = arith.addi %acc, %d : i32
      linalg.yield %s : i32
    }
    return
  }
}
