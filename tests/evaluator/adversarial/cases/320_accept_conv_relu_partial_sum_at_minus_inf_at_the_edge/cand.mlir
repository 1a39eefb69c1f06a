// schedule: vectorize_windows
module attributes {transform.with_named_sequence, neurojit.payload = "tensor"} {
transform.named_sequence @__transform_main(%root: !transform.any_op {transform.consumed}) {
  %ops = transform.structured.match interface{LinalgOp} in %root : (!transform.any_op) -> !transform.any_op
  %op0, %op1, %op2 = transform.split_handle %ops {pass_through_empty_handle = false} : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op)
  %e0t, %e0l:4 = transform.structured.tile_using_for %op0 tile_sizes [1, 1, 1, ${ew_width:64}] : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op)
  transform.structured.vectorize %e0t vector_sizes [1, 1, 1, ${ew_width:64}] : !transform.any_op
  %s1, %s1f = transform.structured.tile_using_forall %op1 num_threads [${threads:2}, 0, 0, 0, 0, 0, 0] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  %s1n = transform.param.constant ${threads:2} : i64 -> !transform.param<i64>
  transform.annotate %s1f "neurojit.threads" = %s1n : !transform.any_op, !transform.param<i64>
  %w1t, %w1l:6 = transform.structured.tile_using_for %s1 tile_sizes [1, ${ch:16}, 1, ${ow:8}, ${cr:8}, 1, 0] : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op)
  transform.foreach %w1l#4 : !transform.any_op {
  ^bb0(%p1cr: !transform.any_op):
    transform.sequence %p1cr : !transform.any_op failures(suppress) {
    ^bb1(%p1cr0: !transform.any_op):
      %p1crc = transform.cast %p1cr0 : !transform.any_op to !transform.op<"scf.for">
      %p1crm, %p1crr = transform.loop.peel %p1crc : (!transform.op<"scf.for">) -> (!transform.any_op, !transform.any_op)
    }
  }
  transform.foreach %w1l#3 : !transform.any_op {
  ^bb0(%p1ow: !transform.any_op):
    transform.sequence %p1ow : !transform.any_op failures(suppress) {
    ^bb1(%p1ow0: !transform.any_op):
      %p1owc = transform.cast %p1ow0 : !transform.any_op to !transform.op<"scf.for">
      %p1owm, %p1owr = transform.loop.peel %p1owc : (!transform.op<"scf.for">) -> (!transform.any_op, !transform.any_op)
    }
  }
  transform.foreach %w1l#1 : !transform.any_op {
  ^bb0(%p1ch: !transform.any_op):
    transform.sequence %p1ch : !transform.any_op failures(suppress) {
    ^bb1(%p1ch0: !transform.any_op):
      %p1chc = transform.cast %p1ch0 : !transform.any_op to !transform.op<"scf.for">
      %p1chm, %p1chr = transform.loop.peel %p1chc : (!transform.op<"scf.for">) -> (!transform.any_op, !transform.any_op)
    }
  }
  %e2t, %e2l:4 = transform.structured.tile_using_for %op2 tile_sizes [1, 1, 1, ${ew_width:64}] : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op)
  transform.structured.vectorize %e2t vector_sizes [1, 1, 1, ${ew_width:64}] : !transform.any_op
  %f = transform.structured.match ops{["func.func"]} in %root : (!transform.any_op) -> !transform.any_op
  transform.apply_patterns to %f {
    transform.apply_patterns.canonicalization
  } : !transform.any_op
  transform.apply_cse to %f : !transform.any_op
  %d0 = transform.structured.match ops{["linalg.conv_2d_nchw_fchw"]} in %f : (!transform.any_op) -> !transform.any_op
  transform.foreach %d0 : !transform.any_op {
  ^bb0(%d0o: !transform.any_op):
    %d0r = transform.structured.decompose %d0o : (!transform.any_op) -> !transform.any_op
  }
  %win = transform.structured.match interface{LinalgOp} in %f : (!transform.any_op) -> !transform.any_op
  transform.structured.vectorize %win : !transform.any_op
  %fv = transform.structured.match ops{["func.func"]} in %root : (!transform.any_op) -> !transform.any_op
  %am = transform.structured.match ops{["math.exp", "math.log", "math.tanh", "math.erf", "math.sin", "math.cos"]} in %fv : (!transform.any_op) -> !transform.any_op
  transform.annotate %am "neurojit.approximate" : !transform.any_op
  transform.apply_patterns to %fv {
    transform.apply_patterns.canonicalization
  } : !transform.any_op
  transform.apply_cse to %fv : !transform.any_op
  %hl = transform.structured.match ops{["scf.for"]} in %fv : (!transform.any_op) -> !transform.any_op
  transform.loop.hoist_loop_invariant_subsets %hl : !transform.any_op
  %bz = transform.bufferization.one_shot_bufferize %root {memcpy_op = "linalg.copy"} : (!transform.any_op) -> !transform.any_op
  %fb = transform.structured.match ops{["func.func"]} in %bz : (!transform.any_op) -> !transform.any_op
  %cps = transform.structured.match ops{["linalg.copy"]} in %fb : (!transform.any_op) -> !transform.any_op
  transform.foreach %cps : !transform.any_op {
  ^bb0(%cp: !transform.any_op):
    transform.sequence %cp : !transform.any_op failures(suppress) {
    ^bb1(%cp0: !transform.any_op):
      %cpt, %cpl:2 = transform.structured.tile_using_for %cp0 tile_sizes [1, 1, 0] : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op)
      transform.structured.vectorize %cpt : !transform.any_op
    }
  }
  transform.apply_patterns to %fb {
    transform.apply_patterns.vector.lower_masked_transfers
    transform.apply_patterns.vector.lower_masks
    transform.apply_patterns.vector.lower_contraction lowering_strategy = "outerproduct"
    transform.apply_patterns.vector.transfer_permutation_patterns
    transform.apply_patterns.vector.lower_multi_reduction lowering_strategy = "innerparallel"
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
