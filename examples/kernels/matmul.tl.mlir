// The seeds' matmul in TensorLang (the tensor dialect defined in IRDL: compiler/tensorlang/). IRDL gives no
// custom syntax, so ops are written in MLIR's generic form. M, K and N are symbolic dimensions: their sizes
// are bound when the kernel is compiled (neurojit.compile(path, dims={"M": 512}), else the size given here).
// Every !tensorlang.tensor value is linear: used exactly once (VerifyLinearity checks it, with locations).
func.func @matmul(%a: !tensorlang.tensor<f32, ["M", "K"]>, %b: !tensorlang.tensor<f32, ["K", "N"]>) -> !tensorlang.tensor<f32, ["M", "N"]> {
  %m = "tensorlang.symbolic_dim"() {name = "M", size = 256} : () -> index
  %k = "tensorlang.symbolic_dim"() {name = "K", size = 256} : () -> index
  %n = "tensorlang.symbolic_dim"() {name = "N", size = 256} : () -> index
  // inner dimensions checked: a K that differs between %a and %b is an error at this line
  %c = "tensorlang.matmul"(%a, %b) : (!tensorlang.tensor<f32, ["M", "K"]>, !tensorlang.tensor<f32, ["K", "N"]>) -> !tensorlang.tensor<f32, ["M", "N"]>
  return %c : !tensorlang.tensor<f32, ["M", "N"]>
}
