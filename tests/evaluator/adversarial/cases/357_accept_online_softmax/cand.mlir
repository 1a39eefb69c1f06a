// CORRECT: one-pass "online" softmax (running max, the running sum rescaled by exp(m_old - m_new) whenever
// the max grows, as FlashAttention does), then one normalising pass. Guarded so that a -Inf logit adds 0 and
// an unchanged max rescales by exactly 1 (no exp(-Inf - -Inf) = NaN); +Inf/NaN rows give NaN as the baseline.
module {
  func.func @softmax(%x: memref<32x512xf32>, %out: memref<32x512xf32>) {
    %ninf = arith.constant 0xFF800000 : f32
    %zero = arith.constant 0.0 : f32
    %one = arith.constant 1.0 : f32
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c32 = arith.constant 32 : index
    %c512 = arith.constant 512 : index
    scf.for %i = %c0 to %c32 step %c1 {
      %r:2 = scf.for %j = %c0 to %c512 step %c1 iter_args(%m = %ninf, %s = %zero) -> (f32, f32) {
        %v = memref.load %x[%i, %j] : memref<32x512xf32>
        %mn = arith.maximumf %m, %v : f32
        %same = arith.cmpf oeq, %mn, %m : f32
        %dm = arith.subf %m, %mn : f32
        %em = math.exp %dm : f32
        %sc = arith.select %same, %one, %em : f32
        %isninf = arith.cmpf oeq, %v, %ninf : f32
        %dv = arith.subf %v, %mn : f32
        %ev = math.exp %dv : f32
        %t = arith.select %isninf, %zero, %ev : f32
        %s1 = arith.mulf %s, %sc : f32
        %s2 = arith.addf %s1, %t : f32
        scf.yield %mn, %s2 : f32, f32
      }
      scf.for %j = %c0 to %c512 step %c1 {
        %v = memref.load %x[%i, %j] : memref<32x512xf32>
        %d = arith.subf %v, %r#0 : f32
        %e = math.exp %d : f32
        %p = arith.divf %e, %r#1 : f32
        memref.store %p, %out[%i, %j] : memref<32x512xf32>
      }
    }
    return
  }
}
