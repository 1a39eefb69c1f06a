module {
  func.func @vsum(%x: memref<1024xf32>, %out: memref<1xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c1024 = arith.constant 1024 : index
    %one = arith.constant 1.0 : f32
    %half = arith.constant 0.5 : f32
    %two = arith.constant 2.0 : f32
    %init = memref.load %out[%c0] : memref<1xf32>
    %r = scf.for %i = %c0 to %c1024 step %c1 iter_args(%s = %init) -> (f32) {
      %a = memref.load %x[%i] : memref<1024xf32>
      // halve until |v| <= 1, then scale back by the same power of two: exact for finite values
      %v:2 = scf.while (%w = %a, %p = %one) : (f32, f32) -> (f32, f32) {
        %abs = math.absf %w : f32
        %big = arith.cmpf ogt, %abs, %one : f32
        scf.condition(%big) %w, %p : f32, f32
      } do {
      ^bb0(%w2: f32, %p2: f32):
        %h = arith.mulf %w2, %half : f32
        %q = arith.mulf %p2, %two : f32
        scf.yield %h, %q : f32, f32
      }
      %back = arith.mulf %v#0, %v#1 : f32
      %t = arith.addf %s, %back : f32
      scf.yield %t : f32
    }
    memref.store %r, %out[%c0] : memref<1xf32>
    return
  }
}
