// Row softmax in TensorLang: exp(x - max(x)) / sum(exp(x - max(x))) along axis 1.
// %x and %e are each needed twice; linear tensors are used exactly once, so tensorlang.copy makes the
// second use explicit (it costs nothing: tensors are values, the copy disappears in lowering).
func.func @softmax(%x: !tensorlang.tensor<f32, ["R", 512]>) -> !tensorlang.tensor<f32, ["R", 512]> {
  %rows = "tensorlang.symbolic_dim"() {name = "R", size = 128} : () -> index
  %x1, %x2 = "tensorlang.copy"(%x) : (!tensorlang.tensor<f32, ["R", 512]>) -> (!tensorlang.tensor<f32, ["R", 512]>, !tensorlang.tensor<f32, ["R", 512]>)
  %m = "tensorlang.reduce_max"(%x1) {axis = 1 : i64, keepdims} : (!tensorlang.tensor<f32, ["R", 512]>) -> !tensorlang.tensor<f32, ["R", 1]>
  %d = "tensorlang.sub"(%x2, %m) : (!tensorlang.tensor<f32, ["R", 512]>, !tensorlang.tensor<f32, ["R", 1]>) -> !tensorlang.tensor<f32, ["R", 512]>
  %e = "tensorlang.exp"(%d) : (!tensorlang.tensor<f32, ["R", 512]>) -> !tensorlang.tensor<f32, ["R", 512]>
  %e1, %e2 = "tensorlang.copy"(%e) : (!tensorlang.tensor<f32, ["R", 512]>) -> (!tensorlang.tensor<f32, ["R", 512]>, !tensorlang.tensor<f32, ["R", 512]>)
  %s = "tensorlang.reduce_sum"(%e1) {axis = 1 : i64, keepdims} : (!tensorlang.tensor<f32, ["R", 512]>) -> !tensorlang.tensor<f32, ["R", 1]>
  %y = "tensorlang.div"(%e2, %s) : (!tensorlang.tensor<f32, ["R", 512]>, !tensorlang.tensor<f32, ["R", 1]>) -> !tensorlang.tensor<f32, ["R", 512]>
  return %y : !tensorlang.tensor<f32, ["R", 512]>
}
