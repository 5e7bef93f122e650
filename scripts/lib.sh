# Shared by the project's scripts: logging, the build cache, tool installs.

say() { printf '\n==> %s\n' "$*"; }

# A build cache outside the clone, so a machine that built Keyward once
# (or CI after a session) reuses it; a fresh machine still builds from nothing.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/keyward/target}"
# Incremental caches only speed up edit-compile loops; in a shared build
# cache they grow by gigabytes a run.
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"
export PATH="$HOME/.cargo/bin:$PATH"

need_cargo() {
  command -v cargo >/dev/null || { echo "cargo is missing: install Rust from https://rustup.rs first" >&2; exit 1; }
}

# Runs a command as root, with sudo when we are not root.
as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

apt_install() {
  say "Installing $* with apt-get (once per machine)"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# The console's build tools: the wasm target, wasm-bindgen-cli at exactly
# Cargo.lock's version (Trunk uses the one in PATH only then, and never
# downloads with --offline), and Trunk 0.21.14 (0.22 needs a newer rustc).
TRUNK_VERSION=0.21.14
# wasm_split_cli_support, whose wasm-split-cli splits the console at its lazy pages.
WASM_SPLIT_VERSION=0.2.4
ensure_console_tools() {
  need_cargo
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "Installing the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
  local bindgen_version
  bindgen_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
  if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $bindgen_version" ]; then
    say "Installing wasm-bindgen-cli $bindgen_version (matches Cargo.lock; a few minutes, once per machine)"
    # Not --locked: its lock file pins a crate version the registry does not serve.
    cargo install wasm-bindgen-cli --version "$bindgen_version"
  fi
  if [ "$(trunk --version 2>/dev/null)" != "trunk $TRUNK_VERSION" ]; then
    say "Installing Trunk $TRUNK_VERSION (about 15 minutes on 2 cores, once per machine)"
    cargo install --locked trunk --version "$TRUNK_VERSION"
  fi
  # The split step Trunk runs after its build (scripts/split-console.sh).
  # The binary has no --version: cargo's list of installed crates says it.
  if ! { command -v wasm-split-cli >/dev/null && cargo install --list | grep -qx "wasm_split_cli_support v$WASM_SPLIT_VERSION:"; }; then
    say "Installing wasm-split-cli $WASM_SPLIT_VERSION (a few minutes, once per machine)"
    cargo install --locked wasm_split_cli_support --version "$WASM_SPLIT_VERSION" --features build-binary
  fi
}

# mdBook 0.5 from crates.io, which builds the book in docs/ (compiled once
# per machine, a few minutes, like Trunk).
MDBOOK_VERSION_REQ='^0.5'
ensure_mdbook() {
  need_cargo
  if ! mdbook --version 2>/dev/null | grep -q '^mdbook v0\.5\.'; then
    say "Installing mdBook 0.5 (a few minutes, once per machine)"
    cargo install mdbook --locked --version "$MDBOOK_VERSION_REQ"
  fi
}

# The API reference's viewer (npm swagger-ui-dist, pinned in
# docs/api-reference/package-lock.json). --ignore-scripts: its telemetry
# dependency's install script never runs.
ensure_api_reference_viewer() {
  command -v npm >/dev/null || apt_install nodejs npm
  local viewer=docs/api-reference
  if [ ! -d "$viewer/node_modules/swagger-ui-dist" ] || [ "$viewer/package-lock.json" -nt "$viewer/node_modules/.package-lock.json" ]; then
    say "Installing the API reference's viewer (npm ci of swagger-ui-dist; served by keyward, never from a CDN)"
    (cd "$viewer" && npm ci --ignore-scripts --no-audit --no-fund)
  fi
}

# Builds the console into dist/, which `keyward serve` serves at /, with
# the API reference's viewer in dist/api-reference/ (served at /docs/api).
build_console() {
  ensure_console_tools
  ensure_api_reference_viewer
  say "Building the console (trunk build --release --offline)"
  trunk build --release --offline
  mkdir -p dist/api-reference
  cp docs/api-reference/node_modules/swagger-ui-dist/{swagger-ui-bundle.js,swagger-ui.css} dist/api-reference/
  say "Compressing the console's files (brotli -q 11, gzip -9), served as is to clients that accept them"
  command -v brotli >/dev/null || apt_install brotli
  # Not the page: the server writes the sign-in ways into it and compresses it as it sends it.
  rm -f dist/*.html.br dist/*.html.gz
  for file in dist/*.wasm dist/*.js dist/*.css dist/api-reference/*.js dist/api-reference/*.css; do
    brotli --force --keep --quality=11 "$file"
    gzip --force --keep -9 "$file"
  done
}

# Waits until the `keyward serve` running as process $1 says in its
# stdout ($2) where it listens, and prints that URL. Fails with its stderr
# ($3) if it exits first, or after 30 s.
wait_for_keyward() {
  local pid=$1 out=$2 err=$3 url
  for _ in $(seq 1 300); do
    url=$(sed -n 's/^Keyward is listening on \(http:\/\/[^ ]*\)$/\1/p' "$out")
    if [ -n "$url" ]; then
      echo "$url"
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "keyward serve exited before listening:" >&2
      cat "$err" >&2
      return 1
    fi
    sleep 0.1
  done
  echo "keyward serve did not report its address within 30 s" >&2
  return 1
}

# Debian's Chromium and the Playwright test runner (never a downloaded browser).
CHROMIUM=/usr/bin/chromium
ensure_browser_tools() {
  [ -x "$CHROMIUM" ] || apt_install chromium
  command -v npm >/dev/null || apt_install nodejs npm
  if [ ! -d end2end/node_modules/@playwright/test ] || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
    say "Installing the Playwright test runner (npm ci; no browser download)"
    (cd end2end && npm ci --no-audit --no-fund)
  fi
}

# Debian's nginx-light (it has auth_request) and Caddy, for the tests of the
# shipped proxy configurations; never started as system services.
# The Standard Webhooks reference library (PyPI `standardwebhooks`) in a venv
# of its own, for the test receiver (scripts/webhooks/receiver.py); sets
# KEYWARD_WEBHOOK_PYTHON to its Python.
ensure_webhook_receiver() {
  local venv="$HOME/.cache/keyward/webhooks-venv"
  if ! "$venv/bin/python" -c 'import standardwebhooks' 2>/dev/null; then
    say "Installing the Standard Webhooks reference library from PyPI into $venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet 'standardwebhooks>=1.0,<2'
  fi
  export KEYWARD_WEBHOOK_PYTHON="$venv/bin/python"
}

ensure_proxies() {
  local missing=()
  [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
  [ -x /usr/bin/caddy ] || missing+=(caddy)
  if [ "${#missing[@]}" -gt 0 ]; then
    apt_install "${missing[@]}"
    # Debian starts what it installs; the tests run their own instances.
    as_root systemctl disable --now nginx caddy >/dev/null 2>&1 || true
  fi
}
