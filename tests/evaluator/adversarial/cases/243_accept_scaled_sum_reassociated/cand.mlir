// schedule: vectorize_row_reduction
module attributes {transform.with_named_sequence, neurojit.payload = "tensor"} {
transform.named_sequence @__transform_main(%root: !transform.any_op {transform.consumed}) {
  %ops = transform.structured.match interface{LinalgOp} in %root : (!transform.any_op) -> !transform.any_op
  %op0, %op1, %op2 = transform.split_handle %ops {pass_through_empty_handle = false} : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op)
  %e0t, %e0l:4 = transform.structured.tile_using_for %op0 tile_sizes [1, 1, 1, 64] : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op)
  transform.structured.vectorize %e0t vector_sizes [1, 1, 1, 64] : !transform.any_op
  %r1t, %r1l:4 = transform.structured.tile_using_for %op1 tile_sizes [1, 1, 1, 4, 0] : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op)
  %r1f, %r1s, %r1c, %r1k = transform.structured.tile_reduction_using_for %r1t by tile_sizes = [0, 0, 0, 0, 32] : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op)
  transform.structured.vectorize %r1f vector_sizes [1, 1, 1, 4, 32] : !transform.any_op
  transform.structured.vectorize %r1s vector_sizes [1, 1, 1, 4, 32] : !transform.any_op
  transform.structured.vectorize %r1c vector_sizes [1, 1, 1, 4, 32] : !transform.any_op
  %r1h = transform.structured.match ops{["scf.for"]} in %r1k : (!transform.any_op) -> !transform.any_op
  transform.loop.hoist_loop_invariant_subsets %r1h : !transform.any_op
  %e2t, %e2l:4 = transform.structured.tile_using_for %op2 tile_sizes [1, 1, 1, 64] : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op)
  transform.structured.vectorize %e2t vector_sizes [1, 1, 1, 64] : !transform.any_op
  %fh = transform.structured.match ops{["func.func"]} in %root : (!transform.any_op) -> !transform.any_op
  transform.apply_patterns to %fh {
    transform.apply_patterns.canonicalization
  } : !transform.any_op
  transform.apply_cse to %fh : !transform.any_op
  %hl = transform.structured.match ops{["scf.for"]} in %fh : (!transform.any_op) -> !transform.any_op
  transform.loop.hoist_loop_invariant_subsets %hl : !transform.any_op
  %am = transform.structured.match ops{["math.exp", "math.log", "math.tanh", "math.erf"]} in %root : (!transform.any_op) -> !transform.any_op
  transform.annotate %am "neurojit.approximate" : !transform.any_op
  %bz = transform.bufferization.one_shot_bufferize %root {memcpy_op = "linalg.copy"} : (!transform.any_op) -> !transform.any_op
  %fb = transform.structured.match ops{["func.func"]} in %bz : (!transform.any_op) -> !transform.any_op
  transform.apply_patterns to %fb {
    transform.apply_patterns.vector.lower_masked_transfers
    transform.apply_patterns.vector.lower_masks
    transform.apply_patterns.vector.lower_contraction lowering_strategy = "outerproduct"
    transform.apply_patterns.vector.transfer_permutation_patterns
    transform.apply_patterns.vector.lower_multi_reduction lowering_strategy = "innerreduction"
    transform.apply_patterns.vector.split_transfer_full_partial split_transfer_strategy = "linalg-copy"
    transform.apply_patterns.vector.transfer_to_scf max_transfer_rank = 1 full_unroll = true
    transform.apply_patterns.vector.lower_transfer max_transfer_rank = 1
    transform.apply_patterns.vector.lower_transpose lowering_strategy = "shuffle_1d"
    transform.apply_patterns.vector.lower_outerproduct
    transform.apply_patterns.canonicalization
  } : !transform.any_op
  transform.apply_patterns to %fb {
    transform.apply_patterns.vector.lower_shape_cast
  } : !transform.any_op
  transform.apply_patterns to %fb {
    transform.apply_patterns.vector.lower_broadcast
  } : !transform.any_op
  transform.yield
}
}

