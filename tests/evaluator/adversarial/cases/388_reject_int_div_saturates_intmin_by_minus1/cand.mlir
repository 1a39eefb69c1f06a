// Same in i32, but INT_MIN / -1 saturates to INT_MAX (as a "safe" division would) where the baseline wraps to
// INT_MIN: differs at exactly x = -2147483648, y = -1 (same index).
#id = affine_map<(d0) -> (d0)>
module {
  func.func @safediv(%x: memref<256xi32>, %y: memref<256xi32>, %out: memref<256xi32>) {
    %z = arith.constant 0 : i32
    %one = arith.constant 1 : i32
    %m1 = arith.constant -1 : i32
    %min = arith.constant -2147483648 : i32
    %max = arith.constant 2147483647 : i32
    linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel"]}
        ins(%x, %y : memref<256xi32>, memref<256xi32>) outs(%out : memref<256xi32>) {
    ^bb0(%a: i32, %b: i32, %o: i32):
      %isz = arith.cmpi eq, %b, %z : i32
      %ism1 = arith.cmpi eq, %b, %m1 : i32
      %bad = arith.ori %isz, %ism1 : i1
      %d = arith.select %bad, %one, %b : i32
      %q = arith.divsi %a, %d : i32
      %neg = arith.subi %z, %a : i32
      %ismin = arith.cmpi eq, %a, %min : i32
      %sat = arith.select %ismin, %max, %neg : i32
      %q1 = arith.select %ism1, %sat, %q : i32
      %q2 = arith.select %isz, %z, %q1 : i32
      linalg.yield %q2 : i32
    }
    return
  }
}
