"""A tiny HTTP server on 127.0.0.1 for short k6 runs: a few endpoints, some slow, some 500s."""

import itertools
import json
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ORDERS = itertools.count(1)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _send(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass

    def do_GET(self):
        if self.path == "/health":
            self._send(200, {"ok": True})
        elif self.path == "/api/items":
            time.sleep(0.005)
            self._send(200, [{"id": i} for i in range(20)])
        elif self.path.startswith("/api/items/"):
            time.sleep(0.015)
            item = self.path.rsplit("/", 1)[1]
            self._send(404 if item == "0" else 200, {"id": item})
        else:
            self._send(404, {"error": "not found"})

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        n = next(ORDERS)
        time.sleep(0.03)
        if n % 4 == 0:
            self._send(500, {"error": "database busy"})
        else:
            self._send(201, {"order": n})


ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
