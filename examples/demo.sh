#!/usr/bin/env bash
# End-to-end example: run the checkout service's tests, collect the report as evidence, bundle it
# about one release, sign it twice (CI and QA), verify it against the trust policy, then show that
# tampering and a wrong release are caught. Run through `make demo`.
set -euo pipefail
cd "$(dirname "$0")"
OUT=out
COMMIT=3f786850e387550fdab836ed7e6dc881de23001b
rm -rf "$OUT" && mkdir -p "$OUT/keys"

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }

echo "== 1. run the example service's test suite (real pytest, JUnit XML report)"
(cd checkout && python -m pytest -q -p no:cacheprovider --junitxml="../$OUT/junit.xml" -o junit_family=xunit2 tests) || true

echo; echo "== 2. keys for the two signers"
step readiness keygen --out "$OUT/keys/ci-release"
step readiness keygen --out "$OUT/keys/qa-lead" --algorithm ecdsa-p256

echo; echo "== 3. collect -> bundle -> sign -> co-sign"
step readiness collect "$OUT/junit.xml" --id tests-unit --environment staging -o "$OUT/tests-unit.json"
step readiness bundle "$OUT/tests-unit.json" --service checkout --version 1.42.0 --commit "$COMMIT" \
  --environment staging --target-environment production --tier critical -o "$OUT/statement.json"
step readiness sign "$OUT/statement.json" --key "$OUT/keys/ci-release.key" -o "$OUT/envelope.json"
step readiness sign "$OUT/envelope.json" --key "$OUT/keys/qa-lead.key" -o "$OUT/envelope.json"

echo; echo "== 4. verify against the trust policy (2 of 2 signers, tests present and under 7 days old)"
step readiness verify "$OUT/envelope.json" --trust checkout/trust.yaml --commit "$COMMIT"

echo; echo "== 5. what a verifier catches (each exits 3)"
python - "$OUT/envelope.json" "$OUT/tampered.json" <<'PY'
import base64, json, sys
envelope = json.load(open(sys.argv[1]))
statement = json.loads(base64.b64decode(envelope["payload"]))
statement["predicate"]["evidence"][0]["item"]["data"]["totals"]["failed"] = 0
envelope["payload"] = base64.b64encode(json.dumps(statement).encode()).decode()
json.dump(envelope, open(sys.argv[2], "w"))
PY
set +e
step readiness verify "$OUT/tampered.json" --trust checkout/trust.yaml
echo "exit code $?"
step readiness verify "$OUT/envelope.json" --trust checkout/trust.yaml --commit 0000000000000000000000000000000000000000
echo "exit code $?"
set -e

echo; echo "== decision input is ready: $OUT/envelope.json verified; policy evaluation (go / no-go) builds on it"
readiness verify "$OUT/envelope.json" --trust checkout/trust.yaml --commit "$COMMIT"
