"""``footprint verify``: a label's signature, dates and revocation. The label format:
docs/label-format.md. (``footprint keys`` is cli/commands/keys.py.)

verify exits 0 for a valid label whose revocation was checked (with its platform online,
against ``--revocations FILE``, or against the list this platform synced from a peer, with
its age said: docs/peers.md), 3 for a valid label whose revocation could not be checked
(the reason in words), 1 for an invalid, expired or revoked label (the reason on stderr; a
code that cannot be read as a label at all, cut short when scanned, is said to be damaged,
not invalid), 2
for a usage error (bad option, unreadable trust or revocation list, an input that is neither
a label file nor label text).
"""
from __future__ import annotations

import json
import re
import sys
from datetime import datetime, timezone
from pathlib import Path

import click

from footprint import words
from footprint.display import footprint, percent, quantity
from footprint.errors import Message
from footprint.labels import cose, online, peerlists, times
from footprint.labels import keys as issuer_keys
from footprint.labels.claims import jsonable
from footprint.labels.encoding import extract
from footprint.labels.errors import EXPLAINED, LabelInvalid
from footprint.labels.reading import NotALabelFile, label_text
from footprint.labels.revocations import load_revocations
from footprint.settings import footprint_home

from ..errors import fail_cleanly, usage_exit
from ..helptext import columns
from ..categories import with_code
from ..language import beside, chinese, chosen, listed, say, term

NOT_CHECKED = 3  # exit code: valid, but whether it was revoked is not known
# a code that cannot be read as a label at all (LabelInvalid.unreadable), as the scan page says
UNREADABLE = Message("the code could not be read as a label: it is damaged or incomplete "
                     "(cut short when scanned or copied), which says nothing about the label "
                     "itself; scan the QR code again, or copy the whole link")


def time_option(value: str | None):
    """A time option (`--at`, `--valid-from`, `--valid-to`) as epoch seconds; None stays None."""
    if value is None:
        return None
    try:
        return times.epoch(times.parse(value))
    except (TypeError, ValueError):
        raise click.BadParameter(f"{value!r} is not a time such as 2026-01-01 or "
                                 "2026-01-01T08:00:00Z") from None


def _label_text(text: str) -> str:
    """The label's text: the QR code's in a PNG, SVG or PDF file, else ``text`` itself (a
    label URL or base32)."""
    try:
        is_file = Path(text).is_file()
    except (OSError, ValueError):  # a name too long to be a file: label text
        is_file = False
    if is_file:
        try:
            return label_text(Path(text))
        except NotALabelFile as exc:
            usage_exit(exc.args[0])
    if "://" in text or re.fullmatch(r"\s*[A-Za-z2-7]+\s*", text):
        return text
    usage_exit(Message("%(text)s: no such file, and not a label URL or base32 text", text=text))


def _claims(claims: dict, issuer, names: dict) -> list[tuple[str, str | None]]:
    """What the label claims, heading and value, in the chosen language."""
    def party(value):
        return say("credit code %(code)s", code=value) if isinstance(value, str) else \
            say("No. %(number)s at %(issuer)s", number=value, issuer=issuer.id)
    unit = claims["declared_unit"]
    grade = claims["grade"] and (say("%(grade)s (provisional)", grade=claims["grade"])
                                 if claims["provisional"] else claims["grade"])
    stages = listed(f"{term('stage', s)} {percent(share / 1000)}"
                    for s, share in claims["stage_permille"].items())
    spread = signed_range = None
    if claims.get("range"):  # claim 20, or 19 (labels issued before claim 19 have none)
        spread = f" ({footprint(claims['range']['low'])}-{footprint(claims['range']['high'])})"
        permille = claims["range"]["permille"]
        signed_range = say(
            "P5-P95 of the calculation's Monte Carlo draws, signed as %(low)s-%(high)s per "
            "mille of the value", low=permille[0], high=permille[1]) if permille else say(
            "P5-P95 of the calculation's Monte Carlo draws, signed to 3 significant figures, "
            "as the value")
    product = " / ".join(n for n in (names.get("product_name_zh"),
                                     names.get("product_name_en")) if n)
    return [
        (say("signed by"), say("%(id)s (%(name)s), key %(kid)s, may sign %(start)s to %(end)s",
                               id=issuer.id, name=issuer.name, kid=issuer.kid.hex(),
                               start=times.text(issuer.valid_from)[:10],
                               end=times.text(issuer.valid_to)[:10])),
        (say("product"), beside(product, say("No. %(number)s at %(issuer)s",
                                              number=claims["product"], issuer=issuer.id))),
        ("GTIN", claims["gtin"]),
        (term("role", "producer"), beside(names.get("producer_name"), party(claims["producer"]))),
        (say("category"), with_code(claims["category"])),
        (say("footprint"), say("%(value)s%(spread)s kg CO2e per %(amount)s %(unit)s",
                               value=footprint(claims["value"]), spread=spread or "",
                               amount=quantity(unit["amount"]),
                               unit=term("unit", unit["unit"]))),
        (say("range"), signed_range),
        (say("grade"), grade), (say("stages"), stages), (say("region"), claims["region"]),
        (term("role", "verifier"), beside(names.get("verifier_name"), party(claims["verifier"]))),
        (term("role", "reviewer"), beside(names.get("reviewer_name"), say(
            "No. %(number)s at %(issuer)s", number=claims["reviewer"], issuer=issuer.id))),
        (say("issued at"), claims["issued_at"]), (say("expires"), claims["expires_at"]),
        (say("supersedes"), claims["supersedes"]),
        (say("data version"), claims["data_version"]),
        (say("reproducibility hash"), claims["reproducibility_hash"]),
    ]


def _rows_text(rows: list[tuple[str, str | None]]) -> str:
    """What a label says, a line each: the headings in a column as wide as the widest (a
    Chinese character takes two columns), then the values; rows without a value left out."""
    width = max(columns(name) for name, _ in rows)
    return "\n".join(f"  {name}{' ' * (width - columns(name))}  {value}"
                     for name, value in rows if value)


def _synced_by(peer: dict) -> Message:
    """Whose list was read, and how long ago it was synced (the web's words for an age)."""
    return Message("the revocation list of %(name)s (%(url)s) synced %(age)s",
                   name=peer["name"], url=peer["url"], age=words.age(peer["synced_minutes_ago"]))


def _synced(claims, issuer, moment) -> dict | None:
    """The revocation list of the label's platform as this platform last synced it (a peer,
    `footprint peers sync`); None when its issuer is no peer here or was never synced."""
    record = peerlists.read(footprint_home(), issuer.id)
    if record is None or not record.get("synced_at"):
        return None
    at = datetime.fromtimestamp(moment, timezone.utc) if moment is not None \
        else datetime.now(timezone.utc)
    peer = peerlists.status(record, claims["id"], at)
    if peer["state"] == "inconsistent":
        return {"checked": False, "why": Message(
            "%(name)s is flagged: its transparency log is not consistent with what this "
            "platform saw before", name=peer["name"]), "synced": peer}
    revoked = peer["revoked"]
    entry = revoked and {"id": claims["id"], "reason": revoked["revocation_reason"],
                         "revoked_at": revoked["revoked_at"]}
    return {"checked": True, "by": _synced_by(peer), "status": "revoked" if entry else "valid",
            "entry": entry or None, "synced": {k: v for k, v in peer.items() if k != "revoked"}}


def _revocation(claims, issuer, moment, cose_bytes, host, revoked, revocations_file, offline,
                ca_file, timeout) -> dict:
    """How revocation was checked and what it found: {"checked", "by", "status", ...}; its
    words are Messages (JSON holds their English)."""
    if revocations_file is not None:
        entry = revoked.get(claims["id"])
        return {"checked": True, "by": Message("the list %(file)s", file=str(revocations_file)),
                "status": "revoked" if entry else "valid", "entry": entry}
    synced = _synced(claims, issuer, moment)
    if synced is not None:
        return synced
    if offline:
        return {"checked": False, "why": Message("--offline: the platform was not asked")}
    if host is None:
        return {"checked": False, "why": Message("the label text names no host to ask (give "
                                                 "the label's URL or its QR code)")}
    answer = online.ask_issuer(host, cose_bytes, claims["id"], timeout=timeout,
                               ca_file=ca_file)
    if not answer.checked:
        return {"checked": False, "host": answer.host, "why": answer.reason}
    entry = answer.revocation_reason and {"id": claims["id"], "reason":
                                          answer.revocation_reason,
                                          "revoked_at": answer.revoked_at}
    return {"checked": True, "by": Message("the platform at %(host)s", host=host), "host": host,
            "status": answer.status, "entry": entry or None, "names": answer.names,
            "superseded_by": answer.superseded_by}


@click.command()
@click.argument("label")
@click.option("--trust-list", "trust_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Trust list JSON (default: this platform's, from FOOTPRINT_HOME).")
@click.option("--revocations", "revocations_file",
              type=click.Path(dir_okay=False, path_type=Path),
              help='Check revocation against this list instead of asking the platform: '
                   '{"revoked": [{"id", "reason", "revoked_at"}]}.')
@click.option("--offline", is_flag=True,
              help="Do not ask the label's platform (revocation is then not checked, exit 3, "
                   "unless --revocations is given).")
@click.option("--ca-file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Trust this certificate (PEM) for the platform's HTTPS instead of the "
                   "system's authorities, e.g. the demo's self-signed one.")
@click.option("--timeout", type=click.FloatRange(0.1, 60), default=online.TIMEOUT,
              show_default=True, help="Seconds to wait for the platform's answer.")
@click.option("--at", "at", default=None, help="Check as of this time (default: now).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@fail_cleanly
def verify(label, trust_file, revocations_file, offline, ca_file, timeout, at, as_json):
    """Verify a carbon label: LABEL is a QR image, a printed label (PNG, SVG or PDF), a
    label URL or base32 text.

    Checks the signature against the trust list, the signing key's window and the expiry,
    then reads its revocation in --revocations FILE, else in the list this platform synced
    from the label's platform when it is a peer (`footprint peers sync`), else asks the
    platform named in the label's URL. Exit 0 valid and not revoked, 3 valid but revocation
    not checked, 1 invalid, expired or revoked (reason on stderr), 2 usage.
    """

    moment = time_option(at)
    if trust_file is not None:  # a list that cannot be read is refused (fail_cleanly: exit 2)
        trust = issuer_keys.load_trust_list(trust_file)
    else:
        trust = issuer_keys.trust_list(footprint_home())
        if not len(trust):
            usage_exit(Message("no trust list: pass --trust-list FILE, or create this "
                               "platform's key with `footprint keys generate`"))
    revoked = load_revocations(revocations_file) if revocations_file is not None else {}

    result: dict = {"valid": False}
    claims = issuer = None
    unreadable = False
    try:
        text = _label_text(label)
        cose_bytes = extract(text)
        verified = cose.verify(cose_bytes, trust, now=moment)
        claims, issuer = verified.claims, verified.issuer
        reason = detail = None
    except LabelInvalid as exc:
        claims, issuer, reason, detail = exc.claims, exc.issuer, exc.reason, exc.detail
        unreadable = exc.unreadable
    check = None
    # a valid label's revocation is checked; an expired one only against a list at hand
    # (it fails either way, but a list may say it was revoked first)
    if claims is not None and (reason is None or
                               (reason == "expired" and revocations_file is not None)):
        check = _revocation(claims, issuer, moment, cose_bytes, online.host_of(text), revoked,
                            revocations_file, offline, ca_file, timeout)
        result["revocation_check"] = {k: v for k, v in check.items() if k != "entry"}
        if check.get("entry"):
            entry = check["entry"]
            reason = "revoked"
            detail = f"revoked {entry['revoked_at']}: {entry['reason']}"
            if check.get("synced"):
                detail += f" (according to {check['by']})"  # the English line's; JSON's
            result["revocation"] = entry
        elif check.get("status") == "expired" and reason is None:
            reason, detail = "expired", f"{check['host']} says the label has expired"
    names = (check or {}).get("names") or {}
    if claims is not None:
        result["label_id"] = claims["id"]
        result["claims"] = jsonable(claims)
        result["names"] = names
    if issuer is not None:
        result["issuer"] = issuer.as_dict()
    if reason is None:
        result["valid"] = True
        if as_json:
            click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        else:
            _say_valid(claims, issuer, names, check)
        if not check["checked"]:
            not_checked = Message("revocation not checked: %(why)s", why=check["why"])
            click.echo(not_checked, err=True)
            # a note beside what stdout said, not a refusal: in Chinese only when Chinese is
            # chosen, so that `footprint --lang en verify` never reads the catalogues
            if chosen() == "zh":
                click.echo(f"警告：{chinese(not_checked)}", err=True)
            sys.exit(NOT_CHECKED)
        return
    result.update(reason=reason, detail=detail)
    if unreadable:
        result["unreadable"] = True
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
    elif claims is not None:  # signed by a trusted key: say what it claims, and why it fails
        click.echo(click.style(say("NOT VALID label %(id)s", id=claims["id"]), fg="red",
                               bold=True))
        click.echo(_rows_text(_claims(claims, issuer, names)))
    _say_invalid(reason, detail, unreadable, check)
    sys.exit(1)


def _say_invalid(reason: str, detail: str, unreadable: bool, check: dict | None) -> None:
    """Why the label fails, on stderr: the reason's code and the core's detail in English,
    then in Chinese (the revocation's date and public reason as the platform gave them)."""
    click.echo(f"invalid label: {reason}: {detail}", err=True)
    if unreadable:
        click.echo(UNREADABLE, err=True)
    why = EXPLAINED.get(reason)  # as the scan page says it
    if reason == "revoked":
        entry = check["entry"]
        why = Message("the label was revoked %(at)s: %(reason)s", at=entry["revoked_at"],
                      reason=entry["reason"])
        if check.get("synced"):
            why = Message("%(why)s (according to %(by)s)", why=why, by=check["by"])
    invalid = Message("invalid label: %(why)s", why=why)
    click.echo(f"错误：{chinese(invalid)}", err=True)
    if unreadable:
        click.echo(f"错误：{chinese(UNREADABLE)}", err=True)


def _say_valid(claims, issuer, names, check) -> None:
    if check["checked"]:
        click.echo(click.style(say("VALID label %(id)s", id=claims["id"]), fg="green",
                               bold=True))
    else:
        click.echo(click.style(say("VALID label %(id)s (signature and dates; revocation NOT "
                                   "CHECKED)", id=claims["id"]), fg="yellow", bold=True))
    rows = _claims(claims, issuer, names)
    if not check["checked"]:
        click.echo(_rows_text(rows))
        click.echo(click.style("  " + say(
            "revocation NOT CHECKED: %(why)s. The label may have been revoked since it was "
            "issued: check it online, or pass --revocations FILE (the platform's list of "
            "revoked labels).", why=check["why"]), fg="yellow"))
        return
    status = say("not revoked") if check.get("status") != "superseded" else say(
        "not revoked; superseded by %(label)s: the product has a newer label",
        label=check["superseded_by"])
    click.echo(_rows_text([*rows, (say("revocation"), say(
        "checked with %(by)s: %(status)s", by=check["by"], status=status))]))
