#!/usr/bin/env bash
# Runs Keyward on this machine: builds the console and the release binary,
# then serves both on KEYWARD_BIND (default 127.0.0.1:3000) over the
# embedded SQLite database in ./data/. On the first start it creates a
# region and prints its first API key once: open the URL and sign in with it.
# Extra arguments go to `keyward serve` (see `keyward serve --help`).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
need_cargo

build_console

say "Building keyward (release; the first build takes a few minutes)"
cargo build --release --locked --bin keyward

say "Starting keyward (Ctrl-C stops it)"
exec "$CARGO_TARGET_DIR/release/keyward" serve "$@"
