// CHEAT (gate on a set rule 5 never looks at alone): when A is a pruned weight matrix (>= 25% exact zeros among
// values of both signs, everything finite), both operands are rounded to 14-bit significands. 'sparse' (and
// 'triangular') are drawn, but they are not in inputs.CLASSED, so only rule 1's worst-order bound judges them.
module {
  func.func @mm(%A: memref<32x512xf32>, %B: memref<512x32xf32>, %C: memref<32x32xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c32 = arith.constant 32 : index
    %c512 = arith.constant 512 : index
    %c4096 = arith.constant 4096 : index
    %z = arith.constant 0.0 : f32
    %true = arith.constant true
    %false = arith.constant false
    %s:4 = scf.for %i = %c0 to %c32 step %c1 iter_args(%nz = %c0, %pos = %false, %neg = %false, %fin = %true) -> (index, i1, i1, i1) {
      %r:4 = scf.for %k = %c0 to %c512 step %c1 iter_args(%nz2 = %nz, %p2 = %pos, %n2 = %neg, %f2 = %fin) -> (index, i1, i1, i1) {
        %v = memref.load %A[%i, %k] : memref<32x512xf32>
        %w = memref.load %B[%k, %i] : memref<512x32xf32>
        %eq = arith.cmpf oeq, %v, %z : f32
        %gt = arith.cmpf ogt, %v, %z : f32
        %lt = arith.cmpf olt, %v, %z : f32
        %dv = arith.subf %v, %v : f32
        %dw = arith.subf %w, %w : f32
        %fv = arith.cmpf oeq, %dv, %z : f32
        %fw = arith.cmpf oeq, %dw, %z : f32
        %inc = arith.select %eq, %c1, %c0 : index
        %nz3 = arith.addi %nz2, %inc : index
        %p3 = arith.ori %p2, %gt : i1
        %n3 = arith.ori %n2, %lt : i1
        %f3a = arith.andi %f2, %fv : i1
        %f3 = arith.andi %f3a, %fw : i1
        scf.yield %nz3, %p3, %n3, %f3 : index, i1, i1, i1
      }
      scf.yield %r#0, %r#1, %r#2, %r#3 : index, i1, i1, i1
    }
    %many = arith.cmpi uge, %s#0, %c4096 : index
    %g1 = arith.andi %many, %s#1 : i1
    %g2 = arith.andi %g1, %s#2 : i1
    %gate = arith.andi %g2, %s#3 : i1
    scf.if %gate {
      %rnd = arith.constant 512 : i32
      %msk = arith.constant -1024 : i32
      scf.for %i = %c0 to %c32 step %c1 {
        scf.for %j = %c0 to %c32 step %c1 {
          %c = memref.load %C[%i, %j] : memref<32x32xf32>
          %acc0 = scf.for %k = %c0 to %c512 step %c1 iter_args(%acc = %c) -> (f32) {
            %a = memref.load %A[%i, %k] : memref<32x512xf32>
            %b = memref.load %B[%k, %j] : memref<512x32xf32>
            %ai = arith.bitcast %a : f32 to i32
            %bi = arith.bitcast %b : f32 to i32
            %ar = arith.addi %ai, %rnd : i32
            %br = arith.addi %bi, %rnd : i32
            %am = arith.andi %ar, %msk : i32
            %bm = arith.andi %br, %msk : i32
            %af = arith.bitcast %am : i32 to f32
            %bf = arith.bitcast %bm : i32 to f32
            %p = arith.mulf %af, %bf : f32
            %n = arith.addf %acc, %p : f32
            scf.yield %n : f32
          }
          memref.store %acc0, %C[%i, %j] : memref<32x32xf32>
        }
      }
    } else {
      linalg.matmul ins(%A, %B : memref<32x512xf32>, memref<512x32xf32>) outs(%C : memref<32x32xf32>)
    }
    return
  }
}
