#!/usr/bin/python3
"""A token service for docker-registry's `auth: token`, on 127.0.0.1 only, for the registry tests.

usage: token_server.py PORT KEY.pem CERT.pem USER PASSWORD ISSUER SERVICE MODE LOG
  Answers GET /token?service=…&scope=… with {"token": JWT} for USER:PASSWORD (HTTP Basic),
  401 otherwise. The JWT is RS256-signed with KEY and carries CERT in its x5c header, which the
  registry verifies against its rootcertbundle. MODE "ok" grants the scopes asked for for five
  minutes; MODE "expired" grants tokens that expired an hour ago. Each request appends a line to LOG.
"""
import base64
import json
import sys
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import serialization

port, key_file, cert_file, user, password, issuer, service, mode, log_file = sys.argv[1:10]
key = open(key_file, "rb").read()
cert = x509.load_pem_x509_certificate(open(cert_file, "rb").read())
x5c = [base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()]
expected = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        url = urlparse(self.path)
        query = parse_qs(url.query)
        with open(log_file, "a") as log:
            log.write(json.dumps({"path": url.path, "query": query,
                                  "authorization": bool(self.headers.get("Authorization"))}) + "\n")
        if url.path != "/token":
            self.send_error(404)
            return
        if self.headers.get("Authorization") != expected:
            self.send_response(401)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"details":"wrong user or password"}')
            return
        access = []
        for scope in query.get("scope", []):
            kind, _, rest = scope.partition(":")
            name, _, actions = rest.rpartition(":")
            access.append({"type": kind, "name": name, "actions": actions.split(",")})
        now = int(time.time())
        offset = -3600 if mode == "expired" else 0
        claims = {"iss": issuer, "sub": user, "aud": query.get("service", [service])[0],
                  "iat": now - 10 + offset, "nbf": now - 10 + offset, "exp": now + 300 + offset,
                  "jti": str(uuid.uuid4()), "access": access}
        token = jwt.encode(claims, key, algorithm="RS256", headers={"x5c": x5c})
        body = json.dumps({"token": token, "expires_in": 300}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


ThreadingHTTPServer(("127.0.0.1", int(port)), Handler).serve_forever()
