package io.bingfa.serve;

/**
 * The layout of the {@link WorkerBoard}: one {@link io.bingfa.shm.SharedArray} of 64-bit words (the array has
 * its own magic, version and length; this layout's version is word 0, checked on open).
 *
 * <pre>
 *  word  host part (written by the supervisor unless noted)
 *   0    BOARD_MAGIC_VERSION   0x5345525645_0001 ("SERVE", layout version 1)
 *   1    WORKERS               number of worker slots
 *   2    GENERATION            settings generation readers use
 *   3    LAST_RELOAD_MILLIS    epoch millis of the last finished reload (0: none yet)
 *   4    RELOADS               reloads finished
 *   5    RELOAD_REQUESTED      sequence; a worker increments it on POST /admin/reload
 *   6    RELOAD_DONE           sequence; the supervisor sets it to the REQUESTED value it served, after the reload
 *   7    ENTRIES               settings in the current generation
 *   8    FAILED_RELOADS        reloads that failed
 *   9    SUPERVISOR_PID
 *  10    LAST_RELOAD_MICROS    how long the last reload took
 *  11-15 reserved
 *
 *  word  slot k at HOST_WORDS + k * SLOT_WORDS (written by worker k unless noted)
 *   +0   PID                   0 while no worker runs in the slot
 *   +1   READY                 1 once the worker accepts
 *   +2   STARTED_MILLIS
 *   +3   HEARTBEAT_MILLIS      refreshed every HEARTBEAT_MILLIS
 *   +4   REQUESTS              answered, cumulative over restarts (the counters outlive a killed worker)
 *   +5   CLIENT_ERRORS         4xx answers
 *   +6   SERVER_ERRORS         5xx answers
 *   +7   LATENCY_MICROS        sum of request latencies
 *   +8   RESTARTS              written by the supervisor
 *   +9.. +15                  LATENCY_BUCKETS: answers under 1, 2, 5, 10, 50, 250 ms, and the rest
 * </pre>
 */
final class BoardLayout {

    static final long MAGIC_VERSION = 0x5345525645_0001L;

    static final int BOARD_MAGIC_VERSION = 0;
    static final int WORKERS = 1;
    static final int GENERATION = 2;
    static final int LAST_RELOAD_MILLIS = 3;
    static final int RELOADS = 4;
    static final int RELOAD_REQUESTED = 5;
    static final int RELOAD_DONE = 6;
    static final int ENTRIES = 7;
    static final int FAILED_RELOADS = 8;
    static final int SUPERVISOR_PID = 9;
    static final int LAST_RELOAD_MICROS = 10;
    static final int HOST_WORDS = 16;

    static final int PID = 0;
    static final int READY = 1;
    static final int STARTED_MILLIS = 2;
    static final int HEARTBEAT_MILLIS = 3;
    static final int REQUESTS = 4;
    static final int CLIENT_ERRORS = 5;
    static final int SERVER_ERRORS = 6;
    static final int LATENCY_MICROS = 7;
    static final int RESTARTS = 8;
    static final int LATENCY_BUCKETS = 9;
    static final int SLOT_WORDS = 16;

    /** Upper bounds (exclusive, microseconds) of the latency buckets; the last bucket has none. */
    static final long[] BUCKET_BOUNDS_MICROS = {1_000, 2_000, 5_000, 10_000, 50_000, 250_000};
    static final int BUCKETS = BUCKET_BOUNDS_MICROS.length + 1;

    private BoardLayout() {}

    static int words(final int workers) {
        return HOST_WORDS + workers * SLOT_WORDS;
    }

    static int slot(final int worker, final int field) {
        return HOST_WORDS + worker * SLOT_WORDS + field;
    }

    static int bucket(final long micros) {
        for (int i = 0; i < BUCKET_BOUNDS_MICROS.length; i++) {
            if (micros < BUCKET_BOUNDS_MICROS[i]) {
                return i;
            }
        }
        return BUCKET_BOUNDS_MICROS.length;
    }
}
