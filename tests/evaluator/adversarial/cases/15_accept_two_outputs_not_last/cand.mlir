module {
  func.func @split(%x: memref<256xf32>, %pos: memref<256xf32> {neurojit.output}, %neg: memref<256xf32> {neurojit.output}, %s: memref<1xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %n = arith.constant 256 : index
    %zero = arith.constant 0.0 : f32
    %sc = memref.load %s[%c0] : memref<1xf32>
    scf.for %i = %c0 to %n step %c1 {
      %a = memref.load %x[%i] : memref<256xf32>
      %mx = arith.maximumf %a, %zero : f32
      %mn = arith.minimumf %a, %zero : f32
      %p = arith.mulf %mx, %sc : f32
      %q = arith.mulf %mn, %sc : f32
      memref.store %p, %pos[%i] : memref<256xf32>
      memref.store %q, %neg[%i] : memref<256xf32>
    }
    return
  }
}
