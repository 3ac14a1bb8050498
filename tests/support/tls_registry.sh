# shellcheck shell=bash disable=SC2034  # REGISTRY_PID and TEST_CA_DIR are for the sourcing script
# Sourced by the registry tests: a test CA, a server certificate for 127.0.0.1, and Debian's
# docker-registry serving TLS on 127.0.0.1 only. Callers define fail() and keep WORK.
#   make_test_ca DIR                  DIR/{ca.key,ca.crt,server.key,server.crt}; DIR/../certs/ca.crt
#                                     (the --cert-dir layout skopeo and okdlint read)
#   start_tls_registry DIR ADDR AUTH  config in DIR/config.yml (storage DIR/data, log appended to
#                                     DIR/registry.log), AUTH: YAML of the `auth:` section or "";
#                                     waits until /v2/ answers over TLS; sets REGISTRY_PID
# Needs openssl, curl, docker-registry; TEST_CA_DIR is the DIR given to make_test_ca.

make_test_ca() {
  local dir=$1
  mkdir -p "$dir" "$dir/../certs"
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=okdlint test CA" \
    -keyout "$dir/ca.key" -out "$dir/ca.crt" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout "$dir/server.key" -out "$dir/server.csr" 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1\n' > "$dir/san.ext"
  openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial \
    -days 2 -extfile "$dir/san.ext" -out "$dir/server.crt" 2>/dev/null
  cp "$dir/ca.crt" "$dir/../certs/ca.crt"
  TEST_CA_DIR=$dir
}

start_tls_registry() {
  local dir=$1 addr=$2 auth=$3
  mkdir -p "$dir/data"
  cat > "$dir/config.yml" <<YML
version: 0.1
log:
  level: info
  accesslog:
    disabled: false
storage:
  filesystem:
    rootdirectory: $dir/data
http:
  addr: $addr
  tls:
    certificate: $TEST_CA_DIR/server.crt
    key: $TEST_CA_DIR/server.key
$auth
YML
  docker-registry serve "$dir/config.yml" >> "$dir/registry.log" 2>&1 &
  REGISTRY_PID=$!
  for _ in $(seq 1 60); do
    curl -s --cacert "$TEST_CA_DIR/ca.crt" -o /dev/null "https://$addr/v2/" && return 0
    sleep 0.25
  done
  cat "$dir/registry.log" >&2; fail "the registry at $addr did not start"
}
