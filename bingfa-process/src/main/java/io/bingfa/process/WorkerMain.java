package io.bingfa.process;

import io.bingfa.pool.SerializableCallable;
import io.bingfa.pool.SerializableRunnable;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

/**
 * The main class of a worker JVM: started by {@link ProcessPool} (mode {@code pool}) and by
 * {@link JvmProcess} (mode {@code process}). Not an API: its command line is the pool's business.
 *
 * <h2>Pool mode</h2>
 * Connects to the pool's socket, says HELLO with the pool's secret, runs the initializer from WELCOME,
 * answers READY (or INIT_FAILED and exits with status 3), then serves the {@link WorkerProtocol}: the main
 * thread reads a TASK, decodes and runs it itself, and sends RESULT or FAILURE, so that no thread hand-off
 * sits on the round trip. CANCEL frames come on a second channel, the worker's standard input, read by a
 * control thread while the main thread is busy: it interrupts the main thread if, and only if, that thread
 * is still running the task named (checked under the lock the main thread holds while it swaps tasks, so an
 * interrupt can never leak into the next task: the flag is cleared after the swap, when no interrupt for
 * the old task can arrive any more).
 *
 * <h2>Start-up</h2>
 * The path to a new pool's first result is this JVM's start, the handshake and one task, and on a machine
 * of few cores everything else competes with it for a core. So Apache Fory (a few hundred classes and
 * generated serializers, about half a second of CPU without an AOT cache) is built in the background only
 * after the first answer is sent; until then, and until the worker says CODEC_READY, the parent sends
 * JDK-serialized tasks ({@link Payloads}). Measured on 2 vCPUs, a pool of 2 to its first result with the
 * AOT cache: 185 ms instead of 300 ms with Fory built from the start, A/B in one run on a loaded machine
 * (docs/bench/process-startup.txt).
 *
 * <h2>Never an orphan</h2>
 * Three watchers end the worker within a second when its parent dies, even by {@code kill -9}: the main
 * thread's read of the socket and the control thread's read of standard input both return end-of-stream
 * the moment the kernel closes the parent's ends (the main thread's only once its task is done; the
 * control thread's at once), and a daemon thread polls {@link ProcessHandle} for the parent pid every
 * 200 ms as a backup. Either one calls
 * {@link Runtime#halt}: shutdown hooks of a task could hang, and there is nobody left to answer to.
 *
 * <h2>Process mode</h2>
 * Reads one length-prefixed encoded {@link SerializableRunnable} from standard input, runs it in the main
 * thread and exits with status 0, or prints the exception and exits with 1 (Python's
 * {@code Process.exitcode}). A daemon process also halts when standard input reaches end-of-stream, which
 * happens when the parent dies.
 */
public final class WorkerMain {

    static final String ADDRESS = "bingfa.worker.address";
    static final String ID = "bingfa.worker.id";
    static final String CODEC = "bingfa.worker.codec";
    static final String PARENT_PID = "bingfa.worker.parentPid";
    static final String MODE = "bingfa.worker.mode";
    static final String DAEMON = "bingfa.worker.daemon";

    private static final long NO_TASK = -1;

    private WorkerMain() {}

    // CODEC_READY goes out once both hold: the codec is warm, and READY was sent (the parent expects it after).
    private static final java.util.concurrent.atomic.AtomicInteger CODEC_READY_STEPS = new java.util.concurrent.atomic.AtomicInteger();
    private static volatile Connection served;

    private static void codecWarm() {
        if (CODEC_READY_STEPS.incrementAndGet() == 2) {
            sendOrHalt(served, Frame.of(WorkerProtocol.CODEC_READY, 0));
        }
    }

    private static void readySent(final Connection c, final TaskCodec codec) {
        served = c;
        if (!(codec instanceof ForyCodec) || CODEC_READY_STEPS.incrementAndGet() == 2) {
            sendOrHalt(c, Frame.of(WorkerProtocol.CODEC_READY, 0));
        }
    }

    public static void main(final String[] args) throws Exception {
        final TaskCodec codec = codec(System.getProperty(CODEC, JdkCodec.class.getName()));
        watchParent();
        warmUpJdkSerialization();
        if ("process".equals(System.getProperty(MODE))) {
            runProcess(codec);
        } else {
            servePool(codec);
        }
    }

    private static TaskCodec codec(final String className) throws ReflectiveOperationException {
        if (className.equals(ForyCodec.class.getName())) {
            return TaskCodec.fory();
        }
        if (className.equals(JdkCodec.class.getName())) {
            return TaskCodec.jdk();
        }
        return (TaskCodec) Class.forName(className).getConstructor().newInstance();
    }

    /**
     * Runs one serializable lambda through JDK serialization in the background: the first task of a fresh
     * JVM otherwise pays for loading the serialization and lambda-deserialization machinery itself.
     */
    private static void warmUpJdkSerialization() {
        final Thread t = new Thread(() -> {
            final SerializableCallable<Integer> probe = () -> 1;
            try {
                ((SerializableCallable<?>) TaskCodec.jdk().decode(TaskCodec.jdk().encode(probe))).call();
            } catch (Exception e) {
                // only a warm-up: the real tasks report their own problems
            }
        }, "bingfa-jdk-warm-up");
        t.setDaemon(true);
        t.start();
    }

    /** The backup watcher: halts when the parent process is gone (the socket's end-of-stream is the first). */
    private static void watchParent() {
        final long parentPid = Long.getLong(PARENT_PID, -1);
        if (parentPid < 0) {
            return;
        }
        final Optional<ProcessHandle> parent = ProcessHandle.of(parentPid);
        final Thread t = new Thread(() -> {
            while (true) {
                final Optional<ProcessHandle> now = ProcessHandle.current().parent();
                if (parent.isEmpty() || !parent.get().isAlive() || now.isEmpty() || now.get().pid() != parentPid) {
                    if (!Boolean.getBoolean(DAEMON) && "process".equals(System.getProperty(MODE))) {
                        return; // a non-daemon JvmProcess outlives its parent, as in Python
                    }
                    Runtime.getRuntime().halt(WorkerProtocol.EXIT_NO_PARENT);
                }
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "bingfa-parent-watcher");
        t.setDaemon(true);
        t.start();
    }

    // ---------------------------------------------------------------- pool mode

    private static void servePool(final TaskCodec codec) {
        final long workerId = Long.getLong(ID, 0);
        final String secretHex = System.getenv(WorkerProtocol.SECRET_ENV);
        final String address = System.getProperty(ADDRESS);
        if (secretHex == null || address == null) {
            System.err.println("bingfa worker: started without " + WorkerProtocol.SECRET_ENV + " or -D" + ADDRESS
                    + "; workers are started by ProcessPool, not by hand");
            System.exit(WorkerProtocol.EXIT_NO_PARENT);
        }
        final Connection c;
        try {
            c = UnixSocketTransport.connect(address);
            c.send(WorkerProtocol.hello(workerId, WorkerProtocol.unhex(secretHex), ProcessHandle.current().pid()));
        } catch (IOException e) {
            System.err.println("bingfa worker " + workerId + ": cannot reach the pool at " + address + ": " + e);
            Runtime.getRuntime().halt(WorkerProtocol.EXIT_NO_PARENT);
            return;
        }
        WorkerLogProvider.attach(c);
        final Frame welcome = receiveOrHalt(c);
        if (welcome.type() != WorkerProtocol.WELCOME) {
            Runtime.getRuntime().halt(WorkerProtocol.EXIT_NO_PARENT);
        }
        if (welcome.payload().length > 0) {
            try {
                final Object init = decode(codec, welcome.payload(), "initializer");
                ((SerializableRunnable) init).run();
            } catch (Throwable t) {
                sendOrHalt(c, new Frame(WorkerProtocol.INIT_FAILED, 0, WorkerProtocol.failure(t, codec)));
                c.close();
                System.exit(WorkerProtocol.EXIT_INIT_FAILED);
            }
        }
        final TaskRunner runner = new TaskRunner(codec, Thread.currentThread());
        watchControl(runner);
        sendOrHalt(c, Frame.of(WorkerProtocol.READY, 0));
        readySent(c, codec);
        boolean codecStarted = false;
        while (true) {
            final Frame f = receiveOrHalt(c);
            switch (f.type()) {
                case WorkerProtocol.TASK -> {
                    sendOrHalt(c, runner.runOne(f));
                    if (!codecStarted && codec instanceof ForyCodec) {
                        codecStarted = true;
                        ForyCodec.warmUp(WorkerMain::codecWarm); // only now: see "Start-up" above
                    }
                }
                case WorkerProtocol.SHUTDOWN -> {
                    c.close();
                    System.exit(0);
                }
                default -> {
                    System.err.println("bingfa worker " + workerId + ": unexpected " + f);
                    Runtime.getRuntime().halt(WorkerProtocol.EXIT_NO_PARENT);
                }
            }
        }
    }

    /**
     * The control channel: standard input carries CANCEL frames (type byte, task id), read by a daemon
     * thread while the main thread runs the task. Its end-of-stream means the parent died.
     */
    private static void watchControl(final TaskRunner runner) {
        final Thread t = new Thread(() -> {
            final DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(System.in, 64));
            try {
                while (true) {
                    final byte type = in.readByte();
                    final long id = in.readLong();
                    if (type == WorkerProtocol.CANCEL) {
                        runner.cancel(id);
                    }
                }
            } catch (IOException e) {
                // end of stream: the parent is gone
            }
            Runtime.getRuntime().halt(WorkerProtocol.EXIT_NO_PARENT);
        }, "bingfa-control");
        t.setDaemon(true);
        t.start();
    }

    private static Frame receiveOrHalt(final Connection c) {
        try {
            final Frame f = c.receive();
            if (f != null) {
                return f;
            }
        } catch (IOException e) {
            // same as end-of-stream: the parent is gone
        }
        Runtime.getRuntime().halt(WorkerProtocol.EXIT_NO_PARENT);
        throw new AssertionError("halted");
    }

    private static void sendOrHalt(final Connection c, final Frame f) {
        try {
            c.send(f);
        } catch (IOException e) {
            Runtime.getRuntime().halt(WorkerProtocol.EXIT_NO_PARENT);
        }
    }

    private static Object decode(final TaskCodec codec, final byte[] bytes, final String what) {
        try {
            return Payloads.decode(codec, bytes);
        } catch (RuntimeException | LinkageError e) {
            throw new TaskSerializationException("the " + what + " could not be deserialized in the worker: " + e, e);
        }
    }

    /**
     * Runs tasks in the main thread, the one that read them: no hand-off between threads on the way from
     * the socket to the task and back.
     */
    private static final class TaskRunner {
        private final TaskCodec codec;
        private final Thread thread;
        /** Guarded by {@code this}: the task being run, or NO_TASK. */
        private long current = NO_TASK;

        TaskRunner(final TaskCodec codec, final Thread thread) {
            this.codec = codec;
            this.thread = thread;
        }

        /** Guarded by {@code this}: prefetched tasks cancelled before they started. */
        private final java.util.Set<Long> skip = new java.util.HashSet<>();

        synchronized void cancel(final long taskId) {
            if (current == taskId) {
                thread.interrupt();
            } else if (taskId > current) {
                skip.add(taskId); // not started yet (ids grow); a late CANCEL for a finished task is dropped
            }
        }

        /** Makes {@code taskId} current; false if it was cancelled while prefetched (then it must not run). */
        private synchronized boolean swap(final long taskId) {
            if (taskId == NO_TASK) {
                current = NO_TASK;
                Thread.interrupted(); // an interrupt aimed at the task just finished must not reach the next one
                return true;
            }
            skip.removeIf(id -> id < taskId);
            if (skip.remove(taskId)) {
                return false;
            }
            current = taskId;
            return true;
        }

        private Frame runOne(final Frame task) {
            if (!swap(task.id())) {
                return new Frame(WorkerProtocol.FAILURE, task.id(), WorkerProtocol.failure(
                        new java.util.concurrent.CancellationException("cancelled before it started"), codec));
            }
            Object value = null;
            Throwable failure = null;
            try {
                value = ((SerializableCallable<?>) decode(codec, task.payload(), "task")).call();
            } catch (Throwable t) {
                failure = t;
            } finally {
                swap(NO_TASK);
            }
            if (failure == null) {
                try {
                    return new Frame(WorkerProtocol.RESULT, task.id(), Payloads.encode(codec, value, Payloads.warm(codec)));
                } catch (RuntimeException | LinkageError e) {
                    failure = new TaskSerializationException("the task's result could not be serialized: a "
                            + value.getClass().getName() + " (" + e + ")", e);
                }
            }
            return new Frame(WorkerProtocol.FAILURE, task.id(), WorkerProtocol.failure(failure, codec));
        }
    }

    // ---------------------------------------------------------------- process mode

    private static void runProcess(final TaskCodec codec) {
        final InputStream stdin = System.in;
        final SerializableRunnable task;
        try {
            final DataInputStream in = new DataInputStream(stdin);
            final byte[] bytes = in.readNBytes(in.readInt());
            task = (SerializableRunnable) decode(codec, bytes, "process target");
        } catch (IOException | RuntimeException e) {
            System.err.println("bingfa process: cannot read its target from the parent: " + e);
            System.exit(1);
            return;
        }
        if (Boolean.getBoolean(DAEMON)) {
            final Thread eof = new Thread(() -> {
                try {
                    while (stdin.read() >= 0) {
                        // the parent never writes more; end-of-stream means it died
                    }
                } catch (IOException e) {
                    // same as end-of-stream
                }
                Runtime.getRuntime().halt(WorkerProtocol.EXIT_NO_PARENT);
            }, "bingfa-parent-watcher-stdin");
            eof.setDaemon(true);
            eof.start();
        }
        try {
            task.run();
        } catch (Throwable t) {
            System.err.println("Process " + ProcessHandle.current().pid() + ":");
            t.printStackTrace();
            System.exit(1);
        }
        System.exit(0);
    }
}
