package io.bookmarket.launcher;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SystemOptionsTest {

    @TempDir
    Path dir;

    @Test
    void theLocalSystemKeepsTheOriginalsPortsSoItsClientsStillReachIt() {
        SystemOptions options = new SystemOptions(dir, dir.resolve("data"));
        assertThat(options.servicePorts).containsEntry(LocalSystem.REGREQUEST, 8085)
                .containsEntry(LocalSystem.APPROVAL, 8086).containsEntry(LocalSystem.PUBLISHER_VIEW, 8087);
        assertThat(options.gatewayPort).isEqualTo(8080);
        assertThat(options.ephemeral).as("a local system keeps its data and replication slots").isFalse();
    }

    @Test
    void anIsolatedSystemEmptiesItsDataAndTakesPortsNoOtherGot() throws Exception {
        Path data = Files.createDirectories(dir.resolve("data/postgres"));
        Files.writeString(data.resolve("left-over"), "from an earlier run");
        List<Integer> ports = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            SystemOptions options = SystemOptions.isolated(dir, dir.resolve("data"));
            ports.addAll(options.servicePorts.values());
            ports.addAll(List.of(options.gatewayPort, options.keycloakPort, options.keycloakManagementPort));
            assertThat(options.ephemeral).isTrue();
            assertThat(options.postgresPort).as("the engines take any free port when they start").isZero();
        }
        assertThat(dir.resolve("data")).doesNotExist();
        assertThat(new HashSet<>(ports)).as("never the same port twice").hasSameSizeAs(ports);
        assertThat(ports).allSatisfy(port -> assertThat(port).as("below the kernel's ephemeral range").isBetween(20_000, 31_999));
    }

    @Test
    void replicasAndExceptionsAreCheckedAgainstTheServices() {
        SystemOptions options = new SystemOptions(dir, dir).replicas(LocalSystem.APPROVAL, 2);
        assertThat(options.replicas(LocalSystem.APPROVAL)).isEqualTo(2);
        assertThat(options.replicas(LocalSystem.REGREQUEST)).isEqualTo(1);
        assertThatThrownBy(() -> options.replicas(LocalSystem.APPROVAL, 0)).hasMessageContaining("at least 1 replica");
        assertThatThrownBy(() -> options.replicas("gateway", 2)).hasMessageContaining("Unknown service gateway");
        assertThatThrownBy(() -> options.except("kafka")).hasMessageContaining("Unknown service kafka");
    }
}
