"""What a candidate promises the optimiser about its values, and so which inputs its O0 build must run.

Why: flags such as `fastmath<nnan>` / `ninf` / `nsz` and `overflow<nsw>` / `nuw` (and `exact`) are promises
that no value will be NaN, infinite, a signed zero, or overflow (`llvm.intr.assume` promises any condition);
where a value breaks the promise the result is poison, and an optimised build may fold a test away (an `isnan` check, an overflow check) and be right
only by luck. Such a candidate passes every pair of the O3 build and differs from its own O0 build only on
the value classes that break the promise (the `nan` set, say), which the differential build, run on two pairs
to keep it cheap, need not meet. So a candidate that makes any such promise has its O0 build run the first
pair of every input set (equivalence.py); one that makes none keeps the two pairs. Promises the baseline
makes itself do not count (checks.py): its results, the references, rest on them already. `reassoc`, `contract`,
`arcp` and `afn` change rounding only, which the tolerance covers: they are not value promises.
"""

from __future__ import annotations

import re

from mlir import ir

from neurojit.compiler.kernel import walk

_FASTMATH = re.compile(r"\b(nnan|ninf|nsz|fast)\b")
_OVERFLOW = re.compile(r"\b(nsw|nuw)\b")


def value_promises(module: ir.Module) -> list[str]:
    """The ops (name and flag) of `module` that promise something about the values they meet, in order."""
    found = []
    for op in walk(module.operation):
        if op.name == "llvm.intr.assume":  # a condition the optimiser may take as true (and fold tests of it away)
            found.append(op.name)
            continue
        attrs = op.attributes
        for i in range(len(attrs)):
            name, text = attrs[i].name, str(attrs[i].attr)
            if "fastmath" in name.lower():
                hit = _FASTMATH.search(text)
            elif name == "overflowFlags":
                hit = _OVERFLOW.search(text)
            else:
                hit = re.match(r"exact", name.removeprefix("is").lower())
            if hit:
                found.append(f"{op.name} {hit.group(0)}")
    return found
