package io.bookmarket.stack;

import java.nio.file.Path;

/** A process of the stack that {@link Stack#kill} crashes and {@link Stack#restart} starts again on its data and port. */
public interface Engine extends AutoCloseable {

    int port();

    Path logFile();

    /** Simulates a crash: SIGKILL, no clean shutdown. Idempotent. */
    void kill();

    /** Orderly stop. */
    @Override
    void close();
}
