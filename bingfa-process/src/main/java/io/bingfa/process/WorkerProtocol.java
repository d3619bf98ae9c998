package io.bingfa.process;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * The conversation between a {@link ProcessPool} and one of its worker JVMs ({@link WorkerMain}).
 *
 * <h2>Frames</h2>
 * Every message is one length-prefixed frame, big-endian:
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                 length (bytes after this field)               |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |     type      |                id (64 bits) ...               |
 *  +-+-+-+-+-+-+-+-+                                +-+-+-+-+-+-+-+-+
 *  |                ... id                          |  payload ... |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 * Task and result payloads are whatever the pool's {@link TaskCodec} makes of the object; the others are
 * written here with {@link DataOutputStream}.
 *
 * <h2>Messages</h2>
 * <pre>
 *   worker -&gt; parent   HELLO(id=worker id)       secret (32 bytes), pid (long)      first frame, always
 *   parent -&gt; worker   WELCOME                   the initializer, encoded, or empty
 *   worker -&gt; parent   READY | INIT_FAILED       INIT_FAILED carries a failure (below)
 *   parent -&gt; worker   TASK(id=task id)          the task, encoded
 *   parent -&gt; worker   CANCEL(id=task id)        interrupt that task if it is the one running: sent on the
 *                                                worker's standard input, not the socket (below)
 *   worker -&gt; parent   RESULT(id=task id)        the value, encoded
 *   worker -&gt; parent   FAILURE(id=task id)       a failure (below)
 *   worker -&gt; parent   LOG                       level, logger, thread, message, throwable text
 *   parent -&gt; worker   SHUTDOWN                  finish the running task, then exit with status 0
 *   worker -&gt; parent   CODEC_READY               the pool's codec is warm here: send tasks in it from now on
 * </pre>
 * Every encoded payload (task, result, initializer, throwable) starts with a one-byte tag naming the codec
 * that made it, the pool's or JDK serialization: see {@link Payloads} for why both are in use.
 * A <em>failure</em> is the portable description of a throwable (class name, message, stack frames, the
 * same for each cause) followed by the throwable itself as the codec encodes it, or a length of -1 when it
 * could not be encoded. The parent re-creates the original exception when it can decode it, and builds a
 * {@link RemoteTaskException} chain from the description otherwise: the caller always gets the remote
 * class name, message, whole stack trace and cause chain (Python's {@code _RemoteTraceback}).
 *
 * <h2>The control channel</h2>
 * A worker runs its task in the thread that reads the socket (no hand-off on the round trip), so a CANCEL
 * on the socket would wait behind the very task it is meant to stop. CANCEL therefore travels on the
 * worker's standard input as 9 bytes (type, task id), read by a thread of its own; that pipe's
 * end-of-stream also tells the worker at once that its parent died.
 *
 * <h2>Worker states, as the worker sees them</h2>
 * <pre>
 *   CONNECTING -&gt; INITIALIZING   HELLO sent, WELCOME received
 *   INITIALIZING -&gt; SERVING      initializer ran: READY sent
 *   INITIALIZING -&gt; exit(3)      initializer threw: INIT_FAILED sent
 *   SERVING -&gt; SERVING           TASK: run it, send RESULT or FAILURE; CANCEL: interrupt it
 *   SERVING -&gt; exit(0)           SHUTDOWN, after the running task's answer is sent
 *   any -&gt; halt                  end of stream (the parent died or dropped us), or the parent process is gone
 * </pre>
 * The parent sends a worker at most {@code prefetch} TASKs (default 1) before their answers: a task
 * waits in the parent's queue, not in a worker, until a worker has room, so cancelling a queued task never
 * races with a worker starting it and a dead worker never takes queued tasks with it. The worker answers
 * in order; a prefetched task cancelled before it starts is answered with a FAILURE that the parent drops. The parent's view of the same worker is in
 * {@link ProcessPool}'s class comment.
 *
 * <h2>Handshake and trust</h2>
 * The socket sits in a {@code 0700} directory; in addition the worker proves it was started by this pool
 * with the pool's random 32-byte secret, handed over in the worker's environment (readable only by the same
 * user), and compared in constant time. A connection that fails the check is closed without a word.
 */
final class WorkerProtocol {

    private WorkerProtocol() {}

    static final byte HELLO = 1;
    static final byte WELCOME = 2;
    static final byte READY = 3;
    static final byte INIT_FAILED = 4;
    static final byte TASK = 5;
    static final byte CANCEL = 6;
    static final byte RESULT = 7;
    static final byte FAILURE = 8;
    static final byte LOG = 9;
    static final byte SHUTDOWN = 10;
    static final byte CODEC_READY = 11;

    /** The environment variable that carries the pool's secret (hex) to the worker. */
    static final String SECRET_ENV = "BINGFA_WORKER_SECRET";
    static final int SECRET_BYTES = 32;

    /** Exit status of a worker whose initializer threw. */
    static final int EXIT_INIT_FAILED = 3;
    /** Exit status of a worker that could not reach or was refused by its parent. */
    static final int EXIT_NO_PARENT = 4;

    static String typeName(final byte type) {
        return switch (type) {
            case HELLO -> "HELLO";
            case WELCOME -> "WELCOME";
            case READY -> "READY";
            case INIT_FAILED -> "INIT_FAILED";
            case TASK -> "TASK";
            case CANCEL -> "CANCEL";
            case RESULT -> "RESULT";
            case FAILURE -> "FAILURE";
            case LOG -> "LOG";
            case SHUTDOWN -> "SHUTDOWN";
            case CODEC_READY -> "CODEC_READY";
            default -> "type " + type;
        };
    }

    // ---------------------------------------------------------------- handshake

    static Frame hello(final long workerId, final byte[] secret, final long pid) {
        return new Frame(HELLO, workerId, write(out -> {
            out.write(secret);
            out.writeLong(pid);
        }));
    }

    /** The HELLO's pid if its secret matches {@code expected}, otherwise -1. */
    static long checkHello(final Frame hello, final byte[] expected) {
        if (hello.type() != HELLO || hello.payload().length != SECRET_BYTES + 8) {
            return -1;
        }
        final byte[] got = java.util.Arrays.copyOf(hello.payload(), SECRET_BYTES);
        if (!MessageDigest.isEqual(got, expected)) {
            return -1;
        }
        return java.nio.ByteBuffer.wrap(hello.payload(), SECRET_BYTES, 8).getLong();
    }

    static String hex(final byte[] bytes) {
        return java.util.HexFormat.of().formatHex(bytes);
    }

    static byte[] unhex(final String hex) {
        return java.util.HexFormat.of().parseHex(hex);
    }

    // ---------------------------------------------------------------- failures

    /**
     * A throwable's portable description: what survives even when the throwable itself cannot be
     * serialized or its class does not exist in the parent.
     */
    record RemoteFailure(String className, String message, StackTraceElement[] stackTrace, RemoteFailure cause) {

        static RemoteFailure of(final Throwable t) {
            return of(t, 0);
        }

        private static RemoteFailure of(final Throwable t, final int depth) {
            final Throwable c = t.getCause();
            // A cause chain may loop (t.initCause on its own cause); 64 levels is deep enough for any real one.
            final RemoteFailure cause = c == null || c == t || depth > 64 ? null : of(c, depth + 1);
            return new RemoteFailure(t.getClass().getName(), t.getMessage(), t.getStackTrace(), cause);
        }

        /** This description as a {@link RemoteTaskException} chain. */
        RemoteTaskException toException() {
            final RemoteTaskException e = new RemoteTaskException(className, message,
                    cause == null ? null : cause.toException());
            e.setStackTrace(stackTrace);
            return e;
        }
    }

    /** A FAILURE or INIT_FAILED payload: description, then the encoded throwable (or -1). */
    static byte[] failure(final Throwable t, final TaskCodec codec) {
        byte[] encoded;
        try {
            encoded = Payloads.encode(codec, t, Payloads.warm(codec));
        } catch (RuntimeException | LinkageError e) {
            encoded = null; // the description alone still tells the caller everything that matters
        }
        final byte[] object = encoded;
        return write(out -> {
            writeFailure(out, RemoteFailure.of(t));
            out.writeInt(object == null ? -1 : object.length);
            if (object != null) {
                out.write(object);
            }
        });
    }

    private static void writeFailure(final DataOutputStream out, final RemoteFailure f) throws IOException {
        writeString(out, f.className());
        writeString(out, f.message());
        out.writeInt(f.stackTrace().length);
        for (StackTraceElement e : f.stackTrace()) {
            writeString(out, e.getClassLoaderName());
            writeString(out, e.getModuleName());
            writeString(out, e.getModuleVersion());
            writeString(out, e.getClassName());
            writeString(out, e.getMethodName());
            writeString(out, e.getFileName());
            out.writeInt(e.getLineNumber());
        }
        out.writeBoolean(f.cause() != null);
        if (f.cause() != null) {
            writeFailure(out, f.cause());
        }
    }

    /**
     * The exception a FAILURE payload describes: the original, re-created with its remote stack trace, when
     * the codec can decode it here; a {@link RemoteTaskException} chain otherwise.
     */
    static Throwable readFailure(final byte[] payload, final TaskCodec codec) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(payload))) {
            final RemoteFailure description = readFailure(in);
            final int length = in.readInt();
            if (length >= 0) {
                final byte[] object = in.readNBytes(length);
                try {
                    if (Payloads.decode(codec, object) instanceof Throwable t) {
                        return t;
                    }
                } catch (RuntimeException | LinkageError e) {
                    // the class is missing here or will not deserialize: fall back to the description
                }
            }
            return description.toException();
        } catch (IOException e) {
            throw new UncheckedIOException("corrupt FAILURE frame", e);
        }
    }

    private static RemoteFailure readFailure(final DataInputStream in) throws IOException {
        final String className = readString(in);
        final String message = readString(in);
        final int frames = in.readInt();
        final StackTraceElement[] trace = new StackTraceElement[frames];
        for (int i = 0; i < frames; i++) {
            final String loader = readString(in);
            final String module = readString(in);
            final String version = readString(in);
            final String declaring = readString(in);
            final String method = readString(in);
            final String file = readString(in);
            trace[i] = new StackTraceElement(loader, module, version, declaring, method, file, in.readInt());
        }
        final RemoteFailure cause = in.readBoolean() ? readFailure(in) : null;
        return new RemoteFailure(className, message, trace, cause);
    }

    // ---------------------------------------------------------------- logs

    /** One log event shipped from a worker. */
    record LogEvent(int level, String logger, String thread, String message, String throwable) {}

    static Frame log(final LogEvent e) {
        return new Frame(LOG, 0, write(out -> {
            out.writeInt(e.level());
            writeString(out, e.logger());
            writeString(out, e.thread());
            writeString(out, e.message());
            writeString(out, e.throwable());
        }));
    }

    static LogEvent readLog(final byte[] payload) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(payload))) {
            return new LogEvent(in.readInt(), readString(in), readString(in), readString(in), readString(in));
        } catch (IOException e) {
            throw new UncheckedIOException("corrupt LOG frame", e);
        }
    }

    // ---------------------------------------------------------------- helpers

    @FunctionalInterface
    private interface Writer {
        void write(DataOutputStream out) throws IOException;
    }

    private static byte[] write(final Writer w) {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            w.write(out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot happen: writing to memory", e);
        }
        return bytes.toByteArray();
    }

    /** A nullable string of any length (DataOutput's writeUTF stops at 64 KiB). */
    private static void writeString(final DataOutputStream out, final String s) throws IOException {
        if (s == null) {
            out.writeInt(-1);
            return;
        }
        final byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    private static String readString(final DataInputStream in) throws IOException {
        final int n = in.readInt();
        return n < 0 ? null : new String(in.readNBytes(n), StandardCharsets.UTF_8);
    }

    /** The lines of a stack trace, for LOG frames and messages. */
    static String stackTraceText(final Throwable t) {
        final java.io.StringWriter w = new java.io.StringWriter();
        t.printStackTrace(new java.io.PrintWriter(w));
        return w.toString();
    }
}
