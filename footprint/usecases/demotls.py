"""HTTPS for the demo on the local network, so that a phone scanning a printed label opens it:
the label URL says ``HTTPS://<LAN address>:<port>/L/...``, and the demo serves exactly that.

    address = lan_address()                        # this machine's address on the LAN
    cert = demo_certificate(home, [address])       # FOOTPRINT_HOME/tls, made on first use

The certificate is self-signed (a phone shows a warning once, which the user accepts): an
ECDSA P-256 key, valid for a year, for the LAN address, 127.0.0.1 and localhost, usable only
to authenticate a TLS server. It is made again when it does not cover the address (the
machine joined another network) or has less than a week left. It is for the demo only; a
platform serves behind a certificate from a real authority.
"""
from __future__ import annotations

import datetime as dt
import ipaddress
import os
import socket
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

VALID_DAYS = 365
RENEW_BEFORE = dt.timedelta(days=7)
LOOPBACK_NAMES = ("127.0.0.1", "localhost")


@dataclass(frozen=True)
class DemoCertificate:
    cert_path: Path
    key_path: Path
    fingerprint: str        # SHA-256, colon-separated hex, as browsers show it
    not_after: dt.datetime
    created: bool           # made by this call (else the one on disk was still good)


def lan_address() -> str | None:
    """The address this machine reaches its network with, or None without a network. A UDP
    socket's connect only asks the routing table which interface it would use: nothing is
    sent."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.255.255.255", 1))
            address = probe.getsockname()[0]
        except OSError:
            return None
    return None if ipaddress.ip_address(address).is_loopback else address


def tls_dir(home) -> Path:
    return Path(home) / "tls"


def demo_certificate(home, addresses, *, now: dt.datetime | None = None) -> DemoCertificate:
    """The demo's certificate and key under FOOTPRINT_HOME/tls, made when missing, about to
    expire, or not covering ``addresses`` (IP addresses or host names)."""
    now = now or dt.datetime.now(dt.timezone.utc)
    folder = tls_dir(home)
    cert_path, key_path = folder / "demo-cert.pem", folder / "demo-key.pem"
    names = list(dict.fromkeys([*(a for a in addresses if a), *LOOPBACK_NAMES]))
    existing = _load(cert_path) if key_path.is_file() else None
    if existing is not None and existing.not_valid_after_utc - RENEW_BEFORE > now and \
            set(names) <= _names(existing):
        return DemoCertificate(cert_path, key_path, _fingerprint(existing),
                               existing.not_valid_after_utc, False)
    key = ec.generate_private_key(ec.SECP256R1())
    cert = _certificate(key, names, now)
    folder.mkdir(parents=True, exist_ok=True)
    _write(key_path, key.private_bytes(serialization.Encoding.PEM,
                                       serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()), private=True)
    _write(cert_path, cert.public_bytes(serialization.Encoding.PEM), private=False)
    return DemoCertificate(cert_path, key_path, _fingerprint(cert), cert.not_valid_after_utc,
                           True)


def _certificate(key, names: list[str], now: dt.datetime) -> x509.Certificate:
    subject = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "footprint demo"),
                         x509.NameAttribute(NameOID.COMMON_NAME, names[0])])
    alternative = []
    for name in names:
        try:
            alternative.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            alternative.append(x509.DNSName(name))
    public = key.public_key()
    return (x509.CertificateBuilder()
            .subject_name(subject).issuer_name(subject)
            .public_key(public)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))  # a phone's clock may run late
            .not_valid_after(now + dt.timedelta(days=VALID_DAYS))
            .add_extension(x509.SubjectAlternativeName(alternative), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False,
                                         key_encipherment=False, data_encipherment=False,
                                         key_agreement=False, key_cert_sign=False,
                                         crl_sign=False, encipher_only=False,
                                         decipher_only=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]),
                           critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(public),
                           critical=False)
            .sign(key, hashes.SHA256()))


def _load(path: Path) -> x509.Certificate | None:
    try:
        return x509.load_pem_x509_certificate(path.read_bytes())
    except (OSError, ValueError):
        return None


def _names(cert: x509.Certificate) -> set[str]:
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return set()
    return {str(a) for a in san.get_values_for_type(x509.IPAddress)} | \
        set(san.get_values_for_type(x509.DNSName))


def _fingerprint(cert: x509.Certificate) -> str:
    return ":".join(f"{b:02X}" for b in cert.fingerprint(hashes.SHA256()))


def _write(path: Path, data: bytes, private: bool) -> None:
    """Written whole (a temporary file renamed); the key readable by its owner only."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600 if private else 0o644)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    os.replace(tmp, path)
