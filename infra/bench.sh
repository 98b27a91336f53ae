#!/usr/bin/env bash
# Benchmarks the whole Book Market system on this machine: start-up and RSS per service, POST /regRequests and
# GET /publpages throughput and latency, event lag to publisher-view, the breaker's fail-fast, the original's
# load test (overload: 100 clients for 60 s, fresh after a restart and warm), and the durable commit ceiling of
# the same PostgreSQL server. Starts its own system (fresh data dir, free ports), prints a table, writes
# infra/bench/target/bench/results.json.
#   infra/bench.sh                 # full run (5 s warm-up, 15 s per run, concurrency 1,10,50,100, overload 100 x 60 s)
#   infra/bench.sh --quick         # a smoke run (~2 min)
#   infra/bench.sh --duration=30s --warmup=10s --concurrency=1,10,50,100 --only=post,lag --help
#   infra/bench.sh --only=post,overload --overload-clients=100 --overload-duration=60s
# SKIP_BUILD=1 skips the build.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${JAVA_HOME:-}" ] && [ -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ]; then
  export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
fi
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
if [ "${SKIP_BUILD:-}" != "1" ]; then
  # -Paot: the services are packaged as aot-jar; each one's first orderly run trains a JDK AOT cache
  # (target/quarkus-app/app.aot, Java 25) and later starts load from it (start -> ready about 2 s instead of 5-8 s).
  echo "Building (./mvnw install -DskipTests -Paot; set SKIP_BUILD=1 to skip) ..."
  ./mvnw -B -q install -DskipTests -Paot
fi
exec "$JAVA" -Djava.util.logging.SimpleFormatter.format='%1$tT %5$s%n' -Dbookmarket.repo="$PWD" \
  -cp "infra/bench/target/classes:$(cat infra/bench/target/bench.classpath)" io.bookmarket.bench.Bench "$@"
