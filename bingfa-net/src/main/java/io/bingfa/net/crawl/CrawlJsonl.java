package io.bingfa.net.crawl;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The crawl's output format: one JSON object per line, one line per URL,
 * <pre>
 *   {"url":"http://a/x","status":200,"bytes":1234,"ms":210,"error":null,"attempts":1,"final_url":"http://a/x"}
 * </pre>
 * and what makes a crawl resumable from its own output.
 *
 * <h2>Resume</h2>
 * {@link #resume(Path)} reads an existing output file and returns the URLs it holds; the crawl then skips those
 * and {@link Writer appends} the rest. A crash can leave a torn last line (no newline, or not JSON): it is cut off
 * before reading, so its URL is crawled again and the file stays one valid line per URL. A URL is "done" whatever
 * its result, errors included: the file says what happened to it, and re-crawling failures is a separate choice
 * (delete their lines). Lines are written whole and flushed at least every {@value #FLUSH_MILLIS} ms and at the
 * end; after {@code kill -9} of the crawler, the lines not yet flushed are simply crawled again on resume.
 */
public final class CrawlJsonl {

    private static final Logger LOG = LoggerFactory.getLogger(CrawlJsonl.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final long FLUSH_MILLIS = 200;

    private CrawlJsonl() {}

    /** {@code r} as one line of JSON, without the newline. */
    public static String toJson(final CrawlResult r) {
        Objects.requireNonNull(r, "r");
        final ObjectNode o = JSON.createObjectNode();
        o.put("url", r.url());
        o.put("status", r.status());
        o.put("bytes", r.bytes());
        o.put("ms", r.millis());
        o.put("error", r.error());
        o.put("attempts", r.attempts());
        o.put("final_url", r.finalUrl());
        try {
            return JSON.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON for " + r, e);
        }
    }

    /** One line back as a result; IllegalArgumentException naming the line if it is not one. */
    public static CrawlResult fromJson(final String line) {
        Objects.requireNonNull(line, "line");
        try {
            final JsonNode n = JSON.readTree(line);
            if (n == null || !n.isObject() || !n.hasNonNull("url")) {
                throw new IllegalArgumentException("line must be a JSON object with a url, was " + line);
            }
            return new CrawlResult(n.get("url").asText(), n.path("status").asInt(), n.path("bytes").asLong(),
                    n.path("ms").asLong(), text(n, "error"), n.path("attempts").asInt(), text(n, "final_url"));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("line must be JSON, was " + line, e);
        }
    }

    private static String text(final JsonNode n, final String field) {
        final JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    /**
     * The URLs already in {@code file} (none if it does not exist), after cutting off a torn last line. Lines
     * that are not results (in the middle of the file) are an error: the file is not a crawl's output.
     */
    public static Set<String> resume(final Path file) {
        Objects.requireNonNull(file, "file");
        final Set<String> done = new HashSet<>();
        if (!Files.exists(file)) {
            return done;
        }
        try {
            cutTornTail(file);
            try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                int lineNo = 0;
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    lineNo++;
                    if (line.isBlank()) {
                        continue;
                    }
                    try {
                        done.add(fromJson(line).url());
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException("file must be a crawl's JSONL output, but line " + lineNo
                                + " of " + file + " is not a result: " + line, e);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        return done;
    }

    /** Truncates {@code file} after its last newline if the text after it is not a whole JSON result. */
    private static void cutTornTail(final Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            final long size = ch.size();
            if (size == 0) {
                return;
            }
            // find the last '\n', reading backwards in blocks
            long pos = size;
            long lastNewline = -1;
            final ByteBuffer buf = ByteBuffer.allocate(8192);
            while (pos > 0 && lastNewline < 0) {
                final int len = (int) Math.min(buf.capacity(), pos);
                pos -= len;
                buf.clear().limit(len);
                while (buf.hasRemaining()) {
                    if (ch.read(buf, pos + buf.position()) < 0) {
                        break;
                    }
                }
                for (int i = len - 1; i >= 0; i--) {
                    if (buf.get(i) == '\n') {
                        lastNewline = pos + i;
                        break;
                    }
                }
            }
            if (lastNewline == size - 1) {
                return; // ends with a newline: nothing torn
            }
            final long keep = lastNewline + 1;
            final ByteBuffer tail = ByteBuffer.allocate((int) Math.min(size - keep, 1 << 20));
            ch.read(tail, keep);
            final String text = new String(tail.array(), 0, tail.position(), StandardCharsets.UTF_8);
            try {
                fromJson(text);
                ch.position(size);
                ch.write(ByteBuffer.wrap(new byte[] {'\n'})); // a whole line that lost only its newline
            } catch (IllegalArgumentException e) {
                LOG.warn("{}: cutting off a torn last line ({} bytes); its URL will be crawled again", file,
                        size - keep);
                ch.truncate(keep);
            }
        }
    }

    /** Appends results to a JSONL file, one whole line each. Not thread-safe: one writer thread. */
    public static final class Writer implements Closeable {
        private final FileChannel channel;
        private final BufferedWriter out;
        private long lastFlush = System.nanoTime();

        private Writer(final Path file) throws IOException {
            this.channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND);
            this.out = new BufferedWriter(new OutputStreamWriter(Channels.newOutputStream(channel),
                    StandardCharsets.UTF_8), 1 << 16);
        }

        /** Opens {@code file} for appending (creating it); call {@link CrawlJsonl#resume} first to resume. */
        public static Writer append(final Path file) {
            Objects.requireNonNull(file, "file");
            try {
                return new Writer(file);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot open " + file + " for appending", e);
            }
        }

        /** Writes one line; flushes if the last flush is {@value CrawlJsonl#FLUSH_MILLIS} ms old. */
        public void write(final CrawlResult r) {
            try {
                out.write(toJson(r));
                out.write('\n');
                if (System.nanoTime() - lastFlush > FLUSH_MILLIS * 1_000_000) {
                    flush();
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write a crawl result", e);
            }
        }

        public void flush() {
            try {
                out.flush();
                lastFlush = System.nanoTime();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot flush crawl results", e);
            }
        }

        @Override
        public void close() {
            try {
                out.close();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot close crawl results", e);
            }
        }
    }
}
