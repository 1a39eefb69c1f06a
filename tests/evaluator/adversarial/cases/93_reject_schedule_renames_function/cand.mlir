module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.consumed}) {
    %f = transform.structured.match ops{["func.func"]} in %root : (!transform.any_op) -> !transform.any_op
    %p = transform.param.constant "matmul_fast" -> !transform.any_param
    transform.annotate %f "sym_name" = %p : !transform.any_op, !transform.any_param
    transform.yield
  }
}
