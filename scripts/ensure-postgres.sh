#!/bin/sh
# Make sure PostgreSQL answers on 127.0.0.1:5432 before the PostgreSQL test pass.
# In CI (CI=true) it is required: start it if it is down, fail if it cannot be reached.
# Outside CI a missing server skips the pass (exit 75), loudly, in the Makefile.
pg_up() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null || \
  python3 -c "import socket; socket.create_connection(('127.0.0.1', 5432), 1).close()" 2>/dev/null; }

pg_up && exit 0
if [ "${CI:-}" = "true" ] || [ "${CI:-}" = "1" ]; then
  echo "PostgreSQL is down: starting it (required in CI)"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start 2>&1 || true
  for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15; do pg_up && exit 0; sleep 1; done
  echo "FAIL: PostgreSQL is required in CI and is not reachable at 127.0.0.1:5432" >&2
  exit 1
fi
exit 75
