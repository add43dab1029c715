"""The web app's guard, one ASGI middleware in front of every route.

It follows the usual defences of a local web app: a ``Host`` check against DNS rebinding while bound to a
loopback address; an access token when bound to any other address (given once as ``?token=``, then kept in a
``SameSite=Strict`` cookie, or sent as ``Authorization: Bearer``); for every POST, a same-origin check on
``Origin`` / ``Sec-Fetch-Site`` and a CSRF token (double submit: the form's ``csrf`` field must equal the
``tensora_csrf`` cookie, checked by the routes with ``check_csrf``); a bound on the request body, before and
while it is read; and headers that keep pages from loading anything from elsewhere (a strict
Content-Security-Policy: no CDN, no outbound request from the page). Refusals are short HTML pages.
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qsl, urlencode

from starlette.requests import Request

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

CSRF_COOKIE = "tensora_csrf"
TOKEN_COOKIE = "tensora_token"
CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; "
    "connect-src 'self'; frame-src 'self'; frame-ancestors 'self'; form-action 'self'; base-uri 'none'; "
    "object-src 'none'"
)


class Refused(Exception):
    """A request the guard or a route refuses: an HTTP status and one sentence for the page."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True, slots=True)
class GuardConfig:
    host: str
    port: int
    token: str | None
    max_body: int


def _cookies(scope: Scope) -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            try:
                jar.load(value.decode("latin-1"))
            except Exception:  # a malformed cookie header is treated as no cookie
                continue
    return {k: m.value for k, m in jar.items()}


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return str(value.decode("latin-1"))
    return None


def csrf_token(request: Request) -> str:
    """The CSRF token of this request's page (set by the guard)."""
    return str(request.scope.get("tensora.csrf", ""))


def check_csrf(request: Request, submitted: str) -> None:
    expected = csrf_token(request)
    if not submitted or not expected or not hmac.compare_digest(submitted, expected):
        raise Refused(
            403,
            "This form is out of date or did not come from this page (the security token does not match). "
            "Reload the page and send it again.",
        )


class Guard:
    """ASGI middleware: host, token, origin and body-size checks, cookies and security headers."""

    def __init__(self, app: ASGIApp, config: GuardConfig, refuse: Callable[[Refused], Any]) -> None:
        self.app = app
        self.config = config
        self.refuse = refuse  # builds the refusal page (a Starlette Response)
        self.loopback = is_loopback(config.host)

    def _allowed_host(self, host: str | None) -> bool:
        if not self.loopback:
            return True  # the token protects a server reachable from elsewhere
        if host is None:
            return False
        name, _, port = host.rpartition(":") if not host.endswith("]") else (host, "", "")
        if not name:
            name, port = host, ""
        return is_loopback(name) and (not port or port == str(self.config.port))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            extra_cookies = self._check(scope)
        except Refused as refusal:
            await self.refuse(refusal)(scope, receive, send)
            return
        if isinstance(extra_cookies, _Redirect):
            await extra_cookies(scope, receive, send)
            return

        limit = self.config.max_body
        seen = 0

        async def bounded_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise Refused(413, _too_large(limit))
            return message

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [
                    (b"content-security-policy", CSP.encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"same-origin"),
                    (b"x-frame-options", b"SAMEORIGIN"),
                    (b"cache-control", b"no-store"),
                ]
                headers += [(b"set-cookie", c.encode("latin-1")) for c in extra_cookies]
                message["headers"] = headers
            await send(message)

        await self.app(scope, bounded_receive, send_with_headers)

    def _check(self, scope: Scope) -> list[str] | _Redirect:
        if not self._allowed_host(_header(scope, b"host")):
            raise Refused(
                400,
                "This server answers only to its own loopback address (the Host header names another site).",
            )
        cookies = _cookies(scope)
        set_cookies: list[str] = []
        if self.config.token is not None:
            query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
            given = query.get("token")
            bearer = _header(scope, b"authorization") or ""
            if given is not None and hmac.compare_digest(given, self.config.token):
                rest = urlencode([(k, v) for k, v in query.items() if k != "token"])
                where = scope.get("path", "/") + (f"?{rest}" if rest else "")
                return _Redirect(where, [_cookie(TOKEN_COOKIE, self.config.token)])
            ok = hmac.compare_digest(cookies.get(TOKEN_COOKIE, ""), self.config.token) or hmac.compare_digest(
                bearer.removeprefix("Bearer ").strip(), self.config.token
            )
            if not ok:
                raise Refused(
                    401,
                    "This server needs its access token: open the address that 'tensora serve' printed "
                    "(it ends in ?token=...).",
                )
        if scope.get("method") == "POST":
            self._same_origin(scope)
            length = _header(scope, b"content-length")
            if length is not None and length.isdigit() and int(length) > self.config.max_body:
                raise Refused(413, _too_large(self.config.max_body))
        csrf = cookies.get(CSRF_COOKIE, "")
        if len(csrf) != 32 or not all(c in "0123456789abcdef" for c in csrf):
            csrf = secrets.token_hex(16)
            set_cookies.append(_cookie(CSRF_COOKIE, csrf))
        scope["tensora.csrf"] = csrf
        return set_cookies

    def _same_origin(self, scope: Scope) -> None:
        site = _header(scope, b"sec-fetch-site")
        if site is not None and site not in ("same-origin", "none"):
            raise Refused(403, "Refused: this request came from another site. Use the form on this page.")
        origin = _header(scope, b"origin")
        if origin is None:
            return  # not sent by a browser's cross-site form; the CSRF token still has to match
        host = _header(scope, b"host") or ""
        scheme = scope.get("scheme", "http")
        if origin != f"{scheme}://{host}":
            raise Refused(403, "Refused: this request came from another site. Use the form on this page.")


class _Redirect:
    def __init__(self, where: str, cookies: list[str]) -> None:
        self.where = where
        self.cookies = cookies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = [(b"location", self.where.encode("latin-1")), (b"cache-control", b"no-store")]
        headers += [(b"set-cookie", c.encode("latin-1")) for c in self.cookies]
        await send({"type": "http.response.start", "status": 303, "headers": headers})
        await send({"type": "http.response.body", "body": b""})


def _cookie(name: str, value: str) -> str:
    return f"{name}={value}; Path=/; HttpOnly; SameSite=Strict"


def _too_large(limit: int) -> str:
    return (
        f"The upload is larger than this server accepts ({limit / 1e6:.3g} MB per request). "
        "Upload smaller documents, or start the server with a larger --max-mb."
    )
