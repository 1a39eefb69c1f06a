"""Schema versions of the results store, and the one-time migration of stores written by earlier versions."""

from __future__ import annotations

import sys
import time

from sqlalchemy import inspect, select, text, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from neurojit.compiler.classify import SCHEDULE_MARKERS, CandidateKind, classify, identity_of
from neurojit.compiler.errors import NeuroJITError

from .tables import CandidateRow, MetaRow, RunRow

# 0: before the Candidate record (no provenance columns; kinds as the model declared them)
# 1: before experiments (runs without the experiment and cell columns)
# 2: before the runoff (runs without the runoff column)
SCHEMA = 3


def _schema(engine: Engine) -> int:
    with engine.connect() as conn:
        value = conn.execute(select(MetaRow.value).where(MetaRow.key == "schema")).scalar()
    return int(value) if value is not None else 0


def migrate(engine: Engine, shown: str, tries: int = 3) -> None:
    """Bring a store written by an earlier version to SCHEMA, once; say so when anything changed.

    0 -> 1: the provenance columns (sampler, rationale, note) are added, and every candidate's kind is
    decided again from its text: version 0 stored the kind a model declared, so a full module a model called
    a schedule was stored as one (and then could not be promoted or exported).
    1 -> 2: runs get the experiment and cell they belong to (NULL for runs outside an experiment); the
    experiments and claims tables are new tables, created like any missing table.
    2 -> 3: runs get the runoff that named their best (NULL: the best is the highest recorded speedup)."""
    version = _schema(engine)
    if version >= SCHEMA:
        return
    added: list[str] = []
    fixed = 0
    try:
        with engine.begin() as conn:
            if version < 1:
                added += _add_columns(conn, CandidateRow.__tablename__, {"sampler": "TEXT", "rationale": "TEXT",
                                                                         "note": "TEXT"})
                fixed = _candidates_v1(conn)
                _kernel_hashes_v1(conn)
            if version < 2:
                added += _add_columns(conn, RunRow.__tablename__, {"experiment": "VARCHAR(64)", "cell": "JSON"})
            if version < 3:
                added += _add_columns(conn, RunRow.__tablename__, {"runoff": "JSON"})
            conn.execute(MetaRow.__table__.delete().where(MetaRow.key == "schema"))
            conn.execute(MetaRow.__table__.insert().values(key="schema", value=str(SCHEMA)))
    except SQLAlchemyError:
        if _schema(engine) >= SCHEMA:  # another process migrated it a moment ago
            return
        if tries == 1:
            raise
        time.sleep(0.2)
        return migrate(engine, shown, tries - 1)
    if added or fixed:
        print(f"neurojit: migrated the results store {shown} to schema {SCHEMA}: added column(s) "
              f"{', '.join(added) or 'none'}; {fixed} candidate(s) corrected from their text", file=sys.stderr)


def _candidates_v1(conn) -> int:
    """Decide each candidate again from its text, as the Candidate record does; the number corrected.

    Version 0 stored the kind a model declared; its worker routed by a bare substring test that also looked
    inside comments, so a verdict may be about the wrong kind: such a verdict is dropped (the candidate is
    evaluated again when next proposed). Identities are those of compiler.classify (version 0 also folded
    whitespace inside string literals and cut lines at `//` inside them): a row whose identity differs gets
    the new one unless its run already holds it."""
    corrected = 0
    rows = conn.execute(select(CandidateRow.id, CandidateRow.run_id, CandidateRow.kind, CandidateRow.text,
                               CandidateRow.knobs, CandidateRow.identity, CandidateRow.verdict)).all()
    taken = {(r.run_id, r.identity) for r in rows}
    for r in rows:
        kind, values = classify(r.text), {}
        if kind != r.kind:
            values["kind"] = kind
        routed_as = any(m in r.text for m in SCHEDULE_MARKERS)  # version 0's worker
        if r.verdict is not None and routed_as != (kind is CandidateKind.SCHEDULE):
            values.update(verdict=None, accepted=None, reason=None, speedup=None, candidate_ms=None)
        ident = identity_of(r.text, r.knobs or {})
        if ident != r.identity and (r.run_id, ident) not in taken:
            values["identity"] = ident
            taken.add((r.run_id, ident))
        if values:
            conn.execute(update(CandidateRow).where(CandidateRow.id == r.id).values(**values))
            corrected += 1
    return corrected


def _kernel_hashes_v1(conn) -> None:
    """Version 0 hashed a kernel two ways (the source's sha256 when a caller gave no hash); one format now."""
    from neurojit.compiler.kernel import load_kernel
    from neurojit.compiler.source import Source

    for run_id, name, body, h in conn.execute(select(RunRow.id, RunRow.kernel_name, RunRow.kernel_text,
                                                     RunRow.kernel_hash)).all():
        if len(h) == 16:
            continue
        try:
            new = load_kernel(Source(body, name)).hash  # parse and verify only: diagnostics, never an abort
        except NeuroJITError:
            continue  # not a kernel this version reads: left as it was
        conn.execute(update(RunRow).where(RunRow.id == run_id).values(kernel_hash=new))


def _add_columns(conn, table: str, columns: dict[str, str]) -> list[str]:
    """Add the columns (name: SQL type) the table lacks; their names, as table.column."""
    have = {c["name"] for c in inspect(conn).get_columns(table)}
    added = [c for c in columns if c not in have]
    for column in added:
        conn.execute(text(f"ALTER TABLE {table} ADD COLUMN {column} {columns[column]}"))
    return [f"{table}.{c}" for c in added]
