"""A tiny checkout service: release 1.41.3, the one production runs (the drills roll back to it)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Line:
    """One cart line: a SKU, a unit price in cents and a quantity."""

    sku: str
    unit_cents: int
    quantity: int


@dataclass
class Cart:
    """A shopping cart; amounts are integer cents so totals never drift."""

    lines: list[Line] = field(default_factory=list)

    def add(self, sku: str, unit_cents: int, quantity: int = 1) -> None:
        """Add a line; quantities and prices must be positive."""
        if unit_cents < 0 or quantity <= 0:
            raise ValueError("price must be >= 0 and quantity > 0")
        self.lines.append(Line(sku, unit_cents, quantity))

    def subtotal(self) -> int:
        """Sum of line totals in cents."""
        return sum(line.unit_cents * line.quantity for line in self.lines)

    def total(self, discount_percent: int = 0, tax_basis_points: int = 0) -> int:
        """Total after a percentage discount and tax, rounded half up to the cent."""
        discounted = self.subtotal() * (100 - discount_percent)
        taxed = discounted * (10_000 + tax_basis_points)
        return (taxed + 500_000) // 1_000_000
