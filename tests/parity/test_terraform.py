"""Terraform source: every sample plan, real plans and states made here, edge cases and failure paths."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from evaluator.errors import InputError
from evaluator.parity.compare import compare
from evaluator.parity.snapshot import Leaf, SecretHasher
from evaluator.parity.sources import detect_source, load_snapshot
from evaluator.parity.sources.terraform import UNKNOWN_AFTER_APPLY, TerraformSource, category_of

DATA = Path(__file__).parent.parent / "data" / "parity" / "terraform"
SAMPLES = sorted(p for p in DATA.glob("*.json") if p.name != "unsupported_format.json")
SUPPORTED = "(supported: 0.1, 0.2, 1.0, 1.1, 1.2)"
CANARIES = (
    "CANARY-prod-s3cr3t-7f3a",
    "CANARY-staging-s3cr3t-9b1c",
    "CANARY-edge-url-5d2e",
    "CANARY-edge-userdata-8c1f",
    "CANARY-edge-dbpass-3a9b",
    "CANARY-edge-nested-6e4d",
    "Aa1234321Bb",  # the clear-text password of the 0.12 sample's aws_db_instance
)
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def read(path: Path, hasher: SecretHasher | None = None) -> dict[str, dict[str, Leaf]]:
    """The objects of one Terraform JSON file."""
    return TerraformSource().read(path, path.name, hasher or SecretHasher())


def managed_addresses(document: dict[str, Any]) -> set[str]:
    """Addresses of current managed resources, counted straight from the raw JSON."""
    values = document.get("planned_values", document.get("values", {}))
    found: set[str] = set()
    stack = [values.get("root_module", {})]
    while stack:
        module = stack.pop()
        for resource in module.get("resources", []):
            if resource["mode"] == "managed" and "deposed_key" not in resource:
                found.add(resource["address"])
        stack.extend(module.get("child_modules", []))
    return found


def reorder(value: Any) -> Any:
    """The same JSON with every mapping's keys and every list of resources/modules in reverse order."""
    if isinstance(value, dict):
        return {key: reorder(value[key]) for key in reversed(list(value))}
    if isinstance(value, list):
        items = [reorder(item) for item in value]
        if items and all(isinstance(i, dict) and ("address" in i or "resources" in i) for i in items):
            items.reverse()
        return items
    return value


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_every_sample_is_detected_and_read(path: Path) -> None:
    document = json.loads(path.read_text())
    assert detect_source(path) is TerraformSource
    objects = read(path)
    assert objects["terraform"] == {"version": Leaf(document["terraform_version"], "version")}
    resources = {name for name in objects if " " not in name and name != "terraform"}
    assert resources == managed_addresses(document)
    assert resources, "every sample has resources"
    for fields in objects.values():
        for leaf in fields.values():
            assert leaf.value is None or isinstance(leaf.value, str | int | bool)


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_reordered_json_gives_the_same_snapshot(path: Path, tmp_path: Path) -> None:
    hasher = SecretHasher()
    shuffled = tmp_path / path.name
    shuffled.write_text(json.dumps(reorder(json.loads(path.read_text())), indent=1))
    assert read(shuffled, hasher) == read(path, hasher)


def test_sample_0_12_values_categories_and_clear_text_password_hashed() -> None:
    hasher = SecretHasher()
    objects = read(DATA / "tfplan_tf0.12.23_55_creates.json", hasher)
    db = objects["aws_db_instance.default"]
    assert db["instance_class"] == Leaf("db.t3.micro", "capacity")
    assert db["allocated_storage"] == Leaf(20, "capacity")
    assert db["engine_version"] == Leaf("8.0", "version")
    assert db["engine"] == Leaf("mysql", "config")
    assert db["auto_minor_version_upgrade"] == Leaf(True, "config")  # a boolean is never a version
    assert db["tags.Name"] == Leaf("123456789123-acme-corp-rds", "config")
    assert db["s3_import"] == Leaf("[]", "config")
    # format 0.1 marks nothing sensitive: the attribute name `password` makes it a secret
    assert db["password"] == Leaf(hasher.digest("Aa1234321Bb"), "secret")
    assert db["arn"] == Leaf(UNKNOWN_AFTER_APPLY, "config")  # from resource_changes[].change.after_unknown
    assert "provider aws" not in objects  # no version constraint in provider_config


def test_sample_0_13_child_modules_and_unknown_inside_blocks() -> None:
    objects = read(DATA / "tfplan_tf0.13.4_child_modules.json")
    cluster = objects["module.child_0.module.child_1_a.aws_eks_cluster.cluster"]
    assert cluster["vpc_config[0].subnet_ids"] == Leaf('["10.165.77.0/24"]', "config")
    assert cluster["vpc_config[0].vpc_id"] == Leaf(UNKNOWN_AFTER_APPLY, "config")
    assert cluster["version"] == Leaf(UNKNOWN_AFTER_APPLY, "version")
    assert cluster["enabled_cluster_log_types"] == Leaf('["api","audit"]', "config")
    assert objects["module child_0"] == {"source": Leaf("./module", "version")}
    assert objects["module child_0.child_1_a"] == {"source": Leaf("./module", "version")}


def test_sample_1_4_update_reads_planned_values_not_before() -> None:
    objects = read(DATA / "tfplan_tf1.4.6_update_change_keys.json")
    rule = objects["aws_security_group_rule.foo"]
    assert rule["to_port"] == Leaf(5433, "config")  # the planned value; `before` said 5432
    assert rule["prefix_list_ids"] == Leaf("[]", "config")


def test_edge_plan_versions_sensitive_values_and_skipped_entries() -> None:
    hasher = SecretHasher()
    objects = read(DATA / "edge_versions_plan.json", hasher)
    assert objects["provider registry.terraform.io/hashicorp/aws"] == {"version": Leaf(">= 5.10, ~> 5.0", "version")}
    assert "provider registry.terraform.io/hashicorp/random" not in objects
    assert objects["module db"] == {
        "source": Leaf("terraform-aws-modules/rds/aws", "version"),
        "version": Leaf("6.1.0", "version"),
    }
    assert objects["module db.subnets"] == {"source": Leaf("./subnets", "version")}
    assert "data.aws_ami.base" not in objects
    assert "aws_instance.old" not in objects  # only in resource_changes (a delete)
    web = objects["aws_instance.web[0]"]
    assert web["ami"] == Leaf("ami-0123456789abcdef0", "image")
    assert web["instance_type"] == Leaf("m6i.large", "capacity")
    assert web["root_block_device[0].volume_size"] == Leaf(50, "capacity")
    assert web["root_block_device[0].iops"] == Leaf(UNKNOWN_AFTER_APPLY, "config")
    assert web["tags[app.kubernetes.io/part-of]"] == Leaf("shop", "config")
    assert web["user_data"] == Leaf(hasher.digest("export API_TOKEN=CANARY-edge-userdata-8c1f"), "secret")
    db = objects["module.db.aws_db_instance.main"]
    assert db["master_password"] == Leaf(hasher.digest("CANARY-edge-dbpass-3a9b"), "secret")
    assert db["settings.opaque"] == Leaf(hasher.digest("CANARY-edge-nested-6e4d"), "secret")
    assert db["settings.visible"] == Leaf("yes", "config")
    assert db["parameter[work_mem].value"] == Leaf("64MB", "config")  # nested block keyed by `name`
    assert "parameter[work_mem].name" not in db
    assert objects["output db_url"] == {
        "value": Leaf(hasher.digest("postgres://app:CANARY-edge-url-5d2e@db.example/app"), "secret")
    }
    assert objects["output endpoints"] == {
        "value.api": Leaf("https://api.example", "config"),
        "value.ports": Leaf("[443,8443]", "config"),
        "value.lb": Leaf(UNKNOWN_AFTER_APPLY, "config"),
    }


def test_real_plans_production_and_staging() -> None:
    hasher = SecretHasher()
    prod = read(DATA / "plan_production.json", hasher)
    staging = read(DATA / "plan_staging.json", hasher)
    assert prod["terraform"] == {"version": Leaf("1.11.4", "version")}
    app = prod["terraform_data.app"]
    assert app["input.image"].category == "image"
    assert app["input.image"].value.endswith("@sha256:" + "1" * 64)
    assert staging["terraform_data.app"]["input.image"].value.endswith("@sha256:" + "2" * 64)
    assert app["input.replica_count"] == Leaf(3, "capacity")
    assert staging["terraform_data.app"]["input.replica_count"] == Leaf(1, "capacity")
    assert app["input.engine_version"] == Leaf("15.4", "version")
    assert app["id"] == Leaf(UNKNOWN_AFTER_APPLY, "config")
    assert prod["terraform_data.db"]["input.password"] == Leaf(hasher.digest("CANARY-prod-s3cr3t-7f3a"), "secret")
    assert prod["terraform_data.db"]["input.instance_class"] == Leaf("db.r6g.large", "capacity")
    assert prod["output app_id"] == {"value": Leaf(UNKNOWN_AFTER_APPLY, "config")}
    assert prod["output settings"] == {"value.log_level": Leaf("warn", "config"), "value.replicas": Leaf(3, "capacity")}
    assert prod["module worker"] == {"source": Leaf("./worker", "version")}
    assert "module.worker.terraform_data.worker[1]" in prod
    assert "module.worker.terraform_data.worker[1]" not in staging


def test_real_plans_compared_show_the_differences_and_no_secret() -> None:
    hasher = SecretHasher()
    prod = load_snapshot(DATA / "plan_production.json", hasher)
    staging = load_snapshot(DATA / "plan_staging.json", hasher)
    assert prod.source == staging.source == "terraform"
    parity = compare(prod, staging, None, ("production", "staging"), NOW)
    found = {(d.object, d.field): d for d in parity.differences}
    image = found[("terraform_data.app", "input.image")]
    assert image.category == "image"
    assert found[("terraform_data.app", "input.replica_count")].category == "capacity"
    assert found[("terraform_data.db", "input.password")].category == "secret"
    assert found[("terraform_data.db", "input.password")].secret == "differs"
    assert found[("module.worker.terraform_data.worker[1]", "")].category == "missing"
    assert ("terraform_data.app", "input.engine_version") not in found
    assert ("terraform_data.app", "id") not in found  # unknown on both sides
    text = json.dumps(parity.model_dump(mode="json")) + repr(prod) + repr(staging)
    for canary in CANARIES:
        assert canary not in text


def test_real_states_read_values() -> None:
    hasher = SecretHasher()
    prod = read(DATA / "state_production.json", hasher)
    plan = read(DATA / "plan_production.json", hasher)
    raw = json.loads((DATA / "state_production.json").read_text())
    app_id = raw["values"]["outputs"]["app_id"]["value"]
    assert prod["terraform_data.app"]["id"] == Leaf(app_id, "config")
    assert prod["output app_id"] == {"value": Leaf(app_id, "config")}
    assert prod["output db_password"] == {"value": Leaf(hasher.digest("CANARY-prod-s3cr3t-7f3a"), "secret")}
    assert prod["terraform_data.app"]["output.replica_count"] == Leaf(3, "capacity")
    # the state and the plan of one environment agree on every input; only values known after apply differ
    for address in ("terraform_data.app", "terraform_data.db"):
        for field, leaf in plan[address].items():
            if leaf.value != UNKNOWN_AFTER_APPLY:
                assert prod[address][field] == leaf, (address, field)
    assert "module worker" not in prod  # a state holds no configuration


def test_secret_values_never_appear_in_any_snapshot() -> None:
    for path in SAMPLES:
        snapshot = load_snapshot(path, SecretHasher())
        text = repr(snapshot)
        for canary in CANARIES:
            assert canary not in text, (path.name, canary)


def test_changed_value_differs(tmp_path: Path) -> None:
    hasher = SecretHasher()
    document = json.loads((DATA / "edge_versions_plan.json").read_text())
    document["planned_values"]["root_module"]["resources"][1]["values"]["instance_type"] = "m6i.xlarge"
    changed = tmp_path / "plan.json"
    changed.write_text(json.dumps(document))
    before, after = read(DATA / "edge_versions_plan.json", hasher), read(changed, hasher)
    assert before["aws_instance.web[0]"]["instance_type"] != after["aws_instance.web[0]"]["instance_type"]
    assert after["aws_instance.web[0]"]["instance_type"] == Leaf("m6i.xlarge", "capacity")


@pytest.mark.parametrize(
    ("name", "category"),
    [
        ("instance_type", "capacity"),
        ("desired_capacity", "capacity"),
        ("min_size", "capacity"),
        ("max_size", "capacity"),
        ("node_count", "capacity"),
        ("count", "capacity"),
        ("allocated_storage", "capacity"),
        ("scaling_config[0].desired_size", "capacity"),
        ("ami", "image"),
        ("image_id", "image"),
        ("container_image", "image"),
        ("engine_version", "version"),
        ("kubernetes_version", "version"),
        ("runtime", "version"),
        ("account_id", "config"),
        ("name", "config"),
    ],
)
def test_category_by_attribute_name(name: str, category: str) -> None:
    assert category_of(name, "x") == category


def test_detect_needs_both_version_keys() -> None:
    assert TerraformSource.detect(Path("a.json"), b'{"format_version":"1.0","terraform_version":"1.9.0"}')
    assert not TerraformSource.detect(Path("a.json"), b'{"format_version":"1.0"}')
    assert not TerraformSource.detect(Path("a.json"), b'{"terraform_version":"1.9.0"}')
    assert not TerraformSource.detect(Path("a.json"), b'["format_version", "terraform_version"]')


def test_state_without_resources_gives_only_the_version(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    path.write_text('{"format_version": "1.0", "terraform_version": "1.11.4"}')
    assert read(path) == {"terraform": {"version": Leaf("1.11.4", "version")}}


def failure(tmp_path: Path, text: str) -> str:
    """The one-line error reading `text` as a Terraform JSON (path shown as plan.json)."""
    path = tmp_path / "plan.json"
    path.write_text(text)
    with pytest.raises(InputError) as caught:
        read(path)
    return str(caught.value).replace(str(path), "plan.json")


def test_unsupported_format_version_sample() -> None:
    path = DATA / "unsupported_format.json"
    assert detect_source(path) is TerraformSource
    with pytest.raises(InputError) as caught:
        load_snapshot(path, SecretHasher())
    assert str(caught.value) == f"{path}: unsupported format_version 2.0 {SUPPORTED}"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '{"format_version": "0.3", "terraform_version": "1.0.0"}',
            f"plan.json: unsupported format_version 0.3 {SUPPORTED}",
        ),
        (
            '{"format_version": 1.0, "terraform_version": "1.0.0"}',
            f"plan.json: unsupported format_version 1.0 {SUPPORTED}",
        ),
        ('{"terraform_version": "1.0.0"}', f"plan.json: unsupported format_version null {SUPPORTED}"),
        ('{"format_version": "1.0", "terraform_version": 1}', "plan.json: terraform_version is not a version string"),
        (
            '{"format_version": "1.2", "terraform_version": "1.9.0", "planned_values": {"root_module": {"resources": [',
            "plan.json:1:106: malformed JSON: Expecting value",
        ),
        ("", "plan.json: file is empty, expected JSON"),
        ('["format_version", "terraform_version"]', "plan.json: the document is a list, expected a mapping"),
        (
            '{"format_version": "1.0", "terraform_version": "1.9.0", "values": {"root_module": []}}',
            "plan.json: values.root_module is a list, expected a mapping",
        ),
        (
            '{"format_version": "1.2", "terraform_version": "1.9.0", '
            '"planned_values": {"root_module": {"resources": {}}}}',
            "plan.json: planned_values.root_module.resources is a mapping, expected a list",
        ),
        (
            '{"format_version": "1.2", "terraform_version": "1.9.0", "planned_values": {}, "resource_changes": {}}',
            "plan.json: resource_changes is a mapping, expected a list",
        ),
        (
            '{"format_version": "1.0", "terraform_version": "1.9.0", "values": {"root_module": {"resources": [{}]}}}',
            "plan.json: values.root_module: a resource has no address",
        ),
        (
            '{"format_version": "1.0", "terraform_version": "1.9.0", "values": {"root_module": {"resources": ['
            '{"address": "a.b", "values": {}}, {"address": "a.b", "values": {}}]}}}',
            "plan.json: resource a.b appears twice",
        ),
        (
            '{"format_version": "1.0", "terraform_version": "1.9.0", "values": {"root_module": {"resources": ['
            '{"address": "a.b", "values": []}]}}}',
            "plan.json: a.b.values is a list, expected a mapping",
        ),
    ],
)
def test_failure_paths(tmp_path: Path, text: str, message: str) -> None:
    assert failure(tmp_path, text) == message
