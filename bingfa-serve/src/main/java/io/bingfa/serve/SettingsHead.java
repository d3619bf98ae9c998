package io.bingfa.serve;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/*
 * Overview
 * --------
 * Recognizes the one request head that SettingsConnection answers without Jetty's HTTP machinery:
 *
 *     GET /v1/settings/{app} HTTP/1.1 CRLF
 *     *( field-name ":" OWS field-value OWS CRLF )
 *     CRLF
 *
 * and says NOT_MINE for everything else, so that Jetty's HttpConnection reads that request from its first byte
 * and applies its own rules (compliance modes, 400/431, bodies, upgrades). The rules are strict on purpose: a
 * head is accepted only when there is no doubt how it is framed and what it asks.
 *
 *   request line  exactly "GET /v1/settings/" + app + " HTTP/1.1" CRLF, where app is what Api.isAppId accepts
 *                 (1 to 32 of [A-Za-z0-9._-]): no query, no percent-encoding, no dot segments that mean
 *                 anything other than themselves ("." and ".." alone are refused), no absolute form, no HTTP/1.0
 *   fields        a name of RFC 9110 token characters directly followed by ':'; a value of visible ASCII,
 *                 space and tab; lines end with CRLF (a bare CR or LF, an obs-fold, a control character or a
 *                 byte >= 0x80 anywhere is NOT_MINE)
 *   exactly one   Host, whose value is 1 or more of [A-Za-z0-9.:_~\[\]-] (a host, an IPv6 literal, a port)
 *   never         Content-Length, Transfer-Encoding, Expect, Upgrade, HTTP2-Settings: a GET with framing or an
 *                 upgrade is Jetty's to judge
 *   Connection    a list of "keep-alive" and "close" (any case, OWS around commas); close is reported in
 *                 close(); any other token is NOT_MINE
 *   size          the whole head at most MAX_HEAD bytes (Jetty's default request header size): longer is
 *                 NOT_MINE, and Jetty answers 431
 *
 * parse() reads the bytes between the buffer's position and limit and changes nothing; the caller advances
 * the position by the length returned. It allocates nothing but the app's String (app()).
 */
/** One request head, recognized or refused for the settings fast path (see Overview). */
final class SettingsHead {

    /** parse(): the head is not complete yet; read more and call again. */
    static final int INCOMPLETE = 0;
    /** parse(): not a head for the fast path; Jetty must read this request from its first byte. */
    static final int NOT_MINE = -1;

    /** Longest head accepted, request line and fields included: Jetty's default request header size. */
    static final int MAX_HEAD = 8 * 1024;

    private static final byte[] REQUEST_START = "GET /v1/settings/".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] VERSION = " HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII);

    private static final boolean[] TOKEN = new boolean[128];
    private static final boolean[] HOST = new boolean[128];

    static {
        for (int c = '0'; c <= '9'; c++) {
            TOKEN[c] = true;
            HOST[c] = true;
        }
        for (int c = 'a'; c <= 'z'; c++) {
            TOKEN[c] = true;
            TOKEN[c - 32] = true;
            HOST[c] = true;
            HOST[c - 32] = true;
        }
        for (final char c : "!#$%&'*+-.^_`|~".toCharArray()) {
            TOKEN[c] = true;
        }
        for (final char c : ".:_~[]-".toCharArray()) {
            HOST[c] = true;
        }
    }

    private int appStart;
    private int appLength;
    private boolean close;

    /**
     * Looks at the head that starts at {@code in}'s position: its length in bytes (> 0) when it is a settings
     * read of the fast path (then app() and close() describe it), {@link #INCOMPLETE} when more bytes are
     * needed to tell, {@link #NOT_MINE} otherwise.
     */
    int parse(final ByteBuffer in) {
        final int from = in.position();
        final int end = Math.min(in.limit(), from + MAX_HEAD);
        final int incomplete = in.limit() - from >= MAX_HEAD ? NOT_MINE : INCOMPLETE;
        // request line
        int i = match(in, from, end, REQUEST_START, incomplete);
        if (i <= 0) {
            return i;
        }
        appStart = i;
        while (true) {
            if (i == end) {
                return incomplete;
            }
            final byte b = in.get(i);
            if (b == ' ') {
                break;
            }
            if (!appChar(b) || i - appStart == Api.MAX_APP_ID) {
                return NOT_MINE;
            }
            i++;
        }
        appLength = i - appStart;
        if (appLength == 0 || isDots(in, appStart, appLength)) {
            return NOT_MINE;
        }
        i = match(in, i, end, VERSION, incomplete);
        if (i <= 0) {
            return i;
        }
        // fields
        close = false;
        int hosts = 0;
        while (true) {
            if (i == end) {
                return incomplete;
            }
            if (in.get(i) == '\r') {
                if (i + 1 == end) {
                    return incomplete;
                }
                if (in.get(i + 1) != '\n') {
                    return NOT_MINE;
                }
                return hosts == 1 ? i + 2 - from : NOT_MINE;
            }
            final int nameStart = i;
            while (i < end && in.get(i) != ':') {
                final byte b = in.get(i);
                if (b < 0 || !TOKEN[b]) {
                    return NOT_MINE; // also a space before the colon, or an obs-fold line starting with one
                }
                i++;
            }
            if (i == end) {
                return incomplete;
            }
            final int nameLength = i - nameStart;
            if (nameLength == 0) {
                return NOT_MINE;
            }
            i++; // ':'
            final int valueStart = i;
            while (i < end && in.get(i) != '\r') {
                final byte b = in.get(i);
                if (b < 0 || (b < 0x20 && b != '\t') || b == 0x7f) {
                    return NOT_MINE;
                }
                i++;
            }
            if (i + 1 >= end) {
                return incomplete;
            }
            if (in.get(i + 1) != '\n') {
                return NOT_MINE;
            }
            final int valueEnd = i;
            i += 2;
            switch (field(in, nameStart, nameLength)) {
                case HOST -> {
                    hosts++;
                    if (!isHost(in, valueStart, valueEnd)) {
                        return NOT_MINE;
                    }
                }
                case CONNECTION -> {
                    if (!connection(in, valueStart, valueEnd)) {
                        return NOT_MINE;
                    }
                }
                case JETTYS -> {
                    return NOT_MINE;
                }
                case OTHER -> { }
            }
        }
    }

    /** The app id of the last head parse() accepted. */
    String app(final ByteBuffer in) {
        final byte[] bytes = new byte[appLength];
        in.get(appStart, bytes);
        return new String(bytes, StandardCharsets.US_ASCII);
    }

    /** Whether the last head parse() accepted asked for the connection to close after the answer. */
    boolean close() {
        return close;
    }

    /**
     * The index just after {@code expected} when the bytes at {@code i} are exactly it; {@code incomplete} when
     * {@code end} comes first, NOT_MINE when a byte differs (both <= 0, an index never is).
     */
    private static int match(final ByteBuffer in, final int i, final int end, final byte[] expected,
                             final int incomplete) {
        for (int k = 0; k < expected.length; k++) {
            if (i + k == end) {
                return incomplete;
            }
            if (in.get(i + k) != expected[k]) {
                return NOT_MINE;
            }
        }
        return i + expected.length;
    }

    private static boolean appChar(final byte b) {
        return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9')
                || b == '.' || b == '_' || b == '-';
    }

    /** "." or "..": a dot segment, which a URI normalizer would remove; Jetty decides what it means. */
    private static boolean isDots(final ByteBuffer in, final int start, final int length) {
        for (int i = start; i < start + length; i++) {
            if (in.get(i) != '.') {
                return false;
            }
        }
        return length <= 2;
    }

    private enum Field { HOST, CONNECTION, JETTYS, OTHER }

    private static final String[] JETTYS_FIELDS = {
        "content-length", "transfer-encoding", "expect", "upgrade", "http2-settings"};

    private static Field field(final ByteBuffer in, final int start, final int length) {
        if (named(in, start, length, "host")) {
            return Field.HOST;
        }
        if (named(in, start, length, "connection")) {
            return Field.CONNECTION;
        }
        for (final String name : JETTYS_FIELDS) {
            if (named(in, start, length, name)) {
                return Field.JETTYS;
            }
        }
        return Field.OTHER;
    }

    /** Whether the field name at {@code start} is {@code lower} in any case. */
    private static boolean named(final ByteBuffer in, final int start, final int length, final String lower) {
        if (length != lower.length()) {
            return false;
        }
        for (int k = 0; k < length; k++) {
            if ((in.get(start + k) | 0x20) != lower.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    private static boolean isHost(final ByteBuffer in, final int start, final int end) {
        final int s = skipSpace(in, start, end);
        final int e = trimSpace(in, s, end);
        if (s == e) {
            return false;
        }
        for (int i = s; i < e; i++) {
            final byte b = in.get(i);
            if (b < 0 || !HOST[b]) {
                return false;
            }
        }
        return true;
    }

    /** A Connection value of "keep-alive" and "close" tokens; sets close. */
    private boolean connection(final ByteBuffer in, final int start, final int end) {
        int i = start;
        while (true) {
            i = skipSpace(in, i, end);
            int e = i;
            while (e < end && in.get(e) != ',') {
                e++;
            }
            final int tokenEnd = trimSpace(in, i, e);
            if (named(in, i, tokenEnd - i, "close")) {
                close = true;
            } else if (!named(in, i, tokenEnd - i, "keep-alive")) {
                return false;
            }
            if (e == end) {
                return true;
            }
            i = e + 1;
        }
    }

    private static int skipSpace(final ByteBuffer in, final int from, final int end) {
        int i = from;
        while (i < end && (in.get(i) == ' ' || in.get(i) == '\t')) {
            i++;
        }
        return i;
    }

    private static int trimSpace(final ByteBuffer in, final int from, final int end) {
        int e = end;
        while (e > from && (in.get(e - 1) == ' ' || in.get(e - 1) == '\t')) {
            e--;
        }
        return e;
    }
}
