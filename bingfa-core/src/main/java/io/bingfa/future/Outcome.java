package io.bingfa.future;

/**
 * The outcome of one task as {@link Futures#gather(java.util.List, boolean)} reports it with
 * {@code returnExceptions = true}: either a {@link Value} or a {@link Failure} (a cancelled task is a
 * failure whose exception is a {@link java.util.concurrent.CancellationException}).
 */
public sealed interface Outcome<T> extends java.io.Serializable {

    /** The task returned {@code value} (which may be null). */
    record Value<T>(T value) implements Outcome<T> {}

    /** The task threw {@code exception}, or was cancelled. */
    record Failure<T>(Throwable exception) implements Outcome<T> {
        public Failure {
            if (exception == null) {
                throw new IllegalArgumentException("exception must not be null");
            }
        }
    }

    /** The value, or a {@link TaskFailedException} whose cause is the failure. */
    default T getOrThrow() {
        return switch (this) {
            case Value<T> v -> v.value();
            case Failure<T> f -> throw new TaskFailedException(f.exception());
        };
    }
}
