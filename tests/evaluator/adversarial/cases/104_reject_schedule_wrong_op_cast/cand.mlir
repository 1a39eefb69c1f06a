module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.consumed}) {
    %mm = transform.structured.match ops{["linalg.matmul"]} in %root : (!transform.any_op) -> !transform.any_op
    %conv = transform.cast %mm : !transform.any_op to !transform.op<"linalg.conv_2d_nhwc_hwcf">
    transform.yield
  }
}
