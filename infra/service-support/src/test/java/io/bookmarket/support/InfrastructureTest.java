package io.bookmarket.support;

import jakarta.persistence.OptimisticLockException;
import jakarta.transaction.RollbackException;
import org.junit.jupiter.api.Test;

import javax.transaction.xa.XAException;
import java.io.EOFException;
import java.sql.SQLException;

import static org.assertj.core.api.Assertions.assertThat;

class InfrastructureTest {

    @Test
    void aDatabaseThatCannotBeReachedIsUnavailableNotBadInput() {
        assertThat(Infrastructure.unavailable(new RuntimeException(new SQLException("Connection refused", "08001")))).isTrue();
        assertThat(Infrastructure.unavailable(new RuntimeException(new SQLException("terminating connection", "57P01")))).isTrue();
        assertThat(Infrastructure.unavailable(new SQLException("Acquisition timeout while waiting for new connection"))).isTrue();
        assertThat(Infrastructure.unavailable(new RuntimeException(new SQLException("value too long", "22001")))).isFalse();
        assertThat(Infrastructure.unavailable(new IllegalStateException("bug"))).isFalse();
    }

    /** The shape Agroal gives a pooled connection that died with its database and then failed to join a transaction. */
    @Test
    void aDeadPooledConnectionThatCannotJoinTheTransactionIsUnavailable() {
        SQLException enlist = new SQLException("Exception in association of connection to existing transaction",
                new SQLException("Failed to enlist. Check if a connection from another datasource is already enlisted to the same transaction"));
        assertThat(Infrastructure.unavailable(new RuntimeException("Unable to acquire JDBC Connection", enlist))).isTrue();
        assertThat(Infrastructure.conflict(enlist)).isFalse();
    }

    /** The shape Narayana gives a COMMIT whose connection broke (seen when PostgreSQL was killed under load). */
    @Test
    void aConnectionLostDuringCommitIsUnavailableWithAnUnknownOutcome() {
        XAException xa = new XAException("Error trying to transactionCommit local transaction");
        xa.initCause(new SQLException("An I/O error occurred while sending to the backend.", "08006", new EOFException()));
        RollbackException rollback = new RollbackException("ARJUNA016053: Could not commit transaction.");
        rollback.addSuppressed(xa);
        RuntimeException thrown = new RuntimeException(rollback);

        assertThat(Infrastructure.unavailable(thrown)).isTrue();
        assertThat(Infrastructure.outcomeUnknown(thrown)).isTrue();
        assertThat(Infrastructure.conflict(thrown)).isFalse();
    }

    @Test
    void aConnectionRefusedBeforeCommitHasAKnownOutcome() {
        RuntimeException refused = new RuntimeException(new SQLException("Connection refused", "08001"));
        assertThat(Infrastructure.outcomeUnknown(refused)).isFalse();
        XAException rolledBack = new XAException("rolled back");
        rolledBack.initCause(new SQLException("value too long", "22001"));
        assertThat(Infrastructure.outcomeUnknown(new RuntimeException(rolledBack))).isFalse();
    }

    @Test
    void causeCyclesEndTheWalk() {
        RuntimeException a = new RuntimeException("a");
        RuntimeException b = new RuntimeException("b", a);
        a.addSuppressed(b);
        assertThat(Infrastructure.unavailable(b)).isFalse();
    }

    @Test
    void lostRacesAreConflicts() {
        assertThat(Infrastructure.conflict(new RuntimeException(new OptimisticLockException()))).isTrue();
        assertThat(Infrastructure.conflict(new SQLException("deadlock detected", "40P01"))).isTrue();
        assertThat(Infrastructure.conflict(new SQLException("duplicate key", "23505"))).isFalse();
    }
}
