#!/usr/bin/env bash
# Runs a command with a throw-away PostgreSQL cluster for the tests that need
# one (the shared ledger, docs/scale.md): initdb in a temporary folder, owned
# by an unprivileged user (`nobody` when run as root), listening on a free
# loopback port only, trust authentication for a `sluice` superuser. Exports
# SLUICE_TEST_POSTGRES=postgres://sluice@127.0.0.1:PORT/postgres and removes
# the cluster when the command ends. With SLUICE_TEST_POSTGRES already set,
# runs the command against that server instead.
#
#   Tests/Postgres/with-cluster.sh swift test
set -euo pipefail

if [ -n "${SLUICE_TEST_POSTGRES:-}" ]; then
  exec "$@"
fi

bindir=""
for candidate in /usr/lib/postgresql/*/bin; do
  [ -x "$candidate/initdb" ] && bindir="$candidate"
done
if [ -z "$bindir" ]; then
  echo "with-cluster.sh: no PostgreSQL server found (/usr/lib/postgresql/*/bin/initdb);" \
       "install Debian's postgresql package (make deps does). The PostgreSQL tests will fail without it." >&2
  exec "$@"
fi

root="$(mktemp -d /tmp/sluice-pg.XXXXXX)"
chmod 0755 "$root"
as_user=()
if [ "$(id -u)" = 0 ]; then
  chown nobody "$root"
  as_user=(runuser -u nobody --)
fi
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"

stop() {
  "${as_user[@]}" "$bindir/pg_ctl" -D "$root/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$root"
}
trap stop EXIT

"${as_user[@]}" "$bindir/initdb" -D "$root/data" -U sluice --auth=trust --no-sync -E UTF8 >"$root/initdb.log" 2>&1 \
  || { cat "$root/initdb.log" >&2; echo "with-cluster.sh: initdb failed (above)" >&2; exit 1; }
"${as_user[@]}" "$bindir/pg_ctl" -D "$root/data" -l "$root/server.log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$root -c fsync=off -c max_connections=200" \
  start >/dev/null \
  || { cat "$root/server.log" >&2; echo "with-cluster.sh: the server did not start (log above)" >&2; exit 1; }

export SLUICE_TEST_POSTGRES="postgres://sluice@127.0.0.1:$port/postgres"
export SLUICE_TEST_POSTGRES_BIN="$bindir"
echo "with-cluster.sh: PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port ($root), stopped at the end"
set +e
"$@"
rc=$?
set -e
exit $rc
