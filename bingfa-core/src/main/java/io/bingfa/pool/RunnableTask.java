package io.bingfa.pool;

import java.io.Serial;

/** Adapts a {@link SerializableRunnable} to a {@link SerializableCallable}; a class, not a lambda, so it serializes plainly. */
record RunnableTask(SerializableRunnable task) implements SerializableCallable<Void> {
    @Serial
    private static final long serialVersionUID = 1L;

    @Override
    public Void call() throws Exception {
        task.run();
        return null;
    }
}
