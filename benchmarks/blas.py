"""The numpy reference as a user's numpy runs it: one thread, and OpenBLAS free to pick its own kernel.

The machines pin OPENBLAS_CORETYPE=Haswell (old OpenBLAS builds misbehave on some CPUs); on AVX-512 hosts
that halves numpy. Benchmarks unset it and OPENBLAS_L2_SIZE before numpy is imported (the BLAS reads them
once), and print the kernel threadpoolctl reports, so every ratio against numpy says what it was against.
Import this module first. Tests and CI leave the variables alone.
"""

import os

for _v in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
    os.environ.pop(_v, None)
for _v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS"):
    os.environ[_v] = "1"


def describe() -> str:
    """The BLAS numpy uses, as threadpoolctl reports it (install `neurojit[bench]` to have it)."""
    import numpy as np

    np.ones((2, 2)) @ np.ones((2, 2))  # load the BLAS
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "BLAS kernel unknown (pip install threadpoolctl, or the bench extra, to report it)"
    blas = [i for i in threadpool_info() if i.get("user_api") == "blas"]
    return "; ".join(f"{i.get('internal_api')} {i.get('version')} kernel {i.get('architecture')}, "
                     f"{i.get('num_threads')} thread(s)" for i in blas) or "no BLAS reported"
