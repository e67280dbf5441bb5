"""The HTTP control API (JSON, stdlib http.server): mailboxes, injection, router log, fault switches."""

from __future__ import annotations

import base64
import binascii
import json
import logging
import threading
import uuid
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from .addressing import document_format
from .network import Network
from .participants import Participant

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024 * 1024
_EXTENSIONS = {"x12": ".x12", "edifact": ".edi", "json": ".json"}


class NotFound(Exception):
    pass


class ControlServer:
    def __init__(self, *, host: str, port: int, network: Network) -> None:
        self._httpd = ThreadingHTTPServer((host, port), _Handler)
        self._httpd.daemon_threads = True
        self._httpd.network = network  # type: ignore[attr-defined]
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, name="tradinggrid-control", daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


def handle(network: Network, method: str, path: str, body: bytes) -> tuple[int, Any]:
    """Answer one control request: (status, JSON-able body, or bytes for a file)."""
    url = urlsplit(path)
    parts = [unquote(part) for part in url.path.split("/") if part]
    query = {key: values[-1] for key, values in parse_qs(url.query).items()}
    match method, parts:
        case "GET", [] | ["health"]:
            return 200, network.status()
        case "GET", ["participants"]:
            return 200, {"participants": [p.public() for p in network.directory.participants]}
        case "GET", ["mailboxes"]:
            views = [network.mailbox_view(p) for p in network.directory.participants]
            return 200, {"mailboxes": views}
        case "GET", ["mailboxes", participant_id]:
            return 200, network.mailbox_view(_participant(network, participant_id))
        case "GET", ["mailboxes", participant_id, folder, name]:
            participant = _participant(network, participant_id)
            return 200, _read(network.store.folder(participant.id, folder), name)
        case "POST", ["mailboxes", participant_id, "outbound"]:
            return 201, _inject(network, _participant(network, participant_id), _json(body))
        case "GET", ["router", "log"]:
            limit = int(query.get("limit", 0)) or None
            return 200, {"entries": network.log.entries(limit=limit, status=query.get("status"))}
        case "GET", ["rejected"]:
            return 200, {
                "files": network.store.rejected(),
                "entries": network.log.entries(status="rejected"),
            }
        case "GET", ["rejected", name]:
            return 200, _read(network.store.rejected_dir, name)
        case "GET", ["faults"]:
            return 200, network.switches.snapshot()
        case "POST", ["faults"]:
            changes = _json(body)
            if changes.pop("reset", False):
                network.reset(mailboxes=False)
            return 200, network.update_switches(changes)
        case "POST", ["connections", "drop"]:
            return 200, {"dropped": network.drop_connections()}
        case "POST", ["reset"]:
            options = _json(body) if body.strip() else {}
            return 200, network.reset(mailboxes=bool(options.get("mailboxes", False)))
    raise NotFound(f"no control endpoint {method} {url.path}")


def _participant(network: Network, participant_id: str) -> Participant:
    participant = network.directory.by_id.get(participant_id)
    if participant is None:
        raise NotFound(f"no participant {participant_id!r}")
    return participant


def _read(folder: Path, name: str) -> bytes:
    if name in {".", ".."} or "/" in name or "\\" in name:
        raise ValueError(f"bad file name {name!r}")
    try:
        return (folder / name).read_bytes()
    except (FileNotFoundError, IsADirectoryError) as exc:
        raise NotFound(f"no file {name!r} in {folder.name}") from exc


def _inject(network: Network, participant: Participant, request: dict[str, Any]) -> dict:
    """Put a document into a participant's outbound as if that partner had sent it."""
    if "content_base64" in request:
        try:
            data = base64.b64decode(request["content_base64"], validate=True)
        except (binascii.Error, TypeError) as exc:
            raise ValueError("content_base64 is not valid base64") from exc
    elif isinstance(request.get("content"), str):
        data = request["content"].encode()
    elif isinstance(request.get("content"), dict):
        data = json.dumps(request["content"]).encode()
    else:
        raise ValueError(
            'give the document as "content" (text or a JSON object) or "content_base64"'
        )
    extension = _EXTENSIONS.get(document_format(data) or "", ".dat")
    name = request.get("name") or f"injected-{uuid.uuid4().hex[:12]}{extension}"
    written = network.store.write(participant.id, "outbound", name, data)
    network.log.add(status="injected", sender=participant.id, file=written.name, size=len(data))
    return {"participant": participant.id, "folder": "outbound", "name": written.name}


def _json(body: bytes) -> dict[str, Any]:
    try:
        value = json.loads(body or b"{}")
    except json.JSONDecodeError as exc:
        raise ValueError(f"the request body is not JSON: {exc}") from exc
    if not isinstance(value, dict):
        raise ValueError("the request body must be a JSON object")
    return value


class _Handler(BaseHTTPRequestHandler):
    server_version = "TradingGridSimulator/1"
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self._answer("GET")

    def do_POST(self) -> None:
        self._answer("POST")

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("control %s", format % args)

    def _answer(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY_BYTES:
            self._send(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, {"error": "the body is too large"})
            return
        body = self.rfile.read(length) if length else b""
        network = self.server.network  # type: ignore[attr-defined]
        try:
            status, payload = handle(network, method, self.path, body)
        except NotFound as exc:
            status, payload = HTTPStatus.NOT_FOUND, {"error": str(exc)}
        except ValueError as exc:
            status, payload = HTTPStatus.BAD_REQUEST, {"error": str(exc)}
        except Exception as exc:  # the control API must keep answering
            logger.exception("control request %s %s failed", method, self.path)
            status, payload = HTTPStatus.INTERNAL_SERVER_ERROR, {"error": repr(exc)}
        self._send(status, payload)

    def _send(self, status: int, payload: Any) -> None:
        if isinstance(payload, bytes):
            content, content_type = payload, "application/octet-stream"
        else:
            content = json.dumps(payload, indent=2).encode()
            content_type = "application/json"
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)
