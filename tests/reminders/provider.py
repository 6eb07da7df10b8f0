"""A stand-in SMS provider: a real HTTP server on 127.0.0.1 that answers
like Semaphore's messages API, from a script of answers, and records what
it was sent."""

from __future__ import annotations

import json
import threading
import urllib.parse
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def accepted(number: str = "639171234567") -> tuple[int, str]:
    """Semaphore's answer to a message it took: a list of message records."""
    return 200, json.dumps(
        [
            {
                "message_id": 1234567,
                "recipient": number,
                "message": "(echoed)",
                "sender_name": "Tinig",
                "network": "Globe",
                "status": "Pending",
                "type": "Single",
                "source": "Api",
            }
        ]
    )


@dataclass
class StandInProvider:
    answers: deque = field(default_factory=deque)
    # What every answer is once the script is used up.
    default: tuple[int, str] = field(default_factory=accepted)
    received: list[dict[str, str]] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/api/v4/messages"

    def answer(self, *answers: tuple[int, str]) -> None:
        self.answers.extend(answers)

    def start(self) -> StandInProvider:
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length).decode("utf-8")
                fields = dict(urllib.parse.parse_qsl(body, keep_blank_values=True))
                fields["_path"] = self.path
                fields["_content_type"] = self.headers.get("Content-Type", "")
                provider.received.append(fields)
                status, text = provider.answers.popleft() if provider.answers else provider.default
                payload = text.encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format, *args):
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
