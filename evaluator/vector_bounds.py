"""Bounds checks for vector memory accesses in the checked build, as runtime verification does for scalars.

Why: MLIR's `generate-runtime-verification` instruments `memref.load/store` and views, not the vector
dialect's loads and stores, and guard pages (guard.py) only catch an access that lands on one: a vector load
a page or more past the end of one argument reads the next argument's region, or the heap, unseen. So in the
checked build every vector access to a memref gets a `cf.assert` (printing "out-of-bounds", which the host
reports as `unsafe_memory`) that every element it touches lies inside the memref, by the op's own semantics:
- vector.load/store: the vector covers the trailing memref dims from the indices; leading indices in range;
- maskedload/maskedstore: each active lane's position in the last dim (an all-false mask touches nothing);
- expandload/compressstore: as many consecutive elements as the mask has active lanes;
- gather/scatter: each active lane's base-plus-offset, counted in elements of the memref (identity layout:
  the whole buffer; a strided view: its last dim, where a row's elements are known to lie);
- transfer_read/write: the lowering masks the dims not marked `in_bounds`; the others, and dims the
  permutation map leaves out, are checked; every index must also be non-negative (the lowering's mask only
  compares with the upper bound). A transfer with a mask touches only its active lanes (MLIR's masked
  vectorisation marks every dim `in_bounds` under a mask): along its `in_bounds` dims each active lane is
  checked (`vector.mask` regions are made masked ops before, `compiler.pipeline.UNMASK`).
"""

from __future__ import annotations

import re

from mlir import ir
from mlir.dialects import arith, cf, memref, vector

from neurojit.compiler.kernel import walk

ACCESSES = frozenset({"vector.load", "vector.store", "vector.maskedload", "vector.maskedstore", "vector.gather",
                      "vector.scatter", "vector.expandload", "vector.compressstore", "vector.transfer_read",
                      "vector.transfer_write"})
MESSAGE = "out-of-bounds"


def guard_vector_accesses(module: ir.Module) -> int:
    """Insert a bounds assertion before every vector access to a memref in `module`; return how many."""
    count = 0
    for op in [o for o in walk(module.operation) if o.name in ACCESSES]:
        view = op.opview
        if not isinstance(view.base.type.maybe_downcast(), ir.MemRefType):
            continue  # a transfer on a tensor touches no memory
        with op.context, op.location, ir.InsertionPoint(op):
            ok = _Check(view.base).of(op.name, view)
            if ok is not None:
                where = re.search(r'loc\("[^"]*":(\d+):(\d+)\)', str(op.location))
                at = f" at line {where.group(1)}:{where.group(2)}" if where else ""
                cf.AssertOp(ok, f"{MESSAGE} {op.name}{at}: a vector access reaches outside its memref")
                count += 1
    return count


class _Check:
    """Builds the i1 condition 'every element touched lies in the memref', at the current insertion point."""

    def __init__(self, base: ir.Value):
        self.base = base
        self.type = ir.MemRefType(base.type)
        self.index = ir.IndexType.get()
        self.i1 = ir.IntegerType.get_signless(1)

    def of(self, name: str, view) -> ir.Value | None:
        idx = list(view.indices) if name not in ("vector.gather", "vector.scatter") else list(view.offsets)
        if name in ("vector.load", "vector.store"):
            vtype = (view.result if name == "vector.load" else view.valueToStore).type
            rank = 0 if isinstance(self.type.element_type, ir.VectorType) else ir.VectorType(vtype).rank
            return self._box(idx, {len(idx) - rank + k: n for k, n in enumerate(ir.VectorType(vtype).shape)})
        if name in ("vector.transfer_read", "vector.transfer_write"):
            vtype = (view.result if name == "vector.transfer_read" else view.valueToStore).type
            return self._transfer(view, idx, ir.VectorType(vtype).shape)
        if not idx:
            return None
        mask = view.mask
        if name in ("vector.expandload", "vector.compressstore"):
            return self._consecutive(idx, mask)
        if name in ("vector.gather", "vector.scatter"):
            return self._lanes(idx, mask, view.indices)
        return self._lanes(idx, mask, None)  # maskedload, maskedstore

    # scalars
    def _c(self, v: int) -> ir.Value:
        return arith.ConstantOp(self.index, v).result

    def _dim(self, j: int) -> ir.Value:
        n = self.type.shape[j]
        return self._c(n) if not ir.ShapedType.is_dynamic_size(n) else memref.DimOp(self.base, self._c(j)).result

    def _cmp(self, pred: arith.CmpIPredicate, a: ir.Value, b: ir.Value) -> ir.Value:
        return arith.CmpIOp(pred, a, b).result

    def _all(self, conds: list[ir.Value]) -> ir.Value | None:
        if not conds:
            return None
        out = conds[0]
        for c in conds[1:]:
            out = arith.AndIOp(out, c).result
        return out

    def _box(self, idx: list[ir.Value], extent: dict[int, int]) -> ir.Value | None:
        """0 <= idx[j] and idx[j] + extent[j] <= dim j (extent 1 where a dim is not covered by the vector)."""
        conds = []
        for j, i in enumerate(idx):
            conds.append(self._cmp(arith.CmpIPredicate.sge, i, self._c(0)))
            end = arith.AddIOp(i, self._c(extent.get(j, 1))).result
            conds.append(self._cmp(arith.CmpIPredicate.sle, end, self._dim(j)))
        return self._all(conds)

    def _transfer(self, view, idx: list[ir.Value], vshape: list[int]) -> ir.Value | None:
        in_bounds = [ir.BoolAttr(b).value for b in ir.ArrayAttr(view.attributes["in_bounds"])]
        mapped: dict[int, int] = {}  # memref dim -> vector dim
        for k, expr in enumerate(ir.AffineMapAttr(view.attributes["permutation_map"]).value.results):
            expr = expr.maybe_downcast()
            if isinstance(expr, ir.AffineDimExpr):
                mapped[expr.position] = k
        # a mask's dims are the mapped memref dims, in memref order (MLIR's inferTransferOpMaskType)
        mask = view.mask
        dims = sorted(mapped)
        sizes = [vshape[mapped[j]] for j in dims]
        by_lane = mask is not None and list(ir.VectorType(mask.type).shape) == sizes
        conds, lanes = [], []
        for j, i in enumerate(idx):
            conds.append(self._cmp(arith.CmpIPredicate.sge, i, self._c(0)))
            k = mapped.get(j)
            if k is not None and in_bounds[k] and by_lane:
                lanes.append(j)  # only the lanes the mask lets through touch memory: checked one by one below
            elif k is None or in_bounds[k]:  # masked by the lowering only where mapped and not in_bounds
                end = arith.AddIOp(i, self._c(1 if k is None else vshape[k])).result
                conds.append(self._cmp(arith.CmpIPredicate.sle, end, self._dim(j)))
        if lanes:
            conds.append(self._masked_lanes(idx, mask, dims, sizes, lanes))
        return self._all(conds)

    def _masked_lanes(self, idx: list[ir.Value], mask: ir.Value, dims: list[int], sizes: list[int],
                      checked: list[int]) -> ir.Value:
        """No active lane of a transfer's `mask` (shaped `sizes` along memref `dims`) lies past the end of the
        memref along any of the `checked` dims."""
        flat = self._flat(mask)
        n = ir.VectorType(flat.type).shape[0]
        vindex = ir.VectorType.get([n], self.index)
        lane = vector.StepOp(vindex).result
        splat = lambda v: vector.BroadcastOp(vindex, v).result  # noqa: E731
        outside = None
        for p, j in enumerate(dims):
            if j not in checked:
                continue
            stride = _product(sizes[p + 1:])
            coord = arith.RemUIOp(arith.DivUIOp(lane, splat(self._c(stride))).result, splat(self._c(sizes[p]))).result
            pos = arith.AddIOp(splat(idx[j]), coord).result
            past = self._cmp(arith.CmpIPredicate.sge, pos, splat(self._dim(j)))
            outside = past if outside is None else arith.OrIOp(outside, past).result
        bad = arith.AndIOp(flat, outside).result
        some = vector.ReductionOp(self.i1, vector.CombiningKind.OR, bad).result
        return arith.XOrIOp(some, arith.ConstantOp(self.i1, 1).result).result

    # lanes
    def _flat(self, v: ir.Value) -> ir.Value:
        t = ir.VectorType(v.type)
        if t.rank == 1:
            return v
        return vector.ShapeCastOp(ir.VectorType.get([_product(t.shape)], t.element_type), v).result

    def _lanes(self, idx: list[ir.Value], mask: ir.Value, offsets: ir.Value | None) -> ir.Value:
        """No active lane of `mask` touches an element outside the memref."""
        mask = self._flat(mask)
        n = ir.VectorType(mask.type).shape[0]
        vindex = ir.VectorType.get([n], self.index)
        last = len(idx) - 1
        layout = self.type.layout
        identity = offsets is not None and isinstance(layout.maybe_downcast(), ir.AffineMapAttr) and \
            ir.AffineMapAttr(layout).value == ir.AffineMap.get_identity(len(idx))
        if identity:  # gather/scatter: elements from the base element, across rows
            at, upper, lead = self._c(0), self._c(1), []
            for j, i in enumerate(idx):
                at = arith.AddIOp(arith.MulIOp(at, self._dim(j)).result, i).result
                upper = arith.MulIOp(upper, self._dim(j)).result
        else:
            at, upper = idx[last], self._dim(last)
            lead = [c for j in range(last) for c in (self._cmp(arith.CmpIPredicate.sge, idx[j], self._c(0)),
                                                        self._cmp(arith.CmpIPredicate.slt, idx[j], self._dim(j)))]
        pos = vector.BroadcastOp(vindex, at).result
        if offsets is None:
            pos = arith.AddIOp(pos, vector.StepOp(vindex).result).result
        else:
            off = self._flat(offsets)
            if ir.VectorType(off.type).element_type != self.index:
                off = arith.IndexCastOp(vindex, off).result
            pos = arith.AddIOp(pos, off).result
        zero, top = vector.BroadcastOp(vindex, self._c(0)).result, vector.BroadcastOp(vindex, upper).result
        inside = arith.AndIOp(self._cmp(arith.CmpIPredicate.sge, pos, zero),
                              self._cmp(arith.CmpIPredicate.slt, pos, top)).result
        if lead:
            inside = arith.AndIOp(inside, vector.BroadcastOp(inside.type, self._all(lead)).result).result
        ones = arith.ConstantOp(inside.type, ir.DenseElementsAttr.get_splat(
            inside.type, ir.IntegerAttr.get(self.i1, 1))).result
        bad = arith.AndIOp(mask, arith.XOrIOp(inside, ones).result).result
        some = vector.ReductionOp(self.i1, vector.CombiningKind.OR, bad).result
        return arith.XOrIOp(some, arith.ConstantOp(self.i1, 1).result).result

    def _consecutive(self, idx: list[ir.Value], mask: ir.Value) -> ir.Value:
        """expandload/compressstore: as many consecutive elements from the indices as active lanes."""
        mask = self._flat(mask)
        n = ir.VectorType(mask.type).shape[0]
        i64 = ir.IntegerType.get_signless(64)
        wide = arith.ExtUIOp(ir.VectorType.get([n], i64), mask).result
        active = arith.IndexCastOp(self.index, vector.ReductionOp(i64, vector.CombiningKind.ADD, wide).result).result
        none = self._cmp(arith.CmpIPredicate.eq, active, self._c(0))
        conds = []
        for j, i in enumerate(idx):
            conds.append(self._cmp(arith.CmpIPredicate.sge, i, self._c(0)))
            end = arith.AddIOp(i, active if j == len(idx) - 1 else self._c(1)).result
            conds.append(self._cmp(arith.CmpIPredicate.sle, end, self._dim(j)))
        return arith.OrIOp(none, self._all(conds)).result


def _product(shape) -> int:
    n = 1
    for d in shape:
        n *= d
    return n
