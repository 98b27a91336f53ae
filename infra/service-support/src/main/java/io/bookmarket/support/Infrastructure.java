package io.bookmarket.support;

import jakarta.persistence.LockTimeoutException;
import jakarta.persistence.OptimisticLockException;
import jakarta.persistence.PessimisticLockException;
import org.hibernate.StaleStateException;
import org.hibernate.exception.JDBCConnectionException;

import java.net.ConnectException;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;

/**
 * Tells failures of the infrastructure (the database unreachable, restarting, out of connections; a lock or
 * version conflict) from failures of the input. The former pass: retry later. The latter never will.
 */
public final class Infrastructure {

    private Infrastructure() {
    }

    /** True when some cause says the database could not be used just now (worth a retry, 503 to a client). */
    public static boolean unavailable(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ConnectException || t instanceof SQLTransientException || t instanceof SQLRecoverableException
                    || t instanceof JDBCConnectionException) {
                return true;
            }
            if (t instanceof SQLException sql && unavailableState(sql.getSQLState(), sql.getMessage())) {
                return true;
            }
        }
        return false;
    }

    /** True when some cause is a lost race with a concurrent transaction (a retry reads the new state). */
    public static boolean conflict(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof OptimisticLockException || t instanceof PessimisticLockException || t instanceof LockTimeoutException
                    || t instanceof StaleStateException) {
                return true;
            }
            // 40001 serialization failure, 40P01 deadlock, 55P03 lock not available
            if (t instanceof SQLException sql && sql.getSQLState() != null
                    && (sql.getSQLState().startsWith("40") || sql.getSQLState().equals("55P03"))) {
                return true;
            }
        }
        return false;
    }

    private static boolean unavailableState(String state, String message) {
        if (state == null) {
            // Agroal's "Acquisition timeout while waiting for new connection" carries no SQLState.
            return message != null && message.contains("Acquisition timeout");
        }
        // 08 connection exception, 53 insufficient resources, 57P01-57P03 admin shutdown, crash, cannot connect now
        return state.startsWith("08") || state.startsWith("53") || state.startsWith("57P");
    }
}
