"""`footprint db copy` timed: the demo platform grown to ``--labels`` labels copied from SQLite
to PostgreSQL and verified, then copied back to a SQLite file and verified.

    .venv/bin/python benchmarks/db_copy.py [--labels 10000] [--leaves 0]
                                           [--database-url postgresql://...]

The platform is benchmarks/web_load.py's (``build``): the demo's labels issued for real, the
rest copies of them with new ids, each signed again with the platform's key and logged as
an issue leaf, and record leaves until the log holds ``--leaves`` (none beyond the labels'
by default). Each copied label is given a submission of its own, so the platform keeps the
schema's one current label per submission and the copy can hold it too.

Without ``--database-url`` (an empty database) a throwaway cluster is started
(tests/pgcluster.py: Unix socket, fsync off) and removed afterwards.
"""
from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]  # web_load beside this file; tests.pgcluster

from web_load import build  # noqa: E402

from footprint.store import database_path  # noqa: E402
from footprint.usecases import dbcopy  # noqa: E402


def own_submissions(path: Path) -> int:
    """Give every label that shares its submission with an earlier one a copy of that
    submission, then put back the index of one current label per submission (web_load's
    build drops it); how many submissions were added."""
    conn = sqlite3.connect(path)
    columns = [row[1] for row in conn.execute("PRAGMA table_info(submissions)")]
    top = conn.execute("SELECT MAX(id) FROM submissions").fetchone()[0]
    shared = "l.rowid > (SELECT MIN(o.rowid) FROM labels o WHERE o.submission_id = " \
             "l.submission_id)"
    picked = ", ".join(
        f"{top} + l.rowid" if c == "id" else "NULL" if c == "idempotency_key" else f"s.{c}"
        for c in columns)
    with conn:
        added = conn.execute(f"INSERT INTO submissions ({', '.join(columns)}) SELECT {picked} "
                             f"FROM labels l JOIN submissions s ON s.id = l.submission_id "
                             f"WHERE {shared}").rowcount
        conn.execute(f"UPDATE labels SET submission_id = {top} + rowid WHERE rowid IN "
                     f"(SELECT l.rowid FROM labels l WHERE {shared})")
        conn.execute("CREATE UNIQUE INDEX labels_submission ON labels(submission_id) "
                     "WHERE superseded_by IS NULL")
    conn.close()
    return added


def timed(action):
    started = time.perf_counter()
    result = action()
    return result, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labels", type=int, default=10_000)
    parser.add_argument("--leaves", type=int, default=0)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="db-copy-bench-"))
    home = work / "home"
    home.mkdir()
    os.environ["FOOTPRINT_HOME"] = str(home)
    os.environ.pop("FOOTPRINT_DATABASE_URL", None)
    _, seconds = timed(lambda: build(home, args.labels, args.leaves))
    added = own_submissions(database_path(home))
    print(f"built the platform in {seconds:.1f} s ({args.labels} labels, {added} "
          f"submissions added for the copied labels)")

    cluster = None
    url = args.database_url
    if url is None:
        from tests.pgcluster import start_cluster
        from footprint.store import connect
        cluster = start_cluster()
        admin = connect(cluster.url())
        admin.execute("CREATE DATABASE footprint_copy")
        admin.close()
        url = cluster.url("footprint_copy")
    try:
        report, up = timed(lambda: dbcopy.copy_platform(home, url))
        verified, up_check = timed(lambda: dbcopy.verify_copy_at(home, url, report.manifest))
        rows = sum(report.written.values())
        print(f"SQLite -> PostgreSQL: {rows} rows ({report.written['labels']} labels, "
              f"{report.written['log_entries']} leaves) copied in {up:.1f} s "
              f"(migrations included), verified in {up_check:.1f} s: "
              f"{'OK' if verified.ok else 'FAILED'}")
        os.environ["FOOTPRINT_DATABASE_URL"] = url
        snapshot = work / "snapshot.db"
        back, down = timed(lambda: dbcopy.copy_platform(home, f"sqlite:///{snapshot}"))
        checked, down_check = timed(lambda: dbcopy.verify_copy_at(home, str(snapshot),
                                                                  back.manifest))
        print(f"PostgreSQL -> SQLite: {sum(back.written.values())} rows copied in "
              f"{down:.1f} s, verified in {down_check:.1f} s: "
              f"{'OK' if checked.ok else 'FAILED'}")
        for verification in (verified, checked):
            for check in verification.checks:
                for problem in check.problems[:5]:
                    print(f"  {check.name}: {problem}")
    finally:
        if cluster is not None:
            cluster.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
