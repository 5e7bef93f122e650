#!/usr/bin/env bash
# End-to-end tests of the console: builds it with Trunk, serves it with a
# real `keyward serve` (temporary SQLite database, free loopback port) and
# runs the Playwright suite in end2end/ against it in Debian's Chromium.
# Installs what is missing first, saying so. Exits non-zero if anything failed.
set -euo pipefail

cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/keyward/target}"
export PATH="$HOME/.cargo/bin:$PATH"

TRUNK_VERSION=0.21.14
CHROMIUM=/usr/bin/chromium

say() { printf '\n==> %s\n' "$*"; }

install_tools() {
    if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
        say "Installing the wasm32-unknown-unknown target"
        rustup target add wasm32-unknown-unknown
    fi
    # Trunk uses the wasm-bindgen in PATH only at exactly the version in Cargo.lock.
    local bindgen_version
    bindgen_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
    if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $bindgen_version" ]; then
        say "Installing wasm-bindgen-cli $bindgen_version (matches Cargo.lock; takes a few minutes)"
        # Not --locked: its lock file pins a crate version the registry does not serve.
        cargo install wasm-bindgen-cli --version "$bindgen_version"
    fi
    if [ "$(trunk --version 2>/dev/null)" != "trunk $TRUNK_VERSION" ]; then
        say "Installing Trunk $TRUNK_VERSION (takes about 15 minutes on 2 cores)"
        cargo install --locked trunk --version "$TRUNK_VERSION"
    fi
    if [ ! -x "$CHROMIUM" ]; then
        say "Installing Debian's Chromium"
        apt-get update
        apt-get install -y chromium
    fi
    if ! command -v npm >/dev/null; then
        say "Installing Node.js and npm"
        apt-get update
        apt-get install -y nodejs npm
    fi
    if [ ! -d end2end/node_modules/@playwright/test ] || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
        say "Installing the Playwright test runner (npm ci; no browser download)"
        (cd end2end && npm ci --no-audit --no-fund)
    fi
}

install_tools

say "Building the console (trunk build --release --offline)"
trunk build --release --offline

say "Building keyward"
cargo build --bin keyward
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
KEYWARD_USAGE_FLUSH_MS=250 "$KEYWARD_BIN" serve --bind 127.0.0.1:0 --no-bootstrap --console-dir dist \
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
(cd end2end && KEYWARD_URL="$url" KEYWARD_BIN="$KEYWARD_BIN" CHROMIUM_PATH="$CHROMIUM" npx playwright test) || status=$?

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
