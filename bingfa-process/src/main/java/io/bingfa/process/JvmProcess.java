package io.bingfa.process;

import io.bingfa.future.WaitInterruptedException;
import io.bingfa.pool.SerializableRunnable;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A serializable {@code Runnable} running in a JVM of its own: Python's {@code multiprocessing.Process}.
 *
 * <pre>{@code
 * JvmProcess p = JvmProcess.start(() -> serve(8080));
 * p.join(Duration.ofSeconds(5));
 * if (p.isAlive()) p.terminate();
 * }</pre>
 *
 * <h2>Implementation notes</h2>
 * The child is {@link WorkerMain} in process mode with the same class path and JVM options as a pool
 * worker; the target is JDK-serialized (unless another codec is chosen) and written to the child's standard
 * input, which then stays open. The child runs the target in its main thread and exits with 0, or prints
 * the exception to its stderr and exits with 1. The child's stdout and stderr are copied to this JVM's.
 *
 * <h2>States</h2>
 * <pre>
 *   (start) -&gt; ALIVE -&gt; EXITED     the target returned (0), threw (1), called System.exit (its status), or the
 *                                  process was terminated (SIGTERM: 143) or killed (SIGKILL: 137)
 * </pre>
 * {@link #exitCode()} is empty while the process is alive. A <em>daemon</em> process is ended when this
 * JVM ends, even by {@code kill -9}: it watches its standard input, which reaches end-of-stream when the
 * parent dies, and its parent's pid. A non-daemon process outlives a parent killed by a signal; on a normal
 * exit of this JVM, a shutdown hook waits for non-daemon processes, as Python joins them at exit.
 */
public final class JvmProcess {

    private static final AtomicInteger NUMBERS = new AtomicInteger();
    /** Processes not yet exited: keeps their stdin open (a collected stream would close it) and feeds the hook. */
    private static final Set<JvmProcess> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(JvmProcess::atExit, "bingfa-jvm-process-exit"));
    }

    private final String name;
    private final boolean daemon;
    private final Process process;
    private final OutputStream stdin;

    private JvmProcess(final String name, final boolean daemon, final Process process, final OutputStream stdin) {
        this.name = name;
        this.daemon = daemon;
        this.process = process;
        this.stdin = stdin;
    }

    /** Starts {@code target} in a new non-daemon JVM with the default settings. */
    public static JvmProcess start(final SerializableRunnable target) {
        return builder().start(target);
    }

    public static Builder builder() {
        return new Builder();
    }

    private static void atExit() {
        for (JvmProcess p : List.copyOf(LIVE)) {
            if (p.daemon) {
                p.process.destroyForcibly();
            } else {
                try {
                    p.process.waitFor();
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    public String name() {
        return name;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isDaemon() {
        return daemon;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Waits as long as it takes for the process to exit. */
    public void join() {
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            throw new WaitInterruptedException(e);
        }
    }

    /**
     * Waits at most {@code timeout} for the process to exit; true if it did. Unlike Python's {@code join},
     * says whether it timed out, so there is no need to ask {@link #isAlive()} afterwards.
     */
    public boolean join(final Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        try {
            return process.waitFor(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            throw new WaitInterruptedException(e);
        }
    }

    /**
     * The exit status, empty while the process runs: 0 when the target returned, 1 when it threw, 128 + N
     * when signal N ended it (Python reports -N instead).
     */
    public OptionalInt exitCode() {
        return process.isAlive() ? OptionalInt.empty() : OptionalInt.of(process.exitValue());
    }

    /** Sends SIGTERM: shutdown hooks in the child run. */
    public void terminate() {
        process.toHandle().destroy(); // not Process.destroy(), which closes stdin: a daemon child would halt first
    }

    /** Sends SIGKILL. */
    public void kill() {
        process.toHandle().destroyForcibly();
    }

    @Override
    public String toString() {
        return "JvmProcess[" + name + ", pid " + pid() + (daemon ? ", daemon" : "") + ", "
                + exitCode().stream().mapToObj(c -> "exit code " + c).findFirst().orElse("alive") + "]";
    }

    /** Settings of a {@link JvmProcess}; each may be set once. */
    public static final class Builder {
        private boolean daemon;
        private String name;
        private List<String> jvmArgs = List.of();
        private final Map<String, String> systemProperties = new LinkedHashMap<>();
        private final Map<String, String> environment = new LinkedHashMap<>();
        private String classpath;
        private TaskCodec codec = TaskCodec.jdk();
        private final Set<String> set = new java.util.HashSet<>();

        Builder() {}

        private void once(final String setting) {
            if (!set.add(setting)) {
                throw new IllegalStateException(setting + " was already set");
            }
        }

        /** A daemon process is killed when this JVM exits, even by kill -9 (default: false). */
        public Builder daemon(final boolean daemon) {
            once("daemon");
            this.daemon = daemon;
            return this;
        }

        /** A name for messages (default: {@code process-N}). */
        public Builder name(final String name) {
            once("name");
            Objects.requireNonNull(name, "name");
            if (name.isBlank()) {
                throw new IllegalArgumentException("name must not be blank, was '" + name + "'");
            }
            this.name = name;
            return this;
        }

        public Builder jvmArgs(final String... args) {
            once("jvmArgs");
            this.jvmArgs = List.of(args);
            return this;
        }

        public Builder systemProperty(final String key, final String value) {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
            if (systemProperties.putIfAbsent(key, value) != null) {
                throw new IllegalStateException("system property " + key + " was already set");
            }
            return this;
        }

        public Builder environment(final String key, final String value) {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
            if (environment.putIfAbsent(key, value) != null) {
                throw new IllegalStateException("environment variable " + key + " was already set");
            }
            return this;
        }

        public Builder classpath(final String classpath) {
            once("classpath");
            Objects.requireNonNull(classpath, "classpath");
            if (classpath.isBlank()) {
                throw new IllegalArgumentException("classpath must not be blank, was '" + classpath + "'");
            }
            this.classpath = classpath;
            return this;
        }

        /** How the target travels (default: JDK serialization, which needs no warm-up in the child). */
        public Builder codec(final TaskCodec codec) {
            once("codec");
            this.codec = Objects.requireNonNull(codec, "codec");
            return this;
        }

        /**
         * Starts {@code target} in a new JVM.
         *
         * @throws TaskSerializationException if the target cannot be serialized (no process is started)
         * @throws UncheckedIOException if the JVM cannot be started
         */
        public JvmProcess start(final SerializableRunnable target) {
            Objects.requireNonNull(target, "target");
            final byte[] payload;
            try {
                payload = Payloads.encode(codec, target, true);
            } catch (RuntimeException | LinkageError e) {
                throw new TaskSerializationException("the process target could not be serialized: a "
                        + target.getClass().getName() + " (" + e + ")", e);
            }
            final String n = name != null ? name : "process-" + NUMBERS.incrementAndGet();
            final List<String> cmd = new ArrayList<>(WorkerCommand.base(jvmArgs, classpath, false));
            WorkerCommand.properties(cmd, systemProperties);
            cmd.add("-D" + WorkerMain.MODE + "=process");
            cmd.add("-D" + WorkerMain.DAEMON + "=" + daemon);
            cmd.add("-D" + WorkerMain.CODEC + "=" + codec.getClass().getName());
            cmd.add(WorkerMain.class.getName());
            final ProcessBuilder pb = new ProcessBuilder(cmd);
            pb.environment().putAll(environment);
            final Process process;
            try {
                process = pb.start();
                final DataOutputStream in = new DataOutputStream(process.getOutputStream());
                in.writeInt(payload.length);
                in.write(payload);
                in.flush();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start the JVM of " + n + ": " + e.getMessage(), e);
            }
            new OutputPump(n + "-stdout", process.getInputStream(), "", () -> System.out).start();
            new OutputPump(n + "-stderr", process.getErrorStream(), "", () -> System.err).start();
            final JvmProcess p = new JvmProcess(n, daemon, process, process.getOutputStream());
            LIVE.add(p);
            process.onExit().thenRun(() -> {
                LIVE.remove(p);
                try {
                    p.stdin.close();
                } catch (IOException e) {
                    // the child is gone; nothing to tell it
                }
            });
            return p;
        }
    }
}
