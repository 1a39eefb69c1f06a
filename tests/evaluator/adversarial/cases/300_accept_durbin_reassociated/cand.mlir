// schedule: reassociate_recurrences
module attributes {transform.with_named_sequence} {
transform.named_sequence @__transform_main(%root: !transform.any_op {transform.consumed}) {
  %unroll = transform.tune.knob<"unroll"> = 1 from options = [1, 2, 4] -> !transform.param<i64>
  %reciprocal = transform.tune.knob<"reciprocal"> = 1 from options = [0, 1] -> !transform.param<i64>
  %f = transform.structured.match ops{["func.func"]} in %root : (!transform.any_op) -> !transform.any_op
  %f0 = transform.apply_registered_pass "affine-raise-from-memref" to %f : (!transform.any_op) -> !transform.any_op
  %f1 = transform.apply_registered_pass "affine-loop-invariant-code-motion" to %f0 : (!transform.any_op) -> !transform.any_op
  %f2 = transform.apply_registered_pass "affine-loop-unroll" with options = {"unroll-factor" = %unroll} to %f1 : (!transform.any_op, !transform.param<i64>) -> !transform.any_op
  %f3 = transform.apply_registered_pass "affine-scalrep" to %f2 : (!transform.any_op) -> !transform.any_op
  %loops = transform.structured.match ops{["affine.for"]} in %f3 : (!transform.any_op) -> !transform.any_op
  transform.annotate %loops "neurojit.reassociate" : !transform.any_op
  transform.annotate %loops "neurojit.reciprocal" = %reciprocal : !transform.any_op, !transform.param<i64>
  transform.yield
}
}

