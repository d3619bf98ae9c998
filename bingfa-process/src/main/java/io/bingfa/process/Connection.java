package io.bingfa.process;

import java.io.IOException;

/**
 * One end of a parent-worker link: ordered, reliable, framed. {@link #send} may be called from any number
 * of threads at once (frames are never interleaved); {@link #receive} and {@link #poll} from one thread at a
 * time (the holder of the right to read, which the owner of the connection manages).
 * {@link UnixSocketTransport} is the implementation; a shared-memory ring could be another.
 */
interface Connection extends AutoCloseable {

    /** Queues {@code frame} and writes it, together with any frames other threads queued meanwhile. */
    void send(Frame frame) throws IOException;

    /** Queues {@code frame} without writing; a later {@link #send} or {@link #flush} writes it. */
    void enqueue(Frame frame);

    /** Writes every queued frame (a no-op when another thread is already writing them). */
    void flush() throws IOException;

    /** The next frame, blocking; {@code null} at end of stream (the other side closed or died). */
    Frame receive() throws IOException;

    /**
     * Switches to non-blocking I/O (once, before any thread reads): {@link #poll} and {@link #awaitReadable}
     * become usable, and writes wait for room themselves. The parent's side does this after the handshake.
     */
    void nonBlocking() throws IOException;

    /**
     * The next frame if the socket already holds all of it, else null at once (a partial frame stays
     * buffered). Non-blocking mode only, and only by the thread that holds the right to read.
     *
     * @throws java.io.EOFException at end of stream
     */
    Frame poll() throws IOException;

    /** Non-blocking mode: waits until there may be something to {@link #poll}, or {@link #wakeUpReader}. */
    void awaitReadable() throws IOException;

    /** Ends an {@link #awaitReadable} in progress, or makes the next one return at once. */
    void wakeUpReader();

    /** Closes the link; a blocked {@link #receive} on either side then returns {@code null} or throws. */
    @Override
    void close();
}
