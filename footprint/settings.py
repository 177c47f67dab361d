"""Where the service keeps its state: ``FOOTPRINT_HOME`` or the user's data directory.

An engine bound to another home (a web app's configured home, a test's) enters it with
``using_home`` while it gathers the plugins' data, so a plugin reading the platform's own
datasets (its imported factor libraries) reads them from that home.
"""
from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

from .errors import DataError, Message
from .model import ELECTRICITY_BASES

_home: ContextVar[Path | None] = ContextVar("footprint_home", default=None)


def footprint_home() -> Path:
    home = _home.get() or Path(os.environ.get("FOOTPRINT_HOME") or _user_data_dir())
    home.mkdir(parents=True, exist_ok=True)
    return home


def _user_data_dir() -> str:
    """The user's data directory for footprint, when FOOTPRINT_HOME does not name a home."""
    # here, not at the top: platformdirs brings tempfile, shutil and random, a twentieth of a
    # quick command's start (docs/performance.md), and a set FOOTPRINT_HOME never needs it
    from platformdirs import user_data_dir
    return user_data_dir("footprint", appauthor=False)


@contextmanager
def using_home(home: Path) -> Iterator[None]:
    """Within the block, ``footprint_home()`` is ``home``."""
    token = _home.set(Path(home))
    try:
        yield
    finally:
        _home.reset(token)


KEYS_DIR = "FOOTPRINT_KEYS_DIR"
SECRET_KEY = "FOOTPRINT_SECRET_KEY"


def keys_location(home) -> Path:
    """Where the platform's keys are: FOOTPRINT_KEYS_DIR when set (one folder every host of
    the platform reads, a mounted secret volume say: docs/deployment.md), else
    FOOTPRINT_HOME/keys. The issuer keys, the trusted keys, the witness key and (unless
    FOOTPRINT_SECRET_KEY gives it) the secret key live there; everything else of the home
    (Brightway's background, caches) stays on each host."""
    shared = os.environ.get(KEYS_DIR, "").strip()
    return Path(shared) if shared else Path(home) / "keys"


def secret_key(home) -> str:
    """The secret the web service signs sessions with: FOOTPRINT_SECRET_KEY; else the file
    ``secret_key`` in FOOTPRINT_KEYS_DIR when that is set (shared by the hosts), else in
    FOOTPRINT_HOME; a random one is written there (owner-readable only) when missing.

    Written to a temporary file and linked into place, so gunicorn workers starting together
    on a fresh home agree on one key and never read a half-written one."""
    if os.environ.get(SECRET_KEY):
        return os.environ[SECRET_KEY]
    folder = keys_location(home) if os.environ.get(KEYS_DIR, "").strip() else Path(home)
    path = folder / "secret_key"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".secret_key.{os.getpid()}.{os.urandom(4).hex()}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(os.urandom(32).hex())  # the OS's CSPRNG, as secrets.token_hex reads it
        try:
            os.link(tmp, path)  # fails if another worker linked its key first: use theirs
        except FileExistsError:
            pass
        finally:
            os.unlink(tmp)
    return path.read_text().strip()


def electricity_basis() -> str:
    """The platform's default electricity basis (FOOTPRINT_ELECTRICITY_BASIS, one of
    model.ELECTRICITY_BASES; location, the grid average, unless the operator chooses): what
    a BOM that names none is calculated on, and what a result compares a BOM's choice with."""
    basis = os.environ.get("FOOTPRINT_ELECTRICITY_BASIS") or "location"
    if basis not in ELECTRICITY_BASES:
        raise DataError(Message("FOOTPRINT_ELECTRICITY_BASIS=%(value)s is not one of "
                                "%(choices)s", value=repr(basis),
                                choices=", ".join(ELECTRICITY_BASES)))
    return basis


def pact_callback_hosts() -> frozenset[str] | None:
    """The hosts the PACT host may post events back to (FOOTPRINT_PACT_CALLBACK_HOSTS,
    comma-separated, e.g. ``erp.buyer.example,pact.other.example``), which may then be on a
    private network too (footprint.outbound); None when unset: any https host on a public
    address a RequestCreatedEvent names as its source."""
    hosts = os.environ.get("FOOTPRINT_PACT_CALLBACK_HOSTS", "").strip()
    if not hosts:
        return None
    return frozenset(h.strip().lower() for h in hosts.split(",") if h.strip())


PRIVATE_HOSTS_VARIABLE = "FOOTPRINT_ALLOW_PRIVATE_HOSTS"


def private_hosts_allowed() -> frozenset[str]:
    """The hosts the platform may connect to although they resolve to loopback or a private
    network (FOOTPRINT_ALLOW_PRIVATE_HOSTS, comma-separated as URLs write them, e.g.
    ``127.0.0.1`` for peers and suppliers run on one machine, ``pact.intranet.example`` for a
    supplier on the platform's own network): footprint.outbound's exception. Empty when unset:
    only public addresses."""
    hosts = os.environ.get(PRIVATE_HOSTS_VARIABLE, "")
    return frozenset(h.strip().lower() for h in hosts.split(",") if h.strip())


LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})


def pact_loopback_http_callbacks() -> bool:
    """Whether the PACT host may post answers over plain http to this machine's own
    loopback address (FOOTPRINT_PACT_LOOPBACK_HTTP_CALLBACKS=1): for running the PACT
    conformance suite's command-line mode beside the service, whose listener has no TLS.
    Off by default: everywhere else answers go over https only."""
    return os.environ.get("FOOTPRINT_PACT_LOOPBACK_HTTP_CALLBACKS", "").strip() == "1"


def pact_callback_credentials() -> dict[str, dict]:
    """How the PACT host authenticates to the recipients it posts answers to
    (FOOTPRINT_PACT_CALLBACK_CREDENTIALS: a JSON file readable by its owner only): recipient
    host -> {"client_id", "client_secret", "token_url" (optional: else the host's OpenID
    Connect discovery, else https://<host>/auth/token)}. Empty when unset; DataError when the
    file is unreadable, malformed or readable by others."""
    path = os.environ.get("FOOTPRINT_PACT_CALLBACK_CREDENTIALS", "").strip()
    if not path:
        return {}
    where = f"FOOTPRINT_PACT_CALLBACK_CREDENTIALS={path}"
    try:
        if os.stat(path).st_mode & 0o077:
            raise DataError(Message("%(where)s may be readable by its owner only (chmod 600)",
                                    where=where))
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, ValueError) as exc:
        raise DataError(Message("%(where)s could not be read: %(reason)s", where=where,
                                reason=str(exc))) from None
    if not isinstance(data, dict):
        raise DataError(Message("%(where)s: an object of recipient hosts is expected",
                                where=where))
    out = {}
    for host, entry in data.items():
        if not (isinstance(entry, dict) and isinstance(entry.get("client_id"), str)
                and isinstance(entry.get("client_secret"), str)
                and isinstance(entry.get("token_url", ""), str)):
            raise DataError(Message("%(where)s: %(host)s needs client_id and client_secret "
                                    "(text), and optionally token_url", where=where,
                                    host=repr(host)))
        if entry.get("token_url") and not entry["token_url"].startswith("https://"):
            raise DataError(Message("%(where)s: %(host)s: token_url must be an https URL",
                                    where=where, host=repr(host)))
        out[host.strip().lower()] = entry
    return out


def witness_name() -> str | None:
    """The name this platform cosigns other platforms' checkpoints under
    (FOOTPRINT_WITNESS_NAME, a schema-less URL such as ``sc.footprint.example.cn/witness``);
    None: ``<issuer id>/witness``. Read only when the witness key is made."""
    return os.environ.get("FOOTPRINT_WITNESS_NAME") or None


def peer_sync_minutes() -> int:
    """How often ``footprint peers sync --due`` syncs each peer (FOOTPRINT_PEER_SYNC_MINUTES,
    default 15): a peer tried more recently than that is left for the next run."""
    value = os.environ.get("FOOTPRINT_PEER_SYNC_MINUTES") or "15"
    if not value.isdigit() or int(value) < 1:
        raise DataError(Message("FOOTPRINT_PEER_SYNC_MINUTES=%(value)s is not a whole number "
                                "of minutes (at least 1)", value=repr(value)))
    return int(value)


BENCHMARK_MIN_N = 30  # verified products a benchmark needs before bands are derived from it


def benchmark_threshold() -> int:
    """How many current verified products a category's benchmark must count before grade
    bands may be derived from it (FOOTPRINT_BENCHMARK_MIN_N, default 30, at least 2: two
    values are the fewest quantiles can be taken of)."""
    raw = os.environ.get("FOOTPRINT_BENCHMARK_MIN_N", "").strip()
    if not raw:
        return BENCHMARK_MIN_N
    if not raw.isdigit() or int(raw) < 2:
        raise DataError(Message("FOOTPRINT_BENCHMARK_MIN_N=%(value)s is not a whole number of "
                                "2 or more", value=repr(raw)))
    return int(raw)
