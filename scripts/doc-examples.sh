#!/usr/bin/env bash
# Runs every shell example of the README and the book that is marked
# ```sh,run against a real `keyward serve` (free loopback port, temporary
# SQLite database). scripts/doc_examples.py extracts them, one script per
# document; each document gets a region of its own and runs its blocks in
# order in one shell, with KEYWARD_URL and KEY (the region's first key)
# set, and the status written after each call (`# 201`) checked.
# Exits non-zero on the first example that fails.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
need_cargo
# The examples read JSON with jq and sign with openssl.
command -v jq >/dev/null || apt_install jq
command -v openssl >/dev/null || apt_install openssl

work=$(mktemp -d)
server_pid=""
stop_server() {
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
        kill "$server_pid"
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap stop_server EXIT

say "Extracting the runnable examples (scripts/doc_examples.py)"
python3 scripts/doc_examples.py "$work/scripts" >"$work/documents"
sed 's/^/    /' "$work/documents"

say "Building keyward"
cargo build --locked --bin keyward
KEYWARD_BIN="$CARGO_TARGET_DIR/debug/keyward"

# The examples run in this directory, with what the leak chapter's setup
# block (not run: it starts ./scripts/run.sh) makes: a partner's key pair
# and its public key in GitHub's format, which the server is started with.
examples="$work/examples"
mkdir -p "$examples"
(
    cd "$examples"
    openssl ecparam -name prime256v1 -genkey -noout -out partner.pem
    openssl ec -in partner.pem -pubout -out partner.pub.pem 2>/dev/null
    python3 -c 'import json; print(json.dumps({"public_keys": [{"key_identifier": "local-1",
        "key": open("partner.pub.pem").read(), "is_current": True}]}))' >partner-keys.json
)

export DATABASE_URL="sqlite://$work/keyward.db?mode=rwc"
say "A region per document, each with its first key"
while read -r document; do
    "$KEYWARD_BIN" region create --name "${document%.sh}" --json </dev/null | jq -r .api_key.token >"$work/scripts/$document.key"
done <"$work/documents"

say "Starting keyward serve on a free loopback port"
# Made before the server starts, so reading them never races its start.
: >"$work/server.out"
: >"$work/server.err"
port=$(free_port)
"$KEYWARD_BIN" serve --bind "127.0.0.1:$port" --no-bootstrap --console-dir "$work/no-console" \
    --github-scanning-keys "$examples/partner-keys.json" \
    >"$work/server.out" 2>"$work/server.err" &
server_pid=$!
url=$(wait_for_keyward "$server_pid" "$work/server.out" "$work/server.err")

# What every document's shell starts with: curl keeps the headers of its
# last answer, and expect_status compares that answer's status.
cat >"$work/prelude.sh" <<'PRELUDE'
set -euo pipefail
curl() { command curl -D "$KEYWARD_DOC_HEADERS" "$@"; }
expect_status() {
    local actual
    actual=$(awk 'toupper($1) ~ /^HTTP\// { status = $2 } END { print status }' "$KEYWARD_DOC_HEADERS")
    if [ "$actual" != "$1" ]; then
        echo "FAILED at $2: expected HTTP $1, got ${actual:-no answer}" >&2
        exit 1
    fi
    : >"$KEYWARD_DOC_HEADERS"
}
PRELUDE

status=0
while read -r document; do
    say "Running the examples of ${document#??-} ($(grep -c '^expect_status' "$work/scripts/$document") statuses checked)"
    if ! (cd "$examples" && KEYWARD_URL="$url" KEY="$(cat "$work/scripts/$document.key")" \
        KEYWARD_DOC_HEADERS="$work/headers" bash -c ". '$work/prelude.sh'; . '$work/scripts/$document'") \
        </dev/null >"$work/output" 2>&1; then
        cat "$work/output" >&2
        status=1
        break
    fi
done <"$work/documents"

if [ "$status" -ne 0 ]; then
    echo "keyward's log (stderr):" >&2
    tail -n 20 "$work/server.err" >&2
    exit 1
fi
say "Every example ran as written"
