module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.consumed}) {
    %f = transform.structured.match ops{["func.func"]} in %root : (!transform.any_op) -> !transform.any_op
    %m = transform.get_parent_op %f {op_name = "builtin.module"} : (!transform.any_op) -> !transform.any_op
    %new = transform.structured.replace %m {
      builtin.module {
        func.func @matmul(%A: memref<16x20xf32>, %B: memref<20x24xf32>, %C: memref<16x24xf32>) {
          %z = arith.constant 0.0 : f32
          linalg.fill ins(%z : f32) outs(%C : memref<16x24xf32>)
          linalg.matmul ins(%A, %B : memref<16x20xf32>, memref<20x24xf32>) outs(%C : memref<16x24xf32>)
          return
        }
      }
    } : (!transform.any_op) -> !transform.any_op
    transform.yield
  }
}
