"""The OpenAPI document holds for the real server: schemathesis generates requests from
/api/v1/openapi.json (valid and invalid ones, every operation) and sends them to the service
served by werkzeug on a loopback port, and every answer must be no server error, with a status,
a media type, headers and a body the document lists for that operation.

Bounded and repeatable: a fixed number of examples per operation, schemathesis's deterministic
mode (no random seed, no example database), one worker, a time limit per request and for the
whole run. Nothing is written outside pytest's temporary folders: the service's FOOTPRINT_HOME
is the test's, and schemathesis runs in a temporary folder with HOME pointing there.

Each operation goes with the token of the role that performs it (the producer's; the
accounting body's to verify and return; the platform reviewer's to approve and revoke). Half the ids and a part of the BOMs it sends are taken from what the server holds
(dictionaries in the config below), so the answers of real submissions and labels are checked,
not only the 400s and 404s of made-up ones.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.request

import pytest

from footprint.usecases import submissions as subs
from footprint.usecases.labels import for_submission
from footprint.usecases.tokens import create_token
from footprint.usecases.users import seed_user

# the live server on SQLite, then on PostgreSQL (the `service` fixture on each engine)
pytestmark = pytest.mark.both_engines

# The checks of every answer: the five the document's conformance needs, and those that hold
# the answers to what it does not list (a method a path lacks: 405 with Allow), to a missing
# header it requires, to a request without or with a wrong token (401), and to data the
# document does not admit (refused). Left out: positive_data_acceptance, which wants any
# string a BOM's "input" may hold accepted where only the installed plugins' names are.
CHECKS = ("not_a_server_error", "status_code_conformance", "content_type_conformance",
          "response_schema_conformance", "response_headers_conformance", "unsupported_method",
          "allow_header_conformance", "missing_required_header", "ignored_auth",
          "negative_data_rejection")
MAX_EXAMPLES = 6  # per operation and phase
REQUEST_TIMEOUT = 20  # seconds; a BOM calculates in well under one
RUN_LIMIT = 150  # seconds for one schemathesis run, far above what it takes (~15 s)


@pytest.fixture
def live_api(service, engine, issuer, approve, make_bom):
    """The service on a free loopback port, holding a draft and an issued label of the
    producer's; returns (base URL, tokens, what it holds)."""
    from werkzeug.serving import make_server

    people, db = service.people, service.db
    draft, _ = subs.create_submission(db, engine, people["orchard"], make_bom())
    issued = approve(make_bom(product={"name": "Gear blank", "name_zh": "齿轮毛坯",
                                       "category": "generic", "gtin": "06901234567892"}),
                     issuer)
    label = for_submission(db, issued["id"])
    seed_user(db, "bank", "bank", "Chengdu Rural Commercial Bank", "correct horse battery")
    tokens = {name: create_token(db, name, "schemathesis")
              for name in ("orchard", "auditor", "reviewer", "bank")}
    # one request at a time (schemathesis runs one worker), all in the serving thread: it
    # keeps one database connection, as a gunicorn worker's thread does, rather than
    # opening one per request (on PostgreSQL each a new server process, ~8 ms here)
    server = make_server("127.0.0.1", 0, service.app, threaded=False)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    held = {"submissions": [draft["id"], issued["id"]], "labels": [label["id"]]}
    yield f"http://127.0.0.1:{server.server_port}", tokens, held
    server.shutdown()
    thread.join(timeout=5)


# Who sends which operation: the producer all of them but these, which their roles do
# (a bank's: its borrowers, loan products and pricing).
ACTORS = ((r"/verify$", "auditor"), (r"/return$", "auditor"), (r"/approve$", "reviewer"),
          (r"/revoke$", "reviewer"), (r"/borrowers", "bank"), (r"/loan-products$", "bank"),
          (r"/loan-decisions$", "bank"))


def _config(held: dict, tokens: dict) -> str:
    """schemathesis.toml: each operation's token, and ids and BOM words the server holds,
    each drawn half the time."""
    dictionaries = {
        "submissions": held["submissions"], "labels": held["labels"],
        "inputs": ["electricity", "diesel"], "units": ["kWh", "kg"], "years": [2022],
        "regions": ["CN-SC", "CN-SD"], "categories": ["generic"],
        "bodies": ["Sichuan Carbon Verification"]}
    parameters = {"path.submission_id": "submissions", "path.label_id": "labels",
                  "body.lines[*].input": "inputs", "body.lines[*].unit": "units",
                  "body.lines[*].year": "years", "body.factor_year": "years",
                  "body.region": "regions", "body.product.category": "categories",
                  "body.verifier_org": "bodies"}
    lines = [f'headers = {{ Authorization = "Bearer {tokens["orchard"]}" }}', ""]
    for name, values in dictionaries.items():
        lines += [f"[dictionaries.{name}]", f"values = {json.dumps(values)}", ""]
    lines.append("[parameters]")
    lines += [f'"{key}" = {{ dictionary = "{name}", probability = 0.5 }}'
              for key, name in parameters.items()]
    for path, actor in ACTORS:
        lines += ["", "[[operations]]", f'include-path-regex = "{path}"',
                  f'headers = {{ Authorization = "Bearer {tokens[actor]}" }}']
    return "\n".join(lines) + "\n"


def schemathesis(tmp_path, base: str, tokens: dict, held: dict):
    config = tmp_path / "schemathesis.toml"
    config.write_text(_config(held, tokens))
    command = [sys.executable, "-m", "schemathesis.cli", "--config-file", str(config), "run",
               f"{base}/api/v1/openapi.json", "--checks", ",".join(CHECKS),
               "--max-examples", str(MAX_EXAMPLES), "--generation-deterministic",
               "--phases", "examples,coverage,fuzzing", "--workers", "1",
               "--request-timeout", str(REQUEST_TIMEOUT), "--no-color"]
    env = dict(os.environ, HOME=str(tmp_path), NO_COLOR="1", COLUMNS="200")
    started = time.monotonic()
    result = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True,
                            timeout=RUN_LIMIT)
    return result, time.monotonic() - started


def _summary(output: str) -> tuple[int, int]:
    """(generated, passed) from schemathesis's summary."""
    match = re.search(r"(\d+) generated, (\d+) passed", output)
    assert match, output[-4000:]
    return int(match.group(1)), int(match.group(2))


def test_the_server_answers_as_its_openapi_document_says(live_api, tmp_path):
    base, tokens, held = live_api
    result, seconds = schemathesis(tmp_path, base, tokens, held)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-12000:]
    generated, passed = _summary(output)
    assert generated == passed and generated > 300, output[-4000:]
    with urllib.request.urlopen(f"{base}/api/v1/openapi.json") as answer:
        paths = json.load(answer)["paths"]
    # every operation of the document was tried (schemathesis leaves out the document itself)
    operations = sum(len(ops) for path, ops in paths.items() if not path.endswith("/openapi.json"))
    assert f"{operations} selected / {operations} total" in output, output[-4000:]
    print(f"schemathesis: {generated} requests in {seconds:.1f} s")
