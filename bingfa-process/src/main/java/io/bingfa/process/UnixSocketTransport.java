package io.bingfa.process;

import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@link Transport} over Unix domain sockets ({@code java.nio}, {@link UnixDomainSocketAddress}).
 *
 * <h2>Implementation notes</h2>
 * The listening socket lives in a directory of its own created with mode {@code 0700}, so only the user
 * that owns the pool can even reach it; the per-pool secret of the {@link WorkerProtocol} handshake is a
 * second lock on the same door. The directory and socket file are deleted on {@link #close()}.
 *
 * <p>Frames are length-prefixed (see {@link WorkerProtocol} for the layout). Writes are <em>combined</em>:
 * {@link Connection#send} puts the frame on a lock-free queue and then tries to become the writer with one
 * CAS on {@code writing}; the writer drains every queued frame into one direct buffer and writes it with as
 * few system calls as it can, then gives the flag back and looks at the queue once more, so a frame queued
 * while it was leaving is never stranded. A thread that finds a writer at work returns at once: its frame
 * goes out with the writer's next batch. Under load many results or log lines leave in one {@code write}.
 * Reads go through one heap buffer owned by whichever thread holds the right to read.
 *
 * <p>A connection starts blocking (the worker's side stays so). The parent's side switches to non-blocking
 * after the handshake ({@link Connection#nonBlocking()}), so that the thread waiting for an answer can
 * {@link Connection#poll() poll} the socket itself (see "Waiting for a result" in {@link ProcessPool}): a
 * non-blocking read is safe to interrupt (an interrupt closes a channel only during a blocking operation)
 * and never waits. Blocking waits then go through a {@link Selector} per direction: the reader's
 * ({@link Connection#awaitReadable()}, which {@link Connection#wakeUpReader()} ends early) and the
 * writer's, used only when the socket's send buffer is full.
 */
final class UnixSocketTransport implements Transport {

    /** Frames larger than this are refused: a corrupt length must not make the reader allocate gigabytes. */
    static final int MAX_FRAME = 1 << 30;
    private static final int HEADER = 4 + 1 + 8;
    private static final int BUFFER = 64 * 1024;

    private final Path dir;
    private final Path socket;
    private final ServerSocketChannel server;

    private UnixSocketTransport(final Path dir, final Path socket, final ServerSocketChannel server) {
        this.dir = dir;
        this.socket = socket;
        this.server = server;
    }

    /** Listens on a socket in a new private ({@code 0700}) temporary directory. */
    static UnixSocketTransport listen() throws IOException {
        final Path dir = privateDirectory();
        final Path socket = dir.resolve("pool.sock");
        final ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            server.bind(UnixDomainSocketAddress.of(socket), 64);
        } catch (IOException e) {
            server.close();
            Files.deleteIfExists(dir);
            throw e;
        }
        return new UnixSocketTransport(dir, socket, server);
    }

    /** A fresh 0700 directory, under {@code java.io.tmpdir} unless that path is too long for a socket. */
    private static Path privateDirectory() throws IOException {
        final boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
        final Path base = Path.of(System.getProperty("java.io.tmpdir"));
        // sun_path holds 108 bytes; leave room for "/bingfa-<random>/pool.sock".
        final Path parent = base.toAbsolutePath().toString().length() > 60 ? Path.of("/tmp") : base;
        return posix
                ? Files.createTempDirectory(parent, "bingfa-", PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rwx------")))
                : Files.createTempDirectory(parent, "bingfa-");
    }

    /** A worker's side: connects to the socket at {@code address}. */
    static Connection connect(final String address) throws IOException {
        final SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.connect(UnixDomainSocketAddress.of(address));
        } catch (IOException e) {
            ch.close();
            throw e;
        }
        return new SocketConnection(ch);
    }

    @Override
    public String address() {
        return socket.toString();
    }

    @Override
    public Connection accept() throws IOException {
        return new SocketConnection(server.accept());
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            // nothing left to do with a listening socket that will not close
        }
        try {
            Files.deleteIfExists(socket);
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("could not delete the pool's socket directory " + dir, e);
        }
    }

    @Override
    public String toString() {
        return "UnixSocketTransport[" + socket + "]";
    }

    /** End of stream between two frames: the peer closed or died cleanly. */
    static final class CleanEnd extends EOFException {
        private static final long serialVersionUID = 1L;

        CleanEnd() {
            super("end of stream");
        }
    }

    /** One connected socket; see the class comment for the write-combining scheme. */
    static final class SocketConnection implements Connection {
        private final SocketChannel channel;
        private final ConcurrentLinkedQueue<Frame> outgoing = new ConcurrentLinkedQueue<>();
        private final AtomicBoolean writing = new AtomicBoolean();
        /** Owned by whichever thread holds {@code writing}. */
        private ByteBuffer writeBuffer = ByteBuffer.allocateDirect(BUFFER);
        /** Owned by the thread that holds the right to read (see {@link Connection}). */
        private ByteBuffer readBuffer = ByteBuffer.allocate(BUFFER).flip();
        private volatile IOException writeFailure;
        /** Non-blocking mode only: readiness to read, and to write when the send buffer was full. */
        private volatile Selector readSelector;
        private volatile Selector writeSelector;

        SocketConnection(final SocketChannel channel) {
            this.channel = channel;
        }

        @Override
        public void send(final Frame frame) throws IOException {
            enqueue(frame);
            flush();
        }

        @Override
        public void enqueue(final Frame frame) {
            outgoing.add(frame);
        }

        @Override
        public void flush() throws IOException {
            // Re-check after giving the flag back: a frame queued while the writer was leaving would be stranded.
            while (!outgoing.isEmpty()) {
                final IOException failed = writeFailure; // racy read: a stale null only means one more failing write
                if (failed != null) {
                    throw new IOException("connection already failed: " + failed.getMessage(), failed);
                }
                if (!writing.compareAndSet(false, true)) {
                    return; // the current writer takes our frame in its next batch
                }
                try {
                    drain();
                } catch (IOException e) {
                    writeFailure = e;
                    throw e;
                } finally {
                    writing.set(false);
                }
            }
        }

        /** Writes queued frames in batches; called only by the thread holding {@code writing}. */
        private void drain() throws IOException {
            ByteBuffer buf = writeBuffer;
            Frame f;
            while ((f = outgoing.poll()) != null) {
                final int size = HEADER + f.payload().length;
                if (size > buf.remaining() && buf.position() > 0) {
                    writeFully(buf.flip());
                    buf.clear();
                }
                if (size > buf.capacity()) {
                    // Too big to copy: header from the buffer, payload straight from its array.
                    putHeader(buf, f);
                    buf.flip();
                    final ByteBuffer body = ByteBuffer.wrap(f.payload());
                    while (buf.hasRemaining() || body.hasRemaining()) {
                        if (channel.write(new ByteBuffer[] {buf, body}) == 0) {
                            awaitWritable();
                        }
                    }
                    buf.clear();
                    continue;
                }
                putHeader(buf, f);
                buf.put(f.payload());
            }
            if (buf.position() > 0) {
                writeFully(buf.flip());
                buf.clear();
            }
            writeBuffer = buf;
        }

        private static void putHeader(final ByteBuffer buf, final Frame f) {
            buf.putInt(1 + 8 + f.payload().length).put(f.type()).putLong(f.id());
        }

        private void writeFully(final ByteBuffer buf) throws IOException {
            while (buf.hasRemaining()) {
                if (channel.write(buf) == 0) {
                    awaitWritable();
                }
            }
        }

        /** Non-blocking mode: waits until the full send buffer has room (blocking mode never writes 0 bytes). */
        private void awaitWritable() throws IOException {
            final Selector s = writeSelector;
            if (s != null) {
                s.select(100); // bounded: an interrupt of this thread makes select return at once, so loop
                s.selectedKeys().clear();
            }
        }

        @Override
        public void nonBlocking() throws IOException {
            channel.configureBlocking(false);
            final Selector reads = Selector.open();
            final Selector writes = Selector.open();
            channel.register(reads, SelectionKey.OP_READ);
            channel.register(writes, SelectionKey.OP_WRITE);
            readSelector = reads;
            writeSelector = writes;
        }

        @Override
        public Frame poll() throws IOException {
            return next(false);
        }

        @Override
        public void awaitReadable() throws IOException {
            final Selector s = readSelector;
            if (s == null) {
                throw new IllegalStateException("awaitReadable needs a non-blocking connection");
            }
            s.select();
            s.selectedKeys().clear();
        }

        @Override
        public void wakeUpReader() {
            final Selector s = readSelector;
            if (s != null) {
                s.wakeup();
            }
        }

        @Override
        public Frame receive() throws IOException {
            try {
                return next(true);
            } catch (CleanEnd e) {
                return null;
            }
        }

        /**
         * The next frame; when {@code block} is false, null if the socket does not hold a whole one yet (what
         * it holds stays buffered for the next call).
         *
         * @throws CleanEnd at end of stream between frames
         */
        private Frame next(final boolean block) throws IOException {
            if (!fill(4, block)) {
                return null;
            }
            final int length = readBuffer.getInt(readBuffer.position()); // peek: a partial frame stays whole
            if (length < 9 || length > MAX_FRAME) {
                throw new IOException("corrupt frame: length " + length + " (expected 9.." + MAX_FRAME + ")");
            }
            if (!fill(4 + length, block)) {
                return null;
            }
            readBuffer.getInt();
            final byte type = readBuffer.get();
            final long id = readBuffer.getLong();
            final byte[] payload = length == 9 ? Frame.EMPTY : new byte[length - 9];
            readBuffer.get(payload);
            return new Frame(type, id, payload);
        }

        /**
         * Makes at least {@code n} bytes readable: true when they are; false only when not {@code block}ing
         * and the socket has no more for now.
         *
         * @throws CleanEnd at end of stream with nothing buffered; EOFException at end of stream mid-frame
         */
        private boolean fill(final int n, final boolean block) throws IOException {
            if (readBuffer.remaining() >= n) {
                return true;
            }
            if (readBuffer.capacity() < n) {
                final ByteBuffer bigger = ByteBuffer.allocate(Math.max(n, readBuffer.capacity() * 2));
                bigger.put(readBuffer).flip();
                readBuffer = bigger;
            }
            readBuffer.compact();
            try {
                while (readBuffer.position() < n) {
                    final int read = channel.read(readBuffer);
                    if (read < 0) {
                        if (readBuffer.position() == 0) {
                            throw new CleanEnd();
                        }
                        throw new EOFException("connection closed after " + readBuffer.position() + " of " + n + " bytes");
                    }
                    if (read == 0) { // only in non-blocking mode
                        if (!block) {
                            return false;
                        }
                        awaitReadable();
                    }
                }
            } finally {
                readBuffer.flip();
            }
            return true;
        }

        @Override
        public void close() {
            try {
                channel.close();
            } catch (IOException e) {
                // closing is best effort: the peer notices the end of stream either way
            }
            closeQuietly(readSelector);
            closeQuietly(writeSelector);
        }

        private static void closeQuietly(final Selector s) {
            if (s != null) {
                try {
                    s.close();
                } catch (IOException e) {
                    // a selector that will not close holds no socket of ours
                }
            }
        }
    }
}
