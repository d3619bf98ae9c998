package io.bingfa.process;

import io.bingfa.future.TaskFuture;
import io.bingfa.future.WaitInterruptedException;
import io.bingfa.pool.Pool;
import io.bingfa.pool.SerializableCallable;
import io.bingfa.pool.SerializableRunnable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.slf4j.event.Level;

/**
 * A {@link Pool} whose tasks run in worker JVMs: Python's {@code ProcessPoolExecutor} and
 * {@code multiprocessing.Pool}, without their hangs.
 *
 * <pre>{@code
 * try (ProcessPool pool = ProcessPool.builder().workers(4).taskTimeout(Duration.ofMinutes(1)).build()) {
 *     TaskFuture<Long> f = pool.submit(() -> countPrimes(10_000_000));
 *     pool.map(x -> heavy(x), inputs, 256, null).forEach(System.out::println);
 * }
 * }</pre>
 *
 * <h2>Overview</h2>
 * The pool listens on a Unix domain socket ({@link UnixSocketTransport}) and starts worker JVMs
 * ({@link WorkerMain}) that connect back and speak the {@link WorkerProtocol}. Tasks wait in one FIFO in
 * this JVM; by default a worker gets one task at a time, when it is idle. So a queued task is cancelled at
 * once and for sure, a dead worker never takes queued work with it, and a slow task never holds up a
 * task queued behind it while another worker is free. Small tasks amortize the round trip through
 * {@link #map}'s chunks, or through {@code prefetch(n)}: a busy worker then holds up to {@code n - 1} more
 * tasks, which it starts without waiting for the parent. Those stay {@code PENDING} (a {@code cancel()} makes
 * the worker skip them), go back to the front of the queue if their worker dies, and become {@code RUNNING}
 * when the answer before them arrives. All pool and worker state is guarded by one lock; futures are
 * completed, and frames written, after the lock is released, so user callbacks never run under it (SHUTDOWN
 * frames, a few bytes to a worker that always reads, are the one exception).
 *
 * <h2>Worker start-up</h2>
 * Worker options are in {@link WorkerCommand}. When the class path is plain jars, workers start from a JDK
 * AOT cache that the first worker records ({@link AotCaches}, {@link Builder#aotCache(boolean)}); and each
 * side sends JDK-serialized payloads until its Fory is built ({@link Payloads}), so no task waits for it.
 *
 * <h2>Waiting for a result</h2>
 * The limit for a round trip is a raw socket ping-pong between two processes: two threads, two wake-ups
 * (the worker's on the task, the caller's on the answer). The pool's round trip is built to cost the same
 * hand-offs and no more: the caller writes the TASK itself (no writer thread); the worker's main thread
 * reads, runs and answers it itself (no executor thread, see {@link WorkerMain}); and the caller reads the
 * answer itself (leader/follower), so no third thread wakes. Measured before this last step (2 vCPUs): the
 * worker's reader thread in the parent woke on every answer, preempted the spinning caller or the worker
 * on their core, and handed the result over: 14 µs from answer to read and 5 µs more to the caller, of a
 * 43 µs round trip (a timestamped trace, load 7). With it: 27 µs in a full bench run, the same as a raw
 * ping-pong whose parent polls, measured beside it (docs/bench/pool.txt).
 *
 * <p>A task that has the pool to itself (it goes straight to an idle worker and leaves a core free: tasks
 * in flight fewer than the cores) gets a {@link TaskFuture#spinning(Duration, TaskFuture.SpinHelper)
 * spinning} future with a {@link ResultHelper}: a platform-thread caller waiting for it spins for up to
 * 100 µs, and in each round polls its worker's socket without blocking ({@link Connection#poll()}; the
 * parent's connections are non-blocking, so an interrupt of the caller cannot close the channel, and a
 * timed wait stays bounded). Whatever frames it finds, its own answer or others, it handles exactly as the
 * reader thread would. Each worker's {@code readRight} lock says who reads; a caller that polls renews a
 * short lease ({@code ledUntil}, 2 ms) during which the worker's reader thread stays parked rather than
 * waiting on the socket, so the answers it does not read do not wake it either (a caller finding it
 * waiting wakes it once to move it aside). When the caller's spin ends without its answer (a long task),
 * it ends the lease and unparks the reader thread, which reads from then on; so does the first poll that
 * meets the end of the stream. When the workers are busy (batches, many callers) futures are plain: a
 * spinner would take a core the workers need, which costs more than the wake (measured: 21,000 tasks/s
 * instead of 39,000 with every waiter spinning), and the reader thread reads as before.
 *
 * <h2>Threads</h2>
 * One acceptor thread (handshakes run on virtual threads), one reader thread per worker (it completes the
 * worker's futures), two output pumps per worker ({@link OutputPump}), a virtual thread per worker exit,
 * and one timer thread for task time-outs, cancel grace periods and idle reaping.
 *
 * <h2>Pool states</h2>
 * <pre>
 *   RUNNING -&gt; SHUTDOWN      shutdown(): no new tasks; queued ones still run unless cancelPending
 *   RUNNING -&gt; BROKEN        the initializer threw, or 3 workers in a row exited before READY (not by a
 *                             signal: a JVM that cannot start exits with a status): queued tasks fail
 *   SHUTDOWN -&gt; BROKEN       the same, while draining
 *   SHUTDOWN | BROKEN -&gt; TERMINATED   no task left and every worker process has exited
 * </pre>
 *
 * <h2>Worker states (the parent's view; the worker's own is in {@link WorkerProtocol})</h2>
 * <pre>
 *   STARTING -&gt; IDLE        READY received (the initializer ran)
 *   IDLE -&gt; BUSY            a task was sent
 *   BUSY -&gt; IDLE            its RESULT or FAILURE arrived
 *   IDLE | BUSY -&gt; RETIRING SHUTDOWN sent: maxTasksPerWorker reached (after the answer), idle for idleTimeout,
 *                           or the pool is done; the process exits by itself
 *   any -&gt; KILLED           destroyed by the pool: task timeout, cancel(true) ignored for the grace period,
 *                           terminateWorkers()/killWorkers(), or the pool ending while it was STARTING
 *   any -&gt; DEAD            its process exited, for whatever reason: the task it ran (if any and not already
 *                           finished) fails with {@link WorkerDiedException}, and a replacement starts when
 *                           there is work (at once with eager start)
 * </pre>
 *
 * <h2>Cancellation and time-outs</h2>
 * {@code cancel()} on a queued task: the future is cancelled and the dispatcher skips it. {@code cancel(true)}
 * on a running task: the future is cancelled at once and a CANCEL frame interrupts the task's thread in the
 * worker; if the worker is still running that task after {@code cancelGrace}, it is killed and replaced. A
 * task still running after {@code taskTimeout} fails with {@link TaskTimeoutException} and its worker is
 * killed and replaced: a process, unlike a thread, can always be stopped.
 *
 * <h2>Failures</h2>
 * A task that cannot be serialized fails its own future at {@code submit} with a
 * {@link TaskSerializationException}; one whose result cannot be serialized fails in the same way from the
 * worker, which lives on. An exception thrown by a task is re-created here with its remote stack trace and
 * cause chain when the codec can, and is a {@link RemoteTaskException} chain otherwise.
 */
public final class ProcessPool implements Pool {

    private static final Logger LOG = LoggerFactory.getLogger(ProcessPool.class);
    private static final AtomicInteger POOLS = new AtomicInteger();
    private static final int START_FAILURES_TO_BREAK = 3;
    private static final Duration RETIRE_GRACE = Duration.ofSeconds(10);
    /**
     * How long a caller waiting for a task's result spins before it parks, when the task had the pool to
     * itself (see "Waiting for a result" in the class comment).
     */
    private static final Duration RESULT_SPIN = Duration.ofNanos(100_000);
    /**
     * How long a worker's reader thread stays parked after a waiting caller last polled its socket, so
     * that a caller submitting task after task keeps reading its own answers without waking the thread.
     */
    private static final long LEAD_LEASE_NANOS = 2_000_000;
    /** Cores in this JVM, for the spin decision. */
    private static final int CPUS = Runtime.getRuntime().availableProcessors();
    /**
     * A reader writes queued tasks to its worker itself only while the task frames that worker may not have
     * read yet stay under these bounds, far below a Unix socket's buffer (about 200 KiB on Linux), so that
     * the write can never block (see {@link #flushFromReader}).
     */
    private static final int INLINE_WRITE_BYTES = 32 * 1024;
    private static final int INLINE_WRITE_FRAMES = 32;

    // Pool states; transitions in the class comment.
    private static final int RUNNING = 0;
    private static final int SHUTDOWN = 1;
    private static final int BROKEN = 2;
    private static final int TERMINATED = 3;
    private static final VarHandle STATE;

    // Worker states (guarded by the pool lock).
    private static final int STARTING = 0;
    private static final int IDLE = 1;
    private static final int BUSY = 2;
    private static final int RETIRING = 3;
    private static final int KILLED = 4;
    private static final int DEAD = 5;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(ProcessPool.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final int poolId = POOLS.incrementAndGet();
    private final Builder config;
    private final TaskCodec codec;
    private final byte[] secret = new byte[WorkerProtocol.SECRET_BYTES];
    private final byte[] initializer;
    private final Transport transport;
    private final ScheduledThreadPoolExecutor timer;
    private final AtomicLong taskIds = new AtomicLong();
    private final CountDownLatch terminated = new CountDownLatch(1);
    private final int parentLogLevel;
    /** The workers' AOT cache file, or null for none (see {@link Builder#aotCache(boolean)}). */
    private final Path aotCache;

    private final ReentrantLock lock = new ReentrantLock();
    /** Guarded by lock. */
    private final ArrayDeque<PendingTask> queue = new ArrayDeque<>();
    /** Guarded by lock: every worker not yet DEAD, by id. */
    private final Map<Long, Worker> workers = new LinkedHashMap<>();
    /** Guarded by lock. */
    private long workerNumbers;
    /** Guarded by lock: workers in a row that died before READY. */
    private int startFailures;
    /** Guarded by lock: why the pool is BROKEN. */
    private BrokenPoolException brokenBy;

    private volatile int state = RUNNING;

    private ProcessPool(final Builder config) {
        this.config = config;
        this.codec = config.codec != null ? config.codec : TaskCodec.defaultCodec();
        new SecureRandom().nextBytes(secret);
        this.initializer = config.initializer == null ? Frame.EMPTY : encodeInitializer(config.initializer);
        this.parentLogLevel = rootLevel();
        this.aotCache = config.aotCache != null ? config.aotCache : config.autoAotCache ? AotCaches.automatic(config) : null;
        try {
            this.transport = UnixSocketTransport.listen();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the pool's Unix domain socket", e);
        }
        this.timer = new ScheduledThreadPoolExecutor(1, r -> {
            final Thread t = new Thread(r, "bingfa-pool-" + poolId + "-timer");
            t.setDaemon(true);
            return t;
        });
        timer.setRemoveOnCancelPolicy(true);
        if (codec instanceof ForyCodec) {
            ForyCodec.warmUp(() -> { });
        }
        final Thread acceptor = new Thread(this::acceptLoop, "bingfa-pool-" + poolId + "-acceptor");
        acceptor.setDaemon(true);
        acceptor.start();
        if (config.idleTimeout != null) {
            final long period = Math.clamp(config.idleTimeout.toMillis() / 4, 10, 1000);
            timer.scheduleWithFixedDelay(this::reapIdleWorkers, period, period, TimeUnit.MILLISECONDS);
        }
        if (config.eagerStart) {
            lock.lock();
            try {
                for (int i = 0; i < config.workers; i++) {
                    startWorkerLocked();
                }
            } finally {
                lock.unlock();
            }
        }
    }

    private byte[] encodeInitializer(final SerializableRunnable init) {
        try {
            return Payloads.encode(codec, init, Payloads.warm(codec));
        } catch (RuntimeException | LinkageError e) {
            throw new TaskSerializationException("the initializer could not be serialized: a "
                    + init.getClass().getName() + " (" + e + ")", e);
        }
    }

    private static int rootLevel() {
        final Logger root = LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
        if (root.isTraceEnabled()) {
            return Level.TRACE.toInt();
        }
        if (root.isDebugEnabled()) {
            return Level.DEBUG.toInt();
        }
        if (root.isInfoEnabled()) {
            return Level.INFO.toInt();
        }
        return root.isWarnEnabled() ? Level.WARN.toInt() : Level.ERROR.toInt();
    }

    /** A builder with the defaults: one worker per available processor, lazy start, no limits. */
    public static Builder builder() {
        return new Builder();
    }

    // ---------------------------------------------------------------- state accessors

    private boolean casState(final int expect, final int update) {
        return STATE.compareAndSet(this, expect, update);
    }

    private int lvState() {
        return state;
    }

    // ---------------------------------------------------------------- submit and dispatch

    /** A task waiting in the queue or running in a worker. */
    private static final class PendingTask {
        final long id;
        final TaskFuture<Object> future;
        /** Kept to re-encode it with JDK serialization for a worker whose Fory is not warm yet. */
        final SerializableCallable<?> task;
        final byte[] payload;
        /** Written under the pool lock: the worker it was sent to (read racily by its {@link ResultHelper}). */
        volatile Worker worker;
        /** Guarded by the pool lock. */
        ScheduledFuture<?> timeout;
        /** Guarded by the pool lock: the size of the TASK frame sent to {@code worker}. */
        int sentBytes;

        PendingTask(final long id, final TaskFuture<Object> future, final SerializableCallable<?> task, final byte[] payload) {
            this.id = id;
            this.future = future;
            this.task = task;
            this.payload = payload;
        }
    }

    @Override
    public <T> TaskFuture<T> submit(final SerializableCallable<T> task) {
        Objects.requireNonNull(task, "task");
        rejectUnlessRunning();
        final byte[] payload;
        try {
            payload = Payloads.encode(codec, task, Payloads.warm(codec));
        } catch (RuntimeException | LinkageError e) {
            return TaskFuture.failed(new TaskSerializationException("the task could not be serialized: a "
                    + task.getClass().getName() + " (" + e + ")", e));
        }
        final List<Connection> toFlush = new ArrayList<>(1);
        final TaskFuture<T> future;
        lock.lock();
        try {
            rejectUnlessRunning();
            final ResultHelper helper = spinsLocked() ? new ResultHelper() : null;
            future = helper != null ? TaskFuture.spinning(RESULT_SPIN, helper) : new TaskFuture<>();
            final PendingTask p = new PendingTask(taskIds.incrementAndGet(), erase(future), task, payload);
            if (helper != null) {
                helper.task = p;
            }
            queue.add(p);
            dispatchLocked(toFlush);
            ensureWorkersLocked();
        } finally {
            lock.unlock();
        }
        flush(toFlush);
        return future;
    }

    /**
     * Whether a new task's waiter should spin: only when the task is about to go to an idle worker and
     * leaves a core free for the spinner (tasks in flight, this one included, fewer than the cores). When
     * the workers are busy the spinner would take their core, which costs more than a wake.
     */
    private boolean spinsLocked() {
        if (!queue.isEmpty() || RESULT_SPIN.isZero()) {
            return false;
        }
        boolean idle = false;
        int inFlight = 1;
        for (Worker w : workers.values()) {
            idle |= w.state == IDLE && !w.disconnected;
            inFlight += w.inFlight.size();
        }
        return idle && inFlight < CPUS;
    }

    /**
     * The caller's side of leader/follower reading (see "Waiting for a result" in the class comment): while
     * a caller spins on a task's future, it polls the socket of the task's worker itself.
     */
    private static final class ResultHelper implements TaskFuture.SpinHelper {
        /** Set right after construction, before the future escapes. */
        PendingTask task;

        @Override
        public void help() {
            final Worker w = task.worker; // racy read: null or stale only means this round polls nothing, or another worker
            if (w != null) {
                w.help();
            }
        }

        @Override
        public void stopped(final boolean done) {
            final Worker w = task.worker; // racy read: as in help()
            if (w != null) {
                w.stopHelping(done);
            }
        }
    }

    @SuppressWarnings("unchecked") // the future only ever receives what the task returned, decoded
    private static <T> TaskFuture<Object> erase(final TaskFuture<T> f) {
        return (TaskFuture<Object>) f;
    }

    private void rejectUnlessRunning() {
        final int s = lvState(); // racy read: re-checked under the lock before the task is queued
        if (s == RUNNING) {
            return;
        }
        final BrokenPoolException broken = brokenBy;
        if (broken != null) {
            throw new RejectedExecutionException("pool is broken: " + broken.getMessage(), broken);
        }
        throw new RejectedExecutionException("pool is shut down: cannot submit new tasks");
    }

    /** Hands queued tasks to idle workers, then (with prefetch) to busy ones with room. */
    private void dispatchLocked(final List<Connection> toFlush) {
        while (!queue.isEmpty()) {
            final Worker w = pickWorkerLocked();
            if (w == null) {
                return;
            }
            final PendingTask p = queue.poll();
            if (w.inFlight.isEmpty()) {
                if (!p.future.setRunningOrNotifyCancel(() -> interruptRunning(p))) {
                    continue; // cancelled while queued: never sent
                }
                startClockLocked(p);
            } else {
                if (p.future.isDone()) {
                    continue; // cancelled while queued
                }
                // Prefetched: still PENDING here. A cancel() now must reach the worker before it starts it.
                p.future.onDone(f -> {
                    if (f.isCancelled()) {
                        cancelPrefetched(p);
                    }
                });
            }
            w.state = BUSY;
            w.inFlight.addLast(p);
            w.tasksSent++;
            p.worker = w;
            final byte[] bytes = payloadFor(w, p);
            p.sentBytes = bytes.length + 13;
            w.connection.enqueue(new Frame(WorkerProtocol.TASK, p.id, bytes));
            toFlush.add(w.connection);
        }
    }

    private void startClockLocked(final PendingTask p) {
        if (config.taskTimeout != null) {
            p.timeout = timer.schedule(() -> timeOut(p), config.taskTimeout.toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    /** A prefetched task was cancelled: tell its worker to skip it (or, if it just started it, to interrupt it). */
    private void cancelPrefetched(final PendingTask p) {
        final Worker w;
        lock.lock();
        try {
            w = p.worker;
            if (w == null || !w.inFlight.contains(p)) {
                return;
            }
        } finally {
            lock.unlock();
        }
        w.sendControl(WorkerProtocol.CANCEL, p.id);
    }

    /**
     * Removes every task from {@code w}: returns the running one (the head), and puts the prefetched ones,
     * which never started, back at the front of the queue in their order.
     */
    private PendingTask drainInFlightLocked(final Worker w) {
        final PendingTask head = w.inFlight.pollFirst();
        if (head != null && head.timeout != null) {
            head.timeout.cancel(false);
        }
        PendingTask p;
        while ((p = w.inFlight.pollLast()) != null) {
            p.worker = null;
            if (!p.future.isDone()) {
                queue.addFirst(p);
            }
        }
        return head;
    }

    /** The task's bytes, re-encoded for a worker still warming up its codec (see {@link Payloads}). */
    private byte[] payloadFor(final Worker w, final PendingTask p) {
        if (w.codecReady || !Payloads.isPool(p.payload)) {
            return p.payload;
        }
        try {
            return Payloads.encode(codec, p.task, false);
        } catch (RuntimeException | LinkageError e) {
            return p.payload; // only the pool's codec can carry it: the worker waits for its codec
        }
    }

    /** An idle worker, else the busy one with the fewest tasks and room for one more, else null. */
    private Worker pickWorkerLocked() {
        Worker best = null;
        for (Worker w : workers.values()) {
            if (w.disconnected) {
                continue;
            }
            if (w.state == IDLE) {
                return w;
            }
            if (w.state == BUSY && w.inFlight.size() < config.prefetch && !w.retiresAfterTask()
                    && (best == null || w.inFlight.size() < best.inFlight.size())) {
                best = w;
            }
        }
        return best;
    }

    /** Starts workers while queued work outnumbers the workers that will be free to take it. */
    private void ensureWorkersLocked() {
        final int s = lvState();
        if (s != RUNNING && s != SHUTDOWN) {
            return;
        }
        int active = 0;
        int busy = 0;
        for (Worker w : workers.values()) {
            if (w.state == STARTING || w.state == IDLE || w.state == BUSY && !w.retiresAfterTask()) {
                active++;
            }
            if (w.state == BUSY) {
                busy++;
            }
        }
        final int want = (int) Math.min(config.workers, (long) busy + queue.size());
        while (active < want) {
            startWorkerLocked();
            active++;
        }
    }

    /*
     * Frames dispatched by a reader thread. Without prefetch a task only ever goes to an idle worker, whose
     * main thread is reading, so the reader may write it itself (no hand-off on the round trip). With
     * prefetch the worker may be busy writing a large answer while we write it a large task: if this reader
     * blocked in that write, nobody would read the answer, both socket buffers would fill and both sides
     * would wait forever (seen with 10,000-URL crawl chunks and prefetch(2)). A write can only block when
     * the socket holds more unread bytes than its buffer, and the unread task frames of a worker are at most
     * its tasks in flight; so the reader writes itself while those are few and small (smallBacklogLocked,
     * the common case of tiny tasks), and otherwise hands the write to a virtual thread and goes back to
     * reading; Connection.flush is safe from any thread.
     */
    private void flushFromReader(final List<Connection> connections, final boolean inline) {
        if (connections.isEmpty()) {
            return;
        }
        if (config.prefetch == 1 || inline) {
            flush(connections);
        } else {
            Thread.ofVirtual().name("bingfa-pool-" + poolId + "-flush").start(() -> flush(connections));
        }
    }

    /** Whether every worker's unread task frames are few and small enough that a write to it cannot block. */
    private boolean smallBacklogLocked() {
        for (Worker w : workers.values()) {
            if (w.inFlight.size() > INLINE_WRITE_FRAMES) {
                return false;
            }
            long bytes = 0;
            for (PendingTask p : w.inFlight) {
                bytes += p.sentBytes;
            }
            if (bytes > INLINE_WRITE_BYTES) {
                return false;
            }
        }
        return true;
    }

    private static void flush(final List<Connection> connections) {
        for (Connection c : connections) {
            try {
                c.flush();
            } catch (IOException e) {
                // the worker is dying: its exit handler fails what it was running
            }
        }
    }

    @Override
    public int concurrency() {
        return config.workers;
    }

    // ---------------------------------------------------------------- workers: start, handshake, read

    /** The parent's handle on one worker JVM. Fields are guarded by the pool lock unless marked volatile. */
    private final class Worker {
        final long id;
        final String name;
        int state = STARTING;
        /** Tasks sent and not answered, in order: the head runs, the rest are prefetched (see {@code prefetch}). */
        final ArrayDeque<PendingTask> inFlight = new ArrayDeque<>(2);
        int tasksSent;
        /** Its connection ended: it is dying, whatever its state says until the exit handler runs. */
        boolean disconnected;
        /** The temporary AOT cache this worker records at exit, or null. */
        volatile Path aotTraining;
        /** Whether the worker said CODEC_READY (always true unless the codec is Fory). */
        volatile boolean codecReady = !(codec instanceof ForyCodec);
        long idleSinceNanos = System.nanoTime();
        /** Why the pool killed it, for the exception of the task it was running; null if it was not killed. */
        String killReason;
        boolean forceKill;
        volatile Process process;
        volatile Connection connection;
        volatile Thread reader;
        /** The right to read {@code connection}: its reader thread's, or a waiting caller's (leader/follower). */
        final ReentrantLock readRight = new ReentrantLock();
        /** The reader thread stays out of the way until then (nanoTime), while callers read for themselves. */
        volatile long ledUntil;
        /** The reader thread is in, or about to enter, {@link Connection#awaitReadable()}. */
        volatile boolean selecting;
        volatile OutputPump stdout;
        volatile OutputPump stderr;

        Worker(final long id) {
            this.id = id;
            this.name = "worker-" + poolId + "." + id;
        }

        boolean retiresAfterTask() {
            return config.maxTasksPerWorker > 0 && tasksSent >= config.maxTasksPerWorker;
        }

        /** Writes a 9-byte control frame to the worker's standard input (see {@link WorkerProtocol}). */
        void sendControl(final byte type, final long taskId) {
            final Process p = process;
            if (p == null) {
                return;
            }
            final java.io.OutputStream control = p.getOutputStream();
            synchronized (control) {
                try {
                    control.write(java.nio.ByteBuffer.allocate(9).put(type).putLong(taskId).array());
                    control.flush();
                } catch (IOException e) {
                    // the worker is dying: its exit handler deals with the task
                }
            }
        }

        /** One non-blocking read of this worker's answers by a waiting caller (see {@link ResultHelper}). */
        void help() {
            final Connection c = connection;
            if (c == null) {
                return;
            }
            ledUntil = System.nanoTime() + LEAD_LEASE_NANOS;
            if (selecting) { // the reader thread waits for the socket: move it aside (once; then it parks)
                c.wakeUpReader();
            }
            if (!readRight.tryLock()) {
                return;
            }
            try {
                Frame f;
                while ((f = c.poll()) != null) {
                    handle(this, f);
                }
            } catch (IOException | RuntimeException e) {
                // The connection ended (or a frame was corrupt): the reader thread makes the same discovery
                // on its next read and does the bookkeeping; wake it for that now.
                if (!(e instanceof java.io.EOFException)) {
                    c.close();
                }
                ledUntil = 0;
                LockSupport.unpark(reader);
            } finally {
                readRight.unlock();
            }
        }

        /** A helping caller stopped spinning: if its task is still running, the reader thread reads again. */
        void stopHelping(final boolean done) {
            if (!done) {
                ledUntil = 0;
                LockSupport.unpark(reader);
            }
        }

        String describe() {
            final Process p = process;
            return name + (p == null ? "" : " (pid " + p.pid() + ")");
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private void startWorkerLocked() {
        final Worker w = new Worker(++workerNumbers);
        workers.put(w.id, w);
        Thread.ofVirtual().name("bingfa-pool-" + poolId + "-launch-" + w.id).start(() -> launch(w));
    }

    private void launch(final Worker w) {
        final ProcessBuilder pb = new ProcessBuilder(WorkerCommand.pool(config, codec, transport.address(), w.id,
                parentLogLevel, aotOptions(w)));
        pb.environment().putAll(config.environment);
        pb.environment().put(WorkerProtocol.SECRET_ENV, WorkerProtocol.hex(secret));
        final Process process;
        try {
            process = pb.start();
        } catch (IOException e) {
            onWorkerExit(w, -1, List.of("cannot start " + pb.command().getFirst() + ": " + e));
            return;
        }
        final java.util.function.Predicate<String> chatter = w.aotTraining == null ? line -> false : ProcessPool::aotChatter;
        final OutputPump out = new OutputPump(w.name + "-stdout", process.getInputStream(), "[" + w.name + "] ",
                () -> System.out, chatter);
        final OutputPump err = new OutputPump(w.name + "-stderr", process.getErrorStream(), "[" + w.name + "] ",
                () -> System.err, chatter);
        w.stdout = out;
        w.stderr = err;
        out.start();
        err.start();
        lock.lock();
        try {
            w.process = process;
            if (w.state == KILLED) {
                kill(w); // killed while it was being launched
            }
        } finally {
            lock.unlock();
        }
        // A virtual thread in waitFor, not Process.onExit(): onExit hops through the JDK's common ForkJoinPool
        // (handleAsync, also in ProcessHandle.onExit), so a caller's tasks blocking every thread of that pool
        // would hold up the news of a death. waitFor returns when the JDK's reaper thread records the exit.
        Thread.ofVirtual().name(w.name + "-exit").start(() -> onWorkerExit(w, exitCode(process), null));
    }

    /** The exit status of a process that has exited (waitFor: the JDK records it just after the reaper). */
    private static int exitCode(final Process process) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return process.waitFor();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** AOT-cache files being made by a training worker of some pool in this JVM. */
    private static final java.util.Set<Path> AOT_TRAINING = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * The AOT-cache options for a new worker (see {@link Builder#aotCache}): use the cache if it exists;
     * otherwise let one worker (in this JVM) record it, to a temporary file that its exit handler renames.
     */
    private List<String> aotOptions(final Worker w) {
        final Path cache = aotCache;
        if (cache == null) {
            return List.of();
        }
        final List<String> own = new ArrayList<>(List.of("-Xlog:aot=off", "-Xlog:cds=off"));
        if (java.nio.file.Files.isRegularFile(cache)) {
            own.add("-XX:AOTCache=" + cache);
        } else if (AOT_TRAINING.add(cache)) {
            w.aotTraining = cache.resolveSibling(cache.getFileName() + "." + ProcessHandle.current().pid() + "-" + poolId
                    + "-" + w.id + ".tmp");
            own.add("-XX:AOTCacheOutput=" + w.aotTraining);
        }
        return own;
    }

    /** What a JVM that writes an AOT cache at exit prints about it (JDK 25), which nobody asked to see. */
    private static boolean aotChatter(final String line) {
        return line.startsWith("Launching child process ") || line.startsWith("Picked up JAVA_TOOL_OPTIONS")
                || line.startsWith("Reading AOTConfiguration ") || line.startsWith("AOTCache creation is complete")
                || line.startsWith("Removed temporary AOT configuration file")
                || line.startsWith("Temporary AOTConfiguration recorded");
    }

    /** A training worker has exited: keep its cache if it wrote one, and let another worker try otherwise. */
    private void finishAotTraining(final Worker w, final int exitCode) {
        final Path tmp = w.aotTraining;
        try {
            if (exitCode == 0 && java.nio.file.Files.isRegularFile(tmp)) {
                java.nio.file.Files.move(tmp, aotCache, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            } else {
                java.nio.file.Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            LOG.warn("pool {}: could not keep the AOT cache {}: {}", poolId, aotCache, e.toString());
        } finally {
            AOT_TRAINING.remove(aotCache);
        }
    }

    private void acceptLoop() {
        while (true) {
            final Connection c;
            try {
                c = transport.accept();
            } catch (IOException e) {
                return; // the transport was closed: the pool terminated
            }
            Thread.ofVirtual().name("bingfa-pool-" + poolId + "-handshake").start(() -> handshake(c));
        }
    }

    private void handshake(final Connection c) {
        final Frame hello;
        try {
            hello = c.receive();
        } catch (IOException e) {
            c.close();
            return;
        }
        if (hello == null) {
            c.close(); // a worker that died while connecting: its exit handler reports it
            return;
        }
        if (WorkerProtocol.checkHello(hello, secret) < 0) {
            LOG.warn("pool {}: refused a connection that did not present the pool's secret", poolId);
            c.close();
            return;
        }
        try {
            c.nonBlocking(); // before anyone reads: callers may then read their answers themselves
        } catch (IOException e) {
            c.close(); // the worker sees end of stream and exits; its exit handler reports it
            return;
        }
        final Worker w;
        lock.lock();
        try {
            w = workers.get(hello.id());
            if (w == null || w.state != STARTING || w.connection != null) {
                c.close();
                return;
            }
            w.connection = c;
        } finally {
            lock.unlock();
        }
        final Thread reader = new Thread(() -> readLoop(w, c), w.name + "-reader");
        reader.setDaemon(true);
        w.reader = reader;
        reader.start();
        try {
            c.send(new Frame(WorkerProtocol.WELCOME, 0, initializer));
        } catch (IOException e) {
            // it died already; its exit handler cleans up
        }
    }

    /**
     * The reader thread of one worker: reads and handles its frames, except while callers waiting for their
     * answers read them themselves (leader/follower, see "Waiting for a result"); then it parks until their
     * lease lapses, so that it is not woken by the very answers they read.
     */
    private void readLoop(final Worker w, final Connection c) {
        try {
            while (true) {
                long lease;
                while ((lease = w.ledUntil - System.nanoTime()) > 0) {
                    LockSupport.parkNanos(this, lease);
                }
                w.readRight.lock();
                try {
                    Frame f;
                    while ((f = c.poll()) != null) {
                        handle(w, f);
                    }
                    w.selecting = true;
                    // Re-checked after announcing the wait: a caller that starts leading now either sees
                    // selecting and wakes us, or we see its lease here (both fields are volatile).
                    if (w.ledUntil - System.nanoTime() <= 0) {
                        c.awaitReadable();
                    }
                } finally {
                    w.selecting = false;
                    w.readRight.unlock();
                }
            }
        } catch (java.io.EOFException e) {
            // the worker closed its end or died: its exit handler does the rest
        } catch (IOException | RuntimeException e) {
            if (w.state != DEAD && w.state != KILLED) { // racy read: only decides whether to log
                LOG.debug("pool {}: connection to {} ended: {}", poolId, w.describe(), e.toString());
            }
        } finally {
            // The socket ends the moment the worker dies, well before the process is reaped: stop sending it
            // work now, so that no task is lost to a worker already gone. The exit handler does the rest.
            lock.lock();
            try {
                w.disconnected = true;
            } finally {
                lock.unlock();
            }
        }
    }

    /** One frame from {@code w}, read by its reader thread or by a caller leading the read. */
    private void handle(final Worker w, final Frame f) {
        switch (f.type()) {
            case WorkerProtocol.READY -> onReady(w);
            case WorkerProtocol.CODEC_READY -> w.codecReady = true;
            case WorkerProtocol.INIT_FAILED -> {
                final Throwable cause = WorkerProtocol.readFailure(f.payload(), codec);
                breakPool(new BrokenPoolException("the worker initializer failed in " + w.describe() + ": " + cause, cause));
            }
            case WorkerProtocol.RESULT -> onAnswer(w, f.id(), decodeResult(f.payload()), null);
            case WorkerProtocol.FAILURE -> onAnswer(w, f.id(), null, WorkerProtocol.readFailure(f.payload(), codec));
            case WorkerProtocol.LOG -> log(w, WorkerProtocol.readLog(f.payload()));
            default -> LOG.warn("pool {}: unexpected {} from {}", poolId, f, w.describe());
        }
    }

    /** A decoded result, or a {@link Failed} marker when it would not deserialize here. */
    private Object decodeResult(final byte[] payload) {
        try {
            return Payloads.decode(codec, payload);
        } catch (RuntimeException | LinkageError e) {
            return new Failed(new TaskSerializationException("the task's result could not be deserialized here: " + e, e));
        }
    }

    private record Failed(Throwable exception) {}

    private void onReady(final Worker w) {
        final List<Connection> toFlush = new ArrayList<>(1);
        final boolean inline;
        lock.lock();
        try {
            if (w.state != STARTING) {
                return;
            }
            w.state = IDLE;
            w.idleSinceNanos = System.nanoTime();
            startFailures = 0;
            dispatchLocked(toFlush);
            inline = smallBacklogLocked();
            tryTerminateLocked();
        } finally {
            lock.unlock();
        }
        flushFromReader(toFlush, inline);
    }

    /** RESULT or FAILURE from {@code w} for task {@code taskId}. */
    private void onAnswer(final Worker w, final long taskId, final Object value, final Throwable failure) {
        final List<Connection> toFlush = new ArrayList<>(1);
        final PendingTask p;
        PendingTask cancelledNext = null;
        final boolean inline;
        lock.lock();
        try {
            p = w.inFlight.peekFirst();
            if (p == null || p.id != taskId) {
                return; // the task was already given up on (timed out, or its worker is being killed)
            }
            w.inFlight.pollFirst();
            if (p.timeout != null) {
                p.timeout.cancel(false);
            }
            final PendingTask next = w.inFlight.peekFirst();
            if (next != null) { // the worker has started its prefetched task by now
                if (next.future.setRunningOrNotifyCancel(() -> interruptRunning(next))) {
                    startClockLocked(next);
                } else {
                    cancelledNext = next; // cancelled while prefetched: make sure the worker skips or stops it
                }
            }
            if (w.state == BUSY && w.inFlight.isEmpty()) {
                if (w.retiresAfterTask()) {
                    retireLocked(w, toFlush);
                } else {
                    w.state = IDLE;
                    w.idleSinceNanos = System.nanoTime();
                }
            }
            dispatchLocked(toFlush);
            inline = smallBacklogLocked();
            tryTerminateLocked();
        } finally {
            lock.unlock();
        }
        flushFromReader(toFlush, inline);
        if (cancelledNext != null) {
            w.sendControl(WorkerProtocol.CANCEL, cancelledNext.id);
        }
        if (failure != null) {
            p.future.setException(failure);
        } else if (value instanceof Failed(Throwable e)) {
            p.future.setException(e);
        } else {
            p.future.setResult(value);
        }
    }

    private void log(final Worker w, final WorkerProtocol.LogEvent e) {
        final Logger logger = LoggerFactory.getLogger(e.logger());
        final Level level = Level.intToLevel(e.level());
        if (!logger.isEnabledForLevel(level)) {
            return;
        }
        MDC.put("worker", w.name);
        try {
            final String text = e.throwable() == null ? e.message() : e.message() + System.lineSeparator() + e.throwable();
            logger.atLevel(level).setMessage(text).log();
        } finally {
            MDC.remove("worker");
        }
    }

    // ---------------------------------------------------------------- worker exit, kill, retire

    private void onWorkerExit(final Worker w, final int exitCode, final List<String> launchFailure) {
        joinQuietly(w.reader); // answers the worker sent before it died are delivered first
        joinQuietly(w.stderr);
        joinQuietly(w.stdout);
        if (w.aotTraining != null) {
            finishAotTraining(w, exitCode);
        }
        final List<String> lastLines = launchFailure != null ? launchFailure
                : w.stderr == null ? List.of() : w.stderr.lastLines();
        final PendingTask p;
        final String killReason;
        final List<PendingTask> failedByBreak = new ArrayList<>();
        final List<Connection> toFlush = new ArrayList<>(1);
        lock.lock();
        try {
            final int was = w.state;
            w.state = DEAD;
            workers.remove(w.id);
            p = drainInFlightLocked(w);
            killReason = w.killReason;
            // A JVM that cannot start exits with a status of its own; one killed by a signal while starting (an
            // impatient operator, the OOM killer) says nothing about the next one, so it does not count.
            final boolean signalled = exitCode > 128;
            if (was == STARTING && killReason == null && !signalled && lvState() <= SHUTDOWN) {
                if (++startFailures >= START_FAILURES_TO_BREAK) {
                    failedByBreak.addAll(breakLocked(new BrokenPoolException(START_FAILURES_TO_BREAK
                            + " workers in a row died before they were ready; the last, " + w.describe() + ", with "
                            + WorkerDiedException.describeExit(exitCode) + tail(lastLines), null)));
                }
            }
            ensureWorkersLocked();
            dispatchLocked(toFlush);
            if (config.eagerStart && lvState() == RUNNING && was != RETIRING) {
                replaceLocked();
            }
            tryTerminateLocked();
        } finally {
            lock.unlock();
        }
        flush(toFlush);
        final Connection c = w.connection;
        if (c != null) {
            c.close();
        }
        if (p != null) {
            p.future.setException(new WorkerDiedException(w.describe() + " died with " + WorkerDiedException.describeExit(exitCode)
                    + " while running the task" + (killReason == null ? "" : " (" + killReason + ")") + tail(lastLines),
                    exitCode, lastLines));
        }
        failAll(failedByBreak);
    }

    /** Keeps {@code workers} live workers (eager start): one more if a death left fewer. */
    private void replaceLocked() {
        int active = 0;
        for (Worker x : workers.values()) {
            if (x.state == STARTING || x.state == IDLE || x.state == BUSY) {
                active++;
            }
        }
        if (active < config.workers) {
            startWorkerLocked();
        }
    }

    private static String tail(final List<String> lines) {
        if (lines.isEmpty()) {
            return "; it wrote nothing to stderr";
        }
        return "; its last stderr lines:" + System.lineSeparator() + "  " + String.join(System.lineSeparator() + "  ", lines);
    }

    private static void joinQuietly(final Thread t) {
        if (t == null || t == Thread.currentThread()) {
            return;
        }
        try {
            t.join(Duration.ofSeconds(1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Sends SHUTDOWN; the worker exits after its current answer. A stuck exit is killed after a grace period. */
    private void retireLocked(final Worker w, final List<Connection> toFlush) {
        if (w.state == RETIRING || w.state == KILLED || w.state == DEAD) {
            return;
        }
        if (w.connection == null) { // still STARTING: nothing to tell it, so end it
            killLocked(w, "the pool no longer needed it", true);
            return;
        }
        w.state = RETIRING;
        w.connection.enqueue(Frame.of(WorkerProtocol.SHUTDOWN, 0));
        toFlush.add(w.connection);
        timer.schedule(() -> {
            lock.lock();
            try {
                if (w.state == RETIRING) {
                    killLocked(w, "it did not exit within " + RETIRE_GRACE + " of SHUTDOWN", true);
                }
            } finally {
                lock.unlock();
            }
        }, RETIRE_GRACE.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Destroys the worker's process; its exit handler does the rest. */
    private void killLocked(final Worker w, final String reason, final boolean force) {
        if (w.state == DEAD) {
            return;
        }
        w.state = KILLED;
        w.killReason = reason;
        w.forceKill = force;
        if (w.process != null) {
            kill(w);
        }
        ensureWorkersLocked();
    }

    private static void kill(final Worker w) {
        // Through the handle: Process.destroy() would also close the worker's stdin, whose end-of-stream makes
        // the worker halt at once with its own status, and the SIGTERM would go unreported.
        final ProcessHandle p = w.process.toHandle();
        if (w.forceKill) {
            p.destroyForcibly();
        } else {
            p.destroy();
        }
    }

    /** The interrupter of a running task's future: CANCEL to its worker, then a kill if it is ignored. */
    private void interruptRunning(final PendingTask p) {
        final List<Connection> toFlush = new ArrayList<>(1);
        lock.lock();
        try {
            final Worker w = p.worker;
            if (w == null || w.inFlight.peekFirst() != p) {
                return;
            }
            w.sendControl(WorkerProtocol.CANCEL, p.id);
            timer.schedule(() -> {
                final List<Connection> flushLater = new ArrayList<>(1);
                lock.lock();
                try {
                    if (w.inFlight.peekFirst() == p) {
                        drainInFlightLocked(w);
                        killLocked(w, "the task ignored cancel(true) for " + config.cancelGrace, true);
                        dispatchLocked(flushLater);
                    }
                } finally {
                    lock.unlock();
                }
                flush(flushLater);
            }, config.cancelGrace.toNanos(), TimeUnit.NANOSECONDS);
        } finally {
            lock.unlock();
        }
        flush(toFlush);
    }

    private void timeOut(final PendingTask p) {
        final Worker w;
        final List<Connection> toFlush = new ArrayList<>(1);
        lock.lock();
        try {
            w = p.worker;
            if (w == null || w.inFlight.peekFirst() != p) {
                return;
            }
            drainInFlightLocked(w);
            killLocked(w, "task timed out", true);
            dispatchLocked(toFlush);
        } finally {
            lock.unlock();
        }
        flush(toFlush);
        p.future.setException(new TaskTimeoutException("the task did not finish within " + config.taskTimeout
                + "; " + w.describe() + " was killed and is replaced"));
    }

    private void reapIdleWorkers() {
        final List<Connection> toFlush = new ArrayList<>(1);
        lock.lock();
        try {
            final long now = System.nanoTime();
            for (Worker w : new ArrayList<>(workers.values())) {
                if (w.state == IDLE && now - w.idleSinceNanos >= config.idleTimeout.toNanos()) {
                    retireLocked(w, toFlush);
                }
            }
        } finally {
            lock.unlock();
        }
        flush(toFlush);
    }

    // ---------------------------------------------------------------- shutdown, break, terminate

    @Override
    public void shutdown(final boolean wait, final boolean cancelPending) {
        final List<PendingTask> cancelled = new ArrayList<>();
        final List<Connection> toFlush = new ArrayList<>();
        lock.lock();
        try {
            casState(RUNNING, SHUTDOWN);
            if (cancelPending) {
                cancelled.addAll(queue);
                queue.clear();
                for (Worker w : workers.values()) {
                    w.inFlight.stream().skip(1).forEach(cancelled::add); // prefetched: not started
                }
            }
            tryTerminateLocked(toFlush);
        } finally {
            lock.unlock();
        }
        flush(toFlush);
        for (PendingTask p : cancelled) {
            p.future.cancel(false);
        }
        if (wait) {
            try {
                terminated.await();
            } catch (InterruptedException e) {
                throw new WaitInterruptedException(e);
            }
        }
    }

    /**
     * Python 3.14's {@code terminate_workers()}: shuts the pool down, cancels the queued tasks and sends
     * SIGTERM to every worker; the tasks they were running fail with {@link WorkerDiedException}. Returns once
     * every worker has exited.
     */
    public void terminateWorkers() {
        stopWorkers(false, "terminateWorkers()");
    }

    /** Python 3.14's {@code kill_workers()}: as {@link #terminateWorkers()}, with SIGKILL. */
    public void killWorkers() {
        stopWorkers(true, "killWorkers()");
    }

    private void stopWorkers(final boolean force, final String reason) {
        shutdown(false, true);
        lock.lock();
        try {
            for (Worker w : new ArrayList<>(workers.values())) {
                killLocked(w, "stopped by " + reason, force);
            }
        } finally {
            lock.unlock();
        }
        shutdown(true, false);
    }

    private void breakPool(final BrokenPoolException cause) {
        final List<PendingTask> failed;
        lock.lock();
        try {
            failed = breakLocked(cause);
        } finally {
            lock.unlock();
        }
        failAll(failed);
    }

    /** Moves to BROKEN, ends every worker and returns the queued tasks, to be failed outside the lock. */
    private List<PendingTask> breakLocked(final BrokenPoolException cause) {
        final int s = lvState();
        if (s != RUNNING && s != SHUTDOWN || !casState(s, BROKEN)) {
            return List.of();
        }
        brokenBy = cause;
        LOG.error("process pool {} is broken: {}", poolId, cause.getMessage());
        final List<PendingTask> failed = new ArrayList<>(queue);
        queue.clear();
        for (Worker w : new ArrayList<>(workers.values())) {
            if (w.state == STARTING || w.state == IDLE) {
                killLocked(w, "the pool is broken", true);
            }
        }
        tryTerminateLocked();
        return failed;
    }

    private void failAll(final List<PendingTask> tasks) {
        final BrokenPoolException cause = brokenBy; // racy read: set before the tasks were handed to us
        for (PendingTask p : tasks) {
            p.future.setException(cause);
        }
    }

    private void tryTerminateLocked() {
        final List<Connection> toFlush = new ArrayList<>();
        tryTerminateLocked(toFlush);
        // Called with the lock held: SHUTDOWN frames are tiny and a worker always reads, so writing now is safe.
        flush(toFlush);
    }

    /** Once no task is left, retires idle workers; once no worker is left, terminates. */
    private void tryTerminateLocked(final List<Connection> toFlush) {
        final int s = lvState();
        if (s == RUNNING || s == TERMINATED) {
            return;
        }
        queue.removeIf(p -> p.future.isDone());
        if (!queue.isEmpty()) {
            ensureWorkersLocked();
            return;
        }
        for (Worker w : new ArrayList<>(workers.values())) {
            if (w.state == IDLE || w.state == STARTING) {
                retireLocked(w, toFlush);
            }
        }
        if (workers.isEmpty() && casState(s, TERMINATED)) {
            transport.close();
            timer.shutdownNow();
            terminated.countDown();
        }
    }

    @Override
    public boolean awaitTermination(final Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        try {
            return terminated.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            throw new WaitInterruptedException(e);
        }
    }

    @Override
    public boolean isShutdown() {
        return lvState() != RUNNING;
    }

    @Override
    public boolean isTerminated() {
        return lvState() == TERMINATED;
    }

    /** The pids of the worker processes alive now (for tests and monitoring). */
    public List<Long> workerPids() {
        lock.lock();
        try {
            final List<Long> pids = new ArrayList<>();
            for (Worker w : workers.values()) {
                final Process p = w.process;
                if (p != null && p.isAlive()) {
                    pids.add(p.pid());
                }
            }
            return pids;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        lock.lock();
        try {
            final Map<String, Integer> byState = new HashMap<>();
            for (Worker w : workers.values()) {
                byState.merge(switch (w.state) {
                    case STARTING -> "starting";
                    case IDLE -> "idle";
                    case BUSY -> "busy";
                    case RETIRING -> "retiring";
                    default -> "killed";
                }, 1, Integer::sum);
            }
            final String s = switch (lvState()) {
                case RUNNING -> "running";
                case SHUTDOWN -> "shutdown";
                case BROKEN -> "broken";
                default -> "terminated";
            };
            return "ProcessPool-" + poolId + "[" + s + ", workers=" + byState + ", queued=" + queue.size() + "]";
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- builder

    /**
     * Settings of a {@link ProcessPool}. Each may be set once: a second call throws
     * {@link IllegalStateException} (a repeated setting is a bug, not an override).
     */
    public static final class Builder {
        int workers = Runtime.getRuntime().availableProcessors();
        List<String> jvmArgs = List.of();
        final Map<String, String> systemProperties = new LinkedHashMap<>();
        final Map<String, String> environment = new LinkedHashMap<>();
        String classpath;
        SerializableRunnable initializer;
        int maxTasksPerWorker;
        Duration taskTimeout;
        Duration idleTimeout;
        boolean eagerStart;
        Duration cancelGrace = Duration.ofSeconds(1);
        int prefetch = 1;
        TaskCodec codec;
        Boolean fastStart;
        Path aotCache;
        boolean autoAotCache = true;
        private final java.util.Set<String> set = new java.util.HashSet<>();

        Builder() {}

        private void once(final String setting) {
            if (!set.add(setting)) {
                throw new IllegalStateException(setting + " was already set");
            }
        }

        /** Worker JVMs, i.e. tasks at once (default: available processors). */
        public Builder workers(final int workers) {
            once("workers");
            if (workers < 1) {
                throw new IllegalArgumentException("workers must be at least 1, was " + workers);
            }
            this.workers = workers;
            return this;
        }

        /** Extra JVM options for the workers, e.g. {@code -Xmx512m}; they come after Bingfa's own, so they win. */
        public Builder jvmArgs(final String... args) {
            return jvmArgs(List.of(args));
        }

        public Builder jvmArgs(final List<String> args) {
            once("jvmArgs");
            Objects.requireNonNull(args, "args");
            for (String a : args) {
                Objects.requireNonNull(a, "jvmArgs must not contain null");
            }
            this.jvmArgs = List.copyOf(args);
            return this;
        }

        /** A {@code -Dname=value} for the workers. */
        public Builder systemProperty(final String name, final String value) {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value");
            if (name.isEmpty()) {
                throw new IllegalArgumentException("name must not be empty");
            }
            if (systemProperties.putIfAbsent(name, value) != null) {
                throw new IllegalStateException("system property " + name + " was already set");
            }
            return this;
        }

        /** An environment variable for the workers (they inherit this JVM's environment too). */
        public Builder environment(final String name, final String value) {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value");
            if (environment.putIfAbsent(name, value) != null) {
                throw new IllegalStateException("environment variable " + name + " was already set");
            }
            return this;
        }

        /** The workers' class path (default: this JVM's {@code java.class.path}). */
        public Builder classpath(final String classpath) {
            once("classpath");
            Objects.requireNonNull(classpath, "classpath");
            if (classpath.isBlank()) {
                throw new IllegalArgumentException("classpath must not be blank, was '" + classpath + "'");
            }
            this.classpath = classpath;
            return this;
        }

        /** The workers' class path as entries. */
        public Builder classpath(final List<Path> entries) {
            Objects.requireNonNull(entries, "entries");
            return classpath(String.join(java.io.File.pathSeparator, entries.stream().map(Path::toString).toList()));
        }

        /**
         * Runs once in each worker before its first task. If it throws, the pool is broken: queued and later
         * tasks fail with {@link BrokenPoolException}, whose cause is the initializer's exception.
         */
        public Builder initializer(final SerializableRunnable initializer) {
            once("initializer");
            this.initializer = Objects.requireNonNull(initializer, "initializer");
            return this;
        }

        /** Recycles a worker after this many tasks (Python's {@code max_tasks_per_child}); 0: never. */
        public Builder maxTasksPerWorker(final int tasks) {
            once("maxTasksPerWorker");
            if (tasks < 0) {
                throw new IllegalArgumentException("maxTasksPerWorker must be 0 (no limit) or more, was " + tasks);
            }
            this.maxTasksPerWorker = tasks;
            return this;
        }

        /** A task running longer fails with {@link TaskTimeoutException} and its worker is killed. */
        public Builder taskTimeout(final Duration timeout) {
            once("taskTimeout");
            this.taskTimeout = positive(timeout, "taskTimeout");
            return this;
        }

        /** A worker idle this long exits; it is started again when work comes. */
        public Builder idleTimeout(final Duration timeout) {
            once("idleTimeout");
            this.idleTimeout = positive(timeout, "idleTimeout");
            return this;
        }

        /**
         * Whether all workers start in {@link #build()} and dead ones are replaced at once (default: false,
         * workers start when tasks need them, as in Python 3.9+).
         */
        public Builder eagerStart(final boolean eager) {
            once("eagerStart");
            this.eagerStart = eager;
            return this;
        }

        /** How long a task may ignore {@code cancel(true)}'s interrupt before its worker is killed (default 1 s). */
        public Builder cancelGrace(final Duration grace) {
            once("cancelGrace");
            this.cancelGrace = positive(grace, "cancelGrace");
            return this;
        }

        /**
         * Tasks a worker holds at once (default 1): the one it runs plus {@code prefetch - 1} waiting in it,
         * so that it never idles for a round trip between tiny tasks. A prefetched task is still cancellable
         * (the worker skips it), but it waits behind the running one even if another worker falls idle: keep
         * 1 for tasks of uneven length, and prefer {@code map}'s chunks for many tiny ones. Python's
         * {@code ProcessPoolExecutor} queues one call more than it has workers; 2 here, the like-for-like
         * setting, measured faster for no-op batches on 2 cores (docs/bench/pool.txt has both rows), but the
         * default stays 1, which never holds a task behind a slow one and keeps the cancel of a queued task
         * certain.
         */
        public Builder prefetch(final int tasks) {
            once("prefetch");
            if (tasks < 1) {
                throw new IllegalArgumentException("prefetch must be at least 1, was " + tasks);
            }
            this.prefetch = tasks;
            return this;
        }

        /** The codec for tasks and results (default: {@link TaskCodec#defaultCodec()}). */
        public Builder codec(final TaskCodec codec) {
            once("codec");
            this.codec = Objects.requireNonNull(codec, "codec");
            return this;
        }

        /**
         * Whether workers start with {@code -XX:TieredStopAtLevel=1} (C1 only: a faster start, slower long
         * CPU-bound tasks). Default: false. See {@code docs/bench/process-startup.txt}.
         */
        public Builder fastStart(final boolean fast) {
            once("fastStart");
            this.fastStart = fast;
            return this;
        }

        /**
         * Starts workers from the JDK 25 AOT cache {@code file} (loaded and linked classes, method profiles),
         * which cuts a worker's cold start by a quarter to a half (docs/bench/process-startup.txt). If the file
         * does not exist, the first worker records it and writes it when it exits normally (its exit then takes
         * a second or two longer, once). Needs a class path of jar files only (no directories, none in a
         * manifest's {@code Class-Path} either); a cache that no longer matches the class path or the JVM is
         * ignored silently, so delete it when the application changes.
         */
        public Builder aotCache(final Path file) {
            once("aotCache");
            this.aotCache = Objects.requireNonNull(file, "file").toAbsolutePath();
            return this;
        }

        /**
         * Whether to use an AOT cache chosen by Bingfa (default: true). It is used only when it is safe: the
         * class path is made of jar files without {@code Class-Path} manifests, and {@code jvmArgs} set no
         * class-data-sharing or AOT option. The file lives under {@code java.io.tmpdir}, named after a hash
         * of the JDK, the class path (with the jars' sizes and dates) and the JVM options, so that a change
         * makes a new one. The first pool to need it records it (its first worker's exit takes a second or
         * two longer, once). See {@link #aotCache(Path)}.
         */
        public Builder aotCache(final boolean enabled) {
            once("aotCache");
            this.autoAotCache = enabled;
            return this;
        }

        private static Duration positive(final Duration d, final String name) {
            Objects.requireNonNull(d, name);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be positive, was " + d);
            }
            return d;
        }

        public ProcessPool build() {
            return new ProcessPool(this);
        }
    }
}
