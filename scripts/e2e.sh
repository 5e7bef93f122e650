#!/usr/bin/env bash
# End-to-end tests of the console: builds it with Trunk, serves it with a
# real `keyward serve` (temporary SQLite database, free loopback port) and
# runs the Playwright suite in end2end/ against it in Debian's Chromium.
# A real OpenID provider (npm `oidc-provider`, installed with the test
# runner) runs on loopback too, so the console offers both ways in.
# Installs what is missing first, saying so. Exits non-zero if anything failed.
# Arguments go to Playwright (e.g. `scripts/e2e.sh tests/oidc.spec.ts`).
set -euo pipefail

cd "$(dirname "$0")/.."
. scripts/lib.sh

ensure_browser_tools
# The webhooks spec's receiver verifies with the Standard Webhooks reference library.
ensure_webhook_receiver
build_console

say "Building keyward"
cargo build --locked --bin keyward
KEYWARD_BIN="$CARGO_TARGET_DIR/debug/keyward"

work=$(mktemp -d)
server_pid=""
provider_pid=""
stop_server() {
    for pid in "$server_pid" "$provider_pid"; do
        if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
            kill "$pid"
            wait "$pid" 2>/dev/null || true
        fi
    done
    rm -rf "$work"
}
trap stop_server EXIT

# Keyward's address must be known before it starts: the provider only
# sends people back to the redirect URI registered for its client.
keyward_port=$(free_port)
provider_port=$(free_port)
keyward_url="http://127.0.0.1:$keyward_port"
head -c 24 /dev/urandom | base64 >"$work/oidc-secret"
say "Starting the OpenID provider (oidc-provider) on 127.0.0.1:$provider_port"
(cd end2end && OIDC_PORT="$provider_port" OIDC_REDIRECT_URI="$keyward_url/auth/oidc/callback" \
    OIDC_CLIENT_SECRET_FILE="$work/oidc-secret" exec node oidc-provider.mjs) \
    >"$work/provider.out" 2>"$work/provider.err" &
provider_pid=$!
for _ in $(seq 1 100); do
    grep -q 'oidc-provider is listening' "$work/provider.out" && break
    if ! kill -0 "$provider_pid" 2>/dev/null; then
        echo "the OpenID provider exited before listening:" >&2
        cat "$work/provider.err" >&2
        exit 1
    fi
    sleep 0.1
done
if ! grep -q 'oidc-provider is listening' "$work/provider.out"; then
    echo "the OpenID provider did not listen within 10 s" >&2
    exit 1
fi

export DATABASE_URL="sqlite://$work/keyward.db?mode=rwc"
say "Starting keyward serve on a free loopback port"
# Use is recorded every 250 ms so the rotation wizard sees traffic quickly.
# Webhooks may go to http:// on loopback: the spec's receiver listens there.
KEYWARD_USAGE_FLUSH_MS=250 "$KEYWARD_BIN" serve --bind "127.0.0.1:$keyward_port" --no-bootstrap --console-dir dist \
    --public-url "$keyward_url" --oidc-issuer "http://127.0.0.1:$provider_port" --oidc-client-id keyward \
    --oidc-client-secret-file "$work/oidc-secret" --oidc-provider-name "Test IdP" \
    --webhooks-allow-http --webhooks-allow-private \
    >"$work/server.out" 2>"$work/server.err" &
server_pid=$!

url=$(wait_for_keyward "$server_pid" "$work/server.out" "$work/server.err")
echo "keyward is serving the console at $url"

say "Running the Playwright suite"
status=0
receiver="$PWD/scripts/webhooks/receiver.py"
(cd end2end && KEYWARD_URL="$url" KEYWARD_BIN="$KEYWARD_BIN" CHROMIUM_PATH="$CHROMIUM" \
    KEYWARD_WEBHOOK_RECEIVER="$receiver" OIDC_PROVIDER_NAME="Test IdP" npx playwright test "$@") || status=$?

# No token may ever reach the server's output (it never prints one with --no-bootstrap).
if grep -Eq 'kw_(live|test)_[A-Za-z0-9]{20,}' "$work/server.out" "$work/server.err"; then
    echo "FAILED: a token appeared in keyward's output" >&2
    status=1
fi
# Nor the client secret or an ID token.
if grep -Fq "$(cat "$work/oidc-secret")" "$work/server.out" "$work/server.err" \
    || grep -Eq 'eyJ[A-Za-z0-9_-]{20,}\.' "$work/server.out" "$work/server.err"; then
    echo "FAILED: an OpenID Connect secret appeared in keyward's output" >&2
    status=1
fi
if [ "$status" -ne 0 ]; then
    echo "keyward's log (stderr) for the failed run:" >&2
    tail -n 50 "$work/server.err" >&2
fi
exit "$status"
