"""A webhook receiver for the test suite, verifying every request with the
Standard Webhooks reference library (PyPI `standardwebhooks`), so Keyward's
signatures are checked by code that is not Keyward's.

    receiver.py SECRETS_FILE ANSWER_FILE

Listens on 127.0.0.1 (a free port) and prints `listening <port>` first.
For every request it prints one JSON line: the `webhook-id`, the body, and
`verified_by`, the indexes of the secrets in SECRETS_FILE (one per line,
read at each request) that verify it, and `received_at` (Unix seconds). It answers with the status in
ANSWER_FILE (read at each request; default 204), or after 12 s for `slow`.
"""

import http.server
import json
import sys
import threading
import time

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

secrets_file, answer_file = sys.argv[1], sys.argv[2]
# One line per request, whole, however many requests come at once.
printing = threading.Lock()


def read(path, default):
    try:
        with open(path) as file:
            return file.read().strip() or default
    except FileNotFoundError:
        return default


class Receiver(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        headers = {name.lower(): value for name, value in self.headers.items()}
        verified_by = []
        for index, secret in enumerate(read(secrets_file, "").splitlines()):
            try:
                Webhook(secret.strip()).verify(body, headers)
                verified_by.append(index)
            except WebhookVerificationError:
                pass
        line = json.dumps({"webhook_id": headers.get("webhook-id"), "verified_by": verified_by,
                           "body": json.loads(body), "received_at": time.time()})
        with printing:
            print(line, flush=True)
        answer = read(answer_file, "204")
        if answer == "slow":
            time.sleep(12)
            answer = "204"
        self.send_response(int(answer))
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, *_):
        pass


class Server(http.server.ThreadingHTTPServer):
    # Keyward sends a batch at once: the default backlog of 5 would drop
    # connections and make the kernel retry them a second later.
    request_queue_size = 128


server = Server(("127.0.0.1", 0), Receiver)
print(f"listening {server.server_address[1]}", flush=True)
server.serve_forever()
