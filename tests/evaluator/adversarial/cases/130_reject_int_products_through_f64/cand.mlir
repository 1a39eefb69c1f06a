module {
  func.func @imatmul(%A: memref<8x10xi32>, %B: memref<10x12xi32>, %C: memref<8x12xi32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c8 = arith.constant 8 : index
    %c10 = arith.constant 10 : index
    %c12 = arith.constant 12 : index
    scf.for %i = %c0 to %c8 step %c1 {
      scf.for %j = %c0 to %c12 step %c1 {
        %init = memref.load %C[%i, %j] : memref<8x12xi32>
        %acc = scf.for %k = %c0 to %c10 step %c1 iter_args(%s = %init) -> (i32) {
          %a = memref.load %A[%i, %k] : memref<8x10xi32>
          %b = memref.load %B[%k, %j] : memref<10x12xi32>
          %af = arith.sitofp %a : i32 to f64
          %bf = arith.sitofp %b : i32 to f64
          %pf = arith.mulf %af, %bf : f64
          %p = arith.fptosi %pf : f64 to i32
          %n = arith.addi %s, %p : i32
          scf.yield %n : i32
        }
        memref.store %acc, %C[%i, %j] : memref<8x12xi32>
      }
    }
    return
  }
}
