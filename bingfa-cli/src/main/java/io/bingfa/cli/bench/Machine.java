package io.bingfa.cli.bench;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/**
 * The contract's {@code "machine"} object: what a reader needs to judge a bench result (two cores or
 * sixty-four, which JVM, which Python the anchors ran on, and when).
 *
 * @param python the anchors' Python version ({@code "3.11.2"}), or {@code null} when none was found
 */
public record Machine(int cores, String os, String jvm, String python, String date) {

    /** This machine now, with the given Python version (null if none). */
    public static Machine current(final String python) {
        final String os = System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch");
        final String jvm = System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version");
        final String date = OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS)
                .format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
        return new Machine(Runtime.getRuntime().availableProcessors(), os, jvm, python, date);
    }
}
