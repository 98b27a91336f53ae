-- One PostgreSQL server, one database per service (run once, on an empty data volume).
-- POSTGRES_USER is a superuser, so it may open the logical replication connections Debezium needs.
CREATE DATABASE regrequest;
CREATE DATABASE approval;
CREATE DATABASE publisherview;
