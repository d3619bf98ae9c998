package io.bingfa.shm;

import io.bingfa.future.WaitInterruptedException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A {@link ShmQueue} that knows when every item was handled: Python's
 * {@code multiprocessing.JoinableQueue} ({@code task_done()} and {@code join()}).
 *
 * <pre>{@code
 * ShmJoinableQueue<String> q = ShmJoinableQueue.create("work", 1 << 20, ShmCodec.utf8());
 * jobs.forEach(q::put);
 * q.join();                                   // returns once every item was taken and marked done
 * // worker processes: String job = q.get(); try { run(job); } finally { q.taskDone(); }
 * }</pre>
 *
 * <h2>Overview</h2>
 * Python counts puts minus {@code task_done()} calls in one shared counter, so a worker that dies while it
 * handles an item leaves {@code join()} hanging forever. Here the count is kept per process in the queue's
 * process table ({@link ProcessTableLayout}): each process counts the items it took and the
 * {@code taskDone()} calls it made. {@link #join()} returns when the ring holds no item that is waiting,
 * being written or being read, and the live processes have marked done everything they took. A worker
 * that dies is written off: the item it was reading is delivered again (see {@link Ring}), the items it
 * had already taken are not waited for. {@code taskDone()} must therefore be called by the process that
 * took the item; calling it more often than this process took items throws, like Python's
 * {@code ValueError}.
 *
 * <h2>Waiting</h2>
 * {@code taskDone()} wakes the joiners; they also re-check every liveness period, which is how a dead
 * worker is noticed.
 *
 * @param <T> the value type
 */
public final class ShmJoinableQueue<T> extends ShmQueue<T> {

    private ShmJoinableQueue(final SharedMemory shm, final ShmCodec<T> codec) {
        super(shm, codec);
    }

    /** Creates a joinable queue {@code /dev/shm/NAME} (see {@link ShmQueue#create(String, long, ShmCodec)}). */
    public static <T> ShmJoinableQueue<T> create(final String name, final long capacityBytes, final ShmCodec<T> codec) {
        return create(SharedMemory.pathOf(name), capacityBytes, codec);
    }

    public static <T> ShmJoinableQueue<T> create(final Path file, final long capacityBytes, final ShmCodec<T> codec) {
        return new ShmJoinableQueue<>(createFile(file, capacityBytes, codec, true), codec);
    }

    /**
     * Opens the joinable queue {@code /dev/shm/NAME}.
     *
     * @throws SegmentFormatException if the queue was not created joinable
     */
    public static <T> ShmJoinableQueue<T> open(final String name, final ShmCodec<T> codec) {
        return open(SharedMemory.pathOf(name), codec);
    }

    public static <T> ShmJoinableQueue<T> open(final Path file, final ShmCodec<T> codec) {
        final SharedMemory shm = openFile(file, codec);
        if ((ShmAccess.lpInt(shm.segment(), QueueLayout.OPTIONS_OFFSET) & QueueLayout.OPTION_JOINABLE) == 0) {
            shm.close();
            throw new SegmentFormatException(file + " is a plain queue, not a joinable one: open it with ShmQueue.open");
        }
        final ShmJoinableQueue<T> q = new ShmJoinableQueue<>(shm, codec);
        q.recovered();
        return q;
    }

    /**
     * Marks one item that this process took as handled.
     *
     * @throws IllegalStateException if this process has marked as many items done as it took
     */
    public void taskDone() {
        table().countDone(owner());
        ring.wakeJoiners();
    }

    /**
     * Waits until every item put so far was taken and marked done (dead workers written off).
     *
     * @throws WaitInterruptedException if the thread is interrupted while it waits
     */
    public void join() {
        ring.awaitJoin(this::allDone, Waits.FOREVER);
    }

    /**
     * As {@link #join()}, at most {@code timeout}.
     *
     * @return {@code false} if the time ran out first
     */
    public boolean join(final Duration timeout) {
        return ring.awaitJoin(this::allDone, Waits.toNanos(timeout));
    }

    /** Items put and not yet marked done by a live process (a snapshot, from scans). */
    public long unfinishedTasks() {
        return ring.pending(true) + table().unfinishedOfLiveProcesses();
    }

    private boolean allDone() {
        return ring.pending(false) == 0 && table().unfinishedOfLiveProcesses() == 0;
    }
}
