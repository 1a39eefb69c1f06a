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
