"""The results store: runs, candidates, LLM exchanges and promotions in one SQL database (DESIGN §5).

SQLite by default, any SQLAlchemy URL otherwise (agent/tables.py has the tables and records). Every write
is idempotent because the agent's nodes re-run after a kill; reads return frozen records, never ORM
objects tied to a session. Stores written by earlier versions are migrated once, on open (agent/migrate.py).
"""

from __future__ import annotations

import re
import secrets
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

from sqlalchemy import create_engine, event, func, select, update
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import ArgumentError, IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from neurojit.compiler.classify import CandidateKind
from neurojit.compiler.errors import NeuroJITError
from neurojit.compiler.kernel import Kernel
from neurojit.evaluator.record import Verdict

from .migrate import SCHEMA, migrate
from .proposal import Proposal
from .tables import (CandidateRecord, CandidateRow, ClaimRow, ExchangeRecord, ExchangeRow, ExperimentRecord,
                     ExperimentRow, PromotionEvent, PromotionRecord, PromotionRow, RunRecord, RunRow, RunStatus,
                     RunSummary, Base, now, read_verdict, to_record)

__all__ = ["SCHEMA", "CandidateKind", "CandidateRecord", "ExchangeRecord", "ExperimentRecord", "PromotionEvent",
           "PromotionRecord", "ResultStore", "RunRecord", "RunStatus", "RunSummary", "StoreError", "default_db_url"]

_BUSY_S = 30.0  # how long a SQLite writer waits for another process's write before giving up


class StoreError(NeuroJITError):
    """The results store cannot be opened, or a write refers to something it does not hold."""


def default_db_url() -> str:
    """The store used when no --db is given: a SQLite file in the current directory."""
    return "sqlite:///neurojit.db"


def _parse(given: str | Path) -> URL:
    text = str(given)
    if "://" not in text:  # a plain path names a SQLite file
        return URL.create("sqlite", database=str(Path(text).expanduser()))
    try:
        url = make_url(text)
    except ArgumentError:
        shown = re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", text)
        raise StoreError(f"{shown} is not a database URL; give sqlite:///FILE, postgresql://USER@HOST/DB "
                         "or a file path") from None
    # Plain postgresql:// means psycopg2 before SQLAlchemy 2.1 and psycopg after: we ship psycopg.
    return url.set(drivername="postgresql+psycopg") if url.drivername == "postgresql" else url


def _sqlite_pragmas(dbapi_connection: Any, _connection_record: Any) -> None:
    # SQLite has no other interface for these: WAL lets readers and a writer of other processes share
    # the file, and foreign keys are off unless asked for.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _open(url: URL) -> Engine:
    shown = url.render_as_string(hide_password=True)
    backend = url.get_backend_name()
    try:
        if backend == "sqlite":
            # pysqlite's timeout is SQLite's busy timeout: a writer waits for another process's write.
            engine = create_engine(url, connect_args={"timeout": _BUSY_S})
            event.listen(engine, "connect", _sqlite_pragmas)
        else:
            args = {"connect_timeout": 10} if backend == "postgresql" and "connect_timeout" not in url.query else {}
            engine = create_engine(url, connect_args=args, pool_pre_ping=True)
    except (SQLAlchemyError, ImportError) as exc:
        raise StoreError(f"cannot use the results store {shown} ({exc}); give sqlite:///FILE or postgresql://..."
                         " with its driver installed (pip install 'neurojit[postgres]')") from None
    try:
        engine.connect().close()
        _create_tables(engine)
        migrate(engine, shown)
    except SQLAlchemyError as exc:
        engine.dispose()
        cause = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise StoreError(f"cannot open the results store {shown}: {cause}. Check that the database exists and "
                         "is reachable, or pass --db with another URL") from None
    return engine


def _create_tables(engine: Engine, tries: int = 3) -> None:
    try:
        Base.metadata.create_all(engine)  # only the missing ones: Optuna's and ours coexist in either order
    except SQLAlchemyError:  # another process created the same table a moment ago
        if tries == 1:
            raise
        time.sleep(0.2)
        _create_tables(engine, tries - 1)


class ResultStore:
    """Runs, candidates, LLM exchanges and promotions in the database at `url` (SQLAlchemy URL or a path)."""

    def __init__(self, url: str | Path | None = None):
        parsed = _parse(default_db_url() if url is None else url)
        self.url = parsed.render_as_string(hide_password=False)  # what optuna.storages.RDBStorage takes
        self._engine = _open(parsed)
        self._session = sessionmaker(self._engine, expire_on_commit=False)

    def close(self) -> None:
        self._engine.dispose()

    def __enter__(self) -> ResultStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _insert_once(self, cls: type, row: Any, find: Callable[[], Any],
                     also: Callable[[Session], None] | None = None) -> Any:
        try:
            with self._session.begin() as s:
                s.add(row)
                if also:
                    also(s)
            return to_record(cls, row)
        except IntegrityError as exc:  # already there (maybe written by another process a moment ago)
            existing = find()
            if existing is None:
                raise StoreError(f"cannot record into run {row.run_id}: {str(exc.orig).strip()}; "
                                 "is the run in this store (create_run first)?") from None
            return existing

    def _one(self, cls: type, stmt: Any) -> Any:
        with self._session() as s:
            row = s.scalars(stmt.limit(1)).first()
            return None if row is None else to_record(cls, row)

    def _all(self, cls: type, stmt: Any) -> list:
        with self._session() as s:
            return [to_record(cls, row) for row in s.scalars(stmt)]

    # runs
    def create_run(self, kernel: Kernel, *, model: str, strategy: str, config: dict | None = None,
                   host: dict | None = None, baseline_ms: float | None = None, run_id: str | None = None,
                   experiment: str | None = None, cell: dict | None = None) -> RunRecord:
        """A new run of `kernel` (its source text and `Kernel.hash` are what the run is of), tagged with the
        experiment and cell it belongs to, if any."""
        if run_id is not None and not 0 < len(run_id) <= 64:
            raise StoreError(f"run id {run_id!r} must have 1 to 64 characters; choose a shorter --run-id")
        row = RunRow(id=run_id or secrets.token_hex(4), kernel_name=Path(kernel.origin).name,
                     kernel_text=kernel.source or kernel.text, kernel_hash=kernel.hash, model=model,
                     strategy=strategy, config=config or {}, host=host or {}, baseline_ms=baseline_ms,
                     experiment=experiment, cell=cell)
        try:
            with self._session.begin() as s:
                s.add(row)
        except IntegrityError:
            raise StoreError(f"run {row.id} already exists; resume it with --run-id {row.id} "
                             "or choose another id") from None
        return to_record(RunRecord, row)

    def get_run(self, run_id: str) -> RunRecord | None:
        return self._one(RunRecord, select(RunRow).where(RunRow.id == run_id))

    def runs(self, status: RunStatus | None = None, experiment: str | None = None) -> list[RunRecord]:
        """All runs (or those with `status`, or of `experiment`), newest first."""
        stmt = select(RunRow).order_by(RunRow.created_at.desc(), RunRow.id)
        if status is not None:
            stmt = stmt.where(RunRow.status == status)
        if experiment is not None:
            stmt = stmt.where(RunRow.experiment == experiment)
        return self._all(RunRecord, stmt)

    def find_unfinished(self, kernel_hash: str | None = None) -> list[RunRecord]:
        """Runs still marked running (a killed run stays so), newest first, for one kernel if given."""
        runs = self.runs(RunStatus.RUNNING)
        return [r for r in runs if kernel_hash is None or r.kernel_hash == kernel_hash]

    def set_baseline(self, run_id: str, baseline_ms: float) -> None:
        self._update_run(run_id, baseline_ms=baseline_ms)

    def set_runoff(self, run_id: str, runoff: dict | None) -> None:
        """Record the run's runoff (agent/runoff.py `Runoff.to_json()`): its winner is the run's best from now on."""
        self._update_run(run_id, runoff=runoff)

    def finish_run(self, run_id: str, status: RunStatus, reason: str | None = None) -> RunRecord:
        self._update_run(run_id, status=RunStatus(status), stop_reason=reason, finished_at=now())
        return self.get_run(run_id)

    def _update_run(self, run_id: str, **values: Any) -> None:
        with self._session.begin() as s:
            if s.execute(update(RunRow).where(RunRow.id == run_id).values(**values)).rowcount == 0:
                raise StoreError(f"no run {run_id} in this store; check the --run-id and the --db URL")

    # experiments and claims
    def put_experiment(self, experiment_id: str, description: str, config: dict) -> ExperimentRecord:
        """Record an experiment, or update the grid of one recorded before (a config that grew)."""
        if not 0 < len(experiment_id) <= 64:
            raise StoreError(f"experiment id {experiment_id!r} must have 1 to 64 characters; shorten it")
        for _ in range(3):
            try:
                with self._session.begin() as s:
                    row = s.get(ExperimentRow, experiment_id)
                    if row is None:
                        s.add(ExperimentRow(id=experiment_id, description=description, config=config))
                    else:
                        row.description, row.config = description, config
                break
            except IntegrityError:  # another process recorded it a moment ago: update that one
                continue
        return self.experiment(experiment_id)

    def experiment(self, experiment_id: str) -> ExperimentRecord | None:
        return self._one(ExperimentRecord, select(ExperimentRow).where(ExperimentRow.id == experiment_id))

    def experiments(self) -> list[ExperimentRecord]:
        """All experiments, newest first."""
        return self._all(ExperimentRecord, select(ExperimentRow).order_by(ExperimentRow.created_at.desc()))

    def claim(self, run_id: str, owner: str, may_take: Callable[[str, datetime], bool]) -> bool:
        """Claim `run_id` for `owner` (e.g. host:pid); True when it is now ours. A claim held by another owner
        is taken over only when `may_take(holder, renewed_at)` says the holder is gone (dead or silent)."""
        try:
            with self._session.begin() as s:
                row = s.get(ClaimRow, run_id)
                if row is None:
                    s.add(ClaimRow(run_id=run_id, owner=owner, renewed_at=now()))
                    return True
                held_by, at = row.owner, row.renewed_at
                if held_by != owner and not may_take(held_by, at if at.tzinfo else at.replace(tzinfo=timezone.utc)):
                    return False
                # guarded by the holder we saw: of two processes taking over a dead holder's claim, one wins
                return s.execute(update(ClaimRow).where(ClaimRow.run_id == run_id, ClaimRow.owner == held_by)
                                 .values(owner=owner, renewed_at=now())).rowcount == 1
        except IntegrityError:  # another process claimed it a moment ago
            return False

    def renew_claim(self, run_id: str, owner: str) -> bool:
        """Say that `owner` still works on `run_id`; False when the claim was lost to another process."""
        with self._session.begin() as s:
            return s.execute(update(ClaimRow).where(ClaimRow.run_id == run_id, ClaimRow.owner == owner)
                             .values(renewed_at=now())).rowcount == 1

    def release_claim(self, run_id: str, owner: str) -> None:
        with self._session.begin() as s:
            s.execute(ClaimRow.__table__.delete().where(ClaimRow.run_id == run_id, ClaimRow.owner == owner))

    def claims(self) -> dict[str, tuple[str, datetime]]:
        """run id: (owner, last renewed) of every claim held."""
        with self._session() as s:
            return {r: (o, t if t.tzinfo else t.replace(tzinfo=timezone.utc))
                    for r, o, t in s.execute(select(ClaimRow.run_id, ClaimRow.owner, ClaimRow.renewed_at))}

    # candidates
    def add_candidate(self, run_id: str, proposal: Proposal) -> CandidateRecord:
        """Record a proposed candidate; one already recorded under (run_id, identity) is returned as it is."""
        return self.add_candidates(run_id, [proposal])[0]

    def add_candidates(self, run_id: str, proposals: list[Proposal]) -> list[CandidateRecord]:
        """Record several proposals in one transaction, so a kill leaves all or none of them. Ones already
        recorded are kept as they are. Returns the records, in order."""
        idents = [p.identity for p in proposals]
        for attempt in range(3):
            try:
                with self._session.begin() as s:
                    have = set(s.scalars(select(CandidateRow.identity).where(
                        CandidateRow.run_id == run_id, CandidateRow.identity.in_(idents))))
                    for p in proposals:
                        if p.identity in have:
                            continue
                        have.add(p.identity)
                        s.add(CandidateRow(run_id=run_id, identity=p.identity, text=p.text, kind=p.kind,
                                           knobs=dict(p.knobs), provider=p.provider, strategy=p.strategy,
                                           parent=p.parent, schedule=p.schedule, sampler=p.sampler or None,
                                           rationale=p.rationale or None, note=p.note or None))
                break
            except IntegrityError as exc:  # another process recorded one of them a moment ago: look again
                if attempt == 2:
                    raise StoreError(f"cannot record into run {run_id}: {str(exc.orig).strip()}; "
                                     "is the run in this store (create_run first)?") from None
        found = {c.identity: c for c in self._all(CandidateRecord, select(CandidateRow).where(
            CandidateRow.run_id == run_id, CandidateRow.identity.in_(idents)))}
        return [found[i] for i in idents]

    def candidate(self, run_id: str, identity: str) -> CandidateRecord | None:
        where = (CandidateRow.run_id == run_id, CandidateRow.identity == identity)
        return self._one(CandidateRecord, select(CandidateRow).where(*where))

    def set_verdict(self, run_id: str, identity: str, verdict: Verdict) -> CandidateRecord:
        """Store the evaluation of a candidate; storing it again overwrites it with the same values."""
        values = dict(verdict=verdict.to_json(), accepted=verdict.accepted, reason=verdict.reason.value,
                      speedup=verdict.speedup, candidate_ms=verdict.candidate_ms)
        where = (CandidateRow.run_id == run_id, CandidateRow.identity == identity)
        with self._session.begin() as s:
            if s.execute(update(CandidateRow).where(*where).values(**values)).rowcount == 0:
                raise StoreError(f"run {run_id} has no candidate {identity}; add_candidate before set_verdict")
        return self.candidate(run_id, identity)

    def candidates(self, run_id: str) -> list[CandidateRecord]:
        """The run's candidates in the order they were proposed."""
        return self._all(CandidateRecord, select(CandidateRow).where(CandidateRow.run_id == run_id)
                         .order_by(CandidateRow.id))

    def cached_verdict(self, kernel_hash: str, identity: str, build: str | None = None) -> Verdict | None:
        """The latest verdict for this candidate of this kernel, from any run; with `build`, from a run that
        recorded that build in its host description (agent/fingerprint.py: the same compiler, evaluator and
        machine), so a verdict of other code or another machine is evaluated again instead."""
        stmt = (select(CandidateRow.verdict, RunRow.host).join(RunRow, RunRow.id == CandidateRow.run_id)
                .where(RunRow.kernel_hash == kernel_hash, CandidateRow.identity == identity,
                       CandidateRow.verdict.is_not(None))
                .order_by(CandidateRow.id.desc()))
        with self._session() as s:
            for data, recorded in s.execute(stmt):
                if build is None or (recorded or {}).get("build") == build:
                    return read_verdict(data)
        return None

    def best(self, run_id: str) -> CandidateRecord | None:
        """The winner of the run's runoff where it had one (agent/runoff.py: its few best, timed again against
        each other in one process), else the accepted candidate with the highest speedup (the earliest among
        equals). Each candidate's speedup comes from its own evaluation, so between near-equals the highest is
        mostly the luckiest; the runoff is the fair comparison."""
        accepted = (CandidateRow.run_id == run_id, CandidateRow.accepted.is_(True), CandidateRow.speedup.is_not(None))
        with self._session() as s:
            runoff = s.scalar(select(RunRow.runoff).where(RunRow.id == run_id))
        if runoff and runoff.get("entries"):
            won = self._one(CandidateRecord, select(CandidateRow).where(
                *accepted, CandidateRow.identity == runoff["entries"][0]["identity"]))
            if won is not None:
                return won
        return self._one(CandidateRecord, select(CandidateRow).where(*accepted)
                         .order_by(CandidateRow.speedup.desc(), CandidateRow.id))

    def summary(self, run_id: str) -> RunSummary:
        run = self.get_run(run_id)
        if run is None:
            raise StoreError(f"no run {run_id} in this store; check the --run-id and the --db URL")
        stmt = (select(CandidateRow.accepted, CandidateRow.reason, func.count()).where(CandidateRow.run_id == run_id)
                .group_by(CandidateRow.accepted, CandidateRow.reason))
        with self._session() as s:
            counts = s.execute(stmt).all()
        rejected = {reason: n for accepted, reason, n in sorted(counts, key=lambda c: (-c[2], c[1] or ""))
                    if accepted is False}
        best = self.best(run_id)
        # the baseline as timed beside the best, interleaved with it (so baseline_ms / best_ms is its speedup);
        # without a best, the run's first benchmarked baseline
        baseline = best.candidate_ms * best.speedup if best and best.candidate_ms and best.speedup else run.baseline_ms
        return RunSummary(run_id=run_id, status=run.status, baseline_ms=baseline,
                          best_ms=best and best.candidate_ms, speedup=best and best.speedup,
                          candidates=sum(n for _, _, n in counts),
                          accepted=sum(n for accepted, _, n in counts if accepted),
                          rejected=rejected, pending=sum(n for accepted, _, n in counts if accepted is None),
                          stop_reason=run.stop_reason, runoff=run.runoff,
                          tokens=run.tokens_in + run.tokens_out, cost_usd=run.cost_usd)

    # LLM exchanges
    def add_exchange(self, run_id: str, request_hash: str, *, model: str, prompt: str, response: str,
                     tokens_in: int = 0, tokens_out: int = 0, latency_s: float = 0.0,
                     cost_usd: float = 0.0) -> ExchangeRecord:
        """Record one LLM request and answer and add its tokens and cost to the run, once per request."""
        row = ExchangeRow(run_id=run_id, request_hash=request_hash, model=model, prompt=prompt, response=response,
                          tokens_in=tokens_in, tokens_out=tokens_out, latency_s=latency_s, cost_usd=cost_usd)

        def add_to_run(s: Session) -> None:
            s.execute(update(RunRow).where(RunRow.id == run_id).values(
                tokens_in=RunRow.tokens_in + tokens_in, tokens_out=RunRow.tokens_out + tokens_out,
                cost_usd=RunRow.cost_usd + cost_usd))

        return self._insert_once(ExchangeRecord, row, lambda: self.exchange_by_request(request_hash, run_id),
                                 add_to_run)

    def exchange_by_request(self, request_hash: str, run_id: str | None = None) -> ExchangeRecord | None:
        """The first answer recorded for this request, in `run_id` or in any run."""
        stmt = select(ExchangeRow).where(ExchangeRow.request_hash == request_hash).order_by(ExchangeRow.id)
        return self._one(ExchangeRecord, stmt if run_id is None else stmt.where(ExchangeRow.run_id == run_id))

    def exchanges(self, run_id: str) -> list[ExchangeRecord]:
        return self._all(ExchangeRecord, select(ExchangeRow).where(ExchangeRow.run_id == run_id)
                         .order_by(ExchangeRow.id))

    # promotions
    def add_promotion(self, run_id: str, identity: str, event: PromotionEvent, detail: str = "") -> PromotionRecord:
        row = PromotionRow(run_id=run_id, identity=identity, event=PromotionEvent(event), detail=detail)
        return self._insert_once(PromotionRecord, row, lambda: None)  # events repeat; only a bad run_id fails

    def promotions(self, run_id: str) -> list[PromotionRecord]:
        return self._all(PromotionRecord, select(PromotionRow).where(PromotionRow.run_id == run_id)
                         .order_by(PromotionRow.id))
