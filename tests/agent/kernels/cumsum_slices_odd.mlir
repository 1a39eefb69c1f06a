// An inclusive prefix sum along rows written as torch.cumsum(dim=1) lowers it: an scf.for over columns whose body adds one
// column slice to the previous with linalg.add and inserts it (linalg ops inside a loop), 37x61 f32.
func.func @cumsum(%x: tensor<37x61xf32>) -> tensor<37x61xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c61 = arith.constant 61 : index
  %first = tensor.extract_slice %x[0, 0] [37, 1] [1, 1] : tensor<37x61xf32> to tensor<37x1xf32>
  %init = tensor.empty() : tensor<37x61xf32>
  %o0 = tensor.insert_slice %first into %init[0, 0] [37, 1] [1, 1] : tensor<37x1xf32> into tensor<37x61xf32>
  %res = scf.for %j = %c1 to %c61 step %c1 iter_args(%acc = %o0) -> (tensor<37x61xf32>) {
    %jm = arith.subi %j, %c1 : index
    %prev = tensor.extract_slice %acc[0, %jm] [37, 1] [1, 1] : tensor<37x61xf32> to tensor<37x1xf32>
    %cur = tensor.extract_slice %x[0, %j] [37, 1] [1, 1] : tensor<37x61xf32> to tensor<37x1xf32>
    %e = tensor.empty() : tensor<37x1xf32>
    %s = linalg.add ins(%prev, %cur : tensor<37x1xf32>, tensor<37x1xf32>) outs(%e : tensor<37x1xf32>) -> tensor<37x1xf32>
    %n = tensor.insert_slice %s into %acc[0, %j] [37, 1] [1, 1] : tensor<37x1xf32> into tensor<37x61xf32>
    scf.yield %n : tensor<37x61xf32>
  }
  return %res : tensor<37x61xf32>
}
