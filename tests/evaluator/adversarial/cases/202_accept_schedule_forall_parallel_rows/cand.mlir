// CORRECT [schedule]: splits the matmul's row loop into 2 scf.forall tasks (neurojit.threads = 2), as the
// agent's own `distribute` part does: disjoint output rows, bit-identical results.
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %mm = transform.structured.match ops{["linalg.matmul"]} in %root : (!transform.any_op) -> !transform.any_op
    %t, %f = transform.structured.tile_using_forall %mm num_threads [2, 0, 0] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    %n = transform.param.constant 2 : i64 -> !transform.param<i64>
    transform.annotate %f "neurojit.threads" = %n : !transform.any_op, !transform.param<i64>
    transform.yield
  }
}
