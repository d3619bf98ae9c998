package io.bingfa.process;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.util.ArrayDeque;
import java.util.List;
import java.util.function.Supplier;

/**
 * Copies one output stream of a worker JVM to the parent's {@code System.out} or {@code System.err}, line
 * by line with the worker's name in front, and remembers the last lines so that a dead worker's exception
 * can quote them. One daemon thread per stream; it ends at the stream's end, i.e. when the worker exits.
 */
final class OutputPump extends Thread {

    private static final int KEEP = 20;

    private final InputStream in;
    private final String prefix;
    private final Supplier<PrintStream> target;
    private final java.util.function.Predicate<String> drop;
    /** Guarded by {@code this}. */
    private final ArrayDeque<String> last = new ArrayDeque<>(KEEP);

    OutputPump(final String threadName, final InputStream in, final String prefix, final Supplier<PrintStream> target) {
        this(threadName, in, prefix, target, line -> false);
    }

    /** As above, leaving out the lines {@code drop} accepts (e.g. the JVM's AOT-cache chatter). */
    OutputPump(final String threadName, final InputStream in, final String prefix, final Supplier<PrintStream> target,
               final java.util.function.Predicate<String> drop) {
        super(threadName);
        this.drop = drop;
        setDaemon(true);
        this.in = in;
        this.prefix = prefix;
        this.target = target;
    }

    @Override
    public void run() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, Charset.defaultCharset()))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (drop.test(line)) {
                    continue;
                }
                synchronized (this) {
                    if (last.size() == KEEP) {
                        last.removeFirst();
                    }
                    last.addLast(line);
                }
                target.get().println(prefix + line);
            }
        } catch (IOException e) {
            // the worker is gone; what it wrote before is already forwarded
        }
    }

    /** The last lines seen, oldest first. */
    synchronized List<String> lastLines() {
        return List.copyOf(last);
    }
}
