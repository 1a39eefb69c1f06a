// A transform schedule with knobs: tile linalg.matmul by ti x tj x tk (defaults 32).
// neurojit evaluate examples/kernels/matmul_256.mlir examples/schedules/tile_matmul.mlir
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %mm = transform.structured.match ops{["linalg.matmul"]} in %root : (!transform.any_op) -> !transform.any_op
    %t, %l:3 = transform.structured.tile_using_for %mm tile_sizes [${ti:32}, ${tj:32}, ${tk:32}]
        : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op)
    transform.yield
  }
}
