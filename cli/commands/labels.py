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

from footprint.display import footprint, percent, quantity
from footprint.errors import InvalidInput
from footprint.labels import cose, online, peerlists, times
from footprint.labels import keys as issuer_keys
from footprint.labels.claims import jsonable
from footprint.labels.encoding import extract
from footprint.labels.errors import LabelInvalid
from footprint.labels.reading import NotALabelFile, label_text
from footprint.labels.revocations import load_revocations
from footprint.settings import footprint_home

from ..errors import usage_exit

NOT_CHECKED = 3  # exit code: valid, but whether it was revoked is not known
# a code that cannot be read as a label at all (LabelInvalid.unreadable), as the scan page says
UNREADABLE = ("the code could not be read as a label: it is damaged or incomplete (cut short "
              "when scanned or copied), which says nothing about the label itself; scan the "
              "QR code again, or copy the whole link\n"
              "标签编码已损坏或不完整，无法读取（并非伪造）：请重新扫描二维码，或完整复制链接")
STAGE_NAMES = {"raw_materials": "raw materials", "production": "production",
               "distribution": "distribution", "packaging": "packaging",
               "end_of_life": "end of life"}


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
            usage_exit(str(exc))
    if "://" in text or re.fullmatch(r"\s*[A-Za-z2-7]+\s*", text):
        return text
    usage_exit(f"{text}: no such file, and not a label URL or base32 text")


def _named(name: str | None, signed: str) -> str:
    """A published name beside the signed identifier it stands for."""
    return f"{name} ({signed})" if name else signed


def _claims_text(claims: dict, issuer, names: dict) -> str:
    def party(value):
        return f"credit code {value}" if isinstance(value, str) else f"No. {value} at {issuer.id}"
    unit = claims["declared_unit"]
    grade = claims["grade"] and claims["grade"] + (" (provisional)" if claims["provisional"]
                                                   else "")
    stages = ", ".join(f"{STAGE_NAMES.get(s, s)} {percent(share / 1000)}"
                       for s, share in claims["stage_permille"].items())
    spread = signed_range = None
    if claims.get("range"):  # claim 20, or 19 (labels issued before claim 19 have none)
        spread = f" ({footprint(claims['range']['low'])}-{footprint(claims['range']['high'])})"
        signed_range = "P5-P95 of the calculation's Monte Carlo draws, " + (
            "signed as {}-{} per mille of the value".format(*claims["range"]["permille"])
            if claims["range"]["permille"] else "signed to 3 significant figures, as the value")
    spread = spread or ""
    window = f"{times.text(issuer.valid_from)[:10]} to {times.text(issuer.valid_to)[:10]}"
    product = " / ".join(n for n in (names.get("product_name_zh"),
                                     names.get("product_name_en")) if n)
    rows = [
        ("signed by", f"{issuer.id} ({issuer.name}), key {issuer.kid.hex()}, may sign {window}"),
        ("product", _named(product, f"No. {claims['product']} at {issuer.id}")),
        ("GTIN", claims["gtin"]),
        ("producer", _named(names.get("producer_name"), party(claims["producer"]))),
        ("category", claims["category"]),
        ("footprint", f"{footprint(claims['value'])}{spread} kg CO2e per "
                      f"{quantity(unit['amount'])} {unit['unit']}"),
        ("range", signed_range),
        ("grade", grade), ("stages", stages), ("region", claims["region"]),
        ("verifier", _named(names.get("verifier_name"), party(claims["verifier"]))),
        ("reviewer", _named(names.get("reviewer_name"),
                            f"No. {claims['reviewer']} at {issuer.id}")),
        ("issued", claims["issued_at"]), ("expires", claims["expires_at"]),
        ("supersedes", claims["supersedes"]), ("data version", claims["data_version"]),
        ("reproducibility hash", claims["reproducibility_hash"]),
    ]
    width = max(len(name) for name, _ in rows)
    return "\n".join(f"  {name:<{width}}  {value}" for name, value in rows if value)


def _minutes(n: int) -> tuple[str, str]:
    """How long ago, in English and Chinese (as the web's age filter says it)."""
    for size, en, zh in ((24 * 60, "days", "天"), (60, "hours", "小时"), (1, "minutes", "分钟")):
        if n >= size:
            return f"{n // size} {en} ago", f"{n // size} {zh}前"
    return "just now", "刚刚"


def _synced(claims, issuer, moment) -> dict | None:
    """The revocation list of the label's platform as this platform last synced it (a peer,
    `footprint peers sync`); None when its issuer is no peer here or was never synced."""
    record = peerlists.read(footprint_home(), issuer.id)
    if record is None or not record.get("synced_at"):
        return None
    at = datetime.fromtimestamp(moment, timezone.utc) if moment is not None \
        else datetime.now(timezone.utc)
    peer = peerlists.status(record, claims["id"], at)
    en, zh = _minutes(peer["synced_minutes_ago"])
    by = (f"the revocation list of {peer['name']} ({peer['url']}) synced {en} "
          f"(撤销列表同步于 {zh})")
    if peer["state"] == "inconsistent":
        return {"checked": False, "why": f"{peer['name']} is flagged: its transparency log is "
                                         f"not consistent with what this platform saw before "
                                         f"(已被标记：其透明日志不一致)", "synced": peer}
    revoked = peer["revoked"]
    entry = revoked and {"id": claims["id"], "reason": revoked["revocation_reason"],
                         "revoked_at": revoked["revoked_at"]}
    return {"checked": True, "by": by, "status": "revoked" if entry else "valid",
            "entry": entry or None, "synced": {k: v for k, v in peer.items() if k != "revoked"}}


def _revocation(claims, issuer, moment, cose_bytes, host, revoked, revocations_file, offline,
                ca_file, timeout) -> dict:
    """How revocation was checked and what it found: {"checked", "by", "status", ...}."""
    if revocations_file is not None:
        entry = revoked.get(claims["id"])
        return {"checked": True, "by": f"the list {revocations_file}",
                "status": "revoked" if entry else "valid", "entry": entry}
    synced = _synced(claims, issuer, moment)
    if synced is not None:
        return synced
    if offline:
        return {"checked": False, "why": "--offline: the platform was not asked"}
    if host is None:
        return {"checked": False, "why": "the label text names no host to ask (give the "
                                         "label's URL or its QR code)"}
    answer = online.ask_issuer(host, cose_bytes, claims["id"], timeout=timeout,
                               ca_file=ca_file)
    if not answer.checked:
        return {"checked": False, "host": answer.host, "why": answer.reason}
    entry = answer.revocation_reason and {"id": claims["id"], "reason":
                                          answer.revocation_reason,
                                          "revoked_at": answer.revoked_at}
    return {"checked": True, "by": f"the platform at {host}", "host": host,
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
    try:
        if trust_file is not None:
            trust = issuer_keys.load_trust_list(trust_file)
        else:
            trust = issuer_keys.trust_list(footprint_home())
            if not len(trust):
                usage_exit("no trust list: pass --trust-list FILE, or create this platform's "
                           "key with `footprint keys generate`")
        revoked = load_revocations(revocations_file) if revocations_file is not None else {}
    except InvalidInput as exc:
        usage_exit(str(exc))

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
                detail += f" (according to {check['by']})"
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
            click.echo(f"revocation not checked: {check['why']}", err=True)
            sys.exit(NOT_CHECKED)
        return
    result.update(reason=reason, detail=detail)
    if unreadable:
        result["unreadable"] = True
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
    elif claims is not None:  # signed by a trusted key: say what it claims, and why it fails
        click.echo(click.style(f"NOT VALID label {claims['id']}", fg="red", bold=True))
        click.echo(_claims_text(claims, issuer, names))
    click.echo(f"invalid label: {reason}: {detail}", err=True)
    if unreadable:
        click.echo(UNREADABLE, err=True)
    sys.exit(1)


def _say_valid(claims, issuer, names, check) -> None:
    if check["checked"]:
        click.echo(click.style(f"VALID label {claims['id']}", fg="green", bold=True))
    else:
        click.echo(click.style(f"VALID label {claims['id']} (signature and dates; revocation "
                               "NOT CHECKED)", fg="yellow", bold=True))
    click.echo(_claims_text(claims, issuer, names))
    if check["checked"]:
        status = "not revoked"
        if check.get("status") == "superseded":
            status += (f"; superseded by {check['superseded_by']}: the product has a newer "
                       "label")
        click.echo(f"  {'revocation':<20}  checked with {check['by']}: {status}")
    else:
        click.echo(click.style(
            f"  revocation NOT CHECKED: {check['why']}. The label may have been revoked since "
            "it was issued: check it online, or pass --revocations FILE (the platform's list "
            "of revoked labels).\n  撤销状态未核验: 该标签签发后可能已被撤销。", fg="yellow"))
