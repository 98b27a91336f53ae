package io.bookmarket.stack;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * When a service's JDK AOT cache is out of date: the JVM refuses a cache when a jar of the classpath it was trained
 * with moved or changed, the stack library's (at the end of every child JVM's classpath) as well as the service's own.
 */
class QuarkusAppTest {

    private static final Instant BUILT = Instant.parse("2026-12-07T09:00:00Z");

    @TempDir
    Path dir;

    private Path cache;
    private Path serviceJar;
    private Path stackJar;

    /** A cache trained with quarkus-run.jar and the stack library's jar, as QuarkusApp's training run records it. */
    private void trained() throws Exception {
        serviceJar = jar("quarkus-run.jar", "service");
        stackJar = jar("bookmarket-stack.jar", "stack");
        cache = Files.writeString(dir.resolve("app.aot"), "cache");
        Files.writeString(QuarkusApp.classpathRecord(cache), QuarkusApp.classpathStamp(List.of(serviceJar, stackJar)));
    }

    @Test
    void aCacheUsedWithTheJarsItWasTrainedWithIsCurrent() throws Exception {
        trained();

        assertThat(QuarkusApp.isStale(cache, List.of(serviceJar, stackJar))).isFalse();
    }

    @Test
    void aRebuiltServiceMakesItStale() throws Exception {
        trained();
        Files.setLastModifiedTime(serviceJar, FileTime.from(BUILT.plusSeconds(60)));

        assertThat(QuarkusApp.isStale(cache, List.of(serviceJar, stackJar))).isTrue();
    }

    @Test
    void aRebuiltStackLibraryMakesItStale() throws Exception {
        trained();
        Files.writeString(stackJar, "stack, rebuilt");
        Files.setLastModifiedTime(stackJar, FileTime.from(BUILT));

        assertThat(QuarkusApp.isStale(cache, List.of(serviceJar, stackJar))).isTrue();
    }

    @Test
    void theStackLibraryFromAnotherPlaceMakesItStale() throws Exception {
        // Trained by a suite that ran the library from the local Maven repository, used by the bench that runs it
        // from infra/stack/target: same bytes, another path, and the JVM refused the cache.
        trained();
        Path sameJarElsewhere = Files.copy(stackJar, Files.createDirectory(dir.resolve("m2")).resolve("bookmarket-stack.jar"),
                java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);

        assertThat(QuarkusApp.isStale(cache, List.of(serviceJar, sameJarElsewhere))).isTrue();
    }

    @Test
    void aCacheWithoutItsRecordIsStale() throws Exception {
        trained();
        Files.delete(QuarkusApp.classpathRecord(cache));

        assertThat(QuarkusApp.isStale(cache, List.of(serviceJar, stackJar))).isTrue();
    }

    @Test
    void noCacheIsNotAStaleCache() throws Exception {
        trained();
        Files.delete(cache);

        assertThat(QuarkusApp.isStale(cache, List.of(serviceJar, stackJar))).isFalse();
    }

    private Path jar(String name, String content) throws Exception {
        Path jar = Files.writeString(dir.resolve(name), content);
        Files.setLastModifiedTime(jar, FileTime.from(BUILT));
        return jar;
    }
}
