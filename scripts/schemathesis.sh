#!/usr/bin/env bash
# The API against its own contract: Schemathesis (from PyPI, in a venv under
# ~/.cache/keyward) generates requests from /openapi.json and checks every
# answer against it (--checks all: status codes, content types, headers,
# schemas, no 5xx), with a fixed seed, including its stateful phase, against
# a real `keyward serve` on the Postgres of $KEYWARD_TEST_POSTGRES_URL (a
# fresh database). Leak-report partner keys are configured, so those
# endpoints are exercised too (no request can be signed: each is a 401).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
need_cargo
: "${KEYWARD_TEST_POSTGRES_URL:?run with a Postgres, e.g. from scripts/test.sh}"

venv="$HOME/.cache/keyward/schemathesis-venv"
if ! "$venv/bin/st" --version 2>/dev/null | grep -q '4\.'; then
    say "Installing Schemathesis 4 from PyPI into $venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet 'schemathesis>=4.32,<5'
fi

cargo build --locked --bin keyward
bin="$CARGO_TARGET_DIR/debug/keyward"
work=$(mktemp -d)
server_pid=""
database="keyward_schemathesis_$$"
cleanup() {
    if [ -n "$server_pid" ]; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    psql "$KEYWARD_TEST_POSTGRES_URL" -qc "DROP DATABASE IF EXISTS $database" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

base="${KEYWARD_TEST_POSTGRES_URL%/*}"
psql "$KEYWARD_TEST_POSTGRES_URL" -qc "CREATE DATABASE $database"
export DATABASE_URL="$base/$database"
token=$("$bin" region create --name schemathesis --json | python3 -c 'import json, sys; print(json.load(sys.stdin)["api_key"]["token"])')

port=$(free_port)
# Generous failure limits: Schemathesis sends wrong keys on purpose.
"$bin" serve --bind "127.0.0.1:$port" --no-bootstrap \
    --auth-failures-per-address 1000000 --auth-failures-per-key 1000000 --new-keys-per-minute 100000 \
    --github-scanning-keys scripts/schemathesis/partner-keys.json \
    --gitlab-scanning-keys scripts/schemathesis/partner-keys.json \
    >"$work/server.out" 2>"$work/server.err" &
server_pid=$!
for _ in $(seq 1 100); do
    grep -q '^Keyward is listening' "$work/server.out" && break
    sleep 0.1
done

# One worker: CPython 3.11 fails ("AST constructor recursion depth mismatch")
# when Hypothesis describes strategies in two threads at once.
say "Schemathesis against http://127.0.0.1:$port/openapi.json (seed 42)"
cd scripts/schemathesis
if ! "$venv/bin/st" run "http://127.0.0.1:$port/openapi.json" \
        --checks all --seed 42 --max-examples "${SCHEMATHESIS_EXAMPLES:-100}" --workers 1 \
        --header "x-api-key: $token" --suppress-health-check all --no-color ${SCHEMATHESIS_ARGS:-}; then
    echo "keyward's log (stderr):" >&2
    tail -n 50 "$work/server.err" >&2
    exit 1
fi
if grep -q 'status=5[0-9][0-9]' "$work/server.err"; then
    echo "the server answered 5xx during the run" >&2
    exit 1
fi
