"""The job store's schema migrations on a real SQLite file."""
from sqlalchemy import inspect, text

from service.migrations import STEPS, current_version, migrate
from service.store import Store


def test_fresh_database_is_migrated_once(tmp_path):
    url = f"sqlite:///{tmp_path / 'jobs.db'}"
    store = Store(url)
    assert store.schema_version == len(STEPS)
    tables = set(inspect(store.engine).get_table_names())
    assert {"jobs", "job_documents", "results", "api_keys", "schema_migrations"} <= tables
    store.close()
    again = Store(url)  # a restart applies nothing twice
    with again.engine.connect() as conn:
        assert conn.execute(text("select count(*) from schema_migrations")).scalar() == len(STEPS)
    again.close()


def test_a_new_step_runs_once_in_order(tmp_path):
    url = f"sqlite:///{tmp_path / 'jobs.db'}"
    store = Store(url)
    ran = []

    def add_column(conn):
        ran.append(1)
        conn.execute(text("alter table jobs add column note varchar(50)"))

    steps = [*STEPS, (len(STEPS) + 1, "jobs.note", add_column)]
    assert migrate(store.engine, steps) == len(STEPS) + 1
    assert migrate(store.engine, steps) == len(STEPS) + 1
    assert ran == [1]
    assert "note" in {c["name"] for c in inspect(store.engine).get_columns("jobs")}
    assert current_version(store.engine) == len(STEPS) + 1
    store.close()
