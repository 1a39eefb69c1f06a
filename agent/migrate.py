"""Schema versions of the results store, and the one-time migration of stores written by earlier versions."""

from __future__ import annotations

import sys
import time

from sqlalchemy import inspect, select, text, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from neurojit.compiler.classify import classify

from .tables import CandidateRow, MetaRow

SCHEMA = 1  # 0: before the Candidate record (no provenance columns; kinds as the model declared them)


def _schema(engine: Engine) -> int:
    with engine.connect() as conn:
        value = conn.execute(select(MetaRow.value).where(MetaRow.key == "schema")).scalar()
    return int(value) if value is not None else 0


def migrate(engine: Engine, shown: str, tries: int = 3) -> None:
    """Bring a store written by an earlier version to SCHEMA, once; say so when anything changed.

    0 -> 1: the provenance columns (sampler, rationale, note) are added, and every candidate's kind is
    decided again from its text: version 0 stored the kind a model declared, so a full module a model called
    a schedule was stored as one (and then could not be promoted or exported)."""
    if _schema(engine) >= SCHEMA:
        return
    try:
        with engine.begin() as conn:
            have = {c["name"] for c in inspect(conn).get_columns(CandidateRow.__tablename__)}
            added = [c for c in ("sampler", "rationale", "note") if c not in have]
            for column in added:
                conn.execute(text(f"ALTER TABLE {CandidateRow.__tablename__} ADD COLUMN {column} TEXT"))
            fixed = 0
            for ident, kind, body in conn.execute(select(CandidateRow.id, CandidateRow.kind, CandidateRow.text)).all():
                if classify(body) != kind:
                    conn.execute(update(CandidateRow).where(CandidateRow.id == ident).values(kind=classify(body)))
                    fixed += 1
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
              f"{', '.join(added) or 'none'}; {fixed} candidate kind(s) corrected from their text", file=sys.stderr)
