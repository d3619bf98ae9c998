package io.bingfa.shm;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;

/**
 * The program that {@link ChildJvm} runs in other JVMs. One command per scenario; lines on stdout tell the
 * test where the child is ("LOCKED", "DONE ..."). Exit code 0 on success, 1 on an assertion inside the child.
 */
public final class ShmChild {

    private ShmChild() {}

    public static void main(final String[] args) throws Exception {
        final String command = args[0];
        final String[] rest = Arrays.copyOfRange(args, 1, args.length);
        try {
            switch (command) {
                case "lock-and-hang" -> lockAndHang(rest);
                case "lock-count" -> lockCount(rest);
                case "atomic-count" -> atomicCount(rest);
                case "event-wait" -> eventWait(rest);
                case "semaphore-work" -> semaphoreWork(rest);
                case "barrier-rounds" -> barrierRounds(rest);
                case "condition-consume" -> conditionConsume(rest);
                case "queue-produce" -> queueProduce(rest);
                case "queue-consume" -> queueConsume(rest);
                case "queue-pause-put" -> queuePausePut(rest);
                case "queue-pause-get" -> queuePauseGet(rest);
                case "queue-pause-sweep" -> queuePauseSweep(rest);
                case "joinable-work" -> joinableWork(rest);
                case "joinable-take-and-hang" -> joinableTakeAndHang(rest);
                case "pipe-echo" -> pipeEcho(rest);
                case "pipe-pause-send" -> pipePauseSend(rest);
                default -> throw new IllegalArgumentException("unknown command " + command);
            }
        } catch (Throwable t) {
            System.out.println("FAILED " + t);
            t.printStackTrace(System.out);
            System.out.flush();
            System.exit(1);
        }
        System.out.flush();
        System.exit(0);
    }

    static void say(final String line) {
        System.out.println(line);
        System.out.flush();
    }

    /** file mutexOffset dataOffset: lock, write half of an update, announce, sleep until killed. */
    private static void lockAndHang(final String[] a) throws InterruptedException {
        final SharedMemory shm = SharedMemory.open(Path.of(a[0]));
        final ShmMutex mutex = ShmMutex.open(shm, Long.parseLong(a[1]));
        final SharedLong data = SharedLong.at(shm, Long.parseLong(a[2]));
        mutex.lock();
        data.set(-1); // "half-updated": the invariant is data >= 0
        say("LOCKED");
        Thread.sleep(Long.MAX_VALUE);
    }

    /** file mutexOffset counterOffset n: n non-atomic increments (get, then set) under the mutex. */
    private static void lockCount(final String[] a) {
        final SharedMemory shm = SharedMemory.open(Path.of(a[0]));
        final ShmMutex mutex = ShmMutex.open(shm, Long.parseLong(a[1]));
        final SharedLong counter = SharedLong.at(shm, Long.parseLong(a[2]));
        final int n = Integer.parseInt(a[3]);
        say("READY");
        for (int i = 0; i < n; i++) {
            try (ShmMutex.Guard g = mutex.lock()) {
                counter.set(counter.get() + 1); // only correct under mutual exclusion
            }
        }
        say("DONE");
    }

    /** file offset n: n atomic increments of a SharedLong and of element 0 of a SharedArray at offset + 64. */
    private static void atomicCount(final String[] a) {
        final SharedMemory shm = SharedMemory.open(Path.of(a[0]));
        final long offset = Long.parseLong(a[1]);
        final SharedLong counter = SharedLong.at(shm, offset);
        final SharedInt small = SharedInt.at(shm, offset + 8);
        final SharedArray array = SharedArray.open(shm, offset + 64);
        final int n = Integer.parseInt(a[2]);
        for (int i = 0; i < n; i++) {
            counter.incrementAndGet();
            small.incrementAndGet();
            array.incrementAndGet(i % array.length());
        }
        say("DONE");
    }

    /** file offset: wait for the event (up to 30 s), say whether it came. */
    private static void eventWait(final String[] a) {
        final SharedMemory shm = SharedMemory.open(Path.of(a[0]));
        final ShmEvent event = ShmEvent.open(shm, Long.parseLong(a[1]));
        say("WAITING");
        say(event.await(Duration.ofSeconds(30)) ? "WOKE" : "TIMED-OUT");
    }

    /**
     * file semOffset inUseOffset maxSeenOffset rounds: acquire, count concurrent holders (and the most seen),
     * hold briefly, release.
     */
    private static void semaphoreWork(final String[] a) throws InterruptedException {
        final SharedMemory shm = SharedMemory.open(Path.of(a[0]));
        final ShmSemaphore sem = ShmSemaphore.open(shm, Long.parseLong(a[1]));
        final SharedLong inUse = SharedLong.at(shm, Long.parseLong(a[2]));
        final SharedLong maxSeen = SharedLong.at(shm, Long.parseLong(a[3]));
        final int rounds = Integer.parseInt(a[4]);
        for (int i = 0; i < rounds; i++) {
            sem.acquire(Duration.ofSeconds(20));
            final long now = inUse.incrementAndGet();
            maxSeen.updateAndGet(m -> Math.max(m, now));
            Thread.sleep(1);
            inUse.decrementAndGet();
            sem.release();
        }
        say("DONE");
    }

    /** file barrierOffset arrayOffset rounds party: per round, record the round, await, check everyone got there. */
    private static void barrierRounds(final String[] a) {
        final SharedMemory shm = SharedMemory.open(Path.of(a[0]));
        final ShmBarrier barrier = ShmBarrier.open(shm, Long.parseLong(a[1]));
        final SharedArray rounds = SharedArray.open(shm, Long.parseLong(a[2]));
        final int n = Integer.parseInt(a[3]);
        final int party = Integer.parseInt(a[4]);
        for (int round = 1; round <= n; round++) {
            rounds.set(party, round);
            barrier.await(Duration.ofSeconds(20));
            for (int p = 0; p < rounds.length(); p++) {
                if (rounds.get(p) < round) {
                    throw new AssertionError("party " + p + " was at round " + rounds.get(p) + " after barrier " + round);
                }
            }
            barrier.await(Duration.ofSeconds(20)); // nobody starts round+1 before all checked round
        }
        say("DONE");
    }

    /**
     * file mutexOffset condOffset itemsOffset takenOffset n: take n items, each waiting on the condition
     * for items &gt; 0 under the mutex.
     */
    private static void conditionConsume(final String[] a) {
        final SharedMemory shm = SharedMemory.open(Path.of(a[0]));
        final ShmMutex mutex = ShmMutex.open(shm, Long.parseLong(a[1]));
        final ShmCondition cond = ShmCondition.open(shm, Long.parseLong(a[2]), mutex);
        final SharedLong items = SharedLong.at(shm, Long.parseLong(a[3]));
        final SharedLong taken = SharedLong.at(shm, Long.parseLong(a[4]));
        final int n = Integer.parseInt(a[5]);
        say("READY");
        for (int i = 0; i < n; i++) {
            try (ShmMutex.Guard g = mutex.lock()) {
                if (!cond.waitFor(() -> items.get() > 0, Duration.ofSeconds(20))) {
                    throw new AssertionError("no item within 20 s");
                }
                items.set(items.get() - 1);
                taken.incrementAndGet();
                cond.signalAll(); // the producer waits for room
            }
        }
        say("DONE");
    }

    /** queuePath producerId count filler: put count self-checking messages. */
    private static void queueProduce(final String[] a) {
        try (ShmQueue<byte[]> q = ShmQueue.open(Path.of(a[0]), ShmCodec.bytes())) {
            final int id = Integer.parseInt(a[1]);
            final int count = Integer.parseInt(a[2]);
            final int filler = Integer.parseInt(a[3]);
            say("READY");
            for (int s = 0; s < count; s++) {
                q.put(QueueMessages.encode(id, s, (s * 13) % (filler + 1)), Duration.ofSeconds(30));
            }
        }
        say("DONE");
    }

    /**
     * queuePath seenPath total perProducer: take messages until the shared count reaches total, marking
     * each in the shared "seen" array (a SharedLong at 0 counts, a SharedArray at 64 marks).
     */
    private static void queueConsume(final String[] a) {
        try (ShmQueue<byte[]> q = ShmQueue.open(Path.of(a[0]), ShmCodec.bytes());
             SharedMemory seenMemory = SharedMemory.open(Path.of(a[1]))) {
            final SharedLong taken = SharedLong.at(seenMemory, 0);
            final SharedArray seen = SharedArray.open(seenMemory, 64);
            final long total = Long.parseLong(a[2]);
            final int perProducer = Integer.parseInt(a[3]);
            say("READY");
            while (taken.get() < total) {
                try {
                    final byte[] m = q.get(Duration.ofMillis(100));
                    seen.incrementAndGet(QueueMessages.decode(m, perProducer));
                    taken.incrementAndGet();
                } catch (io.bingfa.queue.QueueEmptyException e) {
                    // look at the count again
                }
            }
        }
        say("DONE");
    }

    /** Pauses forever at {@code point} of the ring (the test kills us there). */
    private static void pauseAt(final String point) {
        Ring.testHook = at -> {
            if (at.equals(point)) {
                say("PAUSED " + at);
                try {
                    Thread.sleep(Long.MAX_VALUE);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
    }

    /** queuePath text: put one record and pause halfway through writing it. */
    private static void queuePausePut(final String[] a) {
        final ShmQueue<String> q = ShmQueue.open(Path.of(a[0]), ShmCodec.utf8());
        pauseAt("producer-mid-write");
        q.put(a[1]);
        say("NOT PAUSED");
    }

    /** queuePath point: take one record and pause at point ("consumer-mid-read" or "consumer-before-mark"). */
    private static void queuePauseGet(final String[] a) {
        final ShmQueue<String> q = ShmQueue.open(Path.of(a[0]), ShmCodec.utf8());
        pauseAt(a[1]);
        say("GOT " + q.get(Duration.ofSeconds(30)));
    }

    /** queuePath: put one record into a ring full of consumed frames, pausing in the middle of the sweep. */
    private static void queuePauseSweep(final String[] a) {
        pauseAt("sweeper-mid-batch"); // before open: opening runs a recovery pass, which sweeps
        final ShmQueue<String> q = ShmQueue.open(Path.of(a[0]), ShmCodec.utf8());
        q.put("after the sweep", Duration.ofSeconds(30));
        say("NOT PAUSED");
    }

    /** queuePath: take items and mark them done until none comes for 2 s. */
    private static void joinableWork(final String[] a) throws InterruptedException {
        try (ShmJoinableQueue<String> q = ShmJoinableQueue.open(Path.of(a[0]), ShmCodec.utf8())) {
            say("READY");
            int n = 0;
            for (;;) {
                try {
                    q.get(Duration.ofSeconds(2));
                } catch (io.bingfa.queue.QueueEmptyException e) {
                    break;
                }
                Thread.sleep(1);
                q.taskDone();
                n++;
            }
            say("DONE " + n);
        }
    }

    /** queuePath: take one item and never mark it done. */
    private static void joinableTakeAndHang(final String[] a) throws InterruptedException {
        final ShmJoinableQueue<String> q = ShmJoinableQueue.open(Path.of(a[0]), ShmCodec.utf8());
        say("TOOK " + q.get(Duration.ofSeconds(30)));
        Thread.sleep(Long.MAX_VALUE);
    }

    /** pipeName: receive strings and send them back upper-cased until "bye". */
    private static void pipeEcho(final String[] a) {
        try (Pipe<String> end = Pipe.open(Path.of(a[0]), ShmCodec.utf8())) {
            say("READY");
            for (String m = end.recv(Duration.ofSeconds(30)); !m.equals("bye"); m = end.recv(Duration.ofSeconds(30))) {
                end.send(m.toUpperCase(java.util.Locale.ROOT));
            }
        }
        say("DONE");
    }

    /** pipePath: send one message and pause halfway through writing it. */
    private static void pipePauseSend(final String[] a) {
        final Pipe<String> end = Pipe.open(Path.of(a[0]), ShmCodec.utf8());
        end.send("complete");
        SpscRing.testHook = at -> {
            say("PAUSED " + at);
            try {
                Thread.sleep(Long.MAX_VALUE);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        end.send("half-written");
        say("NOT PAUSED");
    }
}
