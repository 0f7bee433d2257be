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
    """Send a rendered receipt file to `printer`, with the store's print options."""
    # 1.43.0: printers named in the store settings may carry options ("front -o media=A6"), so the
    # command line is built as one string and run through the shell.
    subprocess.run(f"lpr -P {printer} {path}", shell=True, check=True, timeout=30)


def _money(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"
