#!/usr/bin/env bash
# Runs Keyward's whole test suite: format and lint checks, unit and
# integration tests against SQLite, the same tests against a throwaway
# Postgres 15 that this script starts and stops, Schemathesis against the
# running server on that Postgres, the book (built, its links checked,
# every example run), then the browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
need_cargo

say "Checking formatting and lints"
cargo fmt --all -- --check
cargo clippy --all-targets --locked -- -D warnings
# The console's components only compile for the browser.
rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
cargo clippy --locked -p frontend --target wasm32-unknown-unknown -- -D warnings

# The shipped reverse proxy configurations are tested with the real thing.
ensure_proxies
export KEYWARD_REQUIRE_PROXIES=1
# Webhooks are verified by the Standard Webhooks reference library.
ensure_webhook_receiver

say "Tests against SQLite (a temp file per test)"
cargo test --locked

say "Starting a throwaway Postgres 15 on loopback"
. scripts/postgres.sh
start_postgres
trap stop_postgres EXIT

say "Tests against Postgres ($KEYWARD_TEST_POSTGRES_URL)"
KEYWARD_TEST_POSTGRES_URL="$KEYWARD_TEST_POSTGRES_URL" cargo test --locked -p server -p domain --tests

say "The REST API against its OpenAPI document (Schemathesis, Postgres)"
KEYWARD_TEST_POSTGRES_URL="$KEYWARD_TEST_POSTGRES_URL" scripts/schemathesis.sh

say "The book: built, its links checked"
scripts/book.sh

say "Every example of the README and the book, run against a real keyward serve"
scripts/doc-examples.sh

say "Browser tests of the console (Playwright, Debian's Chromium)"
scripts/e2e.sh

say "All tests passed"
