"""A benchmark's own PostgreSQL database: made afresh on a server, dropped at the end.

    with scratch_server(args.database_url) as server:      # None: a throwaway cluster
        scratch = ScratchDatabase(server, "footprint_engines_bench")
        ... scratch.location ...                           # the URL the service is given
        scratch.drop()

The server URL names a database its role may create databases from (``postgres`` on a
cluster of one's own). Without one, ``scratch_server`` starts the throwaway cluster the tests
use (tests/pgcluster.py: Unix socket only, fsync off) and stops it afterwards.
"""
from __future__ import annotations

import sys
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from footprint.store import connect

REPO = Path(__file__).resolve().parent.parent


@contextmanager
def scratch_server(url: str | None):
    """``url``, or that of a throwaway cluster started for the block."""
    if url:
        yield url
        return
    sys.path.insert(0, str(REPO))
    from tests.pgcluster import start_cluster

    cluster = start_cluster()
    try:
        yield cluster.url()
    finally:
        cluster.stop()


class ScratchDatabase:
    """Database ``name`` on the server ``url`` names, dropped first if it is left over."""

    def __init__(self, url: str, name: str):
        self.server, self.name = url, name
        self.location = self.url_of(name)
        self._admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", f"CREATE DATABASE {name}")

    def url_of(self, name: str) -> str:
        return urlunsplit(urlsplit(self.server)._replace(path=f"/{name}"))

    def _admin(self, *statements: str) -> None:
        admin = connect(self.server)
        try:
            for sql in statements:
                admin.execute(sql)
        finally:
            admin.close()

    def save(self) -> None:
        """Keep a copy of the database as it is now (nobody may be connected to it)."""
        self._admin(f"DROP DATABASE IF EXISTS {self.name}_saved",
                    f"CREATE DATABASE {self.name}_saved TEMPLATE {self.name}")

    def restore(self) -> None:
        """The database as ``save`` kept it."""
        self._admin(f"DROP DATABASE {self.name} WITH (FORCE)",
                    f"ALTER DATABASE {self.name}_saved RENAME TO {self.name}")

    def drop(self) -> None:
        self._admin(f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)",
                    f"DROP DATABASE IF EXISTS {self.name}_saved WITH (FORCE)")
