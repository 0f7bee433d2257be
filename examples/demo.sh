#!/usr/bin/env bash
# End-to-end example on the checkout service: two releases, each run through the whole pipeline.
#   1.42.0  all tests pass                      -> GO
#   1.43.0  a rounding change breaks a test,    -> NO-GO, naming the failing test and the slow endpoint
#           and checkout got slow under load
#           and a new receipt printer call runs a shell command built from settings (Bandit: B602, high),
#           and its staging lacks a setting production has (readiness parity: PAYMENT_TIMEOUT_MS)
# For each: run the release's test suite (real pytest, JUnit XML) and a static analysis of its code
# (real Bandit, JSON), collect them as evidence, bundle them about the release, sign it (CI) and
# co-sign it (QA lead), verify it against the trust policy, and gate it with the built-in policy
# library plus the team's threshold overrides (checkout/policy-data.yaml). Keys are generated here,
# never committed.
# The load tests were run with the real k6 against examples/checkout/server.py (see
# examples/checkout/evidence/SOURCES.md): 1.43.0 also re-validates prices synchronously on checkout
# and blows its p95 budget. Run through `make demo`; outputs land in examples/out/.
set -euo pipefail
cd "$(dirname "$0")"
OUT=out
POLICY=../policies
rm -rf "$OUT" && mkdir -p "$OUT/keys"

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }

echo "== keys for the two signers (generated now, never committed)"
step readiness keygen --out "$OUT/keys/ci-release"
step readiness keygen --out "$OUT/keys/qa-lead" --algorithm ecdsa-p256

declare -A DECISION
for release in 1.42.0 1.43.0; do
  dir="$OUT/$release"
  mkdir -p "$dir"
  commit=$(printf 'checkout %s' "$release" | sha1sum | cut -c1-40)
  echo
  echo "================ checkout $release (commit $commit) ================"
  echo "== run the release's test suite (real pytest, JUnit XML report)"
  (cd checkout && PYTHONPATH="releases/$release" python -m pytest -q -p no:cacheprovider \
      --junitxml="../$dir/junit.xml" -o junit_family=xunit2 tests) || true

  echo "== scan the release's code (real Bandit, JSON report; exit 1 means it found something)"
  (cd "checkout/releases/$release" && bandit -r service -f json -o "../../../$dir/bandit.json" -q) || true

  echo "== compare staging (running $release) with production: Kubernetes manifests, allow-rules for the expected differences"
  step readiness parity --baseline checkout/deploy/rendered/production.yaml \
    --candidate "checkout/deploy/rendered/staging-$release.yaml" --rules checkout/deploy/parity-rules.yaml \
    --id parity-staging --environment staging -o "$dir/parity-staging.json"

  echo "== collect -> bundle -> sign -> co-sign"
  step readiness collect "$dir/junit.xml" --id tests-unit --environment staging -o "$dir/tests-unit.json"
  step readiness collect "checkout/evidence/$release/k6-summary.json" --id load-k6-checkout --environment staging \
    -o "$dir/load-k6.json"
  step readiness collect "$dir/bandit.json" --id security-bandit --environment staging -o "$dir/security-bandit.json"
  step readiness bundle "$dir/tests-unit.json" "$dir/load-k6.json" "$dir/security-bandit.json" \
    "$dir/parity-staging.json" --service checkout --version "$release" --commit "$commit" \
    --environment staging --target-environment production --tier standard -o "$dir/statement.json"
  step readiness sign "$dir/statement.json" --key "$OUT/keys/ci-release.key" -o "$dir/envelope.json"
  step readiness sign "$dir/envelope.json" --key "$OUT/keys/qa-lead.key" -o "$dir/envelope.json"

  echo "== verify against the trust policy (2 of 2 signers, tests, load, security and parity present and fresh)"
  step readiness verify "$dir/envelope.json" --trust checkout/trust.yaml --commit "$commit"

  echo "== gate: evaluate with the built-in policies (exit 0 go, 1 no-go)"
  set +e
  step readiness gate "$dir/envelope.json" --policy "$POLICY" --data checkout/policy-data.yaml \
    --trust checkout/trust.yaml --commit "$commit" \
    --format terminal --format json="$dir/report.json" --format markdown="$dir/summary.md" \
    --format junit="$dir/readiness-junit.xml"
  code=$?
  set -e
  case $code in
    0) DECISION[$release]="GO" ;;
    1) DECISION[$release]="NO-GO" ;;
    *) echo "gate failed with exit code $code"; exit "$code" ;;
  esac
done

echo
echo "================ decisions ================"
for release in 1.42.0 1.43.0; do
  printf 'checkout %-8s %-6s reports: %s/{report.json,summary.md,readiness-junit.xml}\n' \
    "$release" "${DECISION[$release]}" "examples/$OUT/$release"
done
