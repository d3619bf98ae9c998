package io.bingfa.shm;

import java.nio.ByteBuffer;
import java.util.Arrays;

/** Manual probe (not a test): blocking one-way latency between two threads, queue and pipe. */
public final class LatencyProbe {

    private LatencyProbe() {}

    public static void main(final String[] args) throws Exception {
        final int m = Integer.parseInt(args[0]);
        final long gap = Long.parseLong(args[1]) * 1000;
        final String name = ShmTesting.uniqueName("lat");
        try (Pipe<byte[]> a = Pipe.create(name, 1 << 16, ShmCodec.bytes()); Pipe<byte[]> b = Pipe.open(name, ShmCodec.bytes())) {
            final long[] lat = new long[m];
            final Thread r = Thread.ofPlatform().start(() -> {
                for (int i = 0; i < m; i++) {
                    final long sent = ByteBuffer.wrap(b.recv()).getLong();
                    lat[i] = System.nanoTime() - sent;
                }
            });
            final ByteBuffer stamp = ByteBuffer.allocate(8);
            long due = System.nanoTime();
            for (int i = 0; i < m; i++) {
                due += gap;
                while (System.nanoTime() < due) {
                    Thread.onSpinWait();
                }
                a.send(stamp.putLong(0, System.nanoTime()).array());
            }
            r.join();
            System.out.println(Arrays.toString(Arrays.copyOfRange(lat, 0, 30)));
            Arrays.sort(lat);
            System.out.printf("pipe p50 %.1f us p99 %.1f us max %.1f%n", lat[m / 2] / 1e3, lat[m * 99 / 100] / 1e3, lat[m - 1] / 1e3);
        } finally {
            SharedMemory.unlink(name);
        }
        try (ShmQueue<byte[]> a = ShmQueue.create(name, 1 << 16, ShmCodec.bytes()); ShmQueue<byte[]> b = ShmQueue.open(name, ShmCodec.bytes())) {
            final long[] lat = new long[m];
            final Thread r = Thread.ofPlatform().start(() -> {
                for (int i = 0; i < m; i++) {
                    final long sent = ByteBuffer.wrap(b.get()).getLong();
                    lat[i] = System.nanoTime() - sent;
                }
            });
            final ByteBuffer stamp = ByteBuffer.allocate(8);
            long due = System.nanoTime();
            for (int i = 0; i < m; i++) {
                due += gap;
                while (System.nanoTime() < due) {
                    Thread.onSpinWait();
                }
                a.put(stamp.putLong(0, System.nanoTime()).array());
            }
            r.join();
            Arrays.sort(lat);
            System.out.printf("queue p50 %.1f us p99 %.1f us max %.1f%n", lat[m / 2] / 1e3, lat[m * 99 / 100] / 1e3, lat[m - 1] / 1e3);
        } finally {
            SharedMemory.unlink(name);
        }
    }
}
