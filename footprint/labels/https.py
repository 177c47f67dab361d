"""Asking another platform over HTTPS: an opener that verifies the certificate and follows no
redirect (footprint.labels.online asks a label's issuer from ``footprint verify``), and why a
host could not be asked, in words (for peerfetch too, whose connections footprint.outbound
makes).

Apart from footprint.labels.online so that an offline ``footprint verify`` does not load ssl,
socket and urllib.request (with http.client and email), a good part of its start.
"""
from __future__ import annotations

import socket
import ssl
import urllib.error  # noqa: F401 -- its errors, for footprint.labels.online
import urllib.request

from ..outbound import NoRedirect, Refused


def https_opener(ca_file=None) -> urllib.request.OpenerDirector:
    """An opener for HTTPS only, the certificate verified (against the system's authorities,
    or ``ca_file``), redirects refused; OSError or ssl.SSLError if ``ca_file`` is unreadable."""
    context = ssl.create_default_context(cafile=str(ca_file) if ca_file else None)
    return urllib.request.build_opener(urllib.request.HTTPSHandler(context=context),
                                       NoRedirect())


def network_words(host: str, reason, timeout: float) -> str:
    """Why ``host`` could not be asked, in words."""
    if isinstance(reason, Refused):
        return str(reason)
    if isinstance(reason, ssl.SSLCertVerificationError):
        return (f"the TLS certificate of {host} is not trusted "
                f"({reason.verify_message or reason})")
    if isinstance(reason, ssl.SSLError):
        return f"no TLS connection to {host} ({reason.reason or reason})"
    if isinstance(reason, (TimeoutError, socket.timeout)):
        return f"{host} did not answer within {timeout:g} s"
    if isinstance(reason, socket.gaierror):
        return f"the host {host} was not found ({reason.strerror or reason})"
    if isinstance(reason, ConnectionRefusedError):
        return f"{host} refused the connection"
    return f"{host} could not be reached ({getattr(reason, 'strerror', None) or reason})"
