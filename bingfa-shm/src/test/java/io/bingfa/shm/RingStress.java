package io.bingfa.shm;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;

/** Manual stress run (not a test): java ... io.bingfa.shm.RingStress rounds producers consumers perProducer capacity. */
public final class RingStress {

    private RingStress() {}

    public static void main(final String[] args) throws Exception {
        final int rounds = Integer.parseInt(args[0]);
        final int producers = Integer.parseInt(args[1]);
        final int consumers = Integer.parseInt(args[2]);
        final int perProducer = Integer.parseInt(args[3]);
        final long capacity = Long.parseLong(args[4]);
        for (int round = 0; round < rounds; round++) {
            final String name = ShmTesting.uniqueName("stress");
            final List<ShmQueue<byte[]>> handles = new ArrayList<>();
            try {
                final ShmQueue<byte[]> q = ShmQueue.create(name, capacity, ShmCodec.bytes());
                handles.add(q);
                final AtomicIntegerArray seen = new AtomicIntegerArray(producers * perProducer);
                final AtomicLong taken = new AtomicLong();
                final List<Thread> threads = new ArrayList<>();
                final long start = System.nanoTime();
                for (int p = 0; p < producers; p++) {
                    final int id = p;
                    final ShmQueue<byte[]> h = ShmQueue.open(name, ShmCodec.bytes());
                    handles.add(h);
                    threads.add(Thread.ofPlatform().start(() -> {
                        for (int s = 0; s < perProducer; s++) {
                            h.put(QueueMessages.encode(id, s, (s * 7) % 200));
                        }
                    }));
                }
                for (int c = 0; c < consumers; c++) {
                    final ShmQueue<byte[]> h = ShmQueue.open(name, ShmCodec.bytes());
                    handles.add(h);
                    threads.add(Thread.ofPlatform().start(() -> {
                        while (taken.get() < (long) producers * perProducer) {
                            h.tryGet().ifPresent(bytes -> {
                                final int at = QueueMessages.decode(bytes, perProducer);
                                if (seen.incrementAndGet(at) != 1) {
                                    System.out.println("DUPLICATE " + at);
                                }
                                taken.incrementAndGet();
                            });
                        }
                    }));
                }
                for (final Thread t : threads) {
                    t.join(20_000);
                    if (t.isAlive()) {
                        final StringBuilder missing = new StringBuilder();
                        for (int i = 0; i < seen.length() && missing.length() < 300; i++) {
                            if (seen.get(i) != 1) {
                                missing.append(i).append('x').append(seen.get(i)).append(' ');
                            }
                        }
                        System.out.println("STUCK round " + round + " after " + taken + "; missing " + missing
                                + "\n ring " + q.describe());
                        System.exit(2);
                    }
                }
                final double secs = (System.nanoTime() - start) / 1e9;
                System.out.printf("round %d ok: %.0f msg/s%n", round, producers * perProducer / secs);
            } finally {
                for (final ShmQueue<byte[]> h : handles) {
                    h.close();
                }
                SharedMemory.unlink(name);
            }
        }
        System.exit(0);
    }
}
