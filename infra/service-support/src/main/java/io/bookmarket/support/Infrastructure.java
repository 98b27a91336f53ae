package io.bookmarket.support;

import jakarta.persistence.LockTimeoutException;
import jakarta.persistence.OptimisticLockException;
import jakarta.persistence.PessimisticLockException;
import org.hibernate.StaleStateException;
import org.hibernate.exception.JDBCConnectionException;

import javax.transaction.xa.XAException;
import java.net.ConnectException;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Tells failures of the infrastructure (the database unreachable, restarting, out of connections; a lock or
 * version conflict) from failures of the input. The former pass: retry later. The latter never will.
 */
public final class Infrastructure {

    private Infrastructure() {
    }

    /** True when some cause says the database could not be used just now (worth a retry, 503 to a client). */
    public static boolean unavailable(Throwable failure) {
        return anyCause(failure, t -> t instanceof ConnectException || t instanceof SQLTransientException
                || t instanceof SQLRecoverableException || t instanceof JDBCConnectionException
                || t instanceof SQLException sql && unavailableState(sql.getSQLState(), sql.getMessage()));
    }

    /**
     * True when the database failed during the commit itself (the transaction manager reports the resource's
     * XAException): the COMMIT may have reached the database before the connection broke, so the change may or may
     * not be stored.
     */
    public static boolean outcomeUnknown(Throwable failure) {
        return unavailable(failure) && anyCause(failure, t -> t instanceof XAException);
    }

    /** True when some cause is a lost race with a concurrent transaction (a retry reads the new state). */
    public static boolean conflict(Throwable failure) {
        return anyCause(failure, t -> t instanceof OptimisticLockException || t instanceof PessimisticLockException
                || t instanceof LockTimeoutException || t instanceof StaleStateException
                // 40001 serialization failure, 40P01 deadlock, 55P03 lock not available
                || t instanceof SQLException sql && sql.getSQLState() != null
                        && (sql.getSQLState().startsWith("40") || sql.getSQLState().equals("55P03")));
    }

    /**
     * Walks causes and suppressed exceptions: Narayana reports a failed commit as a RollbackException that carries
     * the driver's error only as a suppressed exception.
     */
    private static boolean anyCause(Throwable failure, Predicate<Throwable> test) {
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<Throwable> todo = new ArrayDeque<>();
        if (failure != null) {
            todo.push(failure);
        }
        while (!todo.isEmpty()) {
            Throwable t = todo.pop();
            if (!seen.add(t)) {
                continue;
            }
            if (test.test(t)) {
                return true;
            }
            if (t.getCause() != null) {
                todo.push(t.getCause());
            }
            for (Throwable suppressed : t.getSuppressed()) {
                todo.push(suppressed);
            }
        }
        return false;
    }

    private static boolean unavailableState(String state, String message) {
        if (state == null) {
            // Agroal's messages carry no SQLState: "Acquisition timeout while waiting for new connection", and "Exception
            // in association of connection to existing transaction" for a pooled connection that died (the database
            // restarted) and so could not join the transaction; Agroal keeps the driver's error out of the causes.
            return message != null && (message.contains("Acquisition timeout")
                    || message.contains("Exception in association of connection to existing transaction"));
        }
        // 08 connection exception, 53 insufficient resources, 57P01-57P03 admin shutdown, crash, cannot connect now
        return state.startsWith("08") || state.startsWith("53") || state.startsWith("57P");
    }
}
