"""A tiny web app: at start it writes DATA_DIR/started (so its data dir must be writable by the
uid it runs as), then serves GET / with the greeting and the uid:gid it runs as."""
import http.server
import os

DATA_DIR = os.environ.get("DATA_DIR", "/app/data")
PORT = int(os.environ.get("PORT", "8000"))
GREETING = os.environ.get("GREETING", "hello from python")

with open(os.path.join(DATA_DIR, "started"), "w") as f:
    f.write(f"{os.getuid()}:{os.getgid()}\n")


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = f"{GREETING} as {os.getuid()}:{os.getgid()}\n".encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


http.server.ThreadingHTTPServer(("0.0.0.0", PORT), Handler).serve_forever()
