#!/usr/bin/env bash
# bench/run.sh — approvedsql side by side with its peers, in one command.
#
# Starts a throwaway PostgreSQL (unless APPROVEDSQL_TEST_POSTGRES names one)
# and a pgbouncer in front of it, both on loopback, builds the benchmark
# binaries once, runs them in interleaved rounds and prints ratio tables
# (bench/ratio) and benchstat summaries. Only public tools: go test -bench,
# benchstat, Debian's postgresql and pgbouncer packages.
#
#   bench/run.sh                             full run (≥ 40 rounds on PostgreSQL)
#   APPROVEDSQL_BENCH_QUICK=1 bench/run.sh   CI-sized run (a few minutes)
#
# Knobs: APPROVEDSQL_BENCH_ROUNDS (real-PostgreSQL rounds, default 40, quick 5),
# APPROVEDSQL_BENCH_MICRO_ROUNDS (in-process rounds, default 10, quick 3),
# APPROVEDSQL_BENCH_OUT (directory for the raw results, default a temp dir
# that is kept and printed). See docs/performance.md.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$HOME/go/bin:$PATH"

quick="${APPROVEDSQL_BENCH_QUICK:-}"
if [ -n "$quick" ]; then
	pg_rounds="${APPROVEDSQL_BENCH_ROUNDS:-5}"; micro_rounds="${APPROVEDSQL_BENCH_MICRO_ROUNDS:-3}"
	pg_time=200ms; micro_time=200ms
else
	pg_rounds="${APPROVEDSQL_BENCH_ROUNDS:-40}"; micro_rounds="${APPROVEDSQL_BENCH_MICRO_ROUNDS:-10}"
	pg_time=1s; micro_time=1s
fi
out="${APPROVEDSQL_BENCH_OUT:-$(mktemp -d /tmp/approvedsql-bench.XXXXXX)}"
mkdir -p "$out"
log() { printf '\n== %s\n' "$*" >&2; }

if ! command -v benchstat >/dev/null; then
	log "installing benchstat"
	go install golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da
fi

# --- PostgreSQL and pgbouncer on loopback --------------------------------------
free_port() {
	local p=$1
	while (echo >"/dev/tcp/127.0.0.1/$p") 2>/dev/null; do p=$((p + 1)); done
	echo "$p"
}
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
pgdir=$(mktemp -d /tmp/approvedsql-bench-pg.XXXXXX)
[ "$(id -u)" = 0 ] && { id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres; chown postgres "$pgdir"; }
pgbin=""
cleanup() {
	status=$?
	[ -f "$pgdir/pgbouncer.pid" ] && kill "$(cat "$pgdir/pgbouncer.pid")" 2>/dev/null || true
	[ -n "$pgbin" ] && as_pg "$pgbin/pg_ctl" -D "$pgdir/data" -m fast stop >/dev/null 2>&1 || true
	rm -rf "$pgdir"
	exit $status
}
trap cleanup EXIT

if [ -z "${APPROVEDSQL_TEST_POSTGRES:-}" ]; then
	if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
		log "installing PostgreSQL"; apt-get update -qq; apt-get install -y -qq postgresql >/dev/null
	fi
	pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
	port=$(free_port 55432)
	log "starting PostgreSQL ($("$pgbin/postgres" --version)) on 127.0.0.1:$port"
	as_pg "$pgbin/initdb" -D "$pgdir/data" -A trust -U postgres -E UTF8 >"$pgdir/initdb.log"
	as_pg "$pgbin/pg_ctl" -D "$pgdir/data" -l "$pgdir/server.log" -w \
		-o "-c listen_addresses=127.0.0.1 -p $port -k $pgdir -c max_connections=200" start >/dev/null
	export APPROVEDSQL_TEST_POSTGRES="postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
fi
hostport=$(printf '%s' "$APPROVEDSQL_TEST_POSTGRES" | sed -E 's#^[a-z]+://([^@/]*@)?([^/?]*).*#\2#')
pghost=${hostport%:*}; pgport=${hostport##*:}
pguser=$(printf '%s' "$APPROVEDSQL_TEST_POSTGRES" | sed -nE 's#^[a-z]+://([^:@/]*)[:@].*#\1#p'); pguser=${pguser:-postgres}

if ! command -v pgbouncer >/dev/null && [ ! -x /usr/sbin/pgbouncer ]; then
	log "installing pgbouncer"; apt-get update -qq; apt-get install -y -qq pgbouncer >/dev/null
fi
pgbouncer=$(command -v pgbouncer || echo /usr/sbin/pgbouncer)
bport=$(free_port 56432)
printf '"%s" ""\n' "$pguser" >"$pgdir/userlist.txt"
cat >"$pgdir/pgbouncer.ini" <<INI
[databases]
* = host=$pghost port=$pgport
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $bport
unix_socket_dir =
auth_type = trust
auth_file = $pgdir/userlist.txt
pool_mode = transaction
default_pool_size = 20
max_client_conn = 200
ignore_startup_parameters = extra_float_digits
pidfile = $pgdir/pgbouncer.pid
logfile = $pgdir/pgbouncer.log
INI
[ "$(id -u)" = 0 ] && chown postgres "$pgdir"/pgbouncer.ini "$pgdir"/userlist.txt
log "starting $("$pgbouncer" --version | head -n 1) on 127.0.0.1:$bport (transaction pooling) in front of $hostport"
as_pg "$pgbouncer" -d "$pgdir/pgbouncer.ini"
for _ in $(seq 50); do (echo >"/dev/tcp/127.0.0.1/$bport") 2>/dev/null && break; sleep 0.1; done
export APPROVEDSQL_BENCH_PGBOUNCER="127.0.0.1:$bport"

# --- build once -----------------------------------------------------------------
log "building benchmark binaries into $out"
go test -c -o "$out/driver.test" ./driver/
go test -c -o "$out/sqlnorm.test" ./sqlnorm/
go test -c -o "$out/bench.test" ./bench/
# pg_query (cgo, PostgreSQL's own parser) for the normaliser table; skipped
# when it cannot be built here.
go test -c -tags pgquery -o "$out/bench-pgquery.test" ./bench/ || echo "pg_query benchmark unavailable (needs cgo)" >&2
go build -o "$out/ratio" ./bench/ratio

{
	echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "go: $(go env GOVERSION)"
	echo "nproc: $(nproc)"
	echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
	echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "postgres: $(psql "$APPROVEDSQL_TEST_POSTGRES" -XAtc 'show server_version' 2>/dev/null || echo '?')"
	echo "pgbouncer: $("$pgbouncer" --version | head -n 1)"
	echo "rounds: real PostgreSQL $pg_rounds × $pg_time, in-process $micro_rounds × $micro_time"
} | tee "$out/machine.txt" >&2

# --- interleaved rounds -----------------------------------------------------------
# Each round runs every variant once, back to back; ratios are taken within
# rounds and summarised over them.
log "in-process benchmarks: $micro_rounds rounds"
for r in $(seq "$micro_rounds"); do
	printf ' %s' "$r" >&2
	"$out/driver.test" -test.run '^$' -test.bench '^BenchmarkExecContext$' -test.benchmem -test.benchtime "$micro_time" >>"$out/driver.txt"
	"$out/driver.test" -test.run '^$' -test.bench '^BenchmarkExecContextCold$' -test.benchmem -test.benchtime "$micro_time" >>"$out/driver-cold.txt"
	"$out/sqlnorm.test" -test.run '^$' -test.bench '^BenchmarkNormalize$' -test.benchmem -test.benchtime "$micro_time" >>"$out/sqlnorm.txt"
	"$out/bench.test" -test.run '^$' -test.bench '^BenchmarkDecideFew$' -test.benchmem -test.benchtime "$micro_time" >>"$out/decide.txt"
	[ -x "$out/bench-pgquery.test" ] && "$out/bench-pgquery.test" -test.run '^$' -test.bench '^BenchmarkNormalizers$' -test.benchmem -test.benchtime "$micro_time" >>"$out/pgquery.txt"
done
echo >&2
log "real PostgreSQL on loopback: $pg_rounds rounds"
for r in $(seq "$pg_rounds"); do
	printf ' %s' "$r" >&2
	APPROVEDSQL_BENCH_ROUND="$r" "$out/bench.test" -test.run '^$' -test.bench '^BenchmarkRealPG$' -test.benchmem -test.benchtime "$pg_time" >>"$out/realpg.txt"
done
echo >&2

# --- tables -----------------------------------------------------------------------
R="$out/ratio"
{
	echo "# approvedsql benchmarks"; echo; sed 's/^/    /' "$out/machine.txt"
	$R -title "Fake in-memory driver, db.ExecContext (× raw)" -base raw "$out/driver.txt"
	$R -title "Fake in-memory driver, db.ExecContext with cold caches: the call alone (× raw)" -base raw -metric call-ns/op "$out/driver-cold.txt"
	$R -title "Normaliser vs go-sqllexer (× go-sqllexer)" -base go-sqllexer "$out/sqlnorm.txt"
	if [ -s "$out/pgquery.txt" ]; then
		$R -title "Normaliser vs go-sqllexer vs pg_query, 200-byte query, wall (× go-sqllexer)" -base go-sqllexer "$out/pgquery.txt"
		$R -title "Normaliser vs go-sqllexer vs pg_query, 200-byte query, process CPU (× go-sqllexer)" -base go-sqllexer -metric cpu-ns/op "$out/pgquery.txt"
	fi
	$R -title "Gate.Decide, statement matching few rules (× 10 rules), wall" -base rules=10 "$out/decide.txt"
	$R -title "Gate.Decide, statement matching few rules (× 10 rules), process CPU" -base rules=10 -metric cpu-ns/op "$out/decide.txt"
	$R -title "Real PostgreSQL on loopback, wall time per call (× raw pgx)" -base raw-pgx "$out/realpg.txt"
	$R -title "Real PostgreSQL on loopback, client CPU per call (× raw pgx)" -base raw-pgx -metric cpu-ns/op "$out/realpg.txt"
	echo; echo "## benchstat"; echo; echo '```'
	for f in driver driver-cold sqlnorm pgquery decide realpg; do [ -s "$out/$f.txt" ] && { benchstat "$out/$f.txt" 2>&1 || true; }; done
	echo '```'
} | tee "$out/report.md"
log "raw results and report.md kept in $out"
