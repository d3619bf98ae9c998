package io.bingfa.pool;

import java.io.Serializable;

/** A task without a result that may throw; serializable for the same reason as {@link SerializableCallable}. */
@FunctionalInterface
public interface SerializableRunnable extends Serializable {
    void run() throws Exception;
}
