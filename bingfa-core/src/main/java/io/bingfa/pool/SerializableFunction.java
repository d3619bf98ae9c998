package io.bingfa.pool;

import java.io.Serializable;

/**
 * The function of {@link Pool#map}: one input to one result, may throw. Serializable for the same reason
 * as {@link SerializableCallable}.
 */
@FunctionalInterface
public interface SerializableFunction<T, R> extends Serializable {
    R apply(T input) throws Exception;
}
