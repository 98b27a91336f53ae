-- One PostgreSQL server, one database per service on PostgreSQL (run once, on an empty data volume).
-- approval-service is on MariaDB (../mariadb). POSTGRES_USER is a superuser, so it may open the logical
-- replication connections Debezium needs.
CREATE DATABASE regrequest;
CREATE DATABASE publisherview;
-- Keycloak's own (realms, users, sessions). On a data volume created before Keycloak was added, create it by hand:
--   docker compose -f infra/docker-compose.yml exec postgres psql -U postgres -c 'CREATE DATABASE keycloak'
CREATE DATABASE keycloak;
