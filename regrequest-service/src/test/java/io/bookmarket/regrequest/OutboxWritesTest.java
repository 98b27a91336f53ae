package io.bookmarket.regrequest;

import io.bookmarket.stack.testing.StackTestResource;
import io.bookmarket.support.testing.OidcServer;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManagerFactory;
import org.hibernate.SessionFactory;
import org.hibernate.stat.EntityStatistics;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each event costs the outbox table one insert and one delete, as in production (rows removed right after the
 * insert), never an update in between: the extension once sent an UPDATE of every row's payload (a JsonNode it found
 * dirty at flush). Counted by Hibernate's statistics, switched on for this profile only.
 */
@QuarkusTest
@TestProfile(OutboxWritesTest.RemoveAfterInsert.class)
@QuarkusTestResource(value = StackTestResource.class, initArgs = @ResourceArg(name = "database", value = "regrequest"))
@QuarkusTestResource(OidcServer.class)
@QuarkusTestResource(ApprovalStub.class)
class OutboxWritesTest {

    /** The outbox extension's dynamic entity. */
    private static final String OUTBOX_ENTITY = "io.debezium.outbox.quarkus.internal.OutboxEvent";

    public static class RemoveAfterInsert implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.debezium-outbox.remove-after-insert", "true",
                    "quarkus.hibernate-orm.statistics", "true");
        }
    }

    @Inject
    CircuitBreakerMaintenance breakers;

    @Inject
    EntityManagerFactory entityManagerFactory;

    @Test
    void eachEventIsOneInsertAndOneDeleteOfItsOutboxRow() {
        Tests.reset(breakers);
        long publId = Tests.newPublisher();
        EntityStatistics outbox = entityManagerFactory.unwrap(SessionFactory.class).getStatistics()
                .getEntityStatistics(OUTBOX_ENTITY);
        long inserts = outbox.getInsertCount();
        long updates = outbox.getUpdateCount();
        long deletes = outbox.getDeleteCount();

        long id = Tests.file(publId, 21, "outbox writes");
        Tests.asPublisher(publId).delete("/regRequests/" + id).then().statusCode(200);

        assertThat(outbox.getInsertCount() - inserts).as("RegRequested and ReqCanceled written").isEqualTo(2);
        assertThat(outbox.getDeleteCount() - deletes).as("and removed in the same transactions").isEqualTo(2);
        assertThat(outbox.getUpdateCount() - updates).as("no update of an outbox row").isZero();
        assertThat(Tests.outbox(id)).as("no outbox row left behind").isEmpty();
    }
}
