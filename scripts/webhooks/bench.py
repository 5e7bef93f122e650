"""The measurements of scripts/bench-webhooks.sh (which sets up Postgres,
the release build and this Python); prints one line per figure."""

import json
import os
import socket
import statistics
import subprocess
import threading
import time
import urllib.request

BIN = os.environ["KEYWARD_BIN"]
WORK = os.environ["BENCH_WORK"]
ADMIN_URL = os.environ["KEYWARD_TEST_POSTGRES_URL"]
FLAGS = ["--no-bootstrap", "--webhooks-allow-http", "--webhooks-allow-private", "--auth-failures-per-address", "1000000000",
         "--new-keys-per-minute", "100000"]


def database(name):
    subprocess.run(["psql", ADMIN_URL, "-qc", f"CREATE DATABASE {name}"], check=True)
    url = ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    env = dict(os.environ, DATABASE_URL=url, RUST_LOG="warn")
    subprocess.run([BIN, "migrate"], env=env, check=True, capture_output=True)
    created = json.loads(subprocess.run([BIN, "region", "create", "--name", name, "--json"], env=env, check=True,
                                        capture_output=True).stdout)
    return env, created["api_key"]["token"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(env):
    port = free_port()
    process = subprocess.Popen([BIN, "serve", "--bind", f"127.0.0.1:{port}", "--console-dir", f"{WORK}/none", *FLAGS],
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(400):
        try:
            if b"memory" in urllib.request.urlopen(f"{url}/readyz").read():
                return process, url
        except OSError:
            pass
        time.sleep(0.05)
    raise SystemExit("keyward did not start")


def call(method, url, token, body=None):
    request = urllib.request.Request(url, method=method, headers={"x-api-key": token, "content-type": "application/json"},
                                     data=None if body is None else json.dumps(body).encode())
    with urllib.request.urlopen(request) as response:
        return json.loads(response.read() or b"null")


class Receiver:
    def __init__(self):
        self.process = subprocess.Popen([os.environ["KEYWARD_WEBHOOK_PYTHON"], "scripts/webhooks/receiver.py",
                                         f"{WORK}/secrets", f"{WORK}/answer"], stdout=subprocess.PIPE, text=True)
        self.port = int(self.process.stdout.readline().split()[1])
        self.lines = []
        # Read as they come: a full pipe would stall the receiver's answers.
        threading.Thread(target=self.read, daemon=True).start()

    def read(self):
        for line in self.process.stdout:
            self.lines.append(json.loads(line))

    def drain(self, count, timeout):
        deadline = time.time() + timeout
        while len(self.lines) < count and time.time() < deadline:
            time.sleep(0.01)
        return self.lines[:count]


def latency(processes):
    env, token = database(f"bench_latency_{processes}")
    receiver = Receiver()
    served = [serve(env) for _ in range(processes)]
    url = served[0][1]
    endpoint = call("POST", f"{url}/auth/region/webhooks", token,
                    {"url": f"http://127.0.0.1:{receiver.port}/hook", "events": ["api_key.created"]})
    open(f"{WORK}/secrets", "w").write(endpoint["secret"])
    answered = {}
    for n in range(200):
        created = call("POST", f"{served[n % processes][1]}/auth/region/api-keys", token, {})
        answered[created["id"]] = time.time()
    delays = sorted((line["received_at"] - answered[line["body"]["data"]["key"]["id"]]) * 1000
                    for line in receiver.drain(200, 60))
    print(f"change to delivery, {processes} process(es), {len(delays)} messages: median {statistics.median(delays):.0f} ms, "
          f"p99 {delays[int(len(delays) * 0.99) - 1]:.0f} ms, max {delays[-1]:.0f} ms")
    for process, _ in served:
        process.terminate()
        process.wait()
    receiver.process.kill()


def drain_after_outage():
    env, token = database("bench_outage")
    receiver = Receiver()
    process, url = serve(env)
    endpoint = call("POST", f"{url}/auth/region/webhooks", token,
                    {"url": f"http://127.0.0.1:{receiver.port}/hook", "events": ["*"]})
    open(f"{WORK}/secrets", "w").write(endpoint["secret"])
    process.terminate()
    process.wait()
    # 1000 messages waiting, as changes during an outage of every process leave them.
    subprocess.run(["psql", env["DATABASE_URL"], "-q", "-c", f"""
        INSERT INTO webhook_messages (id, endpoint_id, region_id, event_type, body, created_at, state, attempts, next_attempt_at)
        SELECT 'msg_' || lpad(n::text, 16, '0'), '{endpoint['id']}', (SELECT id FROM regions LIMIT 1), 'webhook.test',
               '{{"type":"webhook.test","timestamp":"2026-12-07T00:00:00Z","data":{{"region_id":"reg_x","key":null}}}}',
               now(), 'pending', 0, now()
        FROM generate_series(1, 1000) AS n"""], check=True)
    started = time.time()
    process, url = serve(env)
    lines = receiver.drain(1000, 120)
    print(f"1000 waiting messages after an outage: all {len(lines)} delivered {time.time() - started:.1f} s after the start "
          f"(the process's start included)")
    process.terminate()
    process.wait()
    receiver.process.kill()


def hot_path():
    env, token = database("bench_hot")
    quiet = json.loads(subprocess.run([BIN, "region", "create", "--name", "bench-quiet", "--json"], env=env, check=True,
                                      capture_output=True).stdout)["api_key"]["token"]
    receiver = Receiver()
    process, url = serve(env)
    call("POST", f"{url}/auth/region/webhooks", token, {"url": f"http://127.0.0.1:{receiver.port}/hook", "events": ["*"]})

    def rate(*args):
        out = subprocess.run(["wrk", "-t2", "-c16", "-d4s", *args], capture_output=True, text=True).stdout
        return float(next(line.split()[1] for line in out.splitlines() if line.startswith("Requests/sec")))
    for round in range(5):
        without = rate("-H", f"x-api-key: {quiet}", f"{url}/auth/check")
        with_endpoint = rate("-H", f"x-api-key: {token}", f"{url}/auth/check")
        print(f"round {round + 1}: warm /auth/check, region without endpoints {without:.0f}/s, region with an endpoint "
              f"for every event {with_endpoint:.0f}/s, ratio {with_endpoint / without:.2f}")
    process.terminate()
    process.wait()
    receiver.process.kill()


hot_path()
latency(1)
latency(2)
drain_after_outage()
