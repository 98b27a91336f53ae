package io.bookmarket.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * CPU time of a JVM's JIT compiler threads (their /proc/&lt;pid&gt;/task/&lt;tid&gt;/comm is "C1 CompilerThre" or
 * "C2 CompilerThre"). On two busy cores a service's one C2 thread needs about three minutes of load before it has
 * compiled the hot paths; until then it takes 15-30 % of the service's CPU, so a figure measured earlier is partly
 * warm-up (issue 14). The bench warms up until this settles and reports what is left of it per operation.
 */
final class JitCompilation {

    private static final double TICKS_PER_SECOND = 100.0; // USER_HZ on Linux

    private JitCompilation() {
    }

    /** CPU seconds the compiler threads of {@code pid} used so far (threads alive now; they live as long as the JVM). */
    static double seconds(long pid) {
        Path tasks = Path.of("/proc/" + pid + "/task");
        double ticks = 0;
        try (Stream<Path> threads = Files.list(tasks)) {
            for (Path thread : threads.toList()) {
                String name = read(thread.resolve("comm"));
                if (name.startsWith("C1 CompilerThre") || name.startsWith("C2 CompilerThre")) {
                    String stat = read(thread.resolve("stat"));
                    int close = stat.lastIndexOf(')');
                    if (close > 0) {
                        String[] f = stat.substring(close + 2).split(" ");
                        ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            return 0; // the process or a thread ended meanwhile: no figure
        }
        return ticks / TICKS_PER_SECOND;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "";
        }
    }
}
