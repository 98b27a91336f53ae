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
 * When a service's JDK AOT cache is out of date: the JVM refuses a cache when any jar of the classpath it was trained
 * with changed, the stack library's (at the end of every child JVM's classpath) as well as the service's own.
 */
class QuarkusAppTest {

    private static final Instant TRAINED = Instant.parse("2026-12-07T09:00:00Z");

    @TempDir
    Path dir;

    @Test
    void aCacheTrainedAfterEveryJarIsCurrent() throws Exception {
        Path cache = file("app.aot", TRAINED);
        List<Path> classpath = List.of(file("quarkus-run.jar", TRAINED.minusSeconds(60)), file("stack.jar", TRAINED.minusSeconds(3600)));

        assertThat(QuarkusApp.isStale(cache, classpath)).isFalse();
    }

    @Test
    void aRebuiltServiceJarMakesTheCacheStale() throws Exception {
        Path cache = file("app.aot", TRAINED);
        List<Path> classpath = List.of(file("quarkus-run.jar", TRAINED.plusSeconds(1)), file("stack.jar", TRAINED.minusSeconds(3600)));

        assertThat(QuarkusApp.isStale(cache, classpath)).isTrue();
    }

    @Test
    void aRebuiltStackLibraryMakesTheCacheStaleToo() throws Exception {
        // The case that went unnoticed: only the stack library rebuilt, the service's jar older than its cache.
        Path cache = file("app.aot", TRAINED);
        List<Path> classpath = List.of(file("quarkus-run.jar", TRAINED.minusSeconds(60)), file("stack.jar", TRAINED.plusSeconds(1)));

        assertThat(QuarkusApp.isStale(cache, classpath)).isTrue();
    }

    @Test
    void noCacheIsNotAStaleCache() throws Exception {
        List<Path> classpath = List.of(file("quarkus-run.jar", TRAINED));

        assertThat(QuarkusApp.isStale(dir.resolve("app.aot"), classpath)).isFalse();
    }

    @Test
    void aClassesDirectoryOnTheClasspathIsNotJudged() throws Exception {
        // Tests run the stack library from target/classes: a directory's time says nothing about its classes.
        Path cache = file("app.aot", TRAINED);
        Path classes = Files.createDirectory(dir.resolve("classes"));
        Files.setLastModifiedTime(classes, FileTime.from(TRAINED.plusSeconds(60)));

        assertThat(QuarkusApp.isStale(cache, List.of(file("quarkus-run.jar", TRAINED.minusSeconds(60)), classes))).isFalse();
    }

    private Path file(String name, Instant modified) throws Exception {
        Path file = Files.writeString(dir.resolve(name), name);
        Files.setLastModifiedTime(file, FileTime.from(modified));
        return file;
    }
}
