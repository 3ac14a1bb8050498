#!/usr/bin/python3
"""A stand-in database server: opens PGDATA/postmaster.pid (so PGDATA must be writable), then
answers each line "PING" on port 5432 with "+PONG"."""
import os, socketserver

pgdata = os.environ["PGDATA"]
with open(os.path.join(pgdata, "postmaster.pid"), "w") as f:
    f.write(f"{os.getpid()}\n")


class Handler(socketserver.StreamRequestHandler):
    def handle(self):
        for line in self.rfile:
            self.wfile.write(b"+PONG\r\n" if line.strip() == b"PING" else b"-ERR\r\n")


socketserver.ThreadingTCPServer(("0.0.0.0", 5432), Handler).serve_forever()
