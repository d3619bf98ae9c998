package io.bingfa.future;

/** When {@link Futures#waitFor} returns, as Python's {@code concurrent.futures.wait(return_when=...)}. */
public enum ReturnWhen {
    /** As soon as any future finishes or is cancelled. */
    FIRST_COMPLETED,
    /** As soon as any future fails with an exception; if none fails, when all are done. */
    FIRST_EXCEPTION,
    /** When all futures are done. */
    ALL_COMPLETED
}
