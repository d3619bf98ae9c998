package io.bingfa.serve;

import io.bingfa.shm.SegmentFormatException;
import io.bingfa.shm.SharedArray;
import io.bingfa.shm.SharedMemory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/*
 * Overview
 * --------
 * The host's figures in one small shared-memory segment (BoardLayout): the supervisor's reload state and one
 * slot of counters per worker. Every worker adds to its own slot with atomic adds (no lock: each word is
 * updated atomically on its own, and a reader needs no consistent cut of the whole board), and any worker
 * reads every slot to answer GET /api/dashboard and GET /metrics, so the answer is the same whichever worker
 * the kernel's SO_REUSEPORT hash hands the request to.
 *
 * Why shared memory rather than asking each worker: a dashboard request would otherwise fan out to N
 * processes; here it is N * 16 plain loads. The counters also outlive a worker killed with kill -9: its
 * replacement goes on adding to the same slot, so the dashboard's requests/s never goes backwards.
 *
 * Who writes what: the supervisor creates the board (before any worker starts), writes the host words and the
 * RESTARTS word of a slot; worker k writes the rest of slot k. The reload handshake: a worker increments
 * RELOAD_REQUESTED and waits for RELOAD_DONE to reach its value; the supervisor polls REQUESTED, reloads, and
 * publishes DONE (see Supervisor).
 */
/** The host's shared counters: reload state and one slot per worker (see {@link BoardLayout}). */
final class WorkerBoard implements AutoCloseable {

    /** A copy of one worker's slot. */
    record Slot(int worker, long pid, boolean ready, long startedMillis, long heartbeatMillis, long requests,
                long clientErrors, long serverErrors, long latencyMicros, long restarts, long[] buckets) {}

    private final SharedMemory shm;
    private final SharedArray words;
    private final int workers;

    private WorkerBoard(final SharedMemory shm, final SharedArray words) {
        this.shm = shm;
        this.words = words;
        this.workers = (int) words.get(BoardLayout.WORKERS);
    }

    /** Creates the board file for {@code workers} slots (the supervisor, before starting workers). */
    static WorkerBoard create(final Path file, final int workers) {
        Objects.requireNonNull(file, "file");
        if (workers < 1) {
            throw new IllegalArgumentException("workers must be at least 1, was " + workers);
        }
        final int length = BoardLayout.words(workers);
        final SharedMemory shm = SharedMemory.create(file, SharedArray.bytes(length));
        final SharedArray a = SharedArray.create(shm, 0, length);
        a.set(BoardLayout.WORKERS, workers);
        a.set(BoardLayout.SUPERVISOR_PID, ProcessHandle.current().pid());
        a.set(BoardLayout.BOARD_MAGIC_VERSION, BoardLayout.MAGIC_VERSION); // last: marks the board finished
        return new WorkerBoard(shm, a);
    }

    /** Opens the board the supervisor made (a worker). */
    static WorkerBoard open(final Path file) {
        final SharedMemory shm = SharedMemory.open(file);
        final SharedArray a = SharedArray.open(shm, 0);
        if (a.get(BoardLayout.BOARD_MAGIC_VERSION) != BoardLayout.MAGIC_VERSION
                || a.length() != BoardLayout.words((int) a.get(BoardLayout.WORKERS))) {
            shm.close();
            throw new SegmentFormatException(file + " is not a serve board of layout version 1");
        }
        return new WorkerBoard(shm, a);
    }

    int workers() {
        return workers;
    }

    // ---------------------------------------------------------------- worker side

    void workerStarted(final int worker, final long pid) {
        checkWorker(worker);
        words.set(BoardLayout.slot(worker, BoardLayout.READY), 0);
        words.set(BoardLayout.slot(worker, BoardLayout.STARTED_MILLIS), System.currentTimeMillis());
        words.set(BoardLayout.slot(worker, BoardLayout.HEARTBEAT_MILLIS), System.currentTimeMillis());
        words.set(BoardLayout.slot(worker, BoardLayout.PID), pid);
    }

    void workerReady(final int worker) {
        words.set(BoardLayout.slot(worker, BoardLayout.READY), 1);
    }

    void heartbeat(final int worker) {
        words.set(BoardLayout.slot(worker, BoardLayout.HEARTBEAT_MILLIS), System.currentTimeMillis());
    }

    /** One answered request of worker {@code worker}: its status and latency. */
    void answered(final int worker, final int status, final long micros) {
        words.getAndAdd(BoardLayout.slot(worker, BoardLayout.REQUESTS), 1);
        if (status >= 500) {
            words.getAndAdd(BoardLayout.slot(worker, BoardLayout.SERVER_ERRORS), 1);
        } else if (status >= 400) {
            words.getAndAdd(BoardLayout.slot(worker, BoardLayout.CLIENT_ERRORS), 1);
        }
        words.getAndAdd(BoardLayout.slot(worker, BoardLayout.LATENCY_MICROS), micros);
        words.getAndAdd(BoardLayout.slot(worker, BoardLayout.LATENCY_BUCKETS + BoardLayout.bucket(micros)), 1);
    }

    /** Asks the supervisor for a reload; returns the sequence number to wait for with {@link #reloadDone}. */
    long requestReload() {
        return words.incrementAndGet(BoardLayout.RELOAD_REQUESTED);
    }

    boolean reloadDone(final long sequence) {
        return words.get(BoardLayout.RELOAD_DONE) >= sequence;
    }

    // ---------------------------------------------------------------- supervisor side

    void workerGone(final int worker) {
        words.set(BoardLayout.slot(worker, BoardLayout.READY), 0);
        words.set(BoardLayout.slot(worker, BoardLayout.PID), 0);
    }

    void restarted(final int worker) {
        words.getAndAdd(BoardLayout.slot(worker, BoardLayout.RESTARTS), 1);
    }

    long reloadRequested() {
        return words.get(BoardLayout.RELOAD_REQUESTED);
    }

    /** A reload finished: publishes its figures and, when it served requests up to {@code served}, says so. */
    void reloaded(final long generation, final long entries, final long tookMicros, final boolean ok,
                  final long served) {
        if (ok) {
            words.set(BoardLayout.GENERATION, generation);
            words.set(BoardLayout.ENTRIES, entries);
            words.set(BoardLayout.LAST_RELOAD_MICROS, tookMicros);
            words.set(BoardLayout.LAST_RELOAD_MILLIS, System.currentTimeMillis());
            words.getAndAdd(BoardLayout.RELOADS, 1);
        } else {
            words.getAndAdd(BoardLayout.FAILED_RELOADS, 1);
        }
        final long done = words.get(BoardLayout.RELOAD_DONE); // only the supervisor's reload thread writes DONE
        if (served > done) {
            words.set(BoardLayout.RELOAD_DONE, served);
        }
    }

    // ---------------------------------------------------------------- readers

    long generation() {
        return words.get(BoardLayout.GENERATION);
    }

    long lastReloadMillis() {
        return words.get(BoardLayout.LAST_RELOAD_MILLIS);
    }

    long reloads() {
        return words.get(BoardLayout.RELOADS);
    }

    long failedReloads() {
        return words.get(BoardLayout.FAILED_RELOADS);
    }

    long entries() {
        return words.get(BoardLayout.ENTRIES);
    }

    long lastReloadMicros() {
        return words.get(BoardLayout.LAST_RELOAD_MICROS);
    }

    boolean ready(final int worker) {
        return words.get(BoardLayout.slot(worker, BoardLayout.READY)) == 1;
    }

    long pid(final int worker) {
        return words.get(BoardLayout.slot(worker, BoardLayout.PID));
    }

    Slot slot(final int worker) {
        checkWorker(worker);
        final long[] buckets = new long[BoardLayout.BUCKETS];
        for (int b = 0; b < buckets.length; b++) {
            buckets[b] = words.get(BoardLayout.slot(worker, BoardLayout.LATENCY_BUCKETS + b));
        }
        return new Slot(worker, get(worker, BoardLayout.PID), get(worker, BoardLayout.READY) == 1,
                get(worker, BoardLayout.STARTED_MILLIS), get(worker, BoardLayout.HEARTBEAT_MILLIS),
                get(worker, BoardLayout.REQUESTS), get(worker, BoardLayout.CLIENT_ERRORS),
                get(worker, BoardLayout.SERVER_ERRORS), get(worker, BoardLayout.LATENCY_MICROS),
                get(worker, BoardLayout.RESTARTS), buckets);
    }

    List<Slot> slots() {
        final List<Slot> all = new ArrayList<>(workers);
        for (int k = 0; k < workers; k++) {
            all.add(slot(k));
        }
        return all;
    }

    private long get(final int worker, final int field) {
        return words.get(BoardLayout.slot(worker, field));
    }

    private void checkWorker(final int worker) {
        if (worker < 0 || worker >= workers) {
            throw new IllegalArgumentException("worker must be between 0 and " + (workers - 1) + ", was " + worker);
        }
    }

    @Override
    public void close() {
        shm.close();
    }
}
