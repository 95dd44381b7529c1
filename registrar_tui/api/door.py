"""What every request goes through before and after its route (one ASGI middleware):
the client's language, the body's size, and the audit of the call.

- Language: the first of fr/en in `Accept-Language` (by its q weights; French otherwise)
  for this request only (`i18n.scoped_language`): refusals are written in it.
- Size: a body over `max_body_bytes` is refused with 413 before anything reads it.
- Audit: a call whose client was recognised (`request.state.caller`, set by the
  authentication) goes to the audit trail once it is answered: the client's account,
  method, path, status (`services.staff.api_clients.record_api_call`), written in
  batches off the request's path (api/after.py).
"""

from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from registrar_tui.api.errors import MSG_BODY_TOO_LARGE, ErrorBody, ErrorItem
from registrar_tui.i18n import _, scoped_language


def client_language(accept_language: str) -> str:
    """'fr_CA' or 'en' from an Accept-Language header (the best-weighted of the two)."""
    best, best_q = "fr_CA", -1.0
    for position, part in enumerate(accept_language.split(",")):
        tag, _sep, params = part.strip().partition(";")
        tag = tag.strip().lower()
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        language = "en" if tag.startswith("en") else "fr_CA" if tag.startswith("fr") else None
        # Earlier entries win ties (the header's own order).
        if language is not None and q > best_q and q > 0:
            best, best_q = language, q - position * 1e-6
    return best


class Door:
    """The middleware (see the module's docstring)."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int, audit: Any) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.audit = audit
        """Called as audit(caller, method, path, status) after each answer: it only queues
        the call (api/after.py writes it)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {key.decode("latin-1").lower(): value for key, value in scope["headers"]}
        language = client_language(headers.get("accept-language", b"").decode("latin-1"))
        with scoped_language(language):
            await self._serve(scope, receive, send, headers)

    async def _serve(
        self, scope: Scope, receive: Receive, send: Send, headers: dict[str, bytes]
    ) -> None:
        declared = headers.get("content-length", b"").decode("latin-1")
        if declared.isdigit() and int(declared) > self.max_body_bytes:
            await self._too_large(send)
            return
        chunks: list[bytes] = []
        size = 0
        more = scope["method"] not in {"GET", "HEAD"} or bool(declared and declared != "0")
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                await self._too_large(send)
                return
            chunks.append(chunk)
            more = bool(message.get("more_body", False))
        body = b"".join(chunks)
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        status = 500

        async def watch(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        state = scope.setdefault("state", {})
        try:
            await self.app(scope, replay, watch)
        finally:
            caller = state.get("caller")
            if caller is not None:
                path = scope.get("path", "")
                self.audit(caller, scope["method"], path, status)

    async def _too_large(self, send: Send) -> None:
        item = ErrorItem(
            field=None,
            code="body_too_large",
            message=_(MSG_BODY_TOO_LARGE).format(limit=self.max_body_bytes),
        )
        payload = json.dumps(ErrorBody(errors=[item]).model_dump(mode="json")).encode("utf-8")
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(payload)).encode("ascii")),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": payload})
