"""How a caller calls a compiled kernel: the user's own signature on top of the convention's.

A kernel in the convention is called with every argument, outputs written in place. A kernel that came
through a front door has output arguments the user never wrote: the results of a returning function and
the assertion status. `user_call` builds the function behind `CompiledKernel.__call__` and `LiveKernel`:
  - with every convention argument (the status included): a raw call; the status is just another output
    (this is how the evaluator calls, comparing the status with the baseline's);
  - with every argument but the status: outputs written in place, then the status is read;
  - for a function that returns its results, with its inputs only: the results are allocated, returned
    (one array, or a tuple for several) and the status is read.
A status other than 0 raises `AssertionFailed` naming the assertion that failed first.
"""

from __future__ import annotations

import numpy as np

from .errors import AssertionFailed, CallError
from .kernel import Signature


def user_call(call_tuple, sig: Signature):
    """A function `call(arrays)` taking the argument tuple in any of the forms above."""
    if not sig.results and sig.status is None:
        return call_tuple
    n_all = len(sig.args)
    status = sig.status
    inputs = sig.user_inputs
    results = sig.results
    specs = [(sig.args[i].shape, np.dtype(sig.args[i].dtype)) for i in results]
    slots = sorted([*results, *([status] if status is not None else [])])

    def check(flag: np.ndarray, arrays) -> None:
        if flag[0]:
            raise _failure(sig, int(flag[0]), arrays)

    def call(arrays):
        n = len(arrays)
        if n == n_all:
            return call_tuple(arrays)
        if results and n == len(inputs):
            outs = [np.empty(shape, dtype) for shape, dtype in specs]
            flag = np.zeros(1, np.int64)
            full, it_in, it_out = [], iter(arrays), iter(outs)
            for i in range(n_all):
                full.append(flag if i == status else next(it_out) if i in slots else next(it_in))
            call_tuple(tuple(full))
            check(flag, arrays)
            return outs[0] if len(outs) == 1 else tuple(outs)
        if status is not None and n == n_all - 1:
            flag = np.zeros(1, np.int64)
            full = list(arrays)
            full.insert(status, flag)
            call_tuple(tuple(full))
            check(flag, arrays)
            return None
        raise CallError(_arity_message(sig, n))

    return call


def _failure(sig: Signature, code: int, arrays) -> AssertionFailed:
    inputs = tuple(np.array(a, copy=True) if isinstance(a, np.ndarray) else a for a in arrays)
    if 1 <= code <= len(sig.asserts):
        a = sig.asserts[code - 1]
        return AssertionFailed(a.message or "(no message)", a.location, inputs, code - 1)
    return AssertionFailed(f"unknown assertion status {code}", f"@{sig.name}", inputs, code - 1)


def _arity_message(sig: Signature, n: int) -> str:
    forms = [f"{len(sig.args)} (every argument: {sig.describe()})"]
    if sig.status is not None:
        forms.append(f"{len(sig.args) - 1} (all but the status)")
    if sig.results:
        names = ", ".join("%" + sig.args[i].name for i in sig.user_inputs)
        forms.append(f"{len(sig.user_inputs)} (the inputs {names}; the results are returned)")
    return f"@{sig.name} takes {' or '.join(forms)} arrays, got {n}"
