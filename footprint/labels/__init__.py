"""Verifiable carbon labels: claims, COSE_Sign1 signing, base32 URLs, keys and the trust list,
QR and printable images. The format is specified in docs/label-format.md.

    claims.py       build_claims / parse_claims, new_label_id, the rounding rule
    cose.py         sign / verify -> Verified(claims, issuer), raising LabelInvalid(reason);
                    signed_claims (a stored label's claims, for display); verify_held (a
                    stored label re-verified, its expiry no fault)
    encoding.py     to_b32 / from_b32, label_url, extract
    keys.py         generate / rotate / current_key, export_trust_list / trust_add
    trust.py        TrustEntry, TrustList, load_trust_list, kid_of
    revocations.py  load_revocations (the public list of revoked labels)
    documents.py    sign_document / verify_document: statements other than labels
    qr.py           qr_png / qr_svg / qr_version: the QR code of a label URL
    printed.py      label_svg / label_png / label_pdf: the printable label

Names are imported lazily, so importing the package does not load the image libraries.
"""
from __future__ import annotations

import importlib

from .errors import KeyStoreError, LabelInvalid

_EXPORTS = {
    "build_claims": "claims", "parse_claims": "claims", "new_label_id": "claims",
    "round_value": "claims", "sign": "cose", "verify": "cose", "Verified": "cose",
    "signed_claims": "cose", "verify_held": "cose",
    "to_b32": "encoding", "from_b32": "encoding", "label_url": "encoding", "extract": "encoding",
    "generate": "keys", "rotate": "keys", "current_key": "keys", "export_trust_list": "keys",
    "trust_add": "keys", "load_trust_list": "trust", "TrustList": "trust", "TrustEntry": "trust",
    "kid_of": "trust", "load_revocations": "revocations", "qr_png": "qr",
    "qr_svg": "qr", "qr_version": "qr", "label_svg": "printed", "label_png": "printed",
    "label_pdf": "printed",
}

__all__ = ["KeyStoreError", "LabelInvalid", *_EXPORTS]


def __getattr__(name):
    if name in _EXPORTS:
        return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
