"""Links: a web page or PDF fetched over HTTP(S), checked before it is kept, and re-fetched conditionally.

Every hop is checked before it is requested: http or https only, and every address the host resolves to
must be public (no private, loopback, link-local, multicast or reserved address) unless
POLICYKB_FETCH_ALLOW_PRIVATE is on. Redirects are followed by hand (at most `MAX_REDIRECTS`, each hop
checked the same way); the body is streamed and dropped once it passes the upload limit; its Content-Type
must be one the readers read. A refresh sends the validators of the last answer (ETag, Last-Modified), so
an unchanged page costs one request answered 304.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

from policykb.core.errors import IngestError
from policykb.ingest.readers import MEDIA_TYPES, SUPPORTED_EXTENSIONS

MAX_REDIRECTS = 5
REDIRECTS = (301, 302, 303, 307, 308)


class FetchRefused(IngestError):
    """A link that is not fetched; `reason` says which check refused it."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason  # bad_url | private_address | unresolvable | redirect_loop | too_many_redirects |
        # http_error | wrong_type | too_large | unreachable


@dataclass
class Fetched:
    """A 200 answer: the body and what the next conditional request sends."""

    url: str  # where it ended up after redirects
    data: bytes
    extension: str
    etag: str | None
    last_modified: str | None


@dataclass
class Validators:
    etag: str | None = None
    last_modified: str | None = None


def check_url(url: str, allow_private: bool) -> list[str]:
    """Refuse what must never be requested: another scheme, no host, or a host that resolves to an address
    that is not public (every resolved address is checked). Returns the addresses to connect to, so that
    the connection goes where the check looked (a second lookup could answer otherwise)."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        raise FetchRefused(f"{url}: only http and https links are fetched, not {parts.scheme or 'a bare path'}",
                           "bad_url")  # fmt: skip
    host = parts.hostname
    if not host:
        raise FetchRefused(f"{url}: the link names no host", "bad_url")
    try:
        port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError, ValueError) as exc:
        raise FetchRefused(f"{url}: the host {host} cannot be resolved ({exc})", "unresolvable") from None
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]
    for address in addresses if not allow_private else []:
        public = address.ipv4_mapped if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped else address
        if not public.is_global or public.is_multicast:
            raise FetchRefused(
                f"{url}: {host} resolves to {address}, a private, loopback or link-local address; links may only "
                "reach public hosts (POLICYKB_FETCH_ALLOW_PRIVATE=true allows others)",
                "private_address",
            )
    return list(dict.fromkeys(str(a) for a in addresses))


def fetch(
    url: str,
    client: httpx.Client,
    max_bytes: int,
    allow_private: bool,
    known: Validators | None = None,
) -> Fetched | None:
    """The document at `url`, or None when the server says it has not changed since `known` (304)."""
    current, visited = url, [url]
    for _ in range(MAX_REDIRECTS + 1):
        addresses = check_url(current, allow_private)
        link = httpx.URL(current)
        headers = {"Host": link.netloc.decode("ascii").rsplit("@", 1)[-1]}
        if known and known.etag:
            headers["If-None-Match"] = known.etag
        if known and known.last_modified:
            headers["If-Modified-Since"] = known.last_modified
        try:
            with _connect(client, link, addresses, headers) as response:
                if response.status_code in REDIRECTS:
                    location = response.headers.get("location")
                    if not location:
                        raise FetchRefused(f"{url}: a redirect without a Location", "http_error")
                    current = str(link.join(location))
                    if current in visited:
                        raise FetchRefused(f"{url}: the redirects go round in a loop (back to {current})",
                                           "redirect_loop")  # fmt: skip
                    visited.append(current)
                    continue
                if response.status_code == 304:
                    return None
                if response.status_code >= 400:
                    phrase = f" {response.reason_phrase}" if response.reason_phrase else ""
                    raise FetchRefused(f"{url}: the server answered HTTP {response.status_code}{phrase}",
                                       "http_error")  # fmt: skip
                if response.status_code != 200:
                    raise FetchRefused(f"{url}: unexpected HTTP {response.status_code}", "http_error")
                extension = _extension(url, current, response.headers.get("content-type", ""))
                return Fetched(current, _body(url, response, max_bytes), extension, response.headers.get("etag"),
                               response.headers.get("last-modified"))  # fmt: skip
        except httpx.HTTPError as exc:
            raise FetchRefused(f"{url}: {type(exc).__name__}: {exc or 'no answer'}", "unreachable") from None
    raise FetchRefused(f"{url}: more than {MAX_REDIRECTS} redirects", "too_many_redirects")


@contextmanager
def _connect(client: httpx.Client, link: httpx.URL, addresses: list[str], headers: dict[str, str]) -> Iterator[
    httpx.Response
]:  # fmt: skip
    """GET `link` from the first of the checked `addresses` that takes the connection; TLS still verifies
    the certificate against the link's host name."""
    for n, address in enumerate(addresses, start=1):
        request = client.build_request("GET", link.copy_with(host=address), headers=headers,
                                       extensions={"sni_hostname": link.host})  # fmt: skip
        try:
            response = client.send(request, stream=True)
        except httpx.ConnectError:
            if n == len(addresses):
                raise
            continue
        try:
            yield response
        finally:
            response.close()
        return


def _extension(url: str, final: str, content_type: str) -> str:
    """The reader for the answer's Content-Type; a generic binary type is judged by the link's file name."""
    media = content_type.split(";", 1)[0].strip().lower()
    if media in MEDIA_TYPES:
        return MEDIA_TYPES[media]
    suffix = "." + urlsplit(final).path.rsplit(".", 1)[-1].lower() if "." in urlsplit(final).path else ""
    if media in ("application/octet-stream", "binary/octet-stream", "") and suffix in SUPPORTED_EXTENSIONS:
        return suffix
    readable = ", ".join(sorted(MEDIA_TYPES))
    raise FetchRefused(f"{url}: the server sent {media or 'no content type'}, which no reader reads ({readable})",
                       "wrong_type")  # fmt: skip


def _body(url: str, response: httpx.Response, max_bytes: int) -> bytes:
    """Read at most `max_bytes`: a longer body is dropped as soon as it passes the limit."""
    limit = f"the {max_bytes / 1024 / 1024:g} MB upload limit"
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise FetchRefused(f"{url}: {int(declared) / 1024 / 1024:.1f} MB is over {limit}", "too_large")
    parts, received = [], 0
    for part in response.iter_bytes():
        received += len(part)
        if received > max_bytes:
            raise FetchRefused(f"{url}: the document is over {limit}", "too_large")
        parts.append(part)
    return b"".join(parts)
