#!/usr/bin/env bash
# Runs the whole Book Market system locally, without Docker: builds what is needed (once), then starts
# PostgreSQL, MariaDB, Kafka, Kafka Connect (Debezium outbox connectors), Keycloak (sign-in) and the three services.
# Ctrl-C stops it. --except <service> leaves one service out, to run it in dev mode (./mvnw quarkus:dev -pl <service>);
# the gateway (:8080) still routes its paths to its usual port.
# Needs only a JDK 21+ (25 recommended). Data and logs: $BOOKMARKET_HOME (default .bookmarket/).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${JAVA_HOME:-}" ] && [ -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ]; then
  export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
fi
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
version=$("$JAVA" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}')
if [ "${version%%.*}" -lt 21 ]; then
  echo "Book Market needs Java 21 or newer; $JAVA is Java $version. Set JAVA_HOME." >&2
  exit 1
fi
if [ "${SKIP_BUILD:-}" != "1" ]; then
  # -Paot: the services are packaged as aot-jar; each one's first orderly run trains a JDK AOT cache
  # (target/quarkus-app/app.aot, Java 25) and later starts load from it (start -> ready about 2 s instead of 5-8 s).
  echo "Building (./mvnw install -DskipTests -Paot; set SKIP_BUILD=1 to skip) ..."
  ./mvnw -B -q install -DskipTests -Paot
fi
exec "$JAVA" -Djava.util.logging.SimpleFormatter.format='%1$tT %5$s%n' -Dbookmarket.repo="$PWD" \
  -cp "infra/launcher/target/classes:$(cat infra/launcher/target/launcher.classpath)" io.bookmarket.launcher.Launcher "$@"
