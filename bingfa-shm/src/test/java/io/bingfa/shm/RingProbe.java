package io.bingfa.shm;

/** Manual throughput probe (not a test): one producer thread, one consumer thread, 64-byte messages. */
public final class RingProbe {

    private RingProbe() {}

    public static void main(final String[] args) throws Exception {
        final int n = Integer.parseInt(args[0]);
        final long capacity = Long.parseLong(args[1]);
        final boolean blocking = args.length > 2 && args[2].equals("blocking");
        for (int round = 0; round < 5; round++) {
            final String name = ShmTesting.uniqueName("probe");
            try (ShmQueue<byte[]> q = ShmQueue.create(name, capacity, ShmCodec.bytes());
                 ShmQueue<byte[]> c = ShmQueue.open(name, ShmCodec.bytes())) {
                final byte[] msg = new byte[64];
                final long start = System.nanoTime();
                final Thread consumer = Thread.ofPlatform().start(() -> {
                    long sum = 0;
                    for (int i = 0; i < n; i++) {
                        byte[] b;
                        if (blocking) {
                            b = c.get();
                        } else {
                            while ((b = c.tryGet().orElse(null)) == null) {
                                Thread.onSpinWait();
                            }
                        }
                        sum += b.length;
                    }
                    if (sum != 64L * n) {
                        throw new AssertionError(sum);
                    }
                });
                for (int i = 0; i < n; i++) {
                    if (blocking) {
                        q.put(msg);
                    } else {
                        while (!q.tryPut(msg)) {
                            Thread.onSpinWait();
                        }
                    }
                }
                consumer.join();
                final double secs = (System.nanoTime() - start) / 1e9;
                System.out.printf("round %d: %.2f M msg/s%n", round, n / secs / 1e6);
            } finally {
                SharedMemory.unlink(name);
            }
        }
    }
}
