package io.bookmarket.stack;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

/** Waits for a component with a timeout; failures name the component and its log file. */
final class Readiness {

    private Readiness() {
    }

    static void await(ChildJvm jvm, Duration timeout, Callable<Boolean> ready) {
        await(jvm, timeout, ready, Duration.ofMillis(100));
    }

    static void await(ChildJvm jvm, Duration timeout, Callable<Boolean> ready, Duration pollInterval) {
        await(jvm.component, jvm.logFile, jvm::checkAlive, timeout, ready, pollInterval);
    }

    /**
     * @param checkAlive throws (a {@link StackStartException} naming the log) once the component's process has exited
     */
    static void await(String component, Path logFile, Runnable checkAlive, Duration timeout, Callable<Boolean> ready,
            Duration pollInterval) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            checkAlive.run();
            try {
                if (Boolean.TRUE.equals(ready.call())) {
                    return;
                }
            } catch (Exception e) {
                last = e;
            }
            try {
                Thread.sleep(pollInterval);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StackStartException(component, "start was interrupted", logFile, e);
            }
        }
        throw new StackStartException(component, "was not ready within " + timeout.toSeconds() + " s"
                + (last == null ? "" : " (last check: " + last.getMessage() + ")"), logFile, last);
    }
}
