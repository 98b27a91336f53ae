package io.bookmarket.stack;

import java.nio.file.Path;

/** A component of the stack could not start. The message names the component and its log file. */
public class StackStartException extends RuntimeException {

    public StackStartException(String component, String problem, Path logFile, Throwable cause) {
        super(component + " " + problem + (logFile == null ? "" : " (log: " + logFile.toAbsolutePath() + ")"), cause);
    }

    public StackStartException(String component, String problem, Path logFile) {
        this(component, problem, logFile, null);
    }
}
