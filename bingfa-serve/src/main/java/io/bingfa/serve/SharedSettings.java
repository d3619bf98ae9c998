package io.bingfa.serve;

import io.bingfa.cache.ReloadableMap;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A worker's view of the settings cache: the {@link ReloadableMap} the supervisor's reloader fills (app id ->
 * settings JSON bytes). A read is one lookup in the current generation's shared map; a reload switches every
 * worker to the new generation at once, and a read never sees a mix of two.
 */
final class SharedSettings implements SettingsStore {

    private final ReloadableMap map;

    private SharedSettings(final ReloadableMap map) {
        this.map = map;
    }

    /** Opens the cache the supervisor created at {@code file}. */
    static SharedSettings open(final Path file) {
        return new SharedSettings(ReloadableMap.open(file));
    }

    @Override
    public byte[] get(final String app) {
        return map.get(app.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public int get(final String app, final ByteBuffer dst) {
        return map.get(app.getBytes(StandardCharsets.UTF_8), dst);
    }

    @Override
    public long generation() {
        return map.generation();
    }

    @Override
    public void close() {
        map.close();
    }
}
