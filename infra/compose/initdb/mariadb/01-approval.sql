-- MariaDB for approval-service (run once by the image's entrypoint, as root, on an empty data volume).
-- Passwords are local placeholders for a developer machine, not secrets; Kubernetes takes them from a Secret
-- (infra/k8s/25-mariadb.yaml).
CREATE DATABASE IF NOT EXISTS approval CHARACTER SET utf8mb4;

-- The service: everything on its own database, nothing else (Flyway creates its tables, outboxevent included).
CREATE USER IF NOT EXISTS 'bookmarket'@'%' IDENTIFIED BY 'bookmarket';
GRANT ALL PRIVILEGES ON approval.* TO 'bookmarket'@'%';

-- Debezium's MariaDB connector: reads the binlog (REPLICATION SLAVE, BINLOG MONITOR), the schema of the captured
-- tables (SELECT, SHOW DATABASES) and may flush tables for a snapshot (RELOAD). It writes nothing.
CREATE USER IF NOT EXISTS 'debezium'@'%' IDENTIFIED BY 'debezium';
GRANT SELECT, RELOAD, SHOW DATABASES, REPLICATION SLAVE, BINLOG MONITOR ON *.* TO 'debezium'@'%';
