"""A sweep of per-object authorisation over every route of the web service that takes an
object's id or key in its path: pages, the JSON API (/api/v1) and the PACT host (/3).

Every such route is either in CASES (who must be refused, who rightly reaches it, how the
object's id is found in the seeded demo) or in PUBLIC (a public read, with the reason). A
route added later without a place in one of them fails
``test_every_id_taking_route_is_classified``, so a new route cannot slip in without its
check being swept.

For each case, on a fresh copy of the seeded demo:
  * each refused user asks for a real object (the rightful user reaches the very same URL
    in the same test, so a 404 is the check doing its job, not a missing row) and gets 403
    or 404 (anonymous: the log-in redirect on pages, 401 on the APIs); the answer carries
    none of the object's private data; a write changes none of the rows it would change;
  * then the rightful user reaches it: a GET answers 200 and shows the private data the
    refusals had to hide, a write answers and does change those rows (so the rows compared
    are the right ones).

CSRF is off on the app (as in tests/conftest.py's ``service``): with it on, a forged POST
would be stopped by the missing token before authorisation is reached, and the sweep would
test CSRF instead of the per-object checks it is about.
"""
from __future__ import annotations

import html
import io
import json
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Callable
from urllib.parse import urlparse

import pytest

from tests.conftest import app_on, log_in, seeded_demo

PASSWORD = "footprint-demo"  # the demo's published password (footprint.usecases.demo)
HTTPS = "https://localhost"  # the PACT host answers over HTTPS only

# Users added to the demo, each in an organisation of its own: a bank the co-operative does
# not consent to, an accounting body no submission is assigned to, a regulator. "leaver" is
# a deactivated producer of the co-operative (the administrator's reactivate route).
EXTRA_PEOPLE = (("otherbank", "bank", "bank", "Sweep Other Bank"),
                ("otherbody", "verifier", "accounting_body", "Sweep Other Verification Body"),
                ("regulator", "regulator", "regulator", "Sweep Market Regulator"))
LOGGED_IN = ("orchard", "cqbattery", "sdbattery", "steelworks", "verifier", "reviewer",
             "admin", "ruralbank", "otherbank", "otherbody", "regulator")

EVIDENCE = b"packhouse meter 7731: 0.0317 kWh per kg packed, SWEEP-EVIDENCE-BYTES"
FINDING_FILE = b"SWEEP-FINDING-FILE: the subject's cell workshop meter log"


# -- the seeded world ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def world(tmp_path_factory, engine):
    """The demo seeded into a home of its own (the template every test copies), with what the
    demo lacks added through the use cases: the users above, an API token of each user,
    evidence on the co-operative's returned submission, three findings about the Chongqing
    battery maker (a draft; a notified one; a final public one with an evidence file), and
    PACT clients limited to one organisation each. Every user is logged in once here and the
    session cookie kept: the sessions are rows of the copied database, so each test reuses
    them instead of hashing a password again."""
    from footprint.identifiers import pact_footprint_id
    from footprint.labels import to_b32
    from footprint.usecases import demo, findings, organisations, pactclients, review, tokens
    from footprint.usecases import users as user_cases
    from footprint.usecases.issuing import Issuer

    home = tmp_path_factory.mktemp("access-sweep") / "home"
    home.mkdir()
    db, seeded = seeded_demo(home, engine)

    def one(sql, *args):
        return db.execute(sql, list(args)).fetchone()[0]

    for username, role, kind, org_name in EXTRA_PEOPLE:
        org = organisations.create_organisation(db, org_name, kind, "CN-SC", None,
                                                engine.registry)
        user_cases.create_user(db, username, role, org["id"], PASSWORD)
    coop = one("SELECT org_id FROM users WHERE username = 'orchard'")
    leaver = user_cases.create_user(db, "leaver", "producer", coop, PASSWORD)
    user_cases.set_user_active(db, None, leaver["id"], False)
    people = {row["username"]: row for row in db.query("SELECT * FROM users")}
    org = {name: row["org_id"] for name, row in people.items()}
    sub = seeded.submissions
    packed = sub["oranges-packed"]

    api_tokens = {name: tokens.create_token(db, name, f"sweep token of {name}")
                  for name in LOGGED_IN}
    token_id = {name: tokens.list_tokens(db, name)[0]["id"] for name in LOGGED_IN}

    evidence = review.add_evidence(db, people["orchard"], packed, "packhouse-meter-2025.csv",
                                   "text/csv", EVIDENCE)

    issuer = Issuer(home, demo.ISSUER_ID)
    finding, finding_file = {}, {}
    for state in ("draft", "notified", "final"):
        made = findings.record(
            db, people["regulator"], org["cqbattery"], "misleading_claim", "general",
            f"SWEEP-{state.upper()}-SUMMARY: storage pack claims", f"SWEEP-{state.upper()}-"
            "EVIDENCE: the inspectors' notes", True,
            files=[("meter-log.csv", "text/csv", FINDING_FILE)])
        if state != "draft":
            findings.act(db, people["regulator"], made["id"], "notify")
        if state == "final":
            findings.act(db, people["regulator"], made["id"], "finalise", issuer=issuer)
        finding[state] = made["id"]
        finding_file[state] = one("SELECT id FROM finding_files WHERE finding_id = ?",
                                  made["id"])

    pact_client, pact_token = {}, {}
    for name in ("orchard", "steelworks"):  # a buyer's system limited to one producer
        client, secret = pactclients.create_client(db, f"sweep buyer of {name}", org[name])
        pact_client[name] = client["client_id"]
        pact_token[name] = pactclients.issue_token(db, client["client_id"], secret,
                                                   "192.0.2.1", "client_credentials")[
            "access_token"]

    decision = one("SELECT id FROM loan_decisions")
    product = {key: one("SELECT product_id FROM submissions WHERE id = ?", sid)
               for key, sid in sub.items()}
    private = {key: _private_of_submission(db, sid) for key, sid in sub.items()}
    private["decision"] = [demo.LOAN_PRODUCT, "110,000.00", "110000.00"]
    private["account"] = ["1,650,000", "1650000"]  # the co-operative's declared production
    label_b32 = {key: to_b32(bytes(db.execute("SELECT cose FROM labels WHERE id = ?",
                                              [label]).fetchone()[0]))
                 for key, label in seeded.labels.items()}
    credit_code = {name: one("SELECT credit_code FROM organisations WHERE id = ?", org[name])
                   for name in ("orchard", "cqbattery")}
    bom_packed = json.loads(one("SELECT bom_json FROM submissions WHERE id = ?", packed))

    app = app_on(home, engine, TESTING=True, WTF_CSRF_ENABLED=False)
    cookies = {name: log_in(app.test_client(), name, PASSWORD).get_cookie("session").value
               for name in LOGGED_IN}
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # every row in the file the tests copy
    db.close()
    return SimpleNamespace(
        home=home, sub=sub, label=seeded.labels, label_b32=label_b32, product=product,
        org=org, user={name: row["id"] for name, row in people.items()},
        tokens=api_tokens, token_id=token_id, cookies=cookies, evidence=evidence,
        finding=finding, finding_file=finding_file, pact_client=pact_client,
        pact_token=pact_token, pf={key: pact_footprint_id(label)
                                   for key, label in seeded.labels.items()},
        decision=decision, private=private, credit_code=credit_code, bom_packed=bom_packed)


def _private_of_submission(db, submission_id: int) -> list[str]:
    """What only a submission's readers may see: its product's names, its lines' notes, the
    comments on it and its latest result's reproducibility hash."""
    bom = json.loads(db.execute("SELECT bom_json FROM submissions WHERE id = ?",
                                [submission_id]).fetchone()[0])
    found = [bom["product"]["name"], bom["product"].get("name_zh")]
    found += [line["note"] for line in bom.get("lines", ()) if line.get("note")]
    found += [row[0] for row in db.execute("SELECT body FROM comments WHERE submission_id = ?",
                                           [submission_id])]
    found += [row[0] for row in db.execute(
        "SELECT reproducibility_hash FROM results WHERE submission_id = ? "
        "ORDER BY revision DESC LIMIT 1", [submission_id])]
    return [text for text in found if text]


@pytest.fixture
def service(world, engine, tmp_path):
    """A fresh copy of the world's home (database, keys, secret key) and an app on it: a
    rightful write in one test never changes what another test sees."""
    home = tmp_path / "home"
    shutil.copytree(world.home, home, ignore=shutil.ignore_patterns("*-wal", "*-shm"))
    return SimpleNamespace(app=app_on(home, engine, TESTING=True, WTF_CSRF_ENABLED=False),
                           database=home / "footprint.db")


# -- requests as someone --------------------------------------------------------------------------

def call(service, world, who: str | None, method: str, path: str, body: dict):
    """``method path`` as ``who`` (None: anonymous): pages with the user's session cookie,
    /api/v1 with the user's bearer token, the PACT host over HTTPS with the token of the
    buyer's system limited to ``who``'s organisation."""
    client = service.app.test_client()
    headers = {}
    if path.startswith("/api/"):
        if who is not None:
            headers["Authorization"] = f"Bearer {world.tokens[who]}"
    elif path.startswith("/3/"):
        if who is not None:
            headers["Authorization"] = f"Bearer {world.pact_token[who]}"
        return client.open(f"{HTTPS}{path}", method=method, headers=headers, **body)
    elif who is not None:
        client.set_cookie("session", world.cookies[who])
    return client.open(path, method=method, headers=headers, **body)


def text_of(response) -> str:
    """The answer's text, HTML entities read (conftest's ``text_of``, but for binary answers
    too: a PDF statement, a COSE document, a PNG)."""
    return html.unescape(response.get_data().decode("utf-8", "replace"))


def is_machine(path: str) -> bool:
    return path.startswith(("/api/", "/3/"))


def assert_refused(response, who: str | None, path: str) -> None:
    said = f"{who or 'anonymous'} got {response.status_code} on {path}: " \
           f"{text_of(response)[:300]}"
    if who is None and is_machine(path):
        assert response.status_code == 401, said  # no token, no answer
    elif who is None and response.status_code == 302:
        assert urlparse(response.headers["Location"]).path == "/login", said
    else:
        assert response.status_code in (403, 404), said


# The rows a write may change, read whole (api_tokens without last_used_at, which every API
# call with the token moves on).
COLUMNS = {"api_tokens": "id, user_id, name, revoked_at", "users": "id, username, active"}


def rows(database: Path, tables: tuple[str, ...]) -> dict:
    with sqlite3.connect(database) as connection:
        return {table: connection.execute(
            f"SELECT {COLUMNS.get(table, '*')} FROM {table} ORDER BY rowid").fetchall()
            for table in tables}


# -- the table -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Case:
    """A route (its Flask rule and method) swept for one object.

    path      the URL of a real object, its id from the seeded world
    refused   who must not reach it (None: anonymous)
    rightful  who must reach it (a write is done by the first only)
    body      the request's keyword arguments (form, files, JSON), the same for everyone
    tables    for a write: the rows a refused request leaves alone and the rightful changes
    private   what the refusal must not show, and a rightful GET shows
    """
    rule: str
    method: str
    path: Callable
    refused: tuple
    rightful: tuple
    body: Callable = lambda w: {}
    tables: tuple = ()
    private: Callable = lambda w: []

    def __str__(self):
        return f"{self.method} {self.rule}" + (f" [{self.path.__doc__}]"
                                               if self.path.__doc__ else "")


def at(template: str, doc: str | None = None):
    """The path ``template`` names, its ids looked up in the seeded world when the test runs
    (``{w.sub[oranges-packed]}``: the id of the demo's submission "oranges-packed"); ``doc``
    tells the case apart from another of the same route in the test's id."""
    def path(w):
        return template.format(w=w)
    path.__doc__ = doc
    return path


def evidence_file(name: str = "meter-2026.csv", content: bytes = b"SWEEP-NEW-EVIDENCE"):
    return lambda w: {"data": {"file": (io.BytesIO(content), name, "text/csv")}}


def packed_form(w) -> dict:
    """The editor's form of the co-operative's returned submission, as the edit page shows
    it, with its line's note changed and saved."""
    from web.bom.form import values_from_bom
    values = values_from_bom(w.bom_packed)
    values["lines-0-note"] = "re-metered after the verifier's question"
    return {"data": {**values, "action": "save"}}


def packed_bom(w) -> dict:
    bom = json.loads(json.dumps(w.bom_packed))
    bom["lines"][0]["note"] = "re-metered after the verifier's question"
    return {"json": bom}


CHECKLIST = ("activity_data", "factors", "boundary")
SUBMISSION_ROWS = ("submissions", "audit_events", "labels")
ACTION_BODIES = {  # what each workflow action sends, on the pages and to the API
    "submit": ({}, {}),
    "verify": ({"data": {"checklist": list(CHECKLIST)}}, {"json": {"checklist": list(CHECKLIST)}}),
    "approve": ({}, {}),
    "return": ({"data": {"reason": "SWEEP: attach the meter readings"}},
               {"json": {"reason": "SWEEP: attach the meter readings"}}),
}
# Each action on a submission in the state it applies to, refused to everyone but the one
# party whose turn it is: the producer submits its returned submission (to the body that
# returned it), the assigned body verifies or returns a submitted one, a reviewer approves a
# verified one (of another organisation, not verified by themselves).
ACTION_CASES = {  # action: (demo submission, refused, rightful)
    "submit": ("oranges-packed", (None, "cqbattery", "verifier", "reviewer", "admin",
                                  "regulator", "ruralbank"), ("orchard",)),
    "verify": ("sd-lfp", (None, "sdbattery", "cqbattery", "otherbody", "reviewer", "admin",
                          "regulator", "ruralbank"), ("verifier",)),
    "return": ("sd-lfp", (None, "sdbattery", "orchard", "otherbody", "reviewer", "admin",
                          "regulator", "ruralbank"), ("verifier",)),
    "approve": ("cq-nmc", (None, "cqbattery", "orchard", "verifier", "otherbody", "admin",
                           "regulator", "ruralbank"), ("reviewer",)),
}


def action_cases() -> list[Case]:
    cases = []
    for action, (key, refused, rightful) in ACTION_CASES.items():
        page, api = ACTION_BODIES[action]
        cases.append(Case(
            "/submissions/<int:id>/<action>", "POST",
            at(f"/submissions/{{w.sub[{key}]}}/{action}", f"{action} {key}"),
            refused, rightful, lambda w, page=page: page, SUBMISSION_ROWS,
            lambda w, key=key: w.private[key]))
        cases.append(Case(
            f"/api/v1/submissions/<int:submission_id>/{action}", "POST",
            at(f"/api/v1/submissions/{{w.sub[{key}]}}/{action}", f"{action} {key}"),
            refused, rightful, lambda w, api=api: api, SUBMISSION_ROWS,
            lambda w, key=key: w.private[key]))
    return cases


FINDING_ROWS = ("findings", "supervision_events")
# Each step of a finding, on the finding in the state it applies to: a regulator notifies,
# finalises and corrects; only the organisation it concerns (the Chongqing battery maker)
# responds and appeals. Administrators read findings and take no step. The final finding is
# public, so others see it and are refused the step itself (403), not the finding (404).
STEP_CASES = {  # step: (finding, refused, rightful, text)
    "notify": ("draft", (None, "cqbattery", "orchard", "admin", "reviewer", "verifier"),
               ("regulator",), ""),
    "respond": ("notified", (None, "orchard", "sdbattery", "regulator", "admin", "otherbody"),
                ("cqbattery",), "SWEEP: our response"),
    "appeal": ("notified", (None, "orchard", "sdbattery", "regulator", "admin", "otherbody"),
               ("cqbattery",), "SWEEP: our appeal"),
    "finalise": ("notified", (None, "cqbattery", "orchard", "admin", "reviewer"),
                 ("regulator",), ""),
    "correct": ("final", (None, "cqbattery", "orchard", "admin", "reviewer", "ruralbank"),
                ("regulator",), "SWEEP: the severity was misjudged"),
}


def step_cases() -> list[Case]:
    return [Case("/supervision/findings/<int:id>/<step>", "POST",
                 at(f"/supervision/findings/{{w.finding[{state}]}}/{step}", f"{step} {state}"),
                 refused, rightful, lambda w, text=text: {"data": {"text": text}},
                 FINDING_ROWS,
                 lambda w, state=state: [f"SWEEP-{state.upper()}-EVIDENCE"])
            for step, (state, refused, rightful, text) in STEP_CASES.items()]


# Who is refused a submission's pages: another producer, an accounting body it is not
# assigned to, banks, anonymous.
NOT_THE_SUBMISSIONS = (None, "cqbattery", "steelworks", "otherbody", "ruralbank", "otherbank")
# Who is refused the co-operative's carbon account: another producer, an accounting body,
# a bank it does not consent to (its bank, ruralbank, may read it), anonymous.
NOT_THE_ACCOUNTS = (None, "cqbattery", "verifier", "otherbank")
# Who is refused a loan decision: another producer, another bank, roles that are no party.
NOT_THE_DECISIONS = (None, "cqbattery", "otherbank", "verifier", "reviewer", "admin",
                     "regulator")
# Who is refused the administrator's pages: every other role.
NOT_ADMINS = (None, "orchard", "reviewer", "verifier", "regulator", "ruralbank")
# Who may not revoke a label: anyone but reviewers and administrators, its producer too.
NOT_REVOKERS = (None, "orchard", "cqbattery", "verifier", "regulator", "ruralbank")
PACKED = "{w.sub[oranges-packed]}"  # the co-operative's returned submission: evidence, comments


def packed_private(w):
    return w.private["oranges-packed"]


def account_private(w):
    return w.private["account"]


def decision_private(w):
    return w.private["decision"]


CASES: list[Case] = [
    # -- a submission: its page, editor, evidence, comments, workflow, label ----------------
    Case("/submissions/<int:id>", "GET", at(f"/submissions/{PACKED}"),
         NOT_THE_SUBMISSIONS,
         ("orchard", "verifier", "reviewer", "admin", "regulator"), private=packed_private),
    # a draft is its producer's alone (and the administrators' and regulators', who read all)
    Case("/submissions/<int:id>", "GET", at("/submissions/{w.sub[sd-nmc]}", "a draft"),
         (None, "reviewer", "verifier", "orchard", "cqbattery", "ruralbank"),
         ("sdbattery", "admin", "regulator"), private=lambda w: w.private["sd-nmc"]),
    # its BOM as a file: whoever reads the submission, no one else
    Case("/submissions/<int:id>/bom.<kind>", "GET", at(f"/submissions/{PACKED}/bom.csv"),
         NOT_THE_SUBMISSIONS,
         ("orchard", "verifier", "reviewer", "admin", "regulator"), private=packed_private),
    Case("/submissions/<int:id>/bom.<kind>", "GET",
         at("/submissions/{w.sub[sd-nmc]}/bom.json", "a draft's BOM"),
         (None, "reviewer", "verifier", "orchard", "cqbattery", "ruralbank"),
         ("sdbattery", "admin", "regulator"), private=lambda w: w.private["sd-nmc"]),
    Case("/producer/submissions/<int:id>/edit", "GET",
         at(f"/producer/submissions/{PACKED}/edit"),
         NOT_THE_SUBMISSIONS + ("verifier", "reviewer", "admin", "regulator"), ("orchard",),
         private=packed_private),
    Case("/producer/submissions/<int:id>/edit", "POST",
         at(f"/producer/submissions/{PACKED}/edit"),
         NOT_THE_SUBMISSIONS + ("verifier", "reviewer", "admin", "regulator"), ("orchard",),
         packed_form, ("submissions", "results"), packed_private),
    Case("/producer/submissions/<int:id>/evidence", "POST",
         at(f"/producer/submissions/{PACKED}/evidence"),
         NOT_THE_SUBMISSIONS + ("verifier", "reviewer", "admin", "regulator"), ("orchard",),
         evidence_file(), ("evidence",), packed_private),
    Case("/submissions/<int:id>/evidence/<int:evidence_id>", "GET",
         at(f"/submissions/{PACKED}/evidence/{{w.evidence}}"),
         NOT_THE_SUBMISSIONS, ("orchard", "verifier", "admin", "regulator"),
         private=lambda w: [EVIDENCE.decode()]),
    # the co-operative's evidence asked for under a submission the steel works may read
    Case("/submissions/<int:id>/evidence/<int:evidence_id>", "GET",
         at("/submissions/{w.sub[pzh-steel]}/evidence/{w.evidence}",
            "another submission's evidence"),
         ("steelworks", "verifier", "reviewer", "admin"), (),
         private=lambda w: [EVIDENCE.decode()]),
    Case("/submissions/<int:id>/comments", "POST", at(f"/submissions/{PACKED}/comments"),
         NOT_THE_SUBMISSIONS + ("regulator",), ("orchard",),
         lambda w: {"data": {"body": "SWEEP: a comment"}}, ("comments",), packed_private),
    Case("/submissions/<int:id>/label/revoke", "POST",
         at("/submissions/{w.sub[oranges-farm-gate]}/label/revoke"),
         NOT_REVOKERS + ("otherbody",), ("reviewer",),
         lambda w: {"data": {"reason": "SWEEP: revoked"}}, ("labels",),
         lambda w: w.private["oranges-farm-gate"]),
    *action_cases(),
    Case("/api/v1/submissions/<int:submission_id>", "GET", at(f"/api/v1/submissions/{PACKED}"),
         NOT_THE_SUBMISSIONS, ("orchard", "verifier", "reviewer", "admin", "regulator"),
         private=packed_private),
    Case("/api/v1/submissions/<int:submission_id>", "GET",
         at("/api/v1/submissions/{w.sub[sd-nmc]}", "a draft"),
         (None, "reviewer", "verifier", "orchard", "cqbattery", "ruralbank"),
         ("sdbattery", "admin", "regulator"), private=lambda w: w.private["sd-nmc"]),
    Case("/api/v1/submissions/<int:submission_id>", "PUT", at(f"/api/v1/submissions/{PACKED}"),
         NOT_THE_SUBMISSIONS + ("verifier", "reviewer", "admin", "regulator"), ("orchard",),
         packed_bom, ("submissions", "results"), packed_private),
    # -- labels: revoking (reading one is public) --------------------------------------------
    Case("/api/v1/labels/<label_id>/revoke", "POST",
         at("/api/v1/labels/{w.label[oranges-farm-gate]}/revoke"),
         NOT_REVOKERS + ("otherbody",), ("reviewer",),
         lambda w: {"json": {"reason": "SWEEP: revoked"}}, ("labels",)),
    # -- carbon accounts ------------------------------------------------------------------------
    Case("/accounts/<int:org_id>", "GET", at("/accounts/{w.org[orchard]}"), NOT_THE_ACCOUNTS,
         ("orchard", "reviewer", "admin", "regulator", "ruralbank"), private=account_private),
    Case("/accounts/<int:org_id>/statement.csv", "GET",
         at("/accounts/{w.org[orchard]}/statement.csv"), NOT_THE_ACCOUNTS,
         ("orchard", "ruralbank"), private=account_private),
    Case("/accounts/<int:org_id>/statement.pdf", "GET",
         at("/accounts/{w.org[orchard]}/statement.pdf"), NOT_THE_ACCOUNTS,
         ("orchard", "ruralbank"), private=account_private),
    Case("/accounts/<int:org_id>/statement.cose", "GET",
         at("/accounts/{w.org[orchard]}/statement.cose"), NOT_THE_ACCOUNTS,
         ("orchard", "ruralbank"), private=account_private),
    Case("/accounts/<int:org_id>/production", "POST",
         at("/accounts/{w.org[orchard]}/production"),
         NOT_THE_ACCOUNTS + ("reviewer", "admin", "ruralbank"), ("orchard",),
         lambda w: {"data": {"product": w.product["oranges-farm-gate"], "year": "2027",
                             "amount": "1700000"}},
         ("declared_production", "carbon_account_events"), account_private),
    Case("/accounts/<int:org_id>/baseline", "POST", at("/accounts/{w.org[orchard]}/baseline"),
         NOT_THE_ACCOUNTS + ("reviewer", "admin", "ruralbank"), ("orchard",),
         lambda w: {"data": {"baseline_year": "2026"}},
         ("carbon_account_settings", "carbon_account_events"), account_private),
    Case("/api/v1/accounts/<int:org_id>", "GET", at("/api/v1/accounts/{w.org[orchard]}"),
         NOT_THE_ACCOUNTS, ("orchard", "reviewer", "regulator", "ruralbank"),
         private=lambda w: ["1650000"]),
    Case("/api/v1/accounts/<int:org_id>/reduction", "GET",
         at("/api/v1/accounts/{w.org[orchard]}/reduction?year=2026"), NOT_THE_ACCOUNTS,
         ("orchard", "ruralbank"),
         private=lambda w: [w.label["oranges-farm-gate"]]),
    # -- banks, consents and loans -----------------------------------------------------------
    Case("/bank/accounts/<int:org_id>", "GET", at("/bank/accounts/{w.org[orchard]}"),
         (None, "otherbank", "orchard", "cqbattery", "reviewer", "admin", "verifier"),
         ("ruralbank",), private=account_private),
    Case("/api/v1/borrowers/<int:org_id>", "GET", at("/api/v1/borrowers/{w.org[orchard]}"),
         (None, "otherbank", "orchard", "cqbattery", "reviewer", "admin"), ("ruralbank",),
         private=lambda w: [w.credit_code["orchard"]]),
    # a bank's access is the producer's own to give: only producers grant and revoke
    Case("/consents/<int:bank_id>/grant", "POST", at("/consents/{w.org[otherbank]}/grant"),
         (None, "otherbank", "ruralbank", "verifier", "reviewer", "admin", "regulator"),
         ("orchard",), tables=("consents", "consent_events")),
    Case("/consents/<int:bank_id>/revoke", "POST", at("/consents/{w.org[ruralbank]}/revoke"),
         (None, "ruralbank", "otherbank", "verifier", "reviewer", "admin", "regulator"),
         ("orchard",), tables=("consents", "consent_events")),
    Case("/api/v1/consents/<int:bank_id>", "POST", at("/api/v1/consents/{w.org[otherbank]}"),
         (None, "otherbank", "ruralbank", "verifier", "reviewer", "admin", "regulator"),
         ("orchard",), tables=("consents", "consent_events")),
    Case("/api/v1/consents/<int:bank_id>", "DELETE", at("/api/v1/consents/{w.org[ruralbank]}"),
         (None, "ruralbank", "otherbank", "verifier", "reviewer", "admin", "regulator"),
         ("orchard",), tables=("consents", "consent_events")),
    Case("/loans/decisions/<int:decision_id>", "GET", at("/loans/decisions/{w.decision}"),
         NOT_THE_DECISIONS, ("ruralbank", "orchard"), private=decision_private),
    Case("/loans/decisions/<int:decision_id>/document", "GET",
         at("/loans/decisions/{w.decision}/document"), NOT_THE_DECISIONS,
         ("ruralbank", "orchard"), private=decision_private),
    Case("/loans/decisions/<int:decision_id>/proof", "GET",
         at("/loans/decisions/{w.decision}/proof"), NOT_THE_DECISIONS,
         ("ruralbank", "orchard")),
    Case("/api/v1/loan-decisions/<int:decision_id>", "GET",
         at("/api/v1/loan-decisions/{w.decision}"), NOT_THE_DECISIONS, ("ruralbank", "orchard"),
         private=decision_private),
    Case("/api/v1/loan-decisions/<int:decision_id>/document", "GET",
         at("/api/v1/loan-decisions/{w.decision}/document"), NOT_THE_DECISIONS,
         ("ruralbank", "orchard"), private=decision_private),
    Case("/api/v1/loan-decisions/<int:decision_id>/proof", "GET",
         at("/api/v1/loan-decisions/{w.decision}/proof"), NOT_THE_DECISIONS,
         ("ruralbank", "orchard")),
    # -- findings -------------------------------------------------------------------------------
    Case("/supervision/findings/<int:id>", "GET", at("/supervision/findings/{w.finding[draft]}"),
         (None, "cqbattery", "orchard", "verifier", "reviewer", "ruralbank"),
         ("regulator", "admin"), private=lambda w: ["SWEEP-DRAFT-SUMMARY",
                                                    "SWEEP-DRAFT-EVIDENCE"]),
    Case("/supervision/findings/<int:id>", "GET",
         at("/supervision/findings/{w.finding[notified]}", "a notified finding"),
         (None, "orchard", "sdbattery", "verifier", "reviewer", "ruralbank"),
         ("cqbattery", "regulator"), private=lambda w: ["SWEEP-NOTIFIED-SUMMARY",
                                                        "SWEEP-NOTIFIED-EVIDENCE"]),
    *step_cases(),
    # a final public finding is published; its evidence files stay its parties'
    Case("/supervision/findings/<int:id>/files/<int:file_id>", "GET",
         at("/supervision/findings/{w.finding[final]}/files/{w.finding_file[final]}"),
         (None, "orchard", "verifier", "reviewer", "ruralbank"),
         ("regulator", "admin", "cqbattery"), private=lambda w: [FINDING_FILE.decode()]),
    # -- one's own API tokens, and the administrator's pages ---------------------------------
    Case("/account/tokens/<int:token_id>/revoke", "POST",
         at("/account/tokens/{w.token_id[orchard]}/revoke"),
         (None, "cqbattery", "reviewer", "admin", "regulator"), ("orchard",),
         tables=("api_tokens",), private=lambda w: ["sweep token of orchard"]),
    Case("/admin/api-tokens/<int:token_id>/revoke", "POST",
         at("/admin/api-tokens/{w.token_id[orchard]}/revoke"), NOT_ADMINS, ("admin",),
         tables=("api_tokens",), private=lambda w: ["sweep token of orchard"]),
    Case("/admin/organisations/<int:org_id>", "GET", at("/admin/organisations/{w.org[orchard]}"),
         NOT_ADMINS, ("admin",), private=lambda w: [w.credit_code["orchard"]]),
    Case("/admin/organisations/<int:org_id>", "POST",
         at("/admin/organisations/{w.org[cqbattery]}"), NOT_ADMINS + ("cqbattery",), ("admin",),
         lambda w: {"data": {"name": "重庆储能电池有限公司 Chongqing Storage Battery Co.",
                             "region": "CN-SC", "credit_code": ""}},
         ("organisations",), lambda w: [w.credit_code["cqbattery"]]),
    Case("/admin/users/<int:user_id>/deactivate", "POST",
         at("/admin/users/{w.user[orchard]}/deactivate"), NOT_ADMINS + ("cqbattery",),
         ("admin",), tables=("users",)),
    Case("/admin/users/<int:user_id>/reactivate", "POST",
         at("/admin/users/{w.user[leaver]}/reactivate"), NOT_ADMINS, ("admin",),
         tables=("users",)),
    Case("/admin/pact-clients/<client_id>/revoke", "POST",
         at("/admin/pact-clients/{w.pact_client[orchard]}/revoke"), NOT_ADMINS, ("admin",),
         tables=("pact_clients",)),
    # -- the PACT host: a buyer's system limited to one organisation reads only its labels ---
    Case("/3/footprints/<path:pf_id>", "GET", at("/3/footprints/{w.pf[pzh-steel]}"),
         (None, "orchard"), ("steelworks",),
         private=lambda w: w.private["pzh-steel"][:1]),
]

# Routes with an id or key in their path that anyone may read, and why.
PUBLIC = {
    # the scan page a label's QR code opens: a label is a public credential, every claim it
    # signs is in the QR code on the package
    ("/L/<b32>", "GET"): "the scan page",
    ("/l/<b32>", "GET"): "the scan page, spelt in lower case",
    # GS1 Digital Link: a product's GTIN (and lot) resolves to its public label
    ("/01/<gtin>", "GET"): "GS1 Digital Link to the public label",
    ("/01/<gtin>/10/<path:lot>", "GET"): "GS1 Digital Link to the public label of a lot",
    # the transparency log is public by design (C2SP tlog-tiles): anyone audits it
    ("/log/tile/<path:path>", "GET"): "the transparency log's tiles",
    # a peer platform's checkpoints this platform cosigned as a witness: published
    ("/.well-known/footprint/witness/cosignatures/<origin>", "GET"): "witness cosignatures",
    # a label's JSON, images, proof and Battery Pass record: the label is public (web/api/
    # labels.py), label ids carry 64 random bits
    ("/api/v1/labels/<label_id>", "GET"): "a public label",
    ("/api/v1/labels/<label_id>/proof", "GET"): "a public label's inclusion proof",
    ("/api/v1/labels/<label_id>/qr.png", "GET"): "a public label's QR code",
    ("/api/v1/labels/<label_id>/qr.svg", "GET"): "a public label's QR code",
    ("/api/v1/labels/<label_id>/label.png", "GET"): "a public label, printable",
    ("/api/v1/labels/<label_id>/label.svg", "GET"): "a public label, printable",
    ("/api/v1/labels/<label_id>/label.pdf", "GET"): "a public label, printable",
    ("/api/v1/labels/<label_id>/battery-pass", "GET"): "a public battery label's record",
    # the public registry: issued labels, the products and organisations they name (an
    # unpublished product or organisation is not in it: test_the_registry_shows_only...)
    ("/registry/labels/<label_id>", "GET"): "the registry: a label, redirected to its scan",
    ("/registry/products/<int:product_id>", "GET"): "the registry: a labelled product",
    ("/registry/organisations/<int:org_id>", "GET"): "the registry: a labelled organisation",
    ("/registry/open-data/<day>/<name>", "GET"): "the registry's open-data snapshot files",
    # no object behind these: a data model extension's JSON schema, a language, static files
    ("/3/extensions/<name>/1.0.0/schema.json", "GET"): "a PACT extension's schema",
    ("/lang/<code>", "GET"): "the language switch",
    ("/static/<path:filename>", "GET"): "stylesheets and scripts",
}
# (The other public reads, the trust list, the log's checkpoint, the revocation list, the
# published findings (/exposure, /api/v1/findings), the registry's lists and the OpenAPI
# document, take no id in their path, so the sweep has nothing to classify there.)

# Public reads answered anonymously, with a real object of the demo: the URLs in PUBLIC are
# real and open. (Tiles, GS1 links, cosignatures and open-data files need data the demo does
# not make: a GTIN, a peer, a snapshot; tests/test_digital_link.py, test_peers.py and
# test_open_data.py read them.)
PUBLIC_READS = (
    "/L/{w.label_b32[oranges-farm-gate]}",
    "/api/v1/labels/{w.label[oranges-farm-gate]}",
    "/api/v1/labels/{w.label[oranges-farm-gate]}/proof",
    "/api/v1/labels/{w.label[oranges-farm-gate]}/qr.svg",
    "/api/v1/labels/{w.label[oranges-farm-gate]}/label.svg",
    "/api/v1/labels/{w.label[cq-lfp]}/battery-pass",
    "/registry/labels/{w.label[oranges-farm-gate]}",
    "/registry/products/{w.product[oranges-farm-gate]}",
    "/registry/organisations/{w.org[orchard]}",
    "/lang/en",
    "/static/style.css",
)


# -- the tests ----------------------------------------------------------------------------------

def id_taking_routes(app) -> set[tuple[str, str]]:
    """Every (rule, method) whose path takes a variable."""
    return {(rule.rule, method) for rule in app.url_map.iter_rules() if rule.arguments
            for method in rule.methods - {"HEAD", "OPTIONS"}}


def test_every_id_taking_route_is_classified(service, world):
    from footprint.supervision import STEPS
    from footprint.workflow import ACTIONS

    routes = id_taking_routes(service.app)
    swept = {(case.rule, case.method) for case in CASES}
    assert not swept & set(PUBLIC), "a route is both swept and public"
    unclassified = routes - swept - set(PUBLIC)
    assert not unclassified, ("routes taking an id that this sweep does not classify: add "
                              f"each to CASES or PUBLIC: {sorted(unclassified)}")
    assert not (swept | set(PUBLIC)) - routes, "entries for routes the app no longer has"
    # every workflow action and every step of a finding has its case
    assert set(ACTION_CASES) == set(ACTIONS) and set(STEP_CASES) == set(STEPS)
    # each case's URL is served by the rule it names (not by another one that matches)
    adapter = service.app.url_map.bind("localhost")
    for case in CASES:
        rule, _ = adapter.match(case.path(world).split("?")[0], method=case.method,
                                return_rule=True)
        assert rule.rule == case.rule, (str(case), rule.rule)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_only_the_rightful_reach_the_object(case, service, world):
    path, method = case.path(world), case.method
    private = [text for text in case.private(world) if text]
    writes = method != "GET"
    before = rows(service.database, case.tables) if writes else None
    for who in case.refused:
        response = call(service, world, who, method, path, case.body(world))
        assert_refused(response, who, path)
        shown = text_of(response)
        leaked = [text for text in private if text in shown]
        assert not leaked, f"{who} was refused {path} but shown {leaked}"
        if writes:
            assert rows(service.database, case.tables) == before, \
                f"{method} {path} by {who} was refused yet changed {case.tables}"
    if not case.rightful:  # the same rule's other case proves the URL is reachable
        assert any(other.rule == case.rule and other.rightful for other in CASES)
    for who in case.rightful[:1] if writes else case.rightful:
        response = call(service, world, who, method, path, case.body(world))
        said = f"{who} got {response.status_code} on {method} {path}: " \
               f"{text_of(response)[:500]}"
        if not writes:
            assert response.status_code == 200, said
            if private and response.mimetype.startswith(("text/", "application/json")):
                shown = text_of(response)
                assert any(text in shown for text in private), \
                    f"{who} reached {path} but its private data is not what it shows"
        else:
            expected = (302,) if not is_machine(path) else (200, 201)
            assert response.status_code in expected, said
            if not is_machine(path):  # a page's write leads back to a page, not to log in
                assert urlparse(response.headers["Location"]).path != "/login", said
            assert rows(service.database, case.tables) != before, \
                f"{method} {path} by {who} changed none of {case.tables}"


def test_public_reads_answer_anyone(service, world):
    client = service.app.test_client()
    adapter = service.app.url_map.bind("localhost")
    for template in PUBLIC_READS:
        path = template.format(w=world)
        rule, _ = adapter.match(path, method="GET", return_rule=True)
        assert (rule.rule, "GET") in PUBLIC, path
        response = client.get(path)
        response.close()  # a static file's answer holds the file open
        assert response.status_code in (200, 302), (path, response.status_code)
    schema = client.get(f"{HTTPS}/3/extensions/batteries/1.0.0/schema.json")
    assert schema.status_code == 200 and schema.get_json()["type"] == "object"
    # a final public finding is published (the exposure page links it): anyone reads what
    # it found, never its evidence, which stays its parties' (CASES: its files)
    final = text_of(client.get(f"/supervision/findings/{world.finding['final']}"))
    assert "SWEEP-FINAL-SUMMARY" in final
    assert "SWEEP-FINAL-EVIDENCE" not in final and FINDING_FILE.decode() not in final


def test_the_registry_shows_only_what_was_published(service, world):
    """The registry is public, but a product with no issued label (the Shandong maker's draft
    NMC pack) and an organisation no label names (a bank) are not in it."""
    client = service.app.test_client()
    draft = client.get(f"/registry/products/{world.product['sd-nmc']}")
    assert draft.status_code == 404
    assert not [text for text in world.private["sd-nmc"] if text in text_of(draft)]
    assert client.get(f"/registry/organisations/{world.org['otherbank']}").status_code == 404
    shown = client.get(f"/registry/products/{world.product['oranges-farm-gate']}")
    assert shown.status_code == 200
