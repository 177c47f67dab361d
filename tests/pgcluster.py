"""A throwaway PostgreSQL cluster for the tests on the second engine.

Debian's server binaries (/usr/lib/postgresql/<version>/bin, installed by `make test`) make
a cluster in a temporary directory and serve it on a Unix socket inside that directory only
(no TCP port, so nothing on the machine can clash with it). PostgreSQL refuses to run as
root, and CI runs as root: then the directory belongs to the unprivileged ``postgres`` user
the Debian package creates, and initdb, pg_ctl and the server run as that user.

The cluster is built for speed, not durability (fsync off): it lives for one test run. A
test of what survives a crash starts its own with ``durable=True`` (PostgreSQL's defaults:
fsync, synchronous_commit and full_page_writes on), and may kill its server with SIGKILL
and start it again (``crash``, ``serve``).
"""
from __future__ import annotations

import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

SERVER_USER = "postgres"  # created by Debian's postgresql-common
SUPERUSER = "footprint"   # the cluster's own superuser, whoever runs it
PORT = 5432               # only names the socket file inside the cluster's own directory


class PostgresMissing(RuntimeError):
    pass


def server_binaries() -> Path:
    """The bin folder of the newest PostgreSQL installed from Debian's packages."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"),
                   key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit()
                   else 0)
    if not found:
        raise PostgresMissing(
            "PostgreSQL's server is not installed (no /usr/lib/postgresql/*/bin/initdb): "
            "`make test` installs it as root (apt-get install postgresql)")
    return found[-1].parent


class Cluster:
    """One running cluster; ``url(name)`` is a connection URL to one of its databases."""

    def __init__(self, root: Path, bin_dir: Path, as_user: str | None, durable: bool = False):
        self.root, self.bin_dir, self.as_user = root, bin_dir, as_user
        self.data, self.sockets = root / "data", root / "sockets"
        self.durable = durable

    def _run(self, tool: str, *args: str) -> None:
        done = subprocess.run([str(self.bin_dir / tool), *args], capture_output=True,
                              text=True, user=self.as_user, cwd=self.root, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"{tool} failed ({done.returncode}): {done.stdout}{done.stderr}")

    def start(self) -> None:
        self.sockets.mkdir()
        if self.as_user:
            account = pwd.getpwnam(self.as_user)
            for path in (self.root, self.sockets):
                os.chown(path, account.pw_uid, account.pw_gid)
        self._run("initdb", "-D", str(self.data), "-U", SUPERUSER, "--auth=trust",
                  "--encoding=UTF8", "--locale=C.UTF-8",
                  *(() if self.durable else ("--no-sync",)))
        self.serve()

    def serve(self) -> None:
        """Start the server on the cluster's data (after a crash: recovery from the WAL)."""
        options = f"-k {self.sockets} -c listen_addresses='' -p {PORT} -c max_connections=200"
        if not self.durable:
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "server.log"),
                  "-o", options, "-w", "-t", "60", "start")

    def crash(self) -> int:
        """SIGKILL the postmaster and every process it started, at once (a server that lost
        its power, or the OOM killer's choice): no shutdown checkpoint, nothing flushed. The
        postmaster's pid."""
        postmaster = int((self.data / "postmaster.pid").read_text().split()[0])
        children = [int(entry.name) for entry in Path("/proc").iterdir()
                    if entry.name.isdigit() and _parent(entry) == postmaster]
        for pid in (postmaster, *children):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        for pid in (postmaster, *children):  # gone before the server starts again
            while Path(f"/proc/{pid}").exists() and _state(pid) != "Z":
                time.sleep(0.01)
        if _state(postmaster) == "Z":
            # dead, but not reaped (the orphan's new parent, here, may never wait for it):
            # PostgreSQL would take the pid file's live-looking pid for a running server,
            # where a machine that crashed has no process left at all
            (self.data / "postmaster.pid").unlink()
            (self.sockets / f".s.PGSQL.{PORT}.lock").unlink(missing_ok=True)
        return postmaster

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{SUPERUSER}@/{database}?host={self.sockets}&port={PORT}"


def _status(pid: int) -> dict[str, str]:
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except (FileNotFoundError, ProcessLookupError):
        return {}
    return dict(line.split(":\t", 1) for line in lines if ":\t" in line)


def _parent(entry: Path) -> int | None:
    ppid = _status(int(entry.name)).get("PPid")
    return int(ppid) if ppid else None


def _state(pid: int) -> str:
    return _status(pid).get("State", "X")[:1]


def start_cluster(durable: bool = False) -> Cluster:
    """A new cluster in a new temporary directory, started; ``stop()`` removes it. Durable:
    with PostgreSQL's fsync, synchronous_commit and full_page_writes (on), for tests of what
    a crash keeps."""
    bin_dir = server_binaries()
    as_user = None
    if os.geteuid() == 0:
        try:
            pwd.getpwnam(SERVER_USER)
        except KeyError:
            raise PostgresMissing(f"running as root, PostgreSQL needs the unprivileged user "
                                  f"{SERVER_USER!r} (Debian's postgresql package creates it)")
        as_user = SERVER_USER
    cluster = Cluster(Path(tempfile.mkdtemp(prefix="footprint-pg-")), bin_dir, as_user,
                      durable)
    try:
        cluster.start()
    except BaseException:
        shutil.rmtree(cluster.root, ignore_errors=True)
        raise
    return cluster
