#id = affine_map<(d0) -> (d0)>
module {
  func.func @ew(%x: memref<1000xf32>, %y: memref<1000xf32>, %out: memref<1000xf32>) {
    linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel"]}
        ins(%x, %y : memref<1000xf32>, memref<1000xf32>) outs(%out : memref<1000xf32>) {
    ^bb0(%a: f32, %b: f32, %o: f32):
      %m = arith.mulf %a, %b : f32
      %s = arith.addf %m, %a : f32
      linalg.yield %s : f32
    }
    %i0 = arith.constant 0 : index
    %c0 = arith.constant 0 : i64
    %c1 = arith.constant 1 : i64
    %first = memref.load %out[%i0] : memref<1000xf32>
    // Never terminates: an unsigned value is always >= 0. The store gives the body a side effect;
    // without it MLIR's greedy rewriter erases the whole loop as trivially dead.
    %r = scf.while (%it = %c0) : (i64) -> i64 {
      %cond = arith.cmpi uge, %it, %c0 : i64
      scf.condition(%cond) %it : i64
    } do {
    ^bb0(%v: i64):
      memref.store %first, %out[%i0] : memref<1000xf32>
      %n = arith.addi %v, %c1 : i64
      scf.yield %n : i64
    }
    return
  }
}
