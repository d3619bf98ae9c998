package io.bingfa.serve;

/**
 * Where a worker reads an app's settings: the current generation of the shared, reloadable cache
 * ({@link SharedSettings}). Never a database query.
 */
interface SettingsStore extends AutoCloseable {

    /** The app's settings JSON exactly as stored, or null if there is no such app. */
    byte[] get(String app);

    /** The generation reads come from (0 before the first load). */
    long generation();

    @Override
    void close();
}
