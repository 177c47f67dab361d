"""Shared fixtures. One FOOTPRINT_HOME (and so one Brightway build) per test session.

Only the built-in entry-point plugins load, so a plugin installed on the machine cannot change
what the tests compute; tests that exercise plugin loading build their own managers.
"""
from __future__ import annotations

import html
import json
import os
import re
import signal
import socket
import subprocess
from pathlib import Path

import pytest

BUILTIN_PLUGINS = ("electricity_cn,electricity_intl,oranges,batteries,steel_vanadium,materials,"
                   "libraries,backgrounds")
CHECKOUT = Path(__file__).resolve().parent.parent
SAMPLES = CHECKOUT / "lca_data" / "samples"


# -- the shared reference folder beside the checkout -------------------------------------------

def find_shared(*parts: str) -> Path | None:
    """A file or folder of the shared reference folder (published factors, conformance
    vectors): FOOTPRINT_SHARED, else a folder "shared" beside the checkout or beside one of
    its parents. None if it is not there."""
    configured = os.environ.get("FOOTPRINT_SHARED")
    folders = [Path(configured)] if configured else [p / "shared" for p in CHECKOUT.parents]
    return next((f.joinpath(*parts) for f in folders if f.joinpath(*parts).exists()), None)


def require_shared(*parts: str) -> Path:
    """``find_shared``, or the test cannot check anything: on a developer's machine it is
    skipped, in CI (CI set) it fails, because a skip there would pass without checking."""
    found = find_shared(*parts)
    if found is None:
        message = (f"{'/'.join(parts)} is not in the shared reference folder (../shared beside "
                   "the checkout, or FOOTPRINT_SHARED)")
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return found


# The command line speaks Chinese unless told otherwise (cli.language); the tests read its
# English, and those of its Chinese set FOOTPRINT_LANG=zh or pass --lang zh themselves.
os.environ["FOOTPRINT_LANG"] = "en"


@pytest.fixture(scope="session", autouse=True)
def footprint_home(tmp_path_factory):
    home = tmp_path_factory.mktemp("footprint-home")
    saved = {k: os.environ.get(k) for k in ("FOOTPRINT_HOME", "FOOTPRINT_LOAD_PLUGINS",
                                            "FOOTPRINT_BLOCK_PLUGINS")}
    os.environ["FOOTPRINT_HOME"] = str(home)
    os.environ["FOOTPRINT_LOAD_PLUGINS"] = BUILTIN_PLUGINS
    os.environ.pop("FOOTPRINT_BLOCK_PLUGINS", None)
    yield home
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(scope="module")
def command(footprint_home):
    # imported here, after footprint_home has set FOOTPRINT_LOAD_PLUGINS: importing cli.main
    # loads the plugins (register_commands)
    from cli.main import cli
    return cli


def cli_runner():
    """click's CliRunner with stdout and stderr kept apart."""
    from click.testing import CliRunner
    try:
        return CliRunner(mix_stderr=False)  # click < 8.2 mixes them unless told not to
    except TypeError:
        return CliRunner()  # click >= 8.2: result.stderr is always separate


@pytest.fixture
def run(command):
    """Invoke the CLI with stdout and stderr kept apart."""
    runner = cli_runner()

    def invoke(*args):
        return runner.invoke(command, [str(a) for a in args])
    return invoke


@pytest.fixture(scope="session")
def engine(footprint_home):
    from footprint.engine import Engine
    return Engine(home=footprint_home)


@pytest.fixture(scope="session")
def registry(engine):
    return engine.registry


@pytest.fixture
def make_bom():
    """A valid BOM dict built from keyword overrides; ``lines`` replaces the default lines."""
    def make(lines=None, **overrides):
        bom = {"product": {"name": "test product", "category": "generic"},
               "declared_unit": {"amount": 1, "unit": "kg"},
               "region": "CN-SC", "factor_year": 2022,
               "lines": lines if lines is not None else [
                   {"input": "electricity", "amount": 100, "unit": "kWh", "stage": "production"}]}
        bom.update(overrides)
        return bom
    return make


@pytest.fixture
def write_bom(tmp_path):
    """Write a BOM (dict or raw text) to a file and return its path."""
    def write(bom, name="bom.json"):
        path = tmp_path / name
        path.write_text(bom if isinstance(bom, str) else json.dumps(bom, ensure_ascii=False),
                        encoding="utf-8")
        return path
    return write


# -- both engines: SQLite and a throwaway PostgreSQL ------------------------------------------

ENGINES = ("sqlite", "postgresql")


def started_cluster(durable: bool = False):
    """A PostgreSQL cluster started (tests/pgcluster.py). Without PostgreSQL the tests on it
    fail in CI (CI set) and are skipped, saying why, on a developer's machine."""
    from tests.pgcluster import PostgresMissing, start_cluster

    try:
        return start_cluster(durable=durable)
    except PostgresMissing as exc:
        if os.environ.get("CI"):
            pytest.fail(f"the tests on PostgreSQL cannot run: {exc}")
        pytest.skip(f"the tests on PostgreSQL cannot run: {exc}")


@pytest.fixture(scope="session")
def pg_cluster():
    """One PostgreSQL cluster for the run, built for speed (fsync off)."""
    cluster = started_cluster()
    yield cluster
    cluster.stop()


@pytest.fixture(scope="session")
def pg_template(pg_cluster):
    """A migrated, empty database each test's PostgreSQL database is copied from (CREATE
    DATABASE ... TEMPLATE: a file copy, much faster than migrating again)."""
    from footprint.store import connect
    from footprint.store.migrations import migrate

    admin = connect(pg_cluster.url())
    admin.execute("CREATE DATABASE footprint_template")
    admin.close()
    db = connect(pg_cluster.url("footprint_template"))
    migrate(db)
    db.close()
    return "footprint_template"


_pg_databases = iter(range(1, 1_000_000))


def pg_copy(cluster, template: str):
    """A new database copied from ``template``, its URL yielded, dropped afterwards."""
    from footprint.store import connect

    name = f"test_{next(_pg_databases)}"
    admin = connect(cluster.url())
    admin.execute(f"CREATE DATABASE {name} TEMPLATE {template}")
    yield cluster.url(name)
    admin.execute(f"DROP DATABASE {name} WITH (FORCE)")
    admin.close()


@pytest.fixture
def pg_url(pg_cluster, pg_template):
    """A fresh migrated PostgreSQL database for one test, dropped after it."""
    yield from pg_copy(pg_cluster, pg_template)


def pytest_configure(config):
    config.addinivalue_line("markers", "both_engines: the test's `service` runs on SQLite, "
                                       "then on PostgreSQL")


def pytest_generate_tests(metafunc):
    if metafunc.definition.get_closest_marker("both_engines") and \
            "service" in metafunc.fixturenames:
        metafunc.parametrize("service", ENGINES, indirect=True)


@pytest.fixture(params=ENGINES)
def store_db(request, tmp_path):
    """A migrated, empty service database on each engine in turn: a SQLite file, then a
    PostgreSQL database."""
    from footprint.store import connect
    from footprint.store.migrations import migrate

    if request.param == "postgresql":
        database = connect(request.getfixturevalue("pg_url"))
    else:
        database = connect(tmp_path / "test.db")
        migrate(database)
    yield database
    database.close()


# -- servers on this machine ------------------------------------------------------------------

def free_port() -> int:
    """A loopback port nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def stop_server(server) -> None:
    """Stop a server process started in a session of its own (start_new_session) and the
    workers it forked: SIGTERM to its group, SIGKILL if it has not gone within 30 s."""
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=30)
    server.stdout.close()


# -- the web service -------------------------------------------------------------------------

PASSWORD = "correct horse battery"
PEOPLE = {  # username: (role, organisation)
    "orchard": ("producer", "Pujiang Orchard Co-op"),
    "steelworks": ("producer", "Panzhihua Steel"),
    "auditor": ("verifier", "Sichuan Carbon Verification"),
    "auditor2": ("verifier", "Chongqing Carbon Audit"),
    "reviewer": ("reviewer", "Sichuan Platform"),
    "reviewer2": ("reviewer", "Sichuan Platform"),
    "admin": ("admin", "Sichuan Platform"),
}


QUALIFIED_FROM, QUALIFIED_UNTIL = "2000-01-01", "2099-12-31"


def qualify_everywhere(db, registry, *bodies: str) -> None:
    """Qualify accounting bodies for every category for a century: tests of the workflow
    need bodies that may verify (tests/test_qualifications.py tests the rule itself)."""
    from footprint.usecases.qualifications import qualify

    for body in bodies:
        qualify(db, None, body, f"TEST-{body}", sorted(registry.categories), QUALIFIED_FROM,
                QUALIFIED_UNTIL, registry.categories)


@pytest.fixture(scope="session")
def service_template(tmp_path_factory, registry):
    """A migrated database with one user of every kind, built once: argon2id hashing is slow
    on purpose, so each test copies this file instead of hashing seven passwords again. Its
    accounting bodies are qualified for every category."""
    from footprint.store import connect
    from footprint.store.migrations import migrate
    from footprint.usecases.users import seed_user

    path = tmp_path_factory.mktemp("service-template") / "footprint.db"
    db = connect(path)
    migrate(db)
    for name, (role, org) in PEOPLE.items():
        seed_user(db, name, role, org, PASSWORD)
    qualify_everywhere(db, registry, *{org for role, org in PEOPLE.values()
                                       if role == "verifier"})
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return path


@pytest.fixture(scope="session")
def pg_service_template(pg_cluster, pg_template, registry):
    """``service_template`` on PostgreSQL: the same people, qualified the same way."""
    from footprint.store import connect
    from footprint.usecases.users import seed_user

    admin = connect(pg_cluster.url())
    admin.execute(f"CREATE DATABASE footprint_service TEMPLATE {pg_template}")
    admin.close()
    db = connect(pg_cluster.url("footprint_service"))
    for name, (role, org) in PEOPLE.items():
        seed_user(db, name, role, org, PASSWORD)
    qualify_everywhere(db, registry, *{org for role, org in PEOPLE.values()
                                       if role == "verifier"})
    db.close()
    return "footprint_service"


def app_on(home: Path, engine, **config):
    """An app on the service in ``home`` (secure cookies off, the session's engine shared);
    ``config`` adds to or overrides that."""
    from web import create_app

    app = create_app({"FOOTPRINT_HOME": str(home), "SESSION_COOKIE_SECURE": False,
                      "REMEMBER_COOKIE_SECURE": False, **config})
    app.extensions["footprint_engine"] = engine
    return app


def service_copy(home: Path, template: Path):
    """``service_template``'s file copied as the database in ``home``: a connection to it and
    its people by username."""
    import shutil

    from footprint.store import connect, database_path

    shutil.copyfile(template, database_path(home))
    db = connect(database_path(home))
    return db, {row["username"]: row for row in db.query("SELECT * FROM users")}


def csrf_token(page: str) -> str:
    """The CSRF token a page's form carries."""
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def log_in_with_token(client, username: str, password: str = PASSWORD):
    """``log_in`` on an app with CSRF on: the login page's token posted with the form."""
    token = csrf_token(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"username": username, "password": password,
                                           "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client


def seeded_demo(home: Path, engine):
    """The demo's data written into a new database in ``home``: the database and what
    ``demo.seed`` tells of it."""
    from footprint.store import connect, database_path
    from footprint.store.migrations import migrate
    from footprint.usecases import demo

    db = connect(database_path(home))
    migrate(db)
    return db, demo.seed(db, engine, home=home)


@pytest.fixture
def service(request, tmp_path, engine, service_template, monkeypatch):
    """The template database copied, and an app on it (CSRF off; tests of CSRF make their
    own app). The session's engine is shared, so no test pays for a Brightway build. On
    SQLite unless the test is marked ``both_engines`` (then once on each): on PostgreSQL
    the copy is a database of the test's cluster, named by FOOTPRINT_DATABASE_URL."""
    from types import SimpleNamespace

    from footprint.store import connect

    home = tmp_path / "home"
    home.mkdir()
    if getattr(request, "param", "sqlite") == "postgresql":
        copies = pg_copy(request.getfixturevalue("pg_cluster"),
                          request.getfixturevalue("pg_service_template"))
        url = next(copies)
        request.addfinalizer(lambda: next(copies, None))
        monkeypatch.setenv("FOOTPRINT_DATABASE_URL", url)
        db = connect(url)
        request.addfinalizer(db.close)  # before the database is dropped
        people = {row["username"]: row for row in db.query("SELECT * FROM users")}
    else:
        db, people = service_copy(home, service_template)
    app = app_on(home, engine, TESTING=True, WTF_CSRF_ENABLED=False)
    return SimpleNamespace(app=app, db=db, people=people, home=home)


def text_of(response) -> str:
    """A response's page with its HTML entities read: the text as a reader sees it."""
    return html.unescape(response.get_data(as_text=True))


def error_slot(page: str, field: str) -> str:
    """The message a form's page shows next to a field (its <span id="err-<field>">)."""
    match = re.search(rf'<span class="error" id="err-{re.escape(field)}"[^>]*>(.*?)</span>',
                      page, re.S)
    assert match, f"no error slot for {field}"
    return html.unescape(match.group(1))


def editor_form(**fields) -> dict:
    """The producer's editor form for a 1 piece generic product made with 100 kWh in Sichuan,
    2022 factors (14.04 kg CO2e), saved; ``fields`` change it, a field None leaves it out."""
    form = {"product-name": "Gear blank", "product-category": "generic",
            "declared_unit-amount": "1", "declared_unit-unit": "piece", "region": "CN-SC",
            "factor_year": "2022", "lines-0-input": "electricity", "lines-0-amount": "100",
            "lines-0-unit": "kWh", "lines-0-stage": "production", "action": "save"}
    form.update(fields)
    return {k: v for k, v in form.items() if v is not None}


@pytest.fixture
def csrf_app(service, engine):
    """Another app on the service's database, with CSRF on as served (the service's own has
    it off): for the tests that a form or request without its token is refused."""
    return app_on(service.home, engine, TESTING=True)


@pytest.fixture
def tokens(service):
    """An API token for each of PEOPLE: tokens["orchard"] ..."""
    from footprint.usecases.tokens import create_token

    return {name: create_token(service.db, name, "test") for name in PEOPLE}


@pytest.fixture
def api(service, tokens):
    """api(user, method, path, json=..., data=..., headers=...) -> response of the service's
    API (/api/v1 + path) with ``user``'s token; user None sends no Authorization header."""
    client = service.app.test_client()

    def call(user, method, path, headers=None, **kwargs):
        headers = dict(headers or {})
        if user is not None:
            headers["Authorization"] = f"Bearer {tokens[user]}"
        return client.open(f"/api/v1{path}", method=method, headers=headers, **kwargs)
    return call


def json_schema(document: dict, name: str) -> dict:
    """A component schema of an OpenAPI 3.0 document as JSON Schema (2020-12) for jsonschema:
    OpenAPI's nullable and boolean exclusiveMinimum translated, references resolved inside."""
    text = json.dumps(document["components"]["schemas"]).replace("#/components/schemas/",
                                                                 "#/$defs/")

    def translate(node):
        if isinstance(node, dict):
            if node.pop("nullable", False) and "type" in node:
                node["type"] = [node["type"], "null"]
            if node.get("exclusiveMinimum") is True:
                node["exclusiveMinimum"] = node.pop("minimum")
            node.pop("example", None)
            for value in node.values():
                translate(value)
        elif isinstance(node, list):
            for value in node:
                translate(value)
    definitions = json.loads(text)
    translate(definitions)
    return {**definitions[name], "$defs": definitions}


@pytest.fixture
def client(service):
    return service.app.test_client()


def log_in(client, username: str, password: str = PASSWORD):
    """Log a test client in (on an app with CSRF off); returns the client."""
    response = client.post("/login", data={"username": username, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client


@pytest.fixture
def login():
    """Log a test client in as one of PEOPLE; returns the client."""
    return log_in


@pytest.fixture
def clients(service, login):
    """A logged-in test client per person, logged in on first use: clients["orchard"] ..."""
    class Clients(dict):
        def __missing__(self, name):
            self[name] = login(service.app.test_client(), name)
            return self[name]
    return Clients()


@pytest.fixture
def issuer(service):
    """The CN-SC platform's issuer key in the service's home, and the Issuer that signs
    with it when a submission is approved."""
    from footprint.labels import generate
    from footprint.usecases.issuing import Issuer

    name = "四川省碳足迹平台 Sichuan carbon footprint platform"
    generate(service.home, "CN-SC", name, "CN-SC")
    return Issuer(service.home, "CN-SC")


def approved(db, engine, people, bom, issuer, producer="orchard"):
    """The producer (one of PEOPLE) creates a submission of ``bom`` calculated by ``engine``
    and submits it to Sichuan Carbon Verification, auditor verifies, reviewer approves with
    ``issuer``; returns the final submission."""
    from footprint.usecases import actions
    from footprint.usecases import submissions as subs

    sub, _ = subs.create_submission(db, engine, people[producer], bom)
    actions.act(db, people[producer], sub["id"], "submit",
                verifier_org="Sichuan Carbon Verification")
    actions.act(db, people["auditor"], sub["id"], "verify", checklist=actions.VERIFY_CHECKLIST)
    return actions.act(db, people["reviewer"], sub["id"], "approve", issuer=issuer)


@pytest.fixture
def approve(service):
    """approve(bom, issuer, engine=None, producer="orchard"): ``approved`` on the service,
    calculated by ``engine``, default the service's."""
    def approve(bom, issuer, engine=None, producer="orchard"):
        return approved(service.db, engine or service.app.extensions["footprint_engine"],
                        service.people, bom, issuer, producer)
    return approve
