"""Errors of the label library. Both are FootprintErrors, so callers catch them once."""
from __future__ import annotations

from footprint.errors import FootprintError, Message

# Why a label failed verification, as the core details it (English, for logs, JSON and the
# first line `footprint verify` writes). A scan page maps "expired" to "expired", a code that
# cannot be read as a label at all (LabelInvalid.unreadable) to "scan it again", and every
# other reason to "forged or unknown issuer"; the CLI adds "revoked" (see
# footprint.labels.revocations).
REASONS = {
    "malformed": "not a well-formed label (CBOR, COSE_Sign1 or claims)",
    "unprotected-header": "the unprotected header is not empty",
    "algorithm": "the signature algorithm is not EdDSA (-8)",
    "unknown-issuer": "the key id is not in the trust list",
    "bad-signature": "the signature does not verify",
    "key-window": "the label was issued outside the signing key's validity window",
    "not-yet-valid": "the label's issue time is in the future",
    "expired": "the label has expired",
    "revoked": "the label has been revoked",
}

# Each reason as a reader is told it, in the reader's language: the scan page's sentence under
# its verdict, and `footprint verify`'s (the CLI says "revoked" with its date itself).
EXPLAINED = {
    "malformed": Message("The code is not a well-formed carbon label."),
    "unprotected-header": Message("The label carries data outside its signature."),
    "algorithm": Message("The label is not signed with the required algorithm (Ed25519)."),
    "unknown-issuer": Message("The key that signed this label is not in this platform's trust "
                              "list: no platform this one recognises issued it."),
    "bad-signature": Message("The signature does not match the label's contents: the label "
                             "was altered or forged."),
    "key-window": Message("The label was signed outside the period in which the issuer's key "
                          "was valid."),
    "not-yet-valid": Message("The label's issue date lies in the future."),
    "expired": Message("The label has expired."),
}


class LabelInvalid(FootprintError):
    """A label that must not be trusted, and why.

    ``reason`` is one of REASONS. When the signature did verify (``expired``,
    ``not-yet-valid``, ``key-window``, ``revoked``), ``claims`` and ``issuer`` hold what the
    label says and who signed it, so a page can show an expired label as expired, not forged.
    """

    def __init__(self, reason: str, detail: str = "", *, claims: dict | None = None,
                 issuer=None):
        if reason not in REASONS:
            raise ValueError(f"unknown reason {reason!r}")
        self.reason = reason
        self.detail = detail or REASONS[reason]
        self.claims = claims
        self.issuer = issuer
        super().__init__(f"{reason}: {self.detail}")

    @property
    def unreadable(self) -> bool:
        """Whether the code could not be read as a label at all (not base32, not CBOR, not a
        COSE_Sign1 of the label's shape), before any key was consulted: a damaged or
        incomplete scan (a QR code cut short, a URL copied without its end), not a forgery.
        A signed payload that is malformed names its ``issuer``, so it is not unreadable."""
        return self.reason == "malformed" and self.issuer is None


class KeyStoreError(FootprintError):
    """The key store cannot do this (no key for the issuer, a key already exists, ...)."""
