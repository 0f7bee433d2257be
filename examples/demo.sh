#!/usr/bin/env bash
# End-to-end example on the checkout service: two releases, each run through the whole pipeline.
#   1.42.0  all tests pass                      -> GO
#   1.43.0  a rounding change breaks a test,    -> NO-GO, naming the failing test and the slow endpoint
#           and checkout got slow under load (and so fails the instance-loss drill's latency hypothesis)
#           and a new receipt printer call runs a shell command built from settings (Bandit: B602, high),
#           and its staging lacks a setting production has (readiness parity: PAYMENT_TIMEOUT_MS)
# For each: run the release's test suite under coverage (real pytest and coverage.py: JUnit XML, coverage
# JSON) and a static analysis of its code (real Bandit, JSON); deploy it to a local slot
# (checkout/localdeploy.py: one instance under a supervisor on 127.0.0.1) and run the instance-loss
# experiment on it (real Chaos Toolkit journal); run a deployment and rollback drill with `readiness drill
# run` (deploy, health, roll back to production's 1.41.3, health); compare staging with production
# (readiness parity); collect everything as evidence, bundle it about the release, sign it (CI) and
# co-sign it (QA lead), verify it against the trust policy, and gate it with the built-in policy library
# plus the team's threshold overrides (checkout/policy-data.yaml). Keys are generated here, never committed.
# The load tests were run with the real k6 against examples/checkout/server.py (see
# examples/checkout/evidence/SOURCES.md): 1.43.0 also re-validates prices synchronously on checkout
# and blows its p95 budget. Run through `make demo`; outputs land in examples/out/.
set -euo pipefail
cd "$(dirname "$0")"
OUT=out
POLICY=../policies
rm -rf "$OUT" && mkdir -p "$OUT/keys"

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }

# Stop every local slot the demo started, however it ends.
stop_slots() { for slot in "$OUT"/*/slot; do [ -d "$slot" ] && python checkout/localdeploy.py stop --slot "$slot"; done; true; }
trap stop_slots EXIT
free_port() { python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

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
  echo "== run the release's test suite under coverage (real pytest and coverage.py: JUnit XML, coverage JSON)"
  (cd checkout && PYTHONPATH="releases/$release" COVERAGE_FILE="../$dir/.coverage" python -m coverage run --branch \
      --source="releases/$release/service" -m pytest -q -p no:cacheprovider \
      --junitxml="../$dir/junit.xml" -o junit_family=xunit2 tests) || true
  (cd checkout && COVERAGE_FILE="../$dir/.coverage" python -m coverage json -q -o "../$dir/coverage.json")

  echo "== scan the release's code (real Bandit, JSON report; exit 1 means it found something)"
  (cd "checkout/releases/$release" && bandit -r service -f json -o "../../../$dir/bandit.json" -q) || true

  echo "== compare staging (running $release) with production: Kubernetes manifests, allow-rules for the expected differences"
  step readiness parity --baseline checkout/deploy/rendered/production.yaml \
    --candidate "checkout/deploy/rendered/staging-$release.yaml" --rules checkout/deploy/parity-rules.yaml \
    --id parity-staging --environment staging -o "$dir/parity-staging.json"

  echo "== deploy the release to a local slot and run the instance-loss experiment on it (real Chaos Toolkit)"
  slot="$dir/slot"
  port=$(free_port)
  python checkout/localdeploy.py deploy "$release" --slot "$slot" --port "$port"
  for _ in $(seq 50); do python checkout/localdeploy.py health --slot "$slot" --port "$port" 2>/dev/null && break; sleep 0.2; done
  (CHECKOUT_SLOT="$slot" CHECKOUT_PORT="$port" PYTHONPATH=checkout/chaos chaos --no-version-check \
      --log-file "$dir/chaos.log" run --journal-path "$dir/chaos-journal.json" checkout/chaos/instance-loss.json) || true

  echo "== deployment and rollback drill: deploy $release, health check, roll back to production's 1.41.3, health check"
  deploy="python checkout/localdeploy.py"
  set +e
  step readiness drill run --deploy "$deploy deploy $release --slot $slot --port $port" \
    --health "$deploy health --slot $slot --port $port" --rollback "$deploy deploy 1.41.3 --slot $slot --port $port" \
    --timeout 60 --health-timeout 30 --health-interval 0.2 --target "checkout $release" \
    --id rollout-staging --environment staging -o "$dir/rollout.json"
  code=$?
  set -e
  [ "$code" -le 1 ] || { echo "drill run failed with exit code $code"; exit "$code"; }
  python checkout/localdeploy.py stop --slot "$slot"

  echo "== collect -> bundle -> sign -> co-sign"
  step readiness collect "$dir/junit.xml" --id tests-unit --environment staging -o "$dir/tests-unit.json"
  step readiness collect "$dir/coverage.json" --id coverage-unit --environment staging -o "$dir/coverage-unit.json"
  step readiness collect "$dir/chaos-journal.json" --id dr-instance-loss --environment staging \
    -o "$dir/dr-instance-loss.json"
  step readiness collect "checkout/evidence/$release/k6-summary.json" --id load-k6-checkout --environment staging \
    -o "$dir/load-k6.json"
  step readiness collect "$dir/bandit.json" --id security-bandit --environment staging -o "$dir/security-bandit.json"
  step readiness bundle "$dir/tests-unit.json" "$dir/coverage-unit.json" "$dir/load-k6.json" \
    "$dir/security-bandit.json" "$dir/parity-staging.json" "$dir/dr-instance-loss.json" "$dir/rollout.json" --service checkout --version "$release" --commit "$commit" \
    --environment staging --target-environment production --tier standard -o "$dir/statement.json"
  step readiness sign "$dir/statement.json" --key "$OUT/keys/ci-release.key" -o "$dir/envelope.json"
  step readiness sign "$dir/envelope.json" --key "$OUT/keys/qa-lead.key" -o "$dir/envelope.json"

  echo "== verify against the trust policy (2 of 2 signers; tests, coverage, load, security, parity, dr, rollout present and fresh)"
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
