package io.bingfa.cli.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

/** What running a Python anchor gave: its one-line JSON, or why it could not run. */
public sealed interface AnchorResult {

    /** The script ran and printed {@code json}. */
    record Measured(JsonNode json) implements AnchorResult {
        public Measured {
            Objects.requireNonNull(json, "json");
        }

        /** The number at {@code field}, which the script must have printed. */
        public double number(final String field) {
            final JsonNode n = json.get(field);
            if (n == null || !n.isNumber()) {
                throw new IllegalStateException("anchor output has no number '" + field + "': " + json);
            }
            return n.asDouble();
        }
    }

    /** No usable interpreter or module, or the script failed: {@code reason} says which, for the table. */
    record Skipped(String reason) implements AnchorResult {
        public Skipped {
            Objects.requireNonNull(reason, "reason");
        }
    }
}
