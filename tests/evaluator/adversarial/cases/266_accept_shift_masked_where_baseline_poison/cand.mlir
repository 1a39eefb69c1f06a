// x << y with the count masked to 5 bits (x86's scalar shl): identical wherever 0 <= y < 32; elsewhere
// the baseline's shli is poison (undefined), so any value is correct there.
#id = affine_map<(d0) -> (d0)>
module {
  func.func @iew(%x: memref<1000xi32>, %y: memref<1000xi32>, %out: memref<1000xi32>) {
    linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel"]}
        ins(%x, %y : memref<1000xi32>, memref<1000xi32>) outs(%out : memref<1000xi32>) {
    ^bb0(%a: i32, %b: i32, %o: i32):
      %c31 = arith.constant 31 : i32
      %m = arith.andi %b, %c31 : i32
      %s = arith.shli %a, %m : i32
      linalg.yield %s : i32
    }
    return
  }
}
