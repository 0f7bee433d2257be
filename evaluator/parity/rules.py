"""Allow-rules for `readiness parity`: which differences between two environments are expected.

The rules file (YAML, schema `schemas/parity-rules.v1.schema.json`, version 1) looks like::

    namespaces:            # candidate namespace -> baseline namespace (Kubernetes object names)
      staging: production
    rules:
      - id: replicas-scaled-down
        match: "apps/v1 Deployment */*#spec.replicas"   # fnmatch over "<object>#<field>"
        category: capacity                              # optional filter
        expect: ratio                                   # any | differs | equal | candidate_le_baseline | ratio
        min: 0.25                                       # ratio only: bounds of candidate / baseline
        max: 1.0
        reason: staging runs a quarter to all of production's replicas
        owner: team-platform
        expires: 2027-03-31                             # last day it applies

Each difference is decided by the first rule, in file order, that has not expired (expires >= the day of the
comparison, UTC) and whose `match` and `category` fit it:

- `any` allows every difference it matches;
- `differs` allows a key present on both sides with different values (not a key missing on one side);
- `equal` never allows: it documents that the values must be equal, and the note says so;
- `candidate_le_baseline` allows when both values are numbers (or Kubernetes quantities) and candidate <= baseline;
- `ratio` allows when both are numbers, the baseline is positive and min <= candidate / baseline <= max (exactly,
  without rounding).

When the relation fails the difference is not allowed, but it names the rule and the note says what failed
("ratio 0.10 outside 0.25..1.00"). A difference that only an expired rule matches names that rule too, with the
note "rule expired on DATE". `match` uses Python `fnmatch.fnmatchcase`: `*` matches any text including '/' and
'#', `?` one character, and `[` starts a character class (a literal '[' is written '[[]', so
"*#spec.template.spec.containers[[]app].image"); a whole object missing or extra has an empty field ("OBJECT#").
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictFloat, StrictInt, StrictStr

from evaluator import schemas
from evaluator.errors import InputError
from evaluator.evidence.parity import Category
from evaluator.fileio import sha256_file

Expect = Literal["any", "differs", "equal", "candidate_le_baseline", "ratio"]
"""The relation a rule expects between the candidate's value and the baseline's."""
MAX_NOTE = 512
"""Longest note a difference may carry (the model's limit)."""
_MAX_VALUE_TEXT = 64


class RuleEntry(BaseModel):
    """One rule as written in the rules file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: StrictStr = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")
    """Rule id, unique in the file."""
    match: StrictStr = Field(min_length=1, max_length=2048)
    """fnmatch pattern over '<object>#<field>'."""
    category: Category | None = None
    """Only differences of this category."""
    expect: Expect
    """The relation that must hold."""
    min: StrictInt | StrictFloat | None = Field(default=None, ge=0)
    """Ratio lower bound (candidate / baseline)."""
    max: StrictInt | StrictFloat | None = Field(default=None, ge=0)
    """Ratio upper bound (candidate / baseline)."""
    reason: StrictStr = Field(min_length=1, max_length=MAX_NOTE)
    """Why the difference is expected."""
    owner: StrictStr = Field(min_length=1, max_length=128)
    """Who owns the rule."""
    expires: date
    """Last day the rule applies."""


class RulesDocument(BaseModel):
    """The rules file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    namespaces: dict[StrictStr, StrictStr] = Field(default_factory=dict)
    """Candidate namespace -> baseline namespace."""
    rules: list[RuleEntry] = Field(default_factory=list, max_length=10_000)
    """The rules, in the order they are tried."""


def _decimal(value: int | float) -> Decimal:
    return Decimal(str(value))


@dataclass(frozen=True)
class Verdict:
    """What a rule says about one difference."""

    allowed: bool
    """True when the rule's relation held."""
    note: str
    """The rule's reason when allowed, else what failed."""


@dataclass(frozen=True)
class Sides:
    """What a rule judges: which sides hold the key, and the values as numbers and as text when not secret."""

    in_baseline: bool
    """The key exists in the baseline."""
    in_candidate: bool
    """The key exists in the candidate."""
    baseline_number: Fraction | None = None
    """The baseline value as a number (numbers and Kubernetes quantities), else None."""
    candidate_number: Fraction | None = None
    """The candidate value as a number, else None."""
    baseline_text: str | None = None
    """The baseline value as written, for notes (None for a secret or an absent value)."""
    candidate_text: str | None = None
    """The candidate value as written, for notes."""


@dataclass(frozen=True)
class Rule:
    """One rule, ready to match and judge differences."""

    id: str
    """Rule id."""
    match: str
    """fnmatch pattern over '<object>#<field>'."""
    category: Category | None
    """Category filter, or None for any."""
    expect: Expect
    """The relation."""
    minimum: Decimal | None
    """Ratio lower bound."""
    maximum: Decimal | None
    """Ratio upper bound."""
    reason: str
    """Why the difference is expected."""
    owner: str
    """Who owns the rule."""
    expires: date
    """Last day it applies."""

    def expired(self, today: date) -> bool:
        """True when `today` is after the rule's last day."""
        return self.expires < today

    def matches(self, object_name: str, field_name: str, category: str) -> bool:
        """True when the pattern fits '<object>#<field>' and the category filter (if any) fits."""
        if self.category is not None and self.category != category:
            return False
        return fnmatch.fnmatchcase(f"{object_name}#{field_name}", self.match)

    def judge(self, sides: Sides) -> Verdict:
        """Whether the rule's relation holds for a difference, with the note to record."""
        if self.expect == "any":
            return Verdict(True, _clip(self.reason))
        if self.expect == "equal":
            return Verdict(False, f"rule requires equal values ({_clip(self.reason, 400)})")
        absent = _absent(sides)
        if self.expect == "differs":
            if absent:
                return Verdict(False, f"rule expects the key on both sides with different values; it is {absent}")
            return Verdict(True, _clip(self.reason))
        base, cand = sides.baseline_number, sides.candidate_number
        if absent or base is None or cand is None:
            what = "candidate <= baseline" if self.expect == "candidate_le_baseline" else "ratio"
            why = absent or "values are not numbers"
            return Verdict(False, f"{what} needs numbers on both sides; {why}")
        if self.expect == "candidate_le_baseline":
            if cand <= base:
                return Verdict(True, _clip(self.reason))
            return Verdict(
                False, f"candidate {_text(sides.candidate_text)} is above baseline {_text(sides.baseline_text)}"
            )
        assert self.minimum is not None and self.maximum is not None
        if base <= 0:
            return Verdict(False, f"ratio undefined: baseline is {_text(sides.baseline_text)}")
        ratio = cand / base
        low, high = Fraction(self.minimum), Fraction(self.maximum)
        if low <= ratio <= high:
            return Verdict(True, _clip(self.reason))
        return Verdict(False, f"ratio {_ratio_text(ratio, self.minimum, self.maximum)} outside {self.bounds_text()}")

    def bounds_text(self) -> str:
        """'0.25..1.00': the ratio bounds with at least two decimals."""
        assert self.minimum is not None and self.maximum is not None
        return f"{_bound_text(self.minimum)}..{_bound_text(self.maximum)}"


@dataclass(frozen=True)
class Rules:
    """A loaded rules file."""

    path: Path | None
    """The file read (None for rules built in code)."""
    sha256: str | None
    """Hex sha256 of the file."""
    rules: tuple[Rule, ...] = ()
    """The rules, in file order."""
    namespaces: dict[str, str] = field(default_factory=dict)
    """Candidate namespace -> baseline namespace."""


def rule_from_entry(entry: RuleEntry) -> Rule:
    """A Rule from its parsed file entry."""
    return Rule(
        id=entry.id,
        match=entry.match,
        category=entry.category,
        expect=entry.expect,
        minimum=_decimal(entry.min) if entry.min is not None else None,
        maximum=_decimal(entry.max) if entry.max is not None else None,
        reason=entry.reason,
        owner=entry.owner,
        expires=entry.expires,
    )


def load_rules(path: str | Path) -> Rules:
    """Read and check a rules file; any invalid rule makes the whole file an input error naming the place."""
    path = Path(path)
    parsed = schemas.load_yaml_document(
        path,
        "parity rules file",
        schemas.PARITY_RULES,
        RulesDocument,
        "a YAML mapping with `rules:` or `namespaces:`",
    )
    seen: set[str] = set()
    for index, entry in enumerate(parsed.rules):
        problem = _entry_problem(entry, seen)
        if problem:
            raise InputError(path, f"invalid parity rules file at /rules/{index}{problem}")
        seen.add(entry.id)
    return Rules(path, sha256_file(path), tuple(rule_from_entry(e) for e in parsed.rules), dict(parsed.namespaces))


def _entry_problem(entry: RuleEntry, seen: set[str]) -> str:
    """'/<field>: what is wrong' for a rule the schema cannot fully check, or ''."""
    if entry.id in seen:
        return f"/id: rule id {entry.id!r} is used twice"
    if entry.expect != "ratio":
        if entry.min is not None or entry.max is not None:
            return f": min and max go with expect ratio, not with expect {entry.expect}"
        return ""
    if entry.min is None or entry.max is None:
        return ": expect ratio needs both min and max"
    if _decimal(entry.min) > _decimal(entry.max):
        return f": min {entry.min} is above max {entry.max}"
    return ""


def _absent(sides: Sides) -> str:
    if not sides.in_candidate:
        return "missing in the candidate"
    if not sides.in_baseline:
        return "missing in the baseline"
    return ""


def _clip(text: str, limit: int = MAX_NOTE) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _text(value: str | None) -> str:
    if value is None:
        return "null"
    return value if len(value) <= _MAX_VALUE_TEXT else value[: _MAX_VALUE_TEXT - 1] + "…"


def _places(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return max(2, -exponent if isinstance(exponent, int) else 2)


def _bound_text(value: Decimal) -> str:
    return f"{value:.{_places(value)}f}"


def _ratio_text(ratio: Fraction, low: Decimal, high: Decimal) -> str:
    """The ratio rounded down, with enough decimals that it does not print like the bound it is outside of."""
    places = max(_places(low), _places(high))
    while True:
        scaled = ratio.numerator * 10**places // ratio.denominator
        text = f"{Decimal(scaled).scaleb(-places):.{places}f}"
        if places >= 6 or text not in (_bound_text(low), _bound_text(high)):
            return text
        places += 2
