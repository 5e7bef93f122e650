#!/usr/bin/env bash
# Measures forward authentication with wrk on loopback, in one run on one
# machine, against a throwaway Postgres 15 (figures in BENCHMARKS.md):
#  (a) GET /auth/check with a warm key against GET /healthz (no work at all);
#  (b) through nginx: a request to the upstream with auth_request (the
#      shipped deploy/nginx/keyward.conf) against the same request without;
#  (c) latency (p50, p99) of (a) at about half of its peak rate.
# Installs wrk and nginx-light if missing. Takes about two minutes after the
# release build.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
. scripts/postgres.sh
need_cargo
command -v wrk >/dev/null || apt_install wrk
ensure_proxies

DURATION=${DURATION:-8s}
CONNECTIONS=${CONNECTIONS:-16}

say "Building keyward (release)"
cargo build --release --locked --bin keyward
KEYWARD_BIN="$CARGO_TARGET_DIR/release/keyward"

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  stop_postgres
  rm -rf "$work"
}
trap cleanup EXIT
start_postgres
export DATABASE_URL="$KEYWARD_TEST_POSTGRES_URL"

token=$("$KEYWARD_BIN" region create --name bench --json | python3 -c 'import json, sys; print(json.load(sys.stdin)["api_key"]["token"])')
keyward_port=$(free_port)
RUST_LOG=warn "$KEYWARD_BIN" serve --bind "127.0.0.1:$keyward_port" --no-bootstrap --console-dir "$work/none" \
  --client-ip-header x-forwarded-for >"$work/keyward.out" 2>"$work/keyward.err" &
pids+=($!)

# nginx: the shipped configuration in front of an upstream that nginx itself
# answers (so the upstream costs the same in both), and a plain proxy to it.
auth_port=$(free_port); plain_port=$(free_port); upstream_port=$(free_port)
sed -e "s/127.0.0.1:3000/127.0.0.1:$keyward_port/" -e "s/127.0.0.1:8080/127.0.0.1:$upstream_port/" \
    -e "s/listen 127.0.0.1:8000/listen 127.0.0.1:$auth_port/" deploy/nginx/keyward.conf >"$work/keyward.conf"
cat >"$work/nginx.conf" <<CONF
pid $work/nginx.pid;
error_log stderr error;
worker_processes 1;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/body; proxy_temp_path $work/proxy;
  fastcgi_temp_path $work/fastcgi; uwsgi_temp_path $work/uwsgi; scgi_temp_path $work/scgi;
  include $work/keyward.conf;
  server { listen 127.0.0.1:$upstream_port; location / { return 200 "upstream\n"; } }
  server { listen 127.0.0.1:$plain_port; location / { proxy_pass http://regional_api; proxy_http_version 1.1; proxy_set_header Connection ""; } }
}
CONF
/usr/sbin/nginx -e stderr -p "$work" -c nginx.conf -g 'daemon off; master_process off;' &
pids+=($!)

for port in "$keyward_port" "$auth_port" "$plain_port"; do
  for _ in $(seq 1 100); do
    curl -fs -o /dev/null "http://127.0.0.1:$port/healthz" -H "x-api-key: $token" 2>/dev/null && break
    curl -s -o /dev/null "http://127.0.0.1:$port/" 2>/dev/null && break
    sleep 0.1
  done
done
# Warm the key (argon2 runs once) and check every path answers as expected.
test "$(curl -s -o /dev/null -w '%{http_code}' -H "x-api-key: $token" "http://127.0.0.1:$keyward_port/auth/check")" = 200
test "$(curl -s -o /dev/null -w '%{http_code}' -H "x-api-key: $token" "http://127.0.0.1:$auth_port/orders")" = 200
test "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$auth_port/orders")" = 401
test "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$plain_port/orders")" = 200

rate() { # wrk [args...] URL -> requests/s
  wrk -t2 -c"$CONNECTIONS" -d"$DURATION" "$@" | awk '/^Requests\/sec/ { print $2 }'
}
ratio() { python3 -c "print(f'{$1 / $2:.2f}')"; }

say "(a) Keyward alone, $CONNECTIONS connections, $DURATION each"
healthz=$(rate "http://127.0.0.1:$keyward_port/healthz")
check=$(rate -H "x-api-key: $token" "http://127.0.0.1:$keyward_port/auth/check")
echo "GET /healthz      $healthz requests/s"
echo "GET /auth/check   $check requests/s (warm key)   ratio check/healthz $(ratio "$check" "$healthz")"

say "(b) Through nginx"
plain=$(rate "http://127.0.0.1:$plain_port/orders")
guarded=$(rate -H "x-api-key: $token" "http://127.0.0.1:$auth_port/orders")
echo "without auth_request  $plain requests/s"
echo "with auth_request     $guarded requests/s   ratio with/without $(ratio "$guarded" "$plain")"

say "(c) Latency of GET /auth/check at about half of its peak rate"
# wrk paces each connection with a whole-millisecond delay between requests;
# the delay whose rate comes nearest half the peak is reported.
half=$(python3 -c "print($check / 2)")
best=""
for delay_ms in 1 2 3 4; do
  echo "function delay() return $delay_ms end" >"$work/paced.lua"
  wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -s "$work/paced.lua" -H "x-api-key: $token" \
    "http://127.0.0.1:$keyward_port/auth/check" >"$work/paced-$delay_ms.txt"
  paced=$(awk '/^Requests\/sec/ { print $2 }' "$work/paced-$delay_ms.txt")
  echo "delay $delay_ms ms: $paced requests/s"
  best=$(python3 -c "
b = '$best'.split()
print('$delay_ms $paced' if not b or abs($paced - $half) < abs(float(b[1]) - $half) else '$best')")
done
read -r delay_ms paced <<<"$best"
echo "nearest half of $check: delay $delay_ms ms, $paced requests/s ($(ratio "$paced" "$check") of peak)"
grep -E '^ +(50|99)%' "$work/paced-$delay_ms.txt"
