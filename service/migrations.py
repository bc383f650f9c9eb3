"""Versioned schema migrations for the job store (SQLite or PostgreSQL).

Each step has a number and runs once per database, in order, inside a transaction, and is
recorded in `schema_migrations`. A schema change is a new step appended here (an ALTER TABLE,
a data fix), never an edit of an old one: databases already at a later version must stay valid.
"""
from __future__ import annotations

import time
from typing import Callable

from sqlalchemy import Column, Float, Integer, MetaData, String, Table, insert, inspect, select, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

_meta = MetaData()
applied_table = Table(
    "schema_migrations", _meta,
    Column("version", Integer, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("applied_at", Float, nullable=False),
)


def _initial(conn: Connection) -> None:
    from .store import Base

    Base.metadata.create_all(conn)


def _each_report(conn: Connection) -> None:
    # A database made at version 2 or later has the column already: step 1 creates today's tables.
    if "each_report" not in {c["name"] for c in inspect(conn).get_columns("jobs")}:
        conn.execute(text("ALTER TABLE jobs ADD COLUMN each_report BOOLEAN NOT NULL DEFAULT FALSE"))


Step = tuple[int, str, Callable[[Connection], None]]
STEPS: list[Step] = [
    (1, "jobs, job documents, results, API keys", _initial),
    (2, "jobs.each_report: every report of a volume", _each_report),
]


def migrate(engine: Engine, steps: list[Step] | None = None) -> int:
    """Applies the pending steps; returns the database's version afterwards."""
    steps = sorted(steps if steps is not None else STEPS)
    _meta.create_all(engine)
    for version, name, apply in steps:
        with engine.connect() as conn:
            done = conn.execute(select(applied_table.c.version).where(applied_table.c.version == version)).first()
        if done:
            continue
        try:
            with engine.begin() as conn:
                apply(conn)
                conn.execute(insert(applied_table).values(version=version, name=name, applied_at=time.time()))
        except IntegrityError:
            pass  # another process applied this step at the same moment
    return current_version(engine)


def current_version(engine: Engine) -> int:
    with engine.connect() as conn:
        versions = [row[0] for row in conn.execute(select(applied_table.c.version))]
    return max(versions, default=0)
