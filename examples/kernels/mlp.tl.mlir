// An MLP block in TensorLang: relu(x @ w1 + b1) @ w2 + b2, on a batch of B rows.
// Elementwise ops broadcast as numpy does ([B, 512] + [512]); each tensor is linear, so an op that consumes
// one may overwrite it: the bias add and the relu bufferize in place into the matmul's result.
func.func @mlp(%x: !tensorlang.tensor<f32, ["B", 256]>,
               %w1: !tensorlang.tensor<f32, [256, 512]>, %b1: !tensorlang.tensor<f32, [512]>,
               %w2: !tensorlang.tensor<f32, [512, 256]>, %b2: !tensorlang.tensor<f32, [256]>) -> !tensorlang.tensor<f32, ["B", 256]> {
  %batch = "tensorlang.symbolic_dim"() {name = "B", size = 64} : () -> index
  %h = "tensorlang.matmul"(%x, %w1) : (!tensorlang.tensor<f32, ["B", 256]>, !tensorlang.tensor<f32, [256, 512]>) -> !tensorlang.tensor<f32, ["B", 512]>
  %hb = "tensorlang.add"(%h, %b1) : (!tensorlang.tensor<f32, ["B", 512]>, !tensorlang.tensor<f32, [512]>) -> !tensorlang.tensor<f32, ["B", 512]>
  %zero = "tensorlang.constant"() {value = dense<0.0> : tensor<f32>} : () -> !tensorlang.tensor<f32, []>
  %act = "tensorlang.max"(%hb, %zero) : (!tensorlang.tensor<f32, ["B", 512]>, !tensorlang.tensor<f32, []>) -> !tensorlang.tensor<f32, ["B", 512]>
  %o = "tensorlang.matmul"(%act, %w2) : (!tensorlang.tensor<f32, ["B", 512]>, !tensorlang.tensor<f32, [512, 256]>) -> !tensorlang.tensor<f32, ["B", 256]>
  %y = "tensorlang.add"(%o, %b2) : (!tensorlang.tensor<f32, ["B", 256]>, !tensorlang.tensor<f32, [256]>) -> !tensorlang.tensor<f32, ["B", 256]>
  return %y : !tensorlang.tensor<f32, ["B", 256]>
}
