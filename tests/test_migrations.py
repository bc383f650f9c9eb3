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


def test_a_version_1_database_gains_each_report_and_keeps_its_jobs(tmp_path):
    """A job store made before jobs could ask for each report: migration 2 adds the column, and the
    job queued then is still there, a plain job."""
    url = f"sqlite:///{tmp_path / 'jobs.db'}"
    store = Store(url)
    job_id = store.create_job([("a.txt", b"x")], None, None)
    with store.engine.begin() as conn:  # back to version 1's schema
        conn.execute(text("alter table jobs drop column each_report"))
        conn.execute(text("delete from schema_migrations where version > 1"))
    store.close()
    store = Store(url)
    assert store.schema_version == 2
    assert "each_report" in {c["name"] for c in inspect(store.engine).get_columns("jobs")}
    assert store.job(job_id).each_report is False and store.claim_next(60).each_report is False
    volume = store.create_job([("b.txt", b"y")], None, None, each_report=True)
    assert store.job(volume).each_report is True
    store.close()
