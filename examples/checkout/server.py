"""The checkout service's HTTP API, for the example's load tests: `python server.py RELEASE PORT`.

Binds to 127.0.0.1 only. Release 1.43.0 re-validates every price synchronously on checkout (the
regression its load test catches); 1.42.0 uses the cached price list.
"""

from __future__ import annotations

import json
import random
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

RELEASE = sys.argv[1] if len(sys.argv) > 1 else "1.42.0"
sys.path.insert(0, str(Path(__file__).parent / "releases" / RELEASE))

from service.cart import Cart  # noqa: E402 - the release's own code

PRICES = {"book": 1999, "pen": 250, "lamp": 4500}


class Handler(BaseHTTPRequestHandler):
    """GET /health, GET /api/cart, POST /api/checkout."""

    def log_message(self, *args: object) -> None:
        """Quiet: the load test records everything."""

    def _reply(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        if self.path == "/health":
            self._reply(200, {"status": "ok", "release": RELEASE})
        elif self.path == "/api/cart":
            self._reply(200, {"lines": [{"sku": s, "unit_cents": p} for s, p in PRICES.items()]})
        else:
            self._reply(404, {"error": "not found"})

    def do_POST(self) -> None:  # noqa: N802
        if self.path != "/api/checkout":
            self._reply(404, {"error": "not found"})
            return
        length = int(self.headers.get("Content-Length", 0))
        order = json.loads(self.rfile.read(length) or b"{}")
        if RELEASE == "1.43.0":
            time.sleep(random.uniform(0.2, 0.75))  # synchronous price re-validation added in 1.43.0
        cart = Cart()
        try:
            for line in order.get("lines", []):
                cart.add(line["sku"], PRICES[line["sku"]], line.get("quantity", 1))
            total = cart.total(order.get("discount_percent", 0), order.get("tax_basis_points", 0))
        except (KeyError, ValueError) as exc:
            self._reply(422, {"error": str(exc)})
            return
        self._reply(200, {"total_cents": total})


if __name__ == "__main__":
    port = int(sys.argv[2]) if len(sys.argv) > 2 else 8042
    ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
