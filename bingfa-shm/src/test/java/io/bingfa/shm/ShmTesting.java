package io.bingfa.shm;

import java.util.concurrent.atomic.AtomicInteger;

/** Unique segment names per test run, so that parallel or repeated runs never collide in /dev/shm. */
final class ShmTesting {

    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    private ShmTesting() {}

    static String uniqueName(final String what) {
        return "bingfa-test-" + what + "-" + ProcessHandle.current().pid() + "-" + SEQUENCE.incrementAndGet();
    }
}
