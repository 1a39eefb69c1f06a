// RACE: a one-pass parallel scan. Each of 8 tasks scans its block of 1024 into out, then adds the totals of
// the earlier blocks, read from out[b*1024 - 1] -- the last element another task writes, with no barrier:
// right only when the tasks happen to run in order (a write/read race the static check does not model).
module {
  func.func @cumsum(%x: memref<8192xf32>, %out: memref<8192xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c1024 = arith.constant 1024 : index
    %z = arith.constant 0.0 : f32
    scf.forall (%b) in (8) {
      %base = arith.muli %b, %c1024 : index
      // the offset: the previous block's final value (already including every earlier block) once it is done
      %isfirst = arith.cmpi eq, %b, %c0 : index
      %off = scf.if %isfirst -> (f32) {
        scf.yield %z : f32
      } else {
        %pm = arith.subi %base, %c1 : index
        %p = memref.load %out[%pm] : memref<8192xf32>
        scf.yield %p : f32
      }
      %t = scf.for %j = %c0 to %c1024 step %c1 iter_args(%acc = %off) -> (f32) {
        %k = arith.addi %base, %j : index
        %v = memref.load %x[%k] : memref<8192xf32>
        %s = arith.addf %acc, %v : f32
        memref.store %s, %out[%k] : memref<8192xf32>
        scf.yield %s : f32
      }
    }
    return
  }
}
