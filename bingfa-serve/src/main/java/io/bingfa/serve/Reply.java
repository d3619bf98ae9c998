package io.bingfa.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** An HTTP answer: status, content type and body bytes. */
record Reply(int status, String contentType, byte[] body) {

    static final String JSON = "application/json; charset=utf-8";
    /** One mapper for the process: thread-safe once configured. */
    static final ObjectMapper MAPPER = new ObjectMapper();

    /** {@code value} (maps, lists, strings, numbers) as JSON. */
    static Reply json(final int status, final Object value) {
        try {
            return new Reply(status, JSON, MAPPER.writeValueAsBytes(value));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + value.getClass().getName() + " as JSON", e);
        }
    }

    /** Bytes that are JSON already (settings as stored). */
    static Reply rawJson(final int status, final byte[] json) {
        return new Reply(status, JSON, json);
    }

    /** {@code {"error": message}}. */
    static Reply error(final int status, final String message) {
        return json(status, Map.of("error", message));
    }

    static Reply text(final int status, final String contentType, final String text) {
        return new Reply(status, contentType, text.getBytes(StandardCharsets.UTF_8));
    }
}
