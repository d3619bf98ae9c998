package io.bingfa.process;

import java.io.IOException;

/**
 * The parent's listening end: workers connect to {@link #address()} and the parent {@link #accept}s their
 * {@link Connection}s. Kept behind this interface so that a shared-memory transport can replace the Unix
 * domain sockets of {@link UnixSocketTransport} without touching the pool.
 */
interface Transport extends AutoCloseable {

    /** What a worker passes to {@link UnixSocketTransport#connect(String)}: here, a socket file's path. */
    String address();

    /** The next connection from a worker, blocking; throws once the transport is closed. */
    Connection accept() throws IOException;

    /** Stops listening and deletes whatever the transport put on disk. Open connections stay open. */
    @Override
    void close();
}
