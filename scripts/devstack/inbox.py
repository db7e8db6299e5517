"""The local stack's inbox: every email the app sent through the emulator's
SES, newest first.

The app sends with SES v2 (`SendEmail`) to the moto server, which runs in
`make dev`'s own process (and in each test worker), so its backend is read
here directly: `ses_backends[account][region].sent_messages` holds each
accepted message (moto's SES v2 keeps it in the SES backend; moto documents
this list as the way to check what was sent). Moto keeps one body of a
simple message (the HTML when there is one) and no headers, so
`keep_message_parts()` wraps its `SendEmail` to keep, by message id, the
text and HTML parts, the headers and the time it was sent; a message still
exists only if moto accepted it (an unverified sender is refused as in AWS).
That wrap is an emulator patch (`sesv2-message-parts`, guarded like the
others: docs/local-stack.md, "Emulator patches").

`InboxServer` serves it on 127.0.0.1 (`inbox_url` in dev.json):

- `GET /messages` → `{"messages": [{"id", "from", "to", "subject", "text",
  "html", "headers", "sent_at"}]}`, newest first;
- `GET /` → a page listing them, newest first;
- `GET /messages/<id>` → one message: its headers, its HTML (in a sandboxed
  frame) and its text.
"""
import datetime
import email
import email.policy
import html
import functools
import json
import threading
from http.server import BaseHTTPRequestHandler
from urllib.parse import quote, unquote

from scripts.devstack.emulator_guard import MotoPatch
from scripts.devstack.http_thread import ServedInThread

MESSAGE_PARTS = MotoPatch(
    "sesv2-message-parts",
    "moto's SES v2 SendEmail keeping only one body of a simple message (the HTML) and none of its headers")

_parts = {}
_lock = threading.Lock()


def keep_message_parts():
    """Wraps moto's SES v2 SendEmail to keep what it drops (idempotent);
    stops with EmulatorPatchOutdated on a moto it was not written for."""
    with MESSAGE_PARTS.applying():
        from moto.ses.models import ses_backends  # noqa: F401 - what messages() reads
        from moto.sesv2.responses import SESV2Response

        if getattr(SESV2Response, "_keeps_message_parts", False):
            return
        original = SESV2Response.send_email

        @functools.wraps(original)
        def send_email(self):
            answer = original(self)
            try:
                _remember(json.loads(answer if isinstance(answer, str) else answer[-1])["MessageId"],
                          json.loads(self.body).get("Content") or {})
            except (ValueError, KeyError, TypeError, IndexError):
                pass
            return answer

        SESV2Response.send_email = send_email
        SESV2Response._keeps_message_parts = True


def _remember(message_id, content):
    sent_at = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    if "Simple" in content:
        simple = content["Simple"]
        body = simple.get("Body") or {}
        parts = {"text": (body.get("Text") or {}).get("Data"), "html": (body.get("Html") or {}).get("Data"),
                 "headers": {header["Name"]: header["Value"] for header in simple.get("Headers") or []}}
    elif "Raw" in content:
        import base64

        parts = _raw_parts(base64.b64decode(content["Raw"]["Data"]))
    else:
        parts = {"text": None, "html": None, "headers": {}}
    with _lock:
        _parts[message_id] = dict(parts, sent_at=sent_at)


def _raw_parts(raw):
    message = email.message_from_bytes(raw, policy=email.policy.default)
    text = message.get_body(("plain",))
    rich = message.get_body(("html",))
    skipped = {"from", "to", "subject", "content-type", "mime-version", "content-transfer-encoding"}
    return {"text": text.get_content() if text else None, "html": rich.get_content() if rich else None,
            "headers": {name: str(value) for name, value in message.items() if name.lower() not in skipped}}


def messages():
    """Every message the emulator's SES accepted, newest first."""
    from moto.ses.models import ses_backends

    found = []
    for account_id in list(ses_backends.keys()):
        regions = ses_backends[account_id]
        for region in list(regions.keys()):
            for message in list(regions[region].sent_messages):
                found.append(_view(message))
    # moto appends in the order it accepts; a stable sort on the time keeps that order within a millisecond.
    found.reverse()
    found.sort(key=lambda item: item["sent_at"] or "", reverse=True)
    return found


def _view(message):
    with _lock:
        parts = dict(_parts.get(message.id) or {})
    destinations = getattr(message, "destinations", None)
    if isinstance(destinations, dict):
        to = destinations.get("ToAddresses") or []
    else:
        to = list(destinations or [])
    subject = getattr(message, "subject", None)
    body = getattr(message, "body", None)
    if subject is None and getattr(message, "raw_data", None):
        raw = email.message_from_string(message.raw_data, policy=email.policy.default)
        subject = str(raw.get("Subject") or "")
        if not parts:
            parts = _raw_parts(message.raw_data.encode())
    return {
        "id": message.id,
        "from": getattr(message, "source", None),
        "to": ", ".join(to),
        "subject": subject,
        "text": parts.get("text"),
        "html": parts.get("html") if parts else body,
        "headers": parts.get("headers") or {},
        "sent_at": parts.get("sent_at"),
    }


# The inbox's pages --------------------------------------------------------------

STYLE = ("body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:960px;padding:0 1rem;color:#18181b}"
         "table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.4rem .6rem;"
         "border-bottom:1px solid #e4e4e7;vertical-align:top}th{font-size:.85rem;color:#52525b}"
         "pre{white-space:pre-wrap;background:#f4f4f5;padding:1rem;border-radius:6px}"
         "iframe{width:100%;height:32rem;border:1px solid #e4e4e7;border-radius:6px}"
         "dl{display:grid;grid-template-columns:max-content 1fr;gap:.3rem 1rem}dt{color:#52525b}dd{margin:0}")


def page(title, body, refresh=False):
    meta = '<meta http-equiv="refresh" content="5">' if refresh else ""
    return ("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">%s<title>%s</title>"
            "<style>%s</style></head><body>%s</body></html>\n" % (meta, html.escape(title), STYLE, body))


def list_page(items):
    escape = html.escape
    if not items:
        rows = '<p>No email yet. What the app sends appears here (this page reloads every 5 s).</p>'
    else:
        rows = "<table><thead><tr><th scope=\"col\">Sent</th><th scope=\"col\">To</th>" \
               "<th scope=\"col\">Subject</th></tr></thead><tbody>%s</tbody></table>" % "".join(
                   "<tr><td>%s</td><td>%s</td><td><a href=\"/messages/%s\">%s</a></td></tr>" % (
                       escape(item["sent_at"] or ""), escape(item["to"]), quote(item["id"], safe=""),
                       escape(item["subject"] or "(no subject)")) for item in items)
    return page("Inbox (%d)" % len(items),
                "<h1>Inbox</h1><p>Emails the local stack sent, newest first (%d). As JSON: "
                "<a href=\"/messages\">/messages</a>.</p>%s" % (len(items), rows), refresh=True)


def message_page(item):
    escape = html.escape
    fields = [("From", item["from"]), ("To", item["to"]), ("Subject", item["subject"]), ("Sent", item["sent_at"])]
    fields += sorted(item["headers"].items())
    details = "".join("<dt>%s</dt><dd>%s</dd>" % (escape(name), escape(value or "")) for name, value in fields)
    rich = ('<h2>HTML</h2><iframe sandbox title="The HTML part" srcdoc="%s"></iframe>' % escape(item["html"], quote=True)
            if item["html"] else "")
    text = "<h2>Text</h2><pre>%s</pre>" % escape(item["text"]) if item["text"] else ""
    return page(item["subject"] or "Message", "<p><a href=\"/\">← Inbox</a></p><h1>%s</h1><dl>%s</dl>%s%s" % (
        escape(item["subject"] or "(no subject)"), details, rich, text))


class _Handler(BaseHTTPRequestHandler):
    server_version = "LocalInbox/1"

    def do_GET(self):  # noqa: N802 - the http.server API
        path = self.path.split("?", 1)[0].rstrip("/") or "/"
        items = messages()
        if path == "/":
            return self._send(200, "text/html; charset=utf-8", list_page(items))
        if path == "/messages":
            return self._send(200, "application/json", json.dumps({"messages": items}))
        if path.startswith("/messages/"):
            wanted = unquote(path[len("/messages/"):])
            for item in items:
                if item["id"] == wanted:
                    return self._send(200, "text/html; charset=utf-8", message_page(item))
        return self._send(404, "application/json", json.dumps({"error": {"code": "not_found",
                                                                          "message": "No such page."}}))

    def _send(self, status, content_type, text):
        body = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("Access-Control-Allow-Origin", "*")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_):
        pass


class InboxServer(ServedInThread):
    """The inbox on `host:port` (0: any free port), in a thread of this process."""

    def __init__(self, host="127.0.0.1", port=0):
        super().__init__(host, port, _Handler, "inbox")
