"""URL canonicalisation: one spelling per release, the key it is stored under."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

# Click and campaign identifiers that change per reader or per newsletter, never the page.
TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "ysclid",
        "_openstat",
        "mc_cid",
        "mc_eid",
        "igshid",
        "_ga",
        "_gl",
        "_hsenc",
        "_hsmi",
        "mkt_tok",
    }
)
TRACKING_PREFIXES = ("utm_",)
DEFAULT_PORTS = {"http": 80, "https": 443}


def _is_tracking(param: str) -> bool:
    name = param.split("=", 1)[0].lower()
    return name in TRACKING_PARAMS or name.startswith(TRACKING_PREFIXES)


def canonical_url(url: str) -> str:
    """Return ``url`` with scheme and host lower-cased, default port, fragment and tracking dropped."""
    try:
        parts = urlsplit(url.strip())
    except (
        ValueError
    ):  # an unclosed IPv6 literal ("http://[::1"): nothing to normalise, the URL is its own key
        return url.strip()
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:  # a non-numeric or out-of-range port: keep the URL's own spelling
        port = None
        host = parts.netloc.rpartition("@")[2].lower()
    if port is not None and port != DEFAULT_PORTS.get(scheme):
        host = f"{host}:{port}"
    userinfo = parts.netloc.rpartition("@")[0]
    netloc = f"{userinfo}@{host}" if userinfo else host
    # Split by hand rather than parse_qsl/urlencode so that the kept parameters keep their exact spelling.
    query = "&".join(p for p in parts.query.split("&") if p and not _is_tracking(p))
    path = parts.path or "/"
    return urlunsplit((scheme, netloc, path, query, ""))
