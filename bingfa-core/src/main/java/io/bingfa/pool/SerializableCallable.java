package io.bingfa.pool;

import java.io.Serializable;
import java.util.concurrent.Callable;

/**
 * A task that returns a value and may throw. Serializable so that the same lambda works for in-process
 * pools, where it is never serialized, and for process pools, where it is sent to a worker JVM: a lambda
 * whose target type is this interface is compiled as a serializable lambda, no cast needed.
 */
@FunctionalInterface
public interface SerializableCallable<T> extends Callable<T>, Serializable {}
