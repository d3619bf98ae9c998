package io.bingfa.process;

import java.io.IOException;

/**
 * One end of a parent-worker link: ordered, reliable, framed. {@link #send} may be called from any number
 * of threads at once (frames are never interleaved); {@link #receive} from one reader thread only.
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

    /** Closes the link; a blocked {@link #receive} on either side then returns {@code null} or throws. */
    @Override
    void close();
}
