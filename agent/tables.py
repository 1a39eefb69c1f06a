"""The results store's tables and the frozen records read out of them (agent/store.py reads and writes them).

Optuna keeps its tables in the same database, so ours carry the `nj_` prefix. A record has its row's
columns and is free of any session; a candidate's verdict comes back as a `Verdict`.
"""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass, fields, make_dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import JSON, DateTime, Enum, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from neurojit.compiler.classify import CandidateKind
from neurojit.compiler.errors import NeuroJITError
from neurojit.evaluator.record import Candidate, Verdict


class RunStatus(str, enum.Enum):
    RUNNING = "running"
    FINISHED = "finished"
    STOPPED = "stopped"
    FAILED = "failed"


class PromotionEvent(str, enum.Enum):
    PROMOTE = "promote"
    ROLLBACK = "rollback"
    REFUSED = "refused"


def now() -> datetime:
    return datetime.now(timezone.utc)


def _enum(cls: type[enum.Enum]) -> Enum:
    # Stored as the enum's plain string value, not a database enum type: nothing to migrate when one grows.
    return Enum(cls, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e])


_Time = DateTime(timezone=True)


class Base(DeclarativeBase):
    pass


class RunRow(Base):
    __tablename__ = "nj_runs"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kernel_name: Mapped[str] = mapped_column(Text)
    kernel_hash: Mapped[str] = mapped_column(String(128), index=True)
    kernel_text: Mapped[str] = mapped_column(Text)
    model: Mapped[str] = mapped_column(Text)
    strategy: Mapped[str] = mapped_column(Text)
    config: Mapped[dict] = mapped_column(JSON)
    host: Mapped[dict] = mapped_column(JSON)
    status: Mapped[RunStatus] = mapped_column(_enum(RunStatus), default=RunStatus.RUNNING, index=True)
    stop_reason: Mapped[str | None] = mapped_column(Text)
    baseline_ms: Mapped[float | None]
    tokens_in: Mapped[int] = mapped_column(default=0)
    tokens_out: Mapped[int] = mapped_column(default=0)
    cost_usd: Mapped[float] = mapped_column(default=0.0)
    created_at: Mapped[datetime] = mapped_column(_Time, default=now)
    finished_at: Mapped[datetime | None] = mapped_column(_Time)
    experiment: Mapped[str | None] = mapped_column(String(64), index=True)  # NULL outside an experiment
    cell: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))  # the experiment's axes for this run
    runoff: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))  # the final runoff (agent/runoff.py)


class ExperimentRow(Base):
    __tablename__ = "nj_experiments"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    description: Mapped[str] = mapped_column(Text)
    config: Mapped[dict] = mapped_column(JSON)  # the grid as run: its cells, with their run ids
    created_at: Mapped[datetime] = mapped_column(_Time, default=now)


class ClaimRow(Base):
    """Who is running a run now: a process claims a run before it works on it and renews the claim while it
    does, so two processes (or machines sharing one database) never work on the same run at once."""
    __tablename__ = "nj_claims"
    run_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    owner: Mapped[str] = mapped_column(Text)  # host:pid
    renewed_at: Mapped[datetime] = mapped_column(_Time, default=now)


class CandidateRow(Base):
    __tablename__ = "nj_candidates"
    __table_args__ = (UniqueConstraint("run_id", "identity", name="nj_candidates_run_identity"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("nj_runs.id", ondelete="CASCADE"))
    identity: Mapped[str] = mapped_column(String(128), index=True)
    parent: Mapped[str | None] = mapped_column(String(128))
    provider: Mapped[str] = mapped_column(Text)
    strategy: Mapped[str] = mapped_column(Text)
    kind: Mapped[CandidateKind] = mapped_column(_enum(CandidateKind))
    schedule: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    knobs: Mapped[dict] = mapped_column(JSON)
    sampler: Mapped[str | None] = mapped_column(Text)
    rationale: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    verdict: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))
    accepted: Mapped[bool | None]
    reason: Mapped[str | None] = mapped_column(String(32))
    speedup: Mapped[float | None]
    candidate_ms: Mapped[float | None]
    created_at: Mapped[datetime] = mapped_column(_Time, default=now)


class ExchangeRow(Base):
    __tablename__ = "nj_exchanges"
    # One answer per request and run; replay looks a request up across runs, hence its own index.
    __table_args__ = (UniqueConstraint("run_id", "request_hash", name="nj_exchanges_run_request"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("nj_runs.id", ondelete="CASCADE"))
    request_hash: Mapped[str] = mapped_column(String(128), index=True)
    model: Mapped[str] = mapped_column(Text)
    prompt: Mapped[str] = mapped_column(Text)
    response: Mapped[str] = mapped_column(Text)
    tokens_in: Mapped[int]
    tokens_out: Mapped[int]
    latency_s: Mapped[float]
    cost_usd: Mapped[float]
    created_at: Mapped[datetime] = mapped_column(_Time, default=now)


class PromotionRow(Base):
    __tablename__ = "nj_promotions"
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("nj_runs.id", ondelete="CASCADE"), index=True)
    identity: Mapped[str] = mapped_column(String(128))
    event: Mapped[PromotionEvent] = mapped_column(_enum(PromotionEvent))
    detail: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(_Time, default=now)


class MetaRow(Base):
    __tablename__ = "nj_meta"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


def _record_type(name: str, row: type[Base], doc: str, types: dict | None = None,
                 namespace: dict | None = None) -> type:
    # A record has its row's columns, same names and types (unless `types` says what a column becomes when
    # read), and is free of any session. Deriving it keeps the two from drifting apart; surrogate integer
    # keys stay inside the store.
    columns = [(key, (types or {}).get(key, kind[len("Mapped["):-1])) for key, kind in row.__annotations__.items()
               if not (key == "id" and row not in (RunRow, ExperimentRow))]
    cls = make_dataclass(name, columns, frozen=True, namespace=namespace)
    cls.__module__, cls.__doc__ = __name__, doc
    return cls


def _candidate_of(record) -> Candidate:
    return Candidate.of(record.text, record.knobs)


RunRecord = _record_type("RunRecord", RunRow, "One agent run of one kernel.")
ExperimentRecord = _record_type("ExperimentRecord", ExperimentRow, "One experiment: a grid of runs.")
CandidateRecord = _record_type(
    "CandidateRecord", CandidateRow, "One proposed variant, its provenance and its `Verdict` (None until evaluated).",
    types={"verdict": "Verdict | None", "knobs": "dict"},
    namespace={"candidate": property(_candidate_of, doc="The variant as the evaluator's Candidate record.")})
ExchangeRecord = _record_type("ExchangeRecord", ExchangeRow, "One LLM request and its answer.")
PromotionRecord = _record_type("PromotionRecord", PromotionRow, "One promote/rollback/refused event.")


@dataclass(frozen=True)
class RunSummary:
    """The `neurojit tune --json` summary of one run (DESIGN §3)."""
    run_id: str
    status: RunStatus
    baseline_ms: float | None
    best_ms: float | None
    speedup: float | None
    candidates: int
    accepted: int
    rejected: dict[str, int]
    pending: int
    tokens: int
    cost_usd: float
    stop_reason: str | None = None  # which budget (or what else) ended the run
    runoff: dict | None = None  # the final runoff that named the best (agent/runoff.py), if the run had one

    def to_json(self) -> dict:
        return {**asdict(self), "status": self.status.value}


def to_record(cls: type, row: Any) -> Any:
    values = {f.name: getattr(row, f.name) for f in fields(cls)}
    for name, value in values.items():  # SQLite hands datetimes back without their zone
        if isinstance(value, datetime) and value.tzinfo is None:
            values[name] = value.replace(tzinfo=timezone.utc)
    if cls is CandidateRecord and values["verdict"] is not None:
        values["verdict"] = read_verdict(values["verdict"])
    return cls(**values)


def read_verdict(data: dict) -> Verdict:
    """A stored verdict; one whose outcome or reason this version does not know is a user error (one line)."""
    try:
        return Verdict.from_json(data)
    except ValueError as exc:
        raise NeuroJITError(f"the results store holds a verdict this version of neurojit cannot read ({exc}); "
                            "it was written by a newer neurojit: upgrade, or use another --db") from None
