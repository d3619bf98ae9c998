package io.bingfa.cache;

/**
 * Where a {@link Reloader} reads a full snapshot from: it pushes every row into the {@link Sink} it is given
 * and returns, or throws, in which case the reload is abandoned and the current generation keeps serving.
 * {@link Sources} makes the usual ones (JDBC, CSV, JSON lines, an iterator).
 *
 * <p>A source is called once per reload, from the reloader's thread; it should read a consistent snapshot
 * (one query, one file) and release what it opened before returning.
 */
@FunctionalInterface
public interface Source {

    /** Reads the whole snapshot into {@code sink}; any exception fails the reload. */
    void load(Sink sink) throws Exception;

    /** Receives the rows of a snapshot; a key given twice keeps its last value. */
    @FunctionalInterface
    interface Sink {
        /** One row; neither array is kept after the call returns. */
        void put(byte[] key, byte[] value);
    }
}
