-- One PostgreSQL server, one database per service on PostgreSQL (run once, on an empty data volume).
-- approval-service is on MariaDB (../mariadb). POSTGRES_USER is a superuser, so it may open the logical
-- replication connections Debezium needs.
CREATE DATABASE regrequest;
CREATE DATABASE publisherview;
