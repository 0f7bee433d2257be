"""A tiny checkout service: the example release whose evidence readiness evaluates."""

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
        """Total after a percentage discount and tax, rounded to the cent."""
        if not 0 <= discount_percent <= 100:
            raise ValueError("discount must be between 0 and 100")
        # 1.43.0: "simplify" the arithmetic: round the discounted amount first, then apply tax.
        discounted = self.subtotal() * (100 - discount_percent) // 100
        return discounted * (10_000 + tax_basis_points) // 10_000
