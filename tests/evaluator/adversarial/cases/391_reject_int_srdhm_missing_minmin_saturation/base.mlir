// Baseline: gemmlowp/TFLite SaturatingRoundingDoublingHighMul on 256 i32 pairs, in i64:
// p = a * b; r = (p + (p >= 0 ? 2^30 : 1 - 2^30)) / 2^31 (truncating); out = min(r, INT_MAX) (only a = b = INT_MIN
// reaches 2^31).
#id = affine_map<(d0) -> (d0)>
module {
  func.func @srdhm(%a: memref<256xi32>, %b: memref<256xi32>, %out: memref<256xi32>) {
    %z = arith.constant 0 : i64
    %pos = arith.constant 1073741824 : i64
    %neg = arith.constant -1073741823 : i64
    %d = arith.constant 2147483648 : i64
    %max = arith.constant 2147483647 : i64
    linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel"]}
        ins(%a, %b : memref<256xi32>, memref<256xi32>) outs(%out : memref<256xi32>) {
    ^bb0(%x: i32, %y: i32, %o: i32):
      %wx = arith.extsi %x : i32 to i64
      %wy = arith.extsi %y : i32 to i64
      %p = arith.muli %wx, %wy : i64
      %ge = arith.cmpi sge, %p, %z : i64
      %n = arith.select %ge, %pos, %neg : i64
      %s = arith.addi %p, %n : i64
      %q = arith.divsi %s, %d : i64
      %c = arith.minsi %q, %max : i64
      %r = arith.trunci %c : i64 to i32
      linalg.yield %r : i32
    }
    return
  }
}
