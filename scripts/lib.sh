# Shared by the project's scripts: logging, the build cache, tool installs.

say() { printf '\n==> %s\n' "$*"; }

# A build cache outside the clone, so a machine that built Keyward once
# (or CI after a session) reuses it; a fresh machine still builds from nothing.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/keyward/target}"
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
