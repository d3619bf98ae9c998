package io.bingfa.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs the real command tree in-process, as a user would from a shell, and keeps what it printed. */
public record CliRun(int exitCode, String out, String err) {

    public static CliRun of(final String... args) {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final int code = Main.commandLine()
                .setOut(new PrintWriter(out, true))
                .setErr(new PrintWriter(err, true))
                .execute(args);
        return new CliRun(code, out.toString(), err.toString());
    }
}
