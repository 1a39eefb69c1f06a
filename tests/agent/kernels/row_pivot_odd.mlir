// Each row divided by its own diagonal element, in place (a Gauss-Jordan step's pivot row, for every row): the
// iteration j = i writes the divisor every iteration of the row reads.
module {
  func.func @row_pivot(%A: memref<29x31xf32> {neurojit.output}) {
    affine.for %i = 0 to 29 {
      affine.for %j = 0 to 31 {
        %a = affine.load %A[%i, %j] : memref<29x31xf32>
        %d = affine.load %A[%i, %i] : memref<29x31xf32>
        %q = arith.divf %a, %d : f32
        affine.store %q, %A[%i, %j] : memref<29x31xf32>
      }
    }
    return
  }
}
