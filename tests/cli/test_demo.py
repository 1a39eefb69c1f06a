"""`neurojit demo`: the naive matmul loop gets hot-swapped to a faster verified variant, offline."""

from __future__ import annotations

import re

import pytest


@pytest.mark.slow
def test_demo_swaps_in_a_faster_variant(cli, tmp_path):
    db = f"sqlite:///{tmp_path}/demo.db"
    r = cli("demo", "--size", "128", "--budget", "3", "--seconds", "90", "--db", db, timeout=150, cwd=tmp_path)
    assert r.returncode == 0, r.stderr[-2000:] + r.stdout[-2000:]
    out = r.stdout
    assert re.search(r"^==> SWAP at iteration \d+: live is now \S+", out, re.M), out[-3000:]
    assert re.search(r"gate +\| PROMOTE .* shadow run agrees", out), out[-3000:]
    speedup = float(re.search(r"^speedup: ([\d.]+)x", out, re.M).group(1))
    assert speedup > 1.0
    assert re.search(r"^  \S+ PROMOTE ", out, re.M)  # the promotion history, read back from the store
    assert re.search(r"^iter +\d+-\d+ +[\d.]+ ms/iter", out, re.M)


def test_demo_rejects_bad_options(cli):
    r = cli("demo", "--size", "1")
    assert r.returncode == 2 and "--size" in r.stderr
