package io.bingfa.shm;

/** Manual probe (not a test): two threads pass one ShmMutex back and forth with a turn word. */
public final class HandOffProbe {

    private HandOffProbe() {}

    public static void main(final String[] args) throws Exception {
        final int n = Integer.parseInt(args[0]);
        final String name = ShmTesting.uniqueName("handoff");
        try (SharedMemory shm = SharedMemory.create(name, 4096)) {
            final ShmMutex lock = ShmMutex.create(shm, 0, false);
            final SharedInt turn = SharedInt.at(shm, 64);
            for (int round = 0; round < 5; round++) {
                final long start = System.nanoTime();
                final Thread[] ts = new Thread[2];
                for (int me = 0; me < 2; me++) {
                    final int who = me;
                    ts[me] = Thread.ofPlatform().start(() -> {
                        int passes = 0;
                        while (passes < n / 2) {
                            try (ShmMutex.Guard g = lock.lock()) {
                                if (turn.get() == who) {
                                    turn.set(1 - who);
                                    passes++;
                                }
                            }
                        }
                    });
                }
                for (final Thread t : ts) {
                    t.join();
                }
                System.out.printf("round %d: %.0f k hand-offs/s%n", round, n / ((System.nanoTime() - start) / 1e9) / 1e3);
            }
        } finally {
            SharedMemory.unlink(name);
        }
    }
}
