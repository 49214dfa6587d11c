"""What counts as "this machine" for server mode: loopback bind addresses and ``Host`` headers.

The server warns when it listens beyond loopback, and answers only requests whose ``Host`` names this
machine (against DNS rebinding): its control API unless a token is set, and its SSM API while it listens
on loopback. All of them ask this module.
"""

from __future__ import annotations

import ipaddress


class ExposedServerWarning(UserWarning):
    """The server listens beyond loopback, where other machines can reach it."""


def exposed_warning(host: str, token: str | None) -> str:
    """The warning for a server bound to ``host``, beyond loopback."""
    guard = (
        "control calls need the token" if token else "no token is set, so anyone who reaches it can use it"
    )
    return (
        f"ssm_mw_mock is listening on {host}, beyond this machine: the SSM API has no authentication and "
        f"{guard}"
    )


def _is_loopback_name(name: str) -> bool:
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def is_ipv6(host: str) -> bool:
    """Whether a bind address is an IPv6 address (bracketed or not)."""
    try:
        return ipaddress.ip_address(host.strip("[]")).version == 6
    except ValueError:
        return False


def is_loopback(host: str) -> bool:
    """Whether binding ``host`` keeps the server to this machine."""
    return _is_loopback_name(host.strip("[]"))


def host_name(host: str) -> str:
    """The name a ``Host`` header (``name[:port]``) gives, lowercased, without the port or the brackets
    of an IPv6 address."""
    name = host.strip().lower()
    if name.startswith("["):  # [::1]:8765
        return name[1:].split("]", 1)[0]
    if name.count(":") == 1:
        return name.split(":", 1)[0]
    return name


def names_this_server(host: str, bound_host: str) -> bool:
    """Whether a ``Host`` header names a server bound to ``bound_host``: a loopback name, or the bound
    address itself."""
    name = host_name(host)
    return _is_loopback_name(name) or name == bound_host.strip("[]").lower()
