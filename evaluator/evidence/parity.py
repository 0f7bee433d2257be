"""The `parity` kind: how closely a candidate environment (staging) matches its baseline (production).

`readiness parity --baseline PROD --candidate STAGING [--rules RULES.yaml]` reads two snapshots of the
same kind of source (Kubernetes manifests, Terraform plans or states, dotenv files, JSON/YAML configuration,
a service inventory), flattens each into keys (an object and a field, e.g. "apps/v1 Deployment shop/cart"
and "spec.template.spec.containers[app].image"), compares them key by key, and applies the allow-rules
(expected differences, each with a reason, an owner and an expiry). Secret values never enter this kind:
they are compared by keyed hash (HMAC with a per-run random key) and reported only as same / differs /
missing. Every number is an integer: the parity ratio and capacity ratios are in basis points.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from evaluator.evidence.registry import EvidenceKind

_Count = Field(ge=0)

Category = Literal["image", "version", "config", "capacity", "secret", "missing", "extra"]
"""What a difference is about: an image or a version changed, a configuration or capacity value changed, a
secret differs or is missing on one side, or a key exists only in the baseline (missing) or only in the
candidate (extra)."""
CATEGORIES: tuple[Category, ...] = ("image", "version", "config", "capacity", "secret", "missing", "extra")
"""Every category, in the order reports list them."""
SourceFormat = Literal["kubernetes", "terraform", "dotenv", "config", "inventory", "mixed"]
"""What a snapshot was read from (`mixed`: a directory holding several kinds of files)."""
SecretState = Literal["same", "differs", "missing"]
"""How a secret compares: same value on both sides, different values, or present on one side only."""
Scalar = str | int | bool
"""A compared value: strings, integers and booleans as the source gives them (other numbers as their text)."""
MAX_DIFFERENCES = 50_000
"""At most this many differences are listed; the counts always count them all (`truncated` says so)."""


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, use_attribute_docstrings=True)


class Environment(_Data):
    """One side of the comparison."""

    name: str = Field(min_length=1, max_length=128)
    """Environment name (production, staging …), as given on the command line."""
    source: SourceFormat
    """What the snapshot was read from."""
    path: str = Field(min_length=1, max_length=2048)
    """File or directory read, as given."""
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    """Digest of the snapshot: sha256 over the sorted relative paths and sha256 of every file read."""
    files: int = Field(ge=1)
    """Files read."""
    objects: int = _Count
    """Objects found (Kubernetes objects, Terraform resources, configuration files …)."""
    keys: int = _Count
    """Keys (object + field) found."""


class Difference(_Data):
    """One key whose values differ, or that exists on one side only."""

    object: str = Field(min_length=1, max_length=1024)
    """The object, e.g. 'apps/v1 Deployment shop/cart', 'aws_db_instance.main', 'config/app.env'."""
    field: str = Field(max_length=2048)
    """The field, e.g. 'spec.replicas' or 'spec.template.spec.containers[app].image'; empty for a whole object."""
    category: Category
    """What the difference is about."""
    baseline: Scalar | None = None
    """Baseline value (absent when missing there, null there, or a secret)."""
    candidate: Scalar | None = None
    """Candidate value (absent when missing there, null there, or a secret)."""
    secret: SecretState | None = None
    """For a secret: same / differs / missing (its values are never recorded)."""
    ratio_bp: int | None = Field(default=None, ge=0)
    """For a numeric capacity value: candidate / baseline in basis points (10000 = equal)."""
    allowed: bool
    """True when an allow-rule accepted this difference."""
    rule: str | None = Field(default=None, min_length=1, max_length=128)
    """Id of the rule that accepted it; or, when not allowed, of a rule that matched but whose relation failed."""
    note: str | None = Field(default=None, min_length=1, max_length=512)
    """Why the rule accepted it (its reason), or why the matching rule did not (its relation and the value)."""


class CategoryCount(_Data):
    """Differences of one category."""

    category: Category
    """The category."""
    total: int = _Count
    """Differences found."""
    allowed: int = _Count
    """Of those, accepted by an allow-rule."""


class RuleUse(_Data):
    """One allow-rule of the rules file and what it did."""

    id: str = Field(min_length=1, max_length=128)
    """Rule id."""
    matched: int = _Count
    """Differences whose path and category it matched."""
    allowed: int = _Count
    """Of those, accepted (its relation held)."""
    expires: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$")
    """Last day it applies (YYYY-MM-DD)."""
    expired: bool
    """True when the rule had expired at comparison time: it accepted nothing."""


class Parity(_Data):
    """What a `parity` item holds in `data`."""

    baseline: Environment
    """The environment the candidate should match (production)."""
    candidate: Environment
    """The environment the release was verified in (staging)."""
    keys_compared: int = _Count
    """Keys present on either side."""
    keys_equal: int = _Count
    """Keys with the same value on both sides (secrets: the same keyed hash)."""
    parity_bp: int = Field(ge=0, le=10000)
    """keys_equal / keys_compared in basis points, rounded down (10000 when there is nothing to compare)."""
    differences: list[Difference] = Field(max_length=MAX_DIFFERENCES)
    """Every difference, sorted by object then field."""
    counts: Annotated[list[CategoryCount], Field(max_length=7)]
    """Differences per category (every category, in CATEGORIES order), over all differences."""
    rules: list[RuleUse] = Field(max_length=10_000)
    """Every allow-rule of the rules file, in file order, with what it did (empty without a rules file)."""
    truncated: bool
    """True when there were more than MAX_DIFFERENCES differences and only the first are listed."""


KIND = EvidenceKind(
    name="parity",
    version=1,
    model=Parity,
    schema_file="evidence/parity.v1.schema.json",
    description="environment parity: two snapshots compared key by key, differences with categories and rules",
)
