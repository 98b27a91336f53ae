package io.bookmarket.regrequest;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packaged service in production mode refuses to start without its client secret, and says which variable is
 * missing: a forgotten Secret must never leave it running on the local realm's secret.
 */
class ProductionConfigIT {

    @Test
    void withoutItsClientSecretAProductionStartFailsAtOnceNamingTheVariable() throws Exception {
        assertStartFailsNaming("OIDC_CLIENT_SECRET", Map.of("UI_CLIENT_SECRET", "bookmarket-web-local-secret-0123456789abcdef"));
    }

    /** The pages' client secret (it also encrypts the session cookies) is required in the same way. */
    @Test
    void withoutThePagesClientSecretAProductionStartFailsAtOnceNamingTheVariable() throws Exception {
        assertStartFailsNaming("UI_CLIENT_SECRET", Map.of("OIDC_CLIENT_SECRET", "regrequest-service-local-secret"));
    }

    private static void assertStartFailsNaming(String missing, Map<String, String> others) throws Exception {
        Path jar = Path.of("target/quarkus-app/quarkus-run.jar");
        assertThat(jar).exists();
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder builder = new ProcessBuilder(List.of(java, "-Dquarkus.http.port=0", "-jar", jar.toString()))
                .redirectErrorStream(true);
        builder.environment().keySet().removeIf(name -> name.equals(missing) || name.startsWith("QUARKUS_OIDC"));
        builder.environment().putAll(others);
        Path output = Files.createTempFile("regrequest-prod-start", ".log");
        Process process = builder.redirectOutput(output.toFile()).start();
        try {
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the start ends by itself").isTrue();
            String log = Files.readString(output, StandardCharsets.UTF_8);
            assertThat(process.exitValue()).as("exit code; output:%n%s", log).isNotZero();
            assertThat(log).contains(missing);
        } finally {
            process.destroyForcibly();
            Files.deleteIfExists(output);
        }
    }
}
