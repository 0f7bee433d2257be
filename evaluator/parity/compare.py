"""Comparing two snapshots key by key into a `parity` model, applying the allow-rules.

Keys are (object, field) pairs; `keys_compared` is the size of the union of both sides' keys, `keys_equal` the
keys whose values are equal on both sides (same type and value: 1, "1" and true are three different values;
secrets compare by their keyed hash), and `parity_bp` = floor(keys_equal * 10000 / keys_compared), 10000 when
there is nothing to compare.

Differences, sorted by object then field:

- an object only in the baseline: one difference, category `missing`, empty field, no values; each of its keys
  counts as compared and unequal, but its fields are not listed one by one (`extra` alike for an object only in
  the candidate);
- a field only in the baseline: `missing` with the baseline value (`extra` with the candidate value for a field
  only in the candidate); a secret field: category `secret`, secret `missing`, no value;
- a field on both sides with different values: the baseline leaf's category (image, version, config, capacity);
  when either side is a secret: category `secret`, secret `differs`, and no value of either side;
- a `capacity` difference whose two values are numbers gets ratio_bp = floor(candidate / baseline * 10000)
  (baseline above 0, candidate at least 0). Numbers are integers and Kubernetes quantities, read exactly into
  one unit: a plain decimal ("2", "1.5", "0.25"), a decimal SI suffix n u m k M G T P E ("500m" CPU = 0.5 cores,
  "1G" = 10^9), a binary suffix Ki Mi Gi Ti Pi Ei ("512Mi" = 512 * 2^20 bytes) or an exponent ("1e3"). So "500m"
  against "1" is 5000 bp and "512Mi" against "1Gi" is 5000 bp. Booleans are never numbers.

Before matching, the rules file's namespace mapping (candidate namespace -> baseline namespace) renames candidate
Kubernetes objects, "<apiVersion> <Kind> <namespace>/<name>" (and the Namespace object "v1 Namespace <name>"
itself), so they are compared and reported under the baseline's name.

When both sides are single files given directly (not folders), objects named after the candidate's file are
renamed after the baseline's file first (`align_single_files`), so `staging.env` is compared with `production.env`.

Then each difference is decided by the first unexpired rule that matches it (see evaluator/parity/rules.py).
`RuleUse.matched` counts every difference whose object#field and category fit the rule, whether or not an earlier
rule decided it and whether or not the rule has expired; `RuleUse.allowed` counts the differences the rule
accepted (never any for an expired rule). Only the first MAX_DIFFERENCES differences are listed (`truncated`);
counts and rule uses are over all of them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from fractions import Fraction

from evaluator.errors import InputError
from evaluator.evidence.parity import (
    CATEGORIES,
    MAX_DIFFERENCES,
    Category,
    CategoryCount,
    Difference,
    Environment,
    Parity,
    RuleUse,
    SecretState,
)
from evaluator.parity.rules import Rule, Rules, Sides
from evaluator.parity.snapshot import Leaf, Snapshot, Value

_QUANTITY = re.compile(
    r"^(?P<sign>[+-]?)(?P<number>\d+(?:\.\d*)?|\.\d+)"
    r"(?:[eE](?P<exponent>[+-]?\d+)|(?P<suffix>Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E))?$"
)
_SUFFIXES: dict[str, Fraction] = {
    "n": Fraction(1, 10**9),
    "u": Fraction(1, 10**6),
    "m": Fraction(1, 1000),
    "k": Fraction(10**3),
    "M": Fraction(10**6),
    "G": Fraction(10**9),
    "T": Fraction(10**12),
    "P": Fraction(10**15),
    "E": Fraction(10**18),
    "Ki": Fraction(2**10),
    "Mi": Fraction(2**20),
    "Gi": Fraction(2**30),
    "Ti": Fraction(2**40),
    "Pi": Fraction(2**50),
    "Ei": Fraction(2**60),
}
_KUBERNETES_OBJECT = re.compile(r"^(?P<head>\S+ \S+ )(?P<namespace>[a-z0-9][-a-z0-9]*)(?P<tail>/\S+)$")
_NAMESPACE_OBJECT = re.compile(r"^(?P<head>v1 Namespace )(?P<namespace>[a-z0-9][-a-z0-9]*)(?P<tail>)$")
_MAX_EXPONENT = 30


def number(value: Value) -> Fraction | None:
    """The exact number a value stands for: an integer or a Kubernetes quantity string; None otherwise."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return Fraction(value)
    match = _QUANTITY.match(value)
    if match is None:
        return None
    amount = Fraction(match["number"] if not match["number"].endswith(".") else match["number"][:-1])
    if match["exponent"] is not None:
        exponent = int(match["exponent"])
        if abs(exponent) > _MAX_EXPONENT:
            return None
        amount *= Fraction(10) ** exponent
    elif match["suffix"] is not None:
        amount *= _SUFFIXES[match["suffix"]]
    return -amount if match["sign"] == "-" else amount


def ratio_bp(baseline: Value, candidate: Value) -> int | None:
    """floor(candidate / baseline * 10000) for numbers with a positive baseline and a non-negative candidate."""
    base, cand = number(baseline), number(candidate)
    if base is None or cand is None or base <= 0 or cand < 0:
        return None
    return int(cand * 10000 // base)


def map_namespaces(
    objects: dict[str, dict[str, Leaf]], mapping: dict[str, str], path: object
) -> dict[str, dict[str, Leaf]]:
    """The candidate's objects renamed by the namespace mapping; InputError when two end up with one name."""
    if not mapping:
        return objects
    renamed: dict[str, dict[str, Leaf]] = {}
    origin: dict[str, str] = {}
    for name, fields in sorted(objects.items()):
        target = _mapped(name, mapping)
        if target in renamed:
            raise InputError(
                str(path),
                f"the namespace mapping makes {origin[target]} and {name} the same object {target}",
            )
        renamed[target] = fields
        origin[target] = name
    return renamed


def _mapped(name: str, mapping: dict[str, str]) -> str:
    for pattern in (_KUBERNETES_OBJECT, _NAMESPACE_OBJECT):
        match = pattern.match(name)
        if match and match["namespace"] in mapping:
            return f"{match['head']}{mapping[match['namespace']]}{match['tail']}"
    return name


def align_single_files(baseline: Snapshot, candidate: Snapshot) -> None:
    """When each side is one file given directly, name the candidate's per-file objects after the baseline's file.

    Sources that name objects by file (dotenv: `production.env`; config: `app.yaml`, `app.yaml#2`) would
    otherwise never match `--baseline production.env --candidate staging.env`. Objects not named by the file
    (Kubernetes objects, Terraform addresses, inventory services) are left as they are.
    """
    if not (baseline.path.is_file() and candidate.path.is_file()):
        return
    ours, theirs = baseline.path.name, candidate.path.name
    if ours == theirs:
        return
    renamed: dict[str, dict[str, Leaf]] = {}
    for name, fields in candidate.objects.items():
        if name == theirs or name.startswith(theirs + "#"):
            name = ours + name[len(theirs) :]
        renamed[name] = fields
    candidate.objects = renamed


@dataclass
class _Found:
    """A difference before the rules decide it."""

    object: str
    field: str
    category: Category
    baseline: Value = None
    candidate: Value = None
    secret: SecretState | None = None
    ratio_bp: int | None = None
    in_baseline: bool = True
    in_candidate: bool = True

    def sides(self) -> Sides:
        """What a rule judges."""
        return Sides(
            self.in_baseline,
            self.in_candidate,
            number(self.baseline) if self.secret is None else None,
            number(self.candidate) if self.secret is None else None,
            _text(self.baseline) if self.secret is None else None,
            _text(self.candidate) if self.secret is None else None,
        )


def _text(value: Value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _same(a: Leaf, b: Leaf) -> bool:
    return (
        type(a.value) is type(b.value) and a.value == b.value and (a.category == "secret") == (b.category == "secret")
    )


def _field_difference(name: str, key: str, base: Leaf | None, cand: Leaf | None) -> _Found:
    if cand is None:
        assert base is not None
        if base.category == "secret":
            return _Found(name, key, "secret", secret="missing", in_candidate=False)
        return _Found(name, key, "missing", baseline=base.value, in_candidate=False)
    if base is None:
        if cand.category == "secret":
            return _Found(name, key, "secret", secret="missing", in_baseline=False)
        return _Found(name, key, "extra", candidate=cand.value, in_baseline=False)
    if base.category == "secret" or cand.category == "secret":
        return _Found(name, key, "secret", secret="differs")
    found = _Found(name, key, base.category, baseline=base.value, candidate=cand.value)
    if base.category == "capacity":
        found.ratio_bp = ratio_bp(base.value, cand.value)
    return found


def _environment(name: str, snapshot: Snapshot) -> Environment:
    return Environment(
        name=name,
        source=snapshot.source,  # type: ignore[arg-type]  # checked by the model
        path=str(snapshot.path),
        sha256=snapshot.sha256,
        files=len(snapshot.files),
        objects=len(snapshot.objects),
        keys=snapshot.keys,
    )


def compare(
    baseline: Snapshot, candidate: Snapshot, rules: Rules | None, names: tuple[str, str], now: datetime
) -> Parity:
    """The candidate compared with the baseline key by key, every difference decided by the allow-rules."""
    mapping = rules.namespaces if rules is not None else {}
    theirs = map_namespaces(candidate.objects, mapping, candidate.path)
    ours = baseline.objects
    compared = equal = 0
    found: list[_Found] = []
    for name in sorted(set(ours) | set(theirs)):
        base_fields, cand_fields = ours.get(name), theirs.get(name)
        if cand_fields is None:
            assert base_fields is not None
            compared += len(base_fields)
            found.append(_Found(name, "", "missing", in_candidate=False))
            continue
        if base_fields is None:
            compared += len(cand_fields)
            found.append(_Found(name, "", "extra", in_baseline=False))
            continue
        for key in sorted(set(base_fields) | set(cand_fields)):
            compared += 1
            base, cand = base_fields.get(key), cand_fields.get(key)
            if base is not None and cand is not None and _same(base, cand):
                equal += 1
                continue
            found.append(_field_difference(name, key, base, cand))
    rule_list = rules.rules if rules is not None else ()
    today = now.astimezone(UTC).date()
    matched = dict.fromkeys((r.id for r in rule_list), 0)
    accepted = dict.fromkeys((r.id for r in rule_list), 0)
    totals = dict.fromkeys(CATEGORIES, 0)
    allowed_per_category = dict.fromkeys(CATEGORIES, 0)
    differences: list[Difference] = []
    for item in found:
        difference = _decide(item, rule_list, today, matched, accepted)
        totals[item.category] += 1
        allowed_per_category[item.category] += difference.allowed
        if len(differences) < MAX_DIFFERENCES:
            differences.append(difference)
    return Parity(
        baseline=_environment(names[0], baseline),
        candidate=_environment(names[1], candidate),
        keys_compared=compared,
        keys_equal=equal,
        parity_bp=equal * 10000 // compared if compared else 10000,
        differences=differences,
        counts=[CategoryCount(category=c, total=totals[c], allowed=allowed_per_category[c]) for c in CATEGORIES],
        rules=[
            RuleUse(
                id=r.id,
                matched=matched[r.id],
                allowed=accepted[r.id],
                expires=r.expires.isoformat(),
                expired=r.expired(today),
            )
            for r in rule_list
        ],
        truncated=len(found) > MAX_DIFFERENCES,
    )


def _decide(
    item: _Found, rules: tuple[Rule, ...], today: date, matched: dict[str, int], accepted: dict[str, int]
) -> Difference:
    """The difference as recorded: decided by the first unexpired matching rule."""
    decider: Rule | None = None
    first_expired: Rule | None = None
    for rule in rules:
        if not rule.matches(item.object, item.field, item.category):
            continue
        matched[rule.id] += 1
        if rule.expired(today):
            first_expired = first_expired or rule
        elif decider is None:
            decider = rule
    allowed, rule_id, note = False, None, None
    if decider is not None:
        verdict = decider.judge(item.sides())
        allowed, rule_id, note = verdict.allowed, decider.id, verdict.note
        accepted[decider.id] += verdict.allowed
    elif first_expired is not None:
        rule_id, note = first_expired.id, f"rule expired on {first_expired.expires.isoformat()}"
    return Difference(
        object=item.object,
        field=item.field,
        category=item.category,
        baseline=item.baseline,
        candidate=item.candidate,
        secret=item.secret,
        ratio_bp=item.ratio_bp,
        allowed=allowed,
        rule=rule_id,
        note=note,
    )
