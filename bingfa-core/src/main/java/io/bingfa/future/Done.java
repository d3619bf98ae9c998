package io.bingfa.future;

import java.util.Set;

/**
 * What {@link Futures#waitFor} returns: the futures that were done when it returned and those that
 * were not (Python's {@code DoneAndNotDoneFutures}). Both sets are unmodifiable snapshots.
 */
public record Done<T>(Set<TaskFuture<T>> done, Set<TaskFuture<T>> notDone) {
    public Done {
        done = Set.copyOf(done);
        notDone = Set.copyOf(notDone);
    }
}
