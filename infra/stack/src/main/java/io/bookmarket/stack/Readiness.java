package io.bookmarket.stack;

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
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            jvm.checkAlive();
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
                throw new StackStartException(jvm.component, "start was interrupted", jvm.logFile, e);
            }
        }
        throw new StackStartException(jvm.component, "was not ready within " + timeout.toSeconds() + " s"
                + (last == null ? "" : " (last check: " + last.getMessage() + ")"), jvm.logFile, last);
    }
}
