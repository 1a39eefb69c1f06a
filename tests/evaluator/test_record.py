"""Verdict records: what the benchmark timed travels in its own field, and older stored verdicts still read."""

from neurojit.evaluator.record import Check, Outcome, Reason, Verdict


def test_timing_round_trips_and_older_verdicts_without_it_still_read():
    timing = {"mode": "interleaved", "cache": "warm", "buffers": "rotated over 4 argument set(s)",
              "outputs": "reset to their initial contents before every timed call", "spot_checks": 3}
    v = Verdict(Outcome.ACCEPT, Reason.OK, "ok", speedup=2.0, speedup_ci=(1.9, 2.1),
                checks=(Check("benchmark", True, "x"),), timing=timing)
    d = v.to_json()
    assert d["timing"] == timing and Verdict.from_json(d) == v
    old = {k: val for k, val in d.items() if k not in ("timing", "timings")}
    assert Verdict.from_json(old).timing is None


def test_the_workers_own_memory_running_out_is_a_memory_limit_verdict_that_says_what_to_do(monkeypatch):
    # a one-hot kernel with a 16 MB output took the worker past its 8 GiB address space and every candidate was
    # refused as "crash: evaluator internal error: OSError: [Errno 12]": now the limit and the knob are named
    import errno

    from neurojit.evaluator import checks

    for exc in (MemoryError("Unable to allocate 31.2 MiB"), OSError(errno.ENOMEM, "Cannot allocate memory")):
        monkeypatch.setattr(checks, "_stages", lambda *a, exc=exc: (_ for _ in ()).throw(exc))
        v = checks.evaluate_candidate(None, {"config": {}})
        assert v["verdict"] == "reject" and v["reason"] == "memory_limit", v
        assert "EvalConfig.memory_limit_bytes" in v["detail"] and "8 GiB" in v["detail"]
    monkeypatch.setattr(checks, "_stages", lambda *a: (_ for _ in ()).throw(OSError(errno.EBADF, "Bad fd")))
    v = checks.evaluate_candidate(None, {"config": {}})
    assert v["reason"] == "crash" and "evaluator internal error" in v["detail"]
