#!/usr/bin/env bash
# End-to-end tests of the console: builds it with Trunk, serves it with a
# real `keyward serve` (temporary SQLite database, free loopback port) and
# runs the Playwright suite in end2end/ against it in Debian's Chromium.
# Installs what is missing first, saying so. Exits non-zero if anything failed.
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
stop_server() {
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
        kill "$server_pid"
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap stop_server EXIT

export DATABASE_URL="sqlite://$work/keyward.db?mode=rwc"
say "Starting keyward serve on a free loopback port"
# Use is recorded every 250 ms so the rotation wizard sees traffic quickly.
# Webhooks may go to http:// on loopback: the spec's receiver listens there.
KEYWARD_USAGE_FLUSH_MS=250 "$KEYWARD_BIN" serve --bind 127.0.0.1:0 --no-bootstrap --console-dir dist \
    --webhooks-allow-http --webhooks-allow-private \
    >"$work/server.out" 2>"$work/server.err" &
server_pid=$!

url=""
for _ in $(seq 1 300); do
    url=$(sed -n 's/^Keyward is listening on \(http:\/\/[^ ]*\)$/\1/p' "$work/server.out")
    [ -n "$url" ] && break
    if ! kill -0 "$server_pid" 2>/dev/null; then
        echo "keyward serve exited before listening:" >&2
        cat "$work/server.err" >&2
        exit 1
    fi
    sleep 0.1
done
if [ -z "$url" ]; then
    echo "keyward serve did not report its address within 30 s" >&2
    exit 1
fi
echo "keyward is serving the console at $url"

say "Running the Playwright suite"
status=0
receiver="$PWD/scripts/webhooks/receiver.py"
(cd end2end && KEYWARD_URL="$url" KEYWARD_BIN="$KEYWARD_BIN" CHROMIUM_PATH="$CHROMIUM" \
    KEYWARD_WEBHOOK_RECEIVER="$receiver" npx playwright test "$@") || status=$?

# No token may ever reach the server's output (it never prints one with --no-bootstrap).
if grep -Eq 'kw_(live|test)_[A-Za-z0-9]{20,}' "$work/server.out" "$work/server.err"; then
    echo "FAILED: a token appeared in keyward's output" >&2
    status=1
fi
if [ "$status" -ne 0 ]; then
    echo "keyward's log (stderr) for the failed run:" >&2
    tail -n 50 "$work/server.err" >&2
fi
exit "$status"
