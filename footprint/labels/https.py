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

from ..errors import Message
from ..outbound import NoRedirect, Refused
from ..settings import PRIVATE_HOSTS_VARIABLE


def https_opener(ca_file=None) -> urllib.request.OpenerDirector:
    """An opener for HTTPS only, the certificate verified (against the system's authorities,
    or ``ca_file``), redirects refused; OSError or ssl.SSLError if ``ca_file`` is unreadable."""
    context = ssl.create_default_context(cafile=str(ca_file) if ca_file else None)
    return urllib.request.build_opener(urllib.request.HTTPSHandler(context=context),
                                       NoRedirect())


def network_words(host: str, reason, timeout: float) -> Message:
    """Why ``host`` could not be asked, in words (in the reader's language: a Message)."""
    if isinstance(reason, Refused):
        return Message("%(host)s resolves to %(address)s, an address on a private network "
                       "or this machine, which the platform does not connect to unless "
                       "%(variable)s names the host", host=reason.host,
                       address=reason.address, variable=PRIVATE_HOSTS_VARIABLE)
    if isinstance(reason, ssl.SSLCertVerificationError):
        return Message("the TLS certificate of %(host)s is not trusted (%(reason)s)",
                       host=host, reason=reason.verify_message or str(reason))
    if isinstance(reason, ssl.SSLError):
        return Message("no TLS connection to %(host)s (%(reason)s)", host=host,
                       reason=reason.reason or str(reason))
    if isinstance(reason, (TimeoutError, socket.timeout)):
        return Message("%(host)s did not answer within %(seconds)s s", host=host,
                       seconds=f"{timeout:g}")
    if isinstance(reason, socket.gaierror):
        return Message("the host %(host)s was not found (%(reason)s)", host=host,
                       reason=reason.strerror or str(reason))
    if isinstance(reason, ConnectionRefusedError):
        return Message("%(host)s refused the connection", host=host)
    return Message("%(host)s could not be reached (%(reason)s)", host=host,
                   reason=getattr(reason, "strerror", None) or str(reason))
