#!/bin/bash
# Builds the image `okdlint rewrite` is proven on: a small real web server (Debian's static busybox
# `httpd`) that fails on OKD and that the rewrite must fix. Usage: make_rewrite_fixture.sh OUT
# (needs umoci, skopeo, setcap, python3, a static busybox; run as root so that ownership, setuid
# bits, capabilities and xattrs stick). Writes OUT/oci (layout, tag "app") and OUT/app.oci.tar.
#
# layer 1 "base": /bin/busybox + applet symlinks, /etc/passwd (appuser 1001, home /home/app),
#   /usr/local/bin/ping-tool 04755 with cap_net_raw+ep and a hardlink ping-tool-link, /tmp 1777,
#   /srv/shared 0777 (world-writable, no sticky: must be left alone).
# layer 2 "app": /www/index.html (root, 0644); /srv/app 1001:1001 0755 where the server writes its
#   start log; /srv/app/data.txt 1001:1001 0644 with xattr user.okd=kept and a hardlink
#   /srv/app/data-link.txt; /etc/httpd/conf/httpd.conf with `Listen 80` and `<VirtualHost *:80>`;
#   /etc/nginx/conf.d/default.conf with `listen 80;` and `listen [::]:80 default_server;`;
#   /usr/local/bin/start-server: reads the port from httpd.conf's Listen line (the only config
#   knowledge is that line: busybox httpd itself takes the port on its command line), writes
#   /srv/app/started.log, then runs `busybox httpd -f -p 127.0.0.1:PORT -h /www`.
# config: User appuser, WorkingDir /srv/app, ExposedPorts 80/tcp, Volumes /srv/data (absent),
#   Entrypoint /usr/local/bin/start-server.
set -euo pipefail
OUT=${1:?usage: make_rewrite_fixture.sh OUT}
for tool in umoci skopeo setcap python3; do
  command -v "$tool" >/dev/null || { echo "missing $tool" >&2; exit 3; }
done
BUSYBOX=$(command -v busybox || true)
if [ -z "$BUSYBOX" ] || ! file -L "$BUSYBOX" 2>/dev/null | grep -q 'statically linked'; then
  echo "missing a static busybox (apt-get install busybox-static)" >&2; exit 3
fi
mkdir -p "$OUT"
cd "$OUT"
OUT=$(pwd)
rm -rf oci bundle app.oci.tar
POLICY=()
if [ ! -f /etc/containers/policy.json ]; then
  echo '{"default":[{"type":"insecureAcceptAnything"}]}' > "$OUT/policy.json"
  POLICY=(--policy "$OUT/policy.json")
fi

umoci init --layout oci
umoci new --image oci:app
umoci unpack --image oci:app bundle
R=bundle/rootfs
mkdir -p $R/{bin,etc,tmp,usr/local/bin,srv/shared,home/app}
cp "$BUSYBOX" $R/bin/busybox
for applet in sh cat echo sed id ls; do ln -s busybox $R/bin/$applet; done
printf 'root:x:0:0:root:/root:/bin/sh\nappuser:x:1001:1001::/home/app:/bin/sh\n' > $R/etc/passwd
printf 'root:x:0:\nappuser:x:1001:\n' > $R/etc/group
chown 1001:1001 $R/home/app; chmod 0755 $R/home/app
printf '#!/bin/sh\necho ping\n' > $R/usr/local/bin/ping-tool
chmod 4755 $R/usr/local/bin/ping-tool
setcap cap_net_raw+ep $R/usr/local/bin/ping-tool
ln $R/usr/local/bin/ping-tool $R/usr/local/bin/ping-tool-link
chmod 1777 $R/tmp; chmod 0777 $R/srv/shared
umoci repack --image oci:app --history.created_by 'okd-rewrite-fixture base' bundle
rm -rf bundle  # unpack again so that the next repack diffs against layer 1
umoci unpack --image oci:app bundle

mkdir -p $R/{www,srv/app,etc/httpd/conf,etc/nginx/conf.d}
echo '<h1>okd rewrite fixture</h1>' > $R/www/index.html
cat > $R/etc/httpd/conf/httpd.conf <<'CONF'
ServerName fixture
Listen 80
<VirtualHost *:80>
  DocumentRoot /www
</VirtualHost>
CONF
printf 'server {\n    listen 80;\n    listen [::]:80 default_server;\n    root /www;\n}\n' > $R/etc/nginx/conf.d/default.conf
cat > $R/usr/local/bin/start-server <<'SH'
#!/bin/sh
# The port comes from the Listen line of the httpd config (which okdlint rewrite remaps).
PORT=$(sed -n 's/^Listen[[:space:]]*\([0-9]*\).*/\1/p' /etc/httpd/conf/httpd.conf)
echo "starting on $PORT as $(id -u):$(id -g)" > /srv/app/started.log || exit 11
exec busybox httpd -f -p "127.0.0.1:$PORT" -h /www
SH
chmod 0755 $R/usr/local/bin/start-server
echo 'application data' > $R/srv/app/data.txt
ln $R/srv/app/data.txt $R/srv/app/data-link.txt
chown -R 1001:1001 $R/srv/app; chmod 0755 $R/srv/app; chmod 0644 $R/srv/app/data.txt
python3 -c "import os; os.setxattr('$R/srv/app/data.txt', 'user.okd', b'kept')"
umoci repack --image oci:app --history.created_by 'okd-rewrite-fixture app' bundle
rm -rf bundle

umoci config --image oci:app --config.user appuser --config.workingdir /srv/app --config.exposedports 80/tcp \
  --config.volume /srv/data --config.entrypoint /usr/local/bin/start-server --architecture amd64 --os linux \
  --history.created_by 'okd-rewrite-fixture config'
skopeo "${POLICY[@]}" copy -q oci:"$OUT"/oci:app oci-archive:"$OUT"/app.oci.tar:okd/app:1
echo "built $OUT/oci (tag app) and $OUT/app.oci.tar"
