package io.bingfa.serve;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;

/**
 * The fields of an app's settings that challenges use, read from the stored JSON.
 *
 * @param length     characters in a challenge's code (1 to 64)
 * @param alphabet   the characters a code is drawn from (1 to 256)
 * @param ttlSeconds how long a challenge lives (1 s to one day)
 */
record AppSettings(int length, String alphabet, int ttlSeconds) {

    static final int MAX_LENGTH = 64;
    static final int MAX_ALPHABET = 256;
    static final int MAX_TTL_SECONDS = 86_400;

    /** Parses stored settings; IllegalArgumentException naming the field when they cannot make challenges. */
    static AppSettings parse(final String app, final byte[] json) {
        final JsonNode root;
        try {
            root = Reply.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("settings of " + app + " are not JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("settings of " + app + " are not a JSON object");
        }
        final int length = intField(app, root, "length", 1, MAX_LENGTH);
        final JsonNode a = root.get("alphabet");
        if (a == null || !a.isTextual() || a.asText().isEmpty() || a.asText().length() > MAX_ALPHABET) {
            throw new IllegalArgumentException("settings of " + app + ": alphabet must be a string of 1 to "
                    + MAX_ALPHABET + " characters, was " + a);
        }
        return new AppSettings(length, a.asText(), intField(app, root, "ttl_seconds", 1, MAX_TTL_SECONDS));
    }

    private static int intField(final String app, final JsonNode root, final String name, final int min, final int max) {
        final JsonNode n = root.get(name);
        if (n == null || !n.canConvertToInt() || !n.isIntegralNumber() || n.asInt() < min || n.asInt() > max) {
            throw new IllegalArgumentException("settings of " + app + ": " + name + " must be an integer from " + min
                    + " to " + max + ", was " + n);
        }
        return n.asInt();
    }
}
