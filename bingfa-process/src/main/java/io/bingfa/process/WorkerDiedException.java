package io.bingfa.process;

import java.io.Serial;
import java.util.List;

/**
 * The worker JVM running a task died before answering: it called {@code System.exit}, ran out of memory
 * (workers run with {@code -XX:+ExitOnOutOfMemoryError}), crashed, or was killed. Only the task(s) it was
 * running fail with this; the pool starts a replacement and goes on.
 */
public final class WorkerDiedException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    private final int exitCode;
    private final String[] lastStderrLines;

    public WorkerDiedException(final String message, final int exitCode, final List<String> lastStderrLines) {
        super(message);
        this.exitCode = exitCode;
        this.lastStderrLines = lastStderrLines.toArray(String[]::new);
    }

    /** The worker's exit status as the JDK reports it: 128 + N when signal N killed it (137 for SIGKILL). */
    public int exitCode() {
        return exitCode;
    }

    /** The last lines the worker wrote to its standard error, oldest first. */
    public List<String> lastStderrLines() {
        return List.of(lastStderrLines);
    }

    /** "exit code 1", or "exit code 137 (signal 9, SIGKILL)". */
    static String describeExit(final int code) {
        if (code > 128 && code < 128 + 65) {
            final int signal = code - 128;
            final String name = switch (signal) {
                case 1 -> "SIGHUP";
                case 2 -> "SIGINT";
                case 3 -> "SIGQUIT";
                case 4 -> "SIGILL";
                case 6 -> "SIGABRT";
                case 7 -> "SIGBUS";
                case 8 -> "SIGFPE";
                case 9 -> "SIGKILL";
                case 11 -> "SIGSEGV";
                case 15 -> "SIGTERM";
                default -> "SIG" + signal;
            };
            return "exit code " + code + " (signal " + signal + ", " + name + ")";
        }
        return "exit code " + code;
    }
}
