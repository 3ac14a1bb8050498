#!/usr/bin/python3
"""A registry front that redirects blob downloads to another origin, on 127.0.0.1 only.

usage: redirect_front.py FRONT_PORT SIDE_PORT BACKEND_PORT USER PASSWORD LOG
  FRONT (http://127.0.0.1:FRONT_PORT) asks for HTTP Basic USER:PASSWORD, proxies /v2/ and manifests
  to the backend registry (http://127.0.0.1:BACKEND_PORT, no auth) and answers blob GETs with a 307
  to http://localhost:SIDE_PORT/… — another origin, as registries do with object storage. SIDE
  proxies to the backend too and appends one JSON line per request to LOG saying whether it
  received an Authorization header (it must not: credentials belong to FRONT's origin only).
"""
import base64
import http.client
import json
import re
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

front_port, side_port, backend_port = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
user, password, log_file = sys.argv[4], sys.argv[5], sys.argv[6]
expected = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
BLOB = re.compile(r"^/v2/.+/blobs/sha256:[0-9a-f]{64}$")


def proxy(handler):
    conn = http.client.HTTPConnection("127.0.0.1", backend_port, timeout=30)
    headers = {k: v for k, v in handler.headers.items() if k.lower() in ("accept", "range")}
    conn.request(handler.command, handler.path, headers=headers)
    answer = conn.getresponse()
    body = answer.read()
    handler.send_response(answer.status)
    for key in ("Content-Type", "Docker-Content-Digest"):
        if answer.getheader(key):
            handler.send_header(key, answer.getheader(key))
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    if handler.command != "HEAD":
        handler.wfile.write(body)


class Front(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        if self.headers.get("Authorization") != expected:
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="front"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if BLOB.match(self.path):
            self.send_response(307)
            self.send_header("Location", f"http://localhost:{side_port}{self.path}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        proxy(self)

    do_HEAD = do_GET


class Side(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        with open(log_file, "a") as log:
            log.write(json.dumps({"path": self.path, "authorization": self.headers.get("Authorization")}) + "\n")
        proxy(self)


side = ThreadingHTTPServer(("127.0.0.1", side_port), Side)
threading.Thread(target=side.serve_forever, daemon=True).start()
ThreadingHTTPServer(("127.0.0.1", front_port), Front).serve_forever()
