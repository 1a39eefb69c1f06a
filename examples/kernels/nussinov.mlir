// PolyBench nussinov (RNA folding: the best count of pairs of seq[i..j]), in i32, as Polygeist emits it: i from
// N-1 down to 0 (ii = N-1-i), table[i][j] from its left and lower neighbours, then the best split k of [i, j]:
// table[i][k] + table[k + 1][j] over k, a row beside a column.
#set_j1 = affine_set<(d0, d1) : (d1 - d0 - 2 >= 0)>
module {
  func.func @nussinov(%seq: memref<500xi8>, %table: memref<500x500xi32> {neurojit.output}) {
    %one = arith.constant 1 : i32
    %zero = arith.constant 0 : i32
    %three = arith.constant 3 : i32
    affine.for %ii = 0 to 500 {
      affine.for %j = affine_map<(d0) -> (-d0 + 500)>(%ii) to 500 {
        %i = affine.apply affine_map<(d0) -> (-d0 + 499)>(%ii)
        // j - 1 >= 0 always (j >= i + 1)
        %t0 = affine.load %table[%i, %j] : memref<500x500xi32>
        %l = affine.load %table[%i, %j - 1] : memref<500x500xi32>
        %c0 = arith.cmpi sge, %t0, %l : i32
        %m0 = arith.select %c0, %t0, %l : i32
        affine.store %m0, %table[%i, %j] : memref<500x500xi32>
        affine.if affine_set<(d0) : (-d0 + 498 >= 0)>(%i) {
          %t1 = affine.load %table[%i, %j] : memref<500x500xi32>
          %d = affine.load %table[%i + 1, %j] : memref<500x500xi32>
          %c1 = arith.cmpi sge, %t1, %d : i32
          %m1 = arith.select %c1, %t1, %d : i32
          affine.store %m1, %table[%i, %j] : memref<500x500xi32>
          %t2 = affine.load %table[%i, %j] : memref<500x500xi32>
          %dg = affine.load %table[%i + 1, %j - 1] : memref<500x500xi32>
          affine.if #set_j1(%i, %j) {
            %si = affine.load %seq[%i] : memref<500xi8>
            %sj = affine.load %seq[%j] : memref<500xi8>
            %a = arith.extsi %si : i8 to i32
            %b = arith.extsi %sj : i8 to i32
            %s = arith.addi %a, %b : i32
            %eq = arith.cmpi eq, %s, %three : i32
            %mt = arith.select %eq, %one, %zero : i32
            %v = arith.addi %dg, %mt : i32
            %c2 = arith.cmpi sge, %t2, %v : i32
            %m2 = arith.select %c2, %t2, %v : i32
            affine.store %m2, %table[%i, %j] : memref<500x500xi32>
          } else {
            %c3 = arith.cmpi sge, %t2, %dg : i32
            %m3 = arith.select %c3, %t2, %dg : i32
            affine.store %m3, %table[%i, %j] : memref<500x500xi32>
          }
        }
        affine.for %k = affine_map<(d0) -> (d0 + 1)>(%i) to affine_map<(d0) -> (d0)>(%j) {
          %t = affine.load %table[%i, %j] : memref<500x500xi32>
          %x = affine.load %table[%i, %k] : memref<500x500xi32>
          %y = affine.load %table[%k + 1, %j] : memref<500x500xi32>
          %v = arith.addi %x, %y : i32
          %c = arith.cmpi sge, %t, %v : i32
          %m = arith.select %c, %t, %v : i32
          affine.store %m, %table[%i, %j] : memref<500x500xi32>
        }
      }
    }
    return
  }
}
