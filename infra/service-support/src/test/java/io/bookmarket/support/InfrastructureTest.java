package io.bookmarket.support;

import jakarta.persistence.OptimisticLockException;
import org.junit.jupiter.api.Test;

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

    @Test
    void lostRacesAreConflicts() {
        assertThat(Infrastructure.conflict(new RuntimeException(new OptimisticLockException()))).isTrue();
        assertThat(Infrastructure.conflict(new SQLException("deadlock detected", "40P01"))).isTrue();
        assertThat(Infrastructure.conflict(new SQLException("duplicate key", "23505"))).isFalse();
    }
}
