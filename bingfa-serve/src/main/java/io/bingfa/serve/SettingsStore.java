package io.bingfa.serve;

import java.nio.ByteBuffer;

/**
 * Where a worker reads an app's settings: the current generation of the shared, reloadable cache
 * ({@link SharedSettings}). Never a database query.
 */
interface SettingsStore extends AutoCloseable {

    /** The app's settings JSON exactly as stored, or null if there is no such app. */
    byte[] get(String app);

    /**
     * Copies the app's settings JSON into {@code dst} at its position (advancing it) when they fit; nothing is
     * allocated. Returns their length (when it is more than {@code dst.remaining()}, nothing was copied), or -1
     * if there is no such app.
     */
    int get(String app, ByteBuffer dst);

    /** The generation reads come from (0 before the first load). */
    long generation();

    @Override
    void close();
}
