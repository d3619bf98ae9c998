package io.bingfa.net.load;

import java.util.Locale;

/** What the load generator expects back for its payload of lower-case letters. */
public enum Reply {
    /** The payload upper-cased: the seed's {@code msg.upper()} (every server in the bench does this). */
    UPPER,
    /** The payload unchanged: a plain echo. */
    SAME,
    /** Any bytes, as long as as many come back as were sent. */
    ANY;

    /** {@code upper}, {@code same} or {@code any}. */
    public static Reply of(final String word) {
        try {
            return valueOf(word.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("reply must be upper, same or any, was '" + word + "'", e);
        }
    }

    /** The payload of {@code size} bytes: {@code abc...xyzabc...}. */
    static byte[] payload(final int size) {
        final byte[] b = new byte[size];
        for (int i = 0; i < size; i++) {
            b[i] = (byte) ('a' + i % 26);
        }
        return b;
    }

    /** What should come back for {@code payload}, or null when anything of the right length will do. */
    byte[] expected(final byte[] payload) {
        return switch (this) {
            case UPPER -> {
                final byte[] up = payload.clone();
                for (int i = 0; i < up.length; i++) {
                    up[i] = (byte) Character.toUpperCase(up[i]);
                }
                yield up;
            }
            case SAME -> payload.clone();
            case ANY -> null;
        };
    }
}
