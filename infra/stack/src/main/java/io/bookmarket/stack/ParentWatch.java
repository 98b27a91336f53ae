package io.bookmarket.stack;

import java.lang.reflect.Method;
import java.util.Arrays;

/**
 * Entry point of the child JVMs (Kafka broker, Connect worker): exits when the JVM that started it is gone,
 * so a killed test run or launcher never leaves an orphan broker behind. Then runs the real main class.
 * Usage: {@code ParentWatch <parent-pid> <main-class> [args...]}.
 */
public final class ParentWatch {

    private ParentWatch() {
    }

    public static void main(String[] args) throws Exception {
        long parentPid = Long.parseLong(args[0]);
        ProcessHandle.of(parentPid).ifPresentOrElse(
                parent -> parent.onExit().thenRun(() -> {
                    System.err.println("Parent process " + parentPid + " is gone; stopping.");
                    System.exit(3);
                }),
                () -> System.exit(3));
        Method main = Class.forName(args[1]).getMethod("main", String[].class);
        main.invoke(null, (Object) Arrays.copyOfRange(args, 2, args.length));
    }
}
