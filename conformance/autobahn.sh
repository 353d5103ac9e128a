#!/usr/bin/env bash
# Autobahn|Testsuite conformance run of wsc as a client: installs the suite
# (idempotent), builds wsc in release, and runs the fuzzingserver's cases against
# `wsc --echo URL` on loopback. With --server, wsc is the server: the suite's
# fuzzingclient runs its cases against one `wsc -l PORT --echo` (stdin
# </dev/null) serving them all. Harness in conformance/autobahn/.
#
# usage: conformance/autobahn.sh [--server] [--ci | --full | --cases LIST] [options]
#   --server             test wsc as the server (wsc -l --echo) instead of the
#                        client; reports under target/autobahn-server
#   --full               every case, 1.* to 13.* (the default)
#   --ci                 1.* to 10.* and a sample of 12.* and 13.*; implies
#                        --require-deflate
#   --cases LIST         only these comma-separated case patterns ('1.*,6.4.*')
#   --require-deflate    fail when a selected 12.*/13.* case is UNIMPLEMENTED,
#                        i.e. wsc did not negotiate permessage-deflate
#   --no-require-deflate undo --ci's --require-deflate
#   --no-build           do not build; use target/release/wsc as it is
#   --wsc PATH           run this wsc binary (implies --no-build)
#   --no-install         do not run the installer (the suite must be there)
#   --prefix DIR         where the suite lives ($AUTOBAHN_PREFIX or /opt/autobahn)
#   --out DIR            reports and logs (default: target/autobahn, or
#                        target/autobahn-server with --server; git-ignored;
#                        target/ is $CARGO_TARGET_DIR when that is set)
#   -t, --timeout SECS   per-case limit for wsc (default 60 with --ci, else 300:
#                        the large 12.2.*/12.5.* cases take a minute and more);
#                        with --server, the limit for the whole run (default
#                        600 with --ci, else 7200)
#   -v, --verbose        one line per case
# Exit status: 0 when no case FAILED and every selected case has a result (and,
# with --require-deflate, none of the selected 12.*/13.* cases is
# UNIMPLEMENTED), 1 when one did, 2 on a setup error.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
HARNESS="$ROOT/conformance/autobahn"

# The CI sample of the permessage-deflate cases. Each 12.N (five payload kinds)
# and 13.N (seven parameter offers) group has 18 cases of 1000 echoed messages,
# 16 bytes to 128 KiB, the last 8 auto-fragmented. The Python server deflates
# slowly (the 64 KiB and larger cases take 10 s and more each), so CI takes the
# two smallest sizes of 12.* and 13.1/13.7, one of the others, and a few larger
# or fragmented ones (12.1.5, 12.1.11, 12.2.7, 13.1.5, 13.5.11): ~45 s here.
CI_DEFLATE='12.1.1,12.1.2,12.1.5,12.1.11,12.2.1,12.2.2,12.2.7,12.3.1,12.3.2,12.4.1,12.4.2,12.5.1,12.5.2,13.1.1,13.1.2,13.1.5,13.2.1,13.3.1,13.4.1,13.5.1,13.5.11,13.6.1,13.7.1,13.7.2'
CI_CASES="1.*,2.*,3.*,4.*,5.*,6.*,7.*,8.*,9.*,10.*,$CI_DEFLATE"

CASES='*'
SERVER=0
REQUIRE_DEFLATE=0
BUILD=1
INSTALL=1
# Where cargo puts the binary: CARGO_TARGET_DIR (relative to the repo) or target/.
TARGET_DIR="${CARGO_TARGET_DIR:-target}"
case "$TARGET_DIR" in /*) ;; *) TARGET_DIR="$ROOT/$TARGET_DIR" ;; esac
WSC="$TARGET_DIR/release/wsc"
PREFIX="${AUTOBAHN_PREFIX:-/opt/autobahn}"
OUT=""
TIMEOUT=""
CI_MODE=0
VERBOSE=()

die() { echo "autobahn.sh: error: $*" >&2; exit 2; }
usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; }
need() { [ $# -ge 2 ] || die "$1 needs a value"; }

while [ $# -gt 0 ]; do
    case "$1" in
        --server) SERVER=1; shift ;;
        --full) CASES='*'; CI_MODE=0; shift ;;
        --ci) CASES="$CI_CASES"; REQUIRE_DEFLATE=1; CI_MODE=1; shift ;;
        --cases) need "$@"; CASES="$2"; CI_MODE=0; shift 2 ;;
        --require-deflate) REQUIRE_DEFLATE=1; shift ;;
        --no-require-deflate) REQUIRE_DEFLATE=0; shift ;;
        --no-build) BUILD=0; shift ;;
        --wsc) need "$@"; WSC="$(realpath -m "$2")"; BUILD=0; shift 2 ;;
        --no-install) INSTALL=0; shift ;;
        --prefix) need "$@"; PREFIX="$2"; shift 2 ;;
        --out) need "$@"; OUT="$2"; shift 2 ;;
        -t|--timeout) need "$@"; TIMEOUT="$2"; shift 2 ;;
        -v|--verbose) VERBOSE=(-v); shift ;;
        -h|--help) usage; exit 0 ;;
        *) die "unknown argument $1 (see --help)" ;;
    esac
done

# The CI sample has only small cases: a hung wsc should not cost 5 minutes there.
if [ -z "$TIMEOUT" ]; then
    case "$SERVER$CI_MODE" in
        00) TIMEOUT=300 ;; 01) TIMEOUT=60 ;; 10) TIMEOUT=7200 ;; 11) TIMEOUT=600 ;;
    esac
fi
if [ -z "$OUT" ]; then
    if [ "$SERVER" = 1 ]; then OUT="$TARGET_DIR/autobahn-server"; else OUT="$TARGET_DIR/autobahn"; fi
fi

t0=$SECONDS
if [ "$INSTALL" = 1 ]; then
    "$HARNESS/install.sh" --prefix "$PREFIX" || die "installing the suite under $PREFIX failed"
fi
t1=$SECONDS
if [ "$BUILD" = 1 ]; then
    (cd "$ROOT" && cargo build --release --locked) || die "cargo build --release failed"
fi
t2=$SECONDS
[ -x "$WSC" ] || die "no wsc binary at $WSC (build it, or drop --no-build)"
echo "autobahn.sh: install $((t1 - t0)) s, build $((t2 - t1)) s; wsc as the $([ "$SERVER" = 1 ] && echo server || echo client); cases '$CASES'$([ "$REQUIRE_DEFLATE" = 1 ] && echo ', permessage-deflate required')"

# --no-config: a config file (or WSC_CONFIG/WSC_PROFILE) of whoever runs this must not
# change what is tested (a profile's --no-compress would make 12.*/13.* UNIMPLEMENTED).
# The harness prints per-group timings, the failing cases and the final
# "autobahn: OK=… FAILED=…" line ("autobahn-server: … of N" with --server); its
# status is ours.
set +e
if [ "$SERVER" = 1 ]; then
    flags=(--prefix "$PREFIX" -a wsc -c "$CASES" -T "$TIMEOUT" -o "$OUT" "${VERBOSE[@]}")
    [ "$REQUIRE_DEFLATE" = 1 ] && flags+=(--require-deflate)
    "$HARNESS/run-server.sh" "${flags[@]}" -- "$WSC" --no-config -l '{PORT}' --echo
    rc=$?
    report="$OUT/reports/servers/index.html"
else
    flags=(--prefix "$PREFIX" -a wsc -c "$CASES" -t "$TIMEOUT" -o "$OUT" "${VERBOSE[@]}")
    [ "$REQUIRE_DEFLATE" = 1 ] && flags+=(--require-deflate)
    "$HARNESS/run-client.sh" "${flags[@]}" -- "$WSC" --no-config --echo '{URL}'
    rc=$?
    report="$OUT/reports/clients/index.html"
fi
set -e
case $rc in
    0|1) echo "autobahn.sh: $((SECONDS - t2)) s for the cases, $((SECONDS - t0)) s in all; report $report" ;;&
    1) echo "autobahn.sh: error: wsc failed the conformance run (the cases are listed above)" >&2 ;;
    0) ;;
    *) echo "autobahn.sh: error: the harness could not run the cases (status $rc)" >&2 ;;
esac
exit "$rc"
