#!/bin/sh
# Registers every Debezium connector in /connectors (= infra/contracts/connectors/*.json, the single source of
# truth) with the Kafka Connect REST API, replacing only the environment-specific values with this Compose stack's:
# the database coordinates, chosen by the connector's class (PostgresConnector -> POSTGRES_*, MariaDbConnector ->
# MARIADB_*), and the Kafka that holds a MariaDB connector's schema history topic.
# Re-running re-applies the files: DELETE then POST. The connector's offsets (in Kafka) and its position in the
# database's log (PostgreSQL replication slot; MariaDB binlog GTID in the offsets, schema history in its topic)
# survive the delete, so it resumes where it stopped; nothing is lost or replayed.
set -eu

: "${CONNECT_URL:?}" "${KAFKA_BOOTSTRAP_SERVERS:?}"
: "${POSTGRES_HOST:?}" "${POSTGRES_PORT:?}" "${POSTGRES_USER:?}" "${POSTGRES_PASSWORD:?}"
: "${MARIADB_HOST:?}" "${MARIADB_PORT:?}" "${MARIADB_USER:?}" "${MARIADB_PASSWORD:?}"

found=0
for file in /connectors/*.json; do
  [ -e "$file" ] || break
  found=$((found + 1))
  name=$(sed -n 's/^ *"name": *"\([^"]*\)".*/\1/p' "$file" | head -n 1)
  [ -n "$name" ] || { echo "register-connectors: no \"name\" in $file" >&2; exit 1; }

  class=$(sed -n 's/^ *"connector.class": *"\([^"]*\)".*/\1/p' "$file" | head -n 1)
  case "$class" in
    io.debezium.connector.postgresql.PostgresConnector)
      DB_HOST=$POSTGRES_HOST DB_PORT=$POSTGRES_PORT DB_USER=$POSTGRES_USER DB_PASSWORD=$POSTGRES_PASSWORD ;;
    io.debezium.connector.mariadb.MariaDbConnector)
      DB_HOST=$MARIADB_HOST DB_PORT=$MARIADB_PORT DB_USER=$MARIADB_USER DB_PASSWORD=$MARIADB_PASSWORD ;;
    *) echo "register-connectors: $name: no coordinates for connector.class \"$class\" ($file)" >&2; exit 1 ;;
  esac

  body=$(sed \
    -e "s|\"database.hostname\": *\"[^\"]*\"|\"database.hostname\": \"$DB_HOST\"|" \
    -e "s|\"database.port\": *\"[^\"]*\"|\"database.port\": \"$DB_PORT\"|" \
    -e "s|\"database.user\": *\"[^\"]*\"|\"database.user\": \"$DB_USER\"|" \
    -e "s|\"database.password\": *\"[^\"]*\"|\"database.password\": \"$DB_PASSWORD\"|" \
    -e "s|\"schema.history.internal.kafka.bootstrap.servers\": *\"[^\"]*\"|\"schema.history.internal.kafka.bootstrap.servers\": \"$KAFKA_BOOTSTRAP_SERVERS\"|" \
    "$file")

  curl -s -o /dev/null -X DELETE "$CONNECT_URL/connectors/$name" || true
  code=$(printf '%s' "$body" | curl -s -o /tmp/response -w '%{http_code}' -X POST \
    -H 'Content-Type: application/json' --data-binary @- "$CONNECT_URL/connectors")
  if [ "$code" != 201 ]; then
    echo "register-connectors: $name refused (HTTP $code): $(cat /tmp/response)" >&2
    exit 1
  fi

  # Wait until the connector and its task run (a missing outbox table or a bad password shows up here).
  tries=0
  while :; do
    status=$(curl -s "$CONNECT_URL/connectors/$name/status" || true)
    case "$status" in
      *FAILED*) echo "register-connectors: $name FAILED: $status" >&2; exit 1 ;;
    esac
    # The task list follows the connector's own state in the status document.
    if printf '%s' "$status" | sed 's/.*"tasks"://' | grep -q '"RUNNING"'; then
      break
    fi
    tries=$((tries + 1))
    if [ "$tries" -ge 60 ]; then
      echo "register-connectors: $name not RUNNING after 60 s: $status" >&2
      exit 1
    fi
    sleep 1
  done
  echo "register-connectors: $name RUNNING (from $(basename "$file"))"
done

[ "$found" -gt 0 ] || { echo "register-connectors: no connector JSON in /connectors" >&2; exit 1; }
