// Baseline: out = (y == 0) ? 0 : trunc_i32(x / y) computed in i64 (so INT_MIN / -1 wraps to INT_MIN), 256 i32.
#id = affine_map<(d0) -> (d0)>
module {
  func.func @safediv(%x: memref<256xi32>, %y: memref<256xi32>, %out: memref<256xi32>) {
    %z = arith.constant 0 : i64
    %one = arith.constant 1 : i64
    linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel"]}
        ins(%x, %y : memref<256xi32>, memref<256xi32>) outs(%out : memref<256xi32>) {
    ^bb0(%a: i32, %b: i32, %o: i32):
      %wa = arith.extsi %a : i32 to i64
      %wb = arith.extsi %b : i32 to i64
      %isz = arith.cmpi eq, %wb, %z : i64
      %d = arith.select %isz, %one, %wb : i64
      %q = arith.divsi %wa, %d : i64
      %q0 = arith.select %isz, %z, %q : i64
      %r = arith.trunci %q0 : i64 to i32
      linalg.yield %r : i32
    }
    return
  }
}
