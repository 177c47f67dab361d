"""One recalculation at a time, on every host of the platform: a run holds the lease
``recalc`` (store.leases, migration 22) from before it builds its engines to its end.

A second run, on this host or another one on the same database, is refused with the
holder's host, process and start time. The holder renews the lease as it works (at most
every RENEW_SECONDS, between chunks); a run killed without releasing it holds it until it
expires (LEASE_SECONDS after its last renewal), or less: a run on the holder's own host sees
at once that the holder's process is gone. A lease row rather than PostgreSQL's advisory
lock: it works on SQLite too, and it names its holder to whoever it refuses.
"""
from __future__ import annotations

import os
import socket
import time
from contextlib import contextmanager
from datetime import datetime, timedelta

from .. import clock
from ..errors import Conflict, Message
from ..store import leases
from ..store.db import database_errors, transaction

LEASE = "recalc"
LEASE_SECONDS = 600   # how long a killed run can keep the others out
RENEW_SECONDS = 60    # a live run renews its lease at least this often (between chunks)

HELD = (
    "a recalculation is running already: %(what)s, on host %(host)s (process %(pid)s), "
    "since %(since)s; its lease runs to %(until)s unless it renews it. Run this again "
    "when it has finished",
    "已有重算正在进行：%(what)s，主机 %(host)s（进程 %(pid)s），开始于 %(since)s；"
    "其租约有效至 %(until)s（运行中会续期）。请待其完成后再运行。")
LOST = ("this recalculation's lease expired and another run took it: stopped, with the "
        "chunks done so far kept (run the same command again to resume)",
        "本次重算的租约已过期并被另一运行取得：已停止，已完成的批次均已保存（再次运行同一命令即可继续）。")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive
        return True
    return True


def _free(row: dict | None, now: datetime) -> bool:
    """Whether the lease may be taken: nobody holds it, it expired, or its holder was a
    process of this host that is gone."""
    if row is None or datetime.fromisoformat(row["expires_at"]) <= now:
        return True
    return row["host"] == socket.gethostname() and not _alive(row["pid"])


class Lease:
    """The lease a run holds: ``keep`` renews it when due, between chunks."""

    def __init__(self, token: str):
        self.token = token
        self.renewed = time.monotonic()

    def keep(self, db) -> None:
        if time.monotonic() - self.renewed < RENEW_SECONDS:
            return
        with transaction(db):
            kept = leases.renew(db, LEASE, self.token,
                                clock.now() + timedelta(seconds=LEASE_SECONDS))
        if not kept:
            raise Conflict(Message(LOST[0], zh=LOST[1]))
        self.renewed = time.monotonic()


@contextmanager
def exclusive(db, what: str):
    """Hold the recalculation lease for the block (Conflict, naming the holder, when another
    run holds it); released when the block ends, however it ends."""
    token = os.urandom(16).hex()
    with transaction(db):  # the write lock: two runs never both find the lease free
        now = clock.now()
        row = leases.holder(db, LEASE)
        if not _free(row, now):
            raise Conflict(Message(HELD[0], zh=HELD[1], what=row["what"], host=row["host"],
                                   pid=row["pid"], since=row["taken_at"],
                                   until=row["expires_at"]))
        leases.take(db, LEASE, token, socket.gethostname(), os.getpid(), what, now,
                    now + timedelta(seconds=LEASE_SECONDS))
    try:
        yield Lease(token)
    except BaseException:
        try:
            _release(db, token)
        except database_errors():  # the database failed the run too: the lease expires
            pass
        raise
    _release(db, token)


def _release(db, token: str) -> None:
    with transaction(db):
        leases.release(db, LEASE, token)
