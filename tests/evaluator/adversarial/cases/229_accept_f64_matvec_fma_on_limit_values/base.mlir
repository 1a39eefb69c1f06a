// y(33) += A(33x257) * x(257), f64.
module {
  func.func @matvec(%A: memref<33x257xf64>, %x: memref<257xf64>, %y: memref<33xf64>) {
    linalg.matvec ins(%A, %x : memref<33x257xf64>, memref<257xf64>) outs(%y : memref<33xf64>)
    return
  }
}
