package io.bingfa.cli.bench;

import com.fasterxml.jackson.annotation.JsonValue;

/** Which direction of a bench value is good: seconds and bytes are {@link #LOWER}, rates {@link #HIGHER}. */
public enum Better {
    HIGHER("higher"),
    LOWER("lower");

    private final String json;

    Better(final String json) {
        this.json = json;
    }

    /** The contract's spelling: {@code "higher"} or {@code "lower"}. */
    @JsonValue
    public String json() {
        return json;
    }

    /**
     * How many times better {@code value} is than {@code anchorValue} (above 1: better, below 1: worse),
     * whichever direction is good.
     */
    public double timesBetter(final double value, final double anchorValue) {
        return this == HIGHER ? value / anchorValue : anchorValue / value;
    }
}
