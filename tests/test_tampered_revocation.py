"""Tried as a new user would: a demo platform set up with the `footprint` command, a label
revoked by the platform's reviewer on the web, then the database edited by hand to undo the
revocation. The public scan page still says revoked with the public reason, because a label's
state is what the transparency log says, and `footprint log verify` exits 1 naming the label.
"""
from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

from footprint.usecases.demo import DEMO_PASSWORD
from tests.conftest import app_on, csrf_token, log_in_with_token, text_of

FOOTPRINT = Path(sys.executable).with_name("footprint")  # the console script of this venv
REASON = "核查发现电表读数造假 falsified meter readings"


def footprint(home: Path, *args: str) -> subprocess.CompletedProcess:
    assert FOOTPRINT.is_file(), f"{FOOTPRINT} is missing: install the checkout (make install)"
    return subprocess.run([str(FOOTPRINT), *args], capture_output=True, text=True, timeout=600,
                          env={**os.environ, "FOOTPRINT_HOME": str(home)})


@pytest.fixture
def platform(tmp_path, engine):
    """A new platform: the demo seeded by the command line, and the web app on its home
    (CSRF on, as served; the session's engine lent so no registry is built again)."""
    home = tmp_path / "platform"
    seeded = footprint(home, "demo", "--no-serve")
    assert seeded.returncode == 0, seeded.stderr
    return home, app_on(home, engine)


def test_a_revocation_undone_in_the_database_is_still_public_and_caught(platform):
    home, app = platform
    checked = footprint(home, "log", "verify")  # what the operator's cron runs
    assert checked.returncode == 0, checked.stderr
    # the demo's 6 issued labels, 2 supersessions, 1 revocation and its priced loan's record
    assert "log verified: 10 entries" in checked.stdout

    # the reviewer revokes a current label on its submission page
    with closing(sqlite3.connect(home / "footprint.db")) as db:
        label_id, submission_id = db.execute(
            "SELECT id, submission_id FROM labels WHERE revoked_at IS NULL AND superseded_by "
            "IS NULL ORDER BY issued_at, rowid LIMIT 1").fetchone()
    reviewer = app.test_client()
    log_in_with_token(reviewer, "reviewer", DEMO_PASSWORD)
    page = reviewer.get(f"/submissions/{submission_id}").get_data(as_text=True)
    scan_path = re.search(r'id="label-scan" href="(/L/[A-Z2-7]+)"', page).group(1)
    revoked = reviewer.post(f"/submissions/{submission_id}/label/revoke",
                            data={"reason": REASON, "csrf_token": csrf_token(page)})
    assert revoked.status_code == 302
    public = app.test_client()
    scanned = text_of(public.get(scan_path))
    assert 'data-verdict="revoked"' in scanned and 'id="check-records"' not in scanned
    assert footprint(home, "log", "verify").returncode == 0

    # someone with the database file undoes it (the labels table has no triggers)
    with closing(sqlite3.connect(home / "footprint.db")) as db, db:
        db.execute("UPDATE labels SET revoked_at = NULL, revocation_reason = NULL, "
                   "revoked_by = NULL WHERE id = ?", [label_id])
        db.execute("UPDATE submissions SET status = 'issued' WHERE id = ?", [submission_id])

    scanned = text_of(public.get(scan_path))
    assert 'data-verdict="revoked"' in scanned and "此标签已被平台撤销" in scanned
    assert f'<q class="reason written">{REASON}</q>' in scanned
    assert "本平台数据库中关于此标签的记录与其透明日志不一致" in scanned
    label = public.get(f"/api/v1/labels/{label_id}").get_json()
    assert (label["status"], label["revocation_reason"]) == ("revoked", REASON)
    listed = public.get("/api/v1/labels/revoked").get_json()["revoked"]
    assert REASON in [item["reason"] for item in listed if item["id"] == label_id]
    staff = text_of(reviewer.get(f"/submissions/{submission_id}"))
    assert 'class="status status-revoked"' in staff and 'id="label-log-differs"' in staff

    caught = footprint(home, "log", "verify")
    assert caught.returncode == 1 and caught.stdout == ""
    assert f"label '{label_id}' disagrees with the log: revoked_at is empty but the log " \
           f"revoked it at" in caught.stderr
    assert f"label '{label_id}' disagrees with the log: revocation_reason is None but the " \
           f"logged reason is '{REASON}'" in caught.stderr
