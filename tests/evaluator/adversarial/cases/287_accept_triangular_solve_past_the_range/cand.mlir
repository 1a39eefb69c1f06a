// [schedule] PolyBench's affine loops super-vectorised (MLIR's passes), the sum kept in a register (affine-scalrep)
module attributes {transform.with_named_sequence, neurojit.payload = "affine"} {
transform.named_sequence @__transform_main(%root: !transform.any_op {transform.consumed}) {
  %vw = transform.tune.knob<"vw"> = 8 from options = [4, 8, 16] -> !transform.param<i64>
  %unroll = transform.tune.knob<"unroll"> = 1 from options = [1, 2, 4] -> !transform.param<i64>
  %f = transform.structured.match ops{["func.func"]} in %root : (!transform.any_op) -> !transform.any_op
  %f0 = transform.apply_registered_pass "affine-raise-from-memref" to %f : (!transform.any_op) -> !transform.any_op
  %f1 = transform.apply_registered_pass "affine-loop-invariant-code-motion" to %f0 : (!transform.any_op) -> !transform.any_op
  %f2 = transform.apply_registered_pass "affine-super-vectorize" with options = {"virtual-vector-size" = %vw, "vectorize-reductions" = true} to %f1 : (!transform.any_op, !transform.param<i64>) -> !transform.any_op
  %f3 = transform.apply_registered_pass "affine-scalrep" to %f2 : (!transform.any_op) -> !transform.any_op
  %f4 = transform.apply_registered_pass "affine-loop-unroll" with options = {"unroll-factor" = %unroll} to %f3 : (!transform.any_op, !transform.param<i64>) -> !transform.any_op
  transform.yield
}
}

