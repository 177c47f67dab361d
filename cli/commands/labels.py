"""``footprint verify`` (offline label verification) and ``footprint keys`` (issuer keys and
the trust list). The label format: docs/label-format.md.

verify exits 0 for a valid label, 1 for an invalid one (the reason on stderr), 2 for a usage
error (bad option, unreadable trust or revocation list, an input that is neither a file nor
label text).
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import click

from footprint.errors import InvalidInput
from footprint.labels import cose, times
from footprint.labels import keys as issuer_keys
from footprint.display import footprint, percent, quantity
from footprint.labels.claims import jsonable
from footprint.labels.encoding import extract
from footprint.labels.errors import LabelInvalid
from footprint.labels.revocations import load_revocations
from footprint.settings import footprint_home

from ..errors import fail_cleanly, usage_exit
from ..render import table

STAGE_NAMES = {"raw_materials": "raw materials", "production": "production",
               "distribution": "distribution", "packaging": "packaging",
               "end_of_life": "end of life"}


def _time_option(value: str | None):
    if value is None:
        return None
    try:
        return times.epoch(times.parse(value))
    except (TypeError, ValueError):
        raise click.BadParameter(f"{value!r} is not a time such as 2026-01-01 or "
                                 "2026-01-01T08:00:00Z") from None


def _read_label(text: str) -> bytes:
    """COSE bytes from a QR image file, a label URL or base32 text."""
    try:
        is_file = Path(text).is_file()
    except (OSError, ValueError):  # a name too long to be a file: label text
        is_file = False
    if is_file:
        return _read_image(Path(text))
    if "://" in text or re.fullmatch(r"\s*[A-Za-z2-7]+\s*", text):
        return extract(text)
    usage_exit(f"{text}: no such file, and not a label URL or base32 text")


def _read_image(path: Path) -> bytes:
    # the QR decoder and Pillow load only for an image, not for a URL or base32 text
    import zxingcpp
    from PIL import Image, UnidentifiedImageError
    try:
        image = Image.open(path)
        image.load()
    except (UnidentifiedImageError, OSError) as exc:
        usage_exit(f"{path}: not an image ({exc})")
    found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    if not found:
        raise LabelInvalid("malformed", f"no QR code found in {path}")
    problem = None
    for barcode in found:
        try:
            return extract(barcode.text)
        except LabelInvalid as exc:
            problem = exc
    raise problem


def _claims_text(claims: dict, issuer) -> str:

    def party(value):
        return f"credit code {value}" if isinstance(value, str) else f"No. {value} at {issuer.id}"
    unit = claims["declared_unit"]
    grade = claims["grade"] and claims["grade"] + (" (provisional)" if claims["provisional"]
                                                   else "")
    stages = ", ".join(f"{STAGE_NAMES.get(s, s)} {percent(share / 1000)}"
                       for s, share in claims["stage_permille"].items())
    window = f"{times.text(issuer.valid_from)[:10]} to {times.text(issuer.valid_to)[:10]}"
    rows = [
        ("signed by", f"{issuer.id} ({issuer.name}), key {issuer.kid.hex()}, may sign {window}"),
        ("product", f"No. {claims['product']} at {issuer.id}"), ("GTIN", claims["gtin"]),
        ("producer", party(claims["producer"])),
        ("category", claims["category"]),
        ("footprint", f"{footprint(claims['value'])} kg CO2e per "
                      f"{quantity(unit['amount'])} {unit['unit']}"),
        ("grade", grade), ("stages", stages), ("region", claims["region"]),
        ("verifier", party(claims["verifier"])),
        ("reviewer", f"No. {claims['reviewer']} at {issuer.id}"),
        ("issued", claims["issued_at"]), ("expires", claims["expires_at"]),
        ("supersedes", claims["supersedes"]), ("data version", claims["data_version"]),
        ("reproducibility hash", claims["reproducibility_hash"]),
    ]
    width = max(len(name) for name, _ in rows)
    return "\n".join(f"  {name:<{width}}  {value}" for name, value in rows if value)


@click.command()
@click.argument("label")
@click.option("--trust-list", "trust_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Trust list JSON (default: this platform's, from FOOTPRINT_HOME).")
@click.option("--revocations", "revocations_file",
              type=click.Path(dir_okay=False, path_type=Path),
              help='Revoked labels: {"revoked": [{"id", "reason", "revoked_at"}]}.')
@click.option("--at", "at", default=None, help="Check as of this time (default: now).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def verify(label, trust_file, revocations_file, at, as_json):
    """Verify a carbon label offline: LABEL is a QR image, a label URL or base32 text.

    Checks the signature against the trust list, the signing key's window and the expiry,
    and the revocation list if given. Exit 0 valid, 1 invalid (reason on stderr), 2 usage.
    """

    moment = _time_option(at)
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
    try:
        verified = cose.verify(_read_label(label), trust, now=moment)
        claims, issuer = verified.claims, verified.issuer
        reason = detail = None
    except LabelInvalid as exc:
        claims, issuer, reason, detail = exc.claims, exc.issuer, exc.reason, exc.detail
    if claims is not None and claims["id"] in revoked and reason in (None, "expired"):
        entry = revoked[claims["id"]]
        reason, detail = "revoked", f"revoked {entry['revoked_at']}: {entry['reason']}"
        result["revocation"] = entry
    if claims is not None:
        result["label_id"] = claims["id"]
        result["claims"] = jsonable(claims)
    if issuer is not None:
        result["issuer"] = issuer.as_dict()
    if reason is None:
        result["valid"] = True
        if as_json:
            click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        else:
            click.echo(click.style(f"VALID label {claims['id']}", fg="green", bold=True))
            click.echo(_claims_text(claims, issuer))
        return
    result.update(reason=reason, detail=detail)
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
    elif claims is not None:  # signed by a trusted key: say what it claims, and why it fails
        click.echo(click.style(f"NOT VALID label {claims['id']}", fg="red", bold=True))
        click.echo(_claims_text(claims, issuer))
    click.echo(f"invalid label: {reason}: {detail}", err=True)
    sys.exit(1)


# -- keys ------------------------------------------------------------------------------------

@click.group()
def keys():
    """Issuer keys (FOOTPRINT_HOME/keys) and the trust list of recognised issuers."""


@keys.command("generate")
@click.option("--issuer", required=True, help="Issuer id, usually the region: CN-SC.")
@click.option("--name", required=True, help="The issuing platform's name.")
@click.option("--region", default=None, help="Region code (default: the issuer id).")
@click.option("--valid-from", default=None, help="Start of the key's window (default: now).")
@click.option("--valid-to", default=None, help="End of the key's window (default: 5 years).")
@fail_cleanly
def keys_generate(issuer, name, region, valid_from, valid_to):
    """Create the first signing key of an issuer of this platform."""
    key = issuer_keys.generate(footprint_home(), issuer, name, region,
                               _time_option(valid_from), _time_option(valid_to))
    entry = key.entry
    click.echo(f"generated key {entry.kid.hex()} for {entry.id}, valid "
               f"{times.text(entry.valid_from)} to {times.text(entry.valid_to)}")
    click.echo(f"private key: {key.path}")


@keys.command("rotate")
@click.option("--issuer", required=True, help="Issuer id, e.g. CN-SC.")
@click.option("--valid-to", default=None, help="End of the new key's window (default: 5 years).")
@fail_cleanly
def keys_rotate(issuer, valid_to):
    """Make a new current key; the old key's window closes now (its labels still verify)."""
    key = issuer_keys.rotate(footprint_home(), issuer, valid_to=_time_option(valid_to))
    click.echo(f"new key {key.entry.kid.hex()} for {issuer}, valid from "
               f"{times.text(key.entry.valid_from)}; older keys now end there")


@keys.command("export")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to FILE instead of standard output.")
@fail_cleanly
def keys_export(output):
    """Print the trust list this platform publishes (its keys and the issuers it trusts)."""
    text = json.dumps(issuer_keys.export_trust_list(footprint_home()), ensure_ascii=False,
                      indent=2)
    if output is None:
        click.echo(text)
    else:
        output.write_text(text + "\n", encoding="utf-8")
        click.echo(f"wrote {output}", err=True)


@keys.command("list")
@fail_cleanly
def keys_list():
    """List this platform's keys and the other issuers' keys it trusts."""
    home = footprint_home()
    rows = [["own", e.id, e.kid.hex(), times.text(e.valid_from), times.text(e.valid_to), e.name]
            for e in issuer_keys.own_entries(home)]
    rows += [["trusted", e.id, e.kid.hex(), times.text(e.valid_from), times.text(e.valid_to),
              e.name] for e in issuer_keys.trusted_entries(home)]
    click.echo(table(rows, ["", "issuer", "kid", "valid from", "valid to", "name"])
               if rows else "no keys: run `footprint keys generate`")


@keys.group("trust")
def keys_trust():
    """Other platforms' issuers that this platform recognises."""


@keys_trust.command("add")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--issuer", "issuers", multiple=True,
              help="Only this issuer id from the file (repeatable).")
@fail_cleanly
def keys_trust_add(file, issuers):
    """Trust the issuers in another platform's published trust list FILE."""
    report = issuer_keys.trust_add(footprint_home(), file, issuers=list(issuers) or None)
    click.echo(", ".join(f"{len(kids)} {what}" for what, kids in report.items()) +
               f" key(s) from {file}")
