"""Receipts: render an order's receipt and hand it to the store's printer queue."""

from __future__ import annotations

import subprocess
from pathlib import Path

from service.cart import Cart


def render(order_id: str, cart: Cart) -> str:
    """The receipt text of an order."""
    lines = [f"Order {order_id}"]
    lines += [f"{line.quantity} x {line.sku}  {_money(line.unit_cents * line.quantity)}" for line in cart.lines]
    lines.append(f"Total {_money(cart.subtotal())}")
    return "\n".join(lines) + "\n"


def print_receipt(path: Path, printer: str) -> None:
    """Send a rendered receipt file to `printer` (lpr, arguments passed as a list: no shell)."""
    subprocess.run(["lpr", "-P", printer, str(path)], check=True, timeout=30)


def _money(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"
