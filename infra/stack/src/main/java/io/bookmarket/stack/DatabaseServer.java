package io.bookmarket.stack;

import java.sql.Connection;
import java.sql.SQLException;

/** A database engine of the stack (PostgreSQL, MariaDB): databases made on demand, and the user the services log in as. */
public interface DatabaseServer extends Engine {

    String jdbcUrl(String database);

    /** A connection as {@link #user()}. */
    Connection connect(String database) throws SQLException;

    /** Creates the database if it does not exist (and lets {@link #user()} use it). */
    void createDatabase(String database);

    /** The services' user. */
    String user();

    String password();
}
