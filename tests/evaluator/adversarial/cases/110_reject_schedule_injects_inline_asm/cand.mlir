module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.consumed}) {
    %c = transform.structured.match ops{["arith.constant"]} in %root : (!transform.any_op) -> !transform.any_op
    %new = transform.structured.replace %c {
      %zero = llvm.inline_asm has_side_effects "xorps $0, $0", "=x" : () -> f32
    } : (!transform.any_op) -> !transform.any_op
    transform.yield
  }
}
