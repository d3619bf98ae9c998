package io.bingfa.process;

import java.io.IOException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.Logger;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.BasicMDCAdapter;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * The SLF4J binding of a pool's worker JVM: every event at or above the parent's level is shipped to the
 * parent as a LOG frame, where {@link ProcessPool} logs it through the parent's own SLF4J with the worker's
 * name in the MDC under {@code worker} (the seeds' advice: one process writes the log). Chosen with
 * {@code -Dslf4j.provider=} on the worker's command line, never through {@code META-INF/services}, so a
 * parent that has this jar on its class path keeps its own binding. Before the connection is up, and if
 * it fails, events go to standard error, which the parent forwards too. Not an API.
 */
public final class WorkerLogProvider implements SLF4JServiceProvider {

    /** The worker property that carries the parent's level (an SLF4J {@link Level#toInt()} value). */
    static final String LEVEL = "bingfa.worker.logLevel";

    private static volatile Connection connection;

    private final IMarkerFactory markers = new BasicMarkerFactory();
    private final MDCAdapter mdc = new BasicMDCAdapter();
    private ILoggerFactory factory;

    /** Needed by {@link java.util.ServiceLoader}. */
    public WorkerLogProvider() {}

    static void attach(final Connection c) {
        connection = c;
    }

    @Override
    public void initialize() {
        final int threshold = Integer.getInteger(LEVEL, Level.INFO.toInt());
        final ConcurrentMap<String, Logger> loggers = new ConcurrentHashMap<>();
        factory = name -> loggers.computeIfAbsent(name, n -> new ShippingLogger(n, threshold));
    }

    @Override
    public ILoggerFactory getLoggerFactory() {
        return factory;
    }

    @Override
    public IMarkerFactory getMarkerFactory() {
        return markers;
    }

    @Override
    public MDCAdapter getMDCAdapter() {
        return mdc;
    }

    @Override
    public String getRequestedApiVersion() {
        return "2.0.99";
    }

    /** Formats in the worker, ships the text; the parent decides again whether its logger wants it. */
    private static final class ShippingLogger extends LegacyAbstractLogger {
        private static final long serialVersionUID = 1L;
        private final int threshold;

        ShippingLogger(final String name, final int threshold) {
            this.name = name;
            this.threshold = threshold;
        }

        @Override
        public boolean isTraceEnabled() {
            return threshold <= Level.TRACE.toInt();
        }

        @Override
        public boolean isDebugEnabled() {
            return threshold <= Level.DEBUG.toInt();
        }

        @Override
        public boolean isInfoEnabled() {
            return threshold <= Level.INFO.toInt();
        }

        @Override
        public boolean isWarnEnabled() {
            return threshold <= Level.WARN.toInt();
        }

        @Override
        public boolean isErrorEnabled() {
            return threshold <= Level.ERROR.toInt();
        }

        @Override
        protected String getFullyQualifiedCallerName() {
            return null;
        }

        @Override
        protected void handleNormalizedLoggingCall(final Level level, final Marker marker, final String pattern,
                                                   final Object[] arguments, final Throwable throwable) {
            final String message = MessageFormatter.basicArrayFormat(pattern, arguments);
            final String trace = throwable == null ? null : WorkerProtocol.stackTraceText(throwable);
            final Connection c = connection; // racy read: before attach, events go to stderr instead
            if (c != null) {
                try {
                    c.send(WorkerProtocol.log(new WorkerProtocol.LogEvent(level.toInt(), name,
                            Thread.currentThread().getName(), message, trace)));
                    return;
                } catch (IOException e) {
                    // the parent is going away; stderr is as good as it gets
                }
            }
            System.err.println(level + " " + name + " - " + message);
            if (trace != null) {
                System.err.print(trace);
            }
        }
    }
}
