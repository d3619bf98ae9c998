package io.bingfa.cache;

/**
 * How {@link SharedMap#create} lays out a new file. Every setting has a default; the expected size only
 * sizes the first region and the hash tables (the map grows past it), and the maximum value size fixes
 * the chunk size, the one limit that cannot change after creation.
 *
 * <pre>{@code
 * SharedMapOptions options = SharedMapOptions.builder()
 *         .expectedEntries(1_000_000).averageKeySize(8).averageValueSize(100)
 *         .build();
 * }</pre>
 *
 * @param expectedEntries entries the first region and the tables are sized for (default 65,536)
 * @param averageKeySize typical key length in bytes (default 16)
 * @param averageValueSize typical value length in bytes (default 128)
 * @param maxKeySize the longest key accepted (default and maximum {@value #MAX_KEY_SIZE})
 * @param maxValueSize the longest value accepted (default 32,768; at most 64 MiB)
 * @param segments lock segments, or 0 to derive it from the expected entries (16 to 4096)
 */
public record SharedMapOptions(long expectedEntries, int averageKeySize, int averageValueSize, int maxKeySize,
                               int maxValueSize, int segments) {

    /** The longest key any map accepts. */
    public static final int MAX_KEY_SIZE = 1024;
    /** The largest {@link #maxValueSize} a map can be created with. */
    public static final int MAX_VALUE_SIZE = 64 << 20;

    private static final SharedMapOptions DEFAULTS = builder().build();

    public SharedMapOptions {
        require(expectedEntries >= 1 && expectedEntries <= 1L << 34, "expectedEntries", expectedEntries, "1 to 2^34");
        require(maxKeySize >= 1 && maxKeySize <= MAX_KEY_SIZE, "maxKeySize", maxKeySize, "1 to " + MAX_KEY_SIZE);
        require(maxValueSize >= 0 && maxValueSize <= MAX_VALUE_SIZE, "maxValueSize", maxValueSize,
                "0 to " + MAX_VALUE_SIZE);
        require(averageKeySize >= 1 && averageKeySize <= maxKeySize, "averageKeySize", averageKeySize,
                "1 to maxKeySize (" + maxKeySize + ")");
        require(averageValueSize >= 0 && averageValueSize <= maxValueSize, "averageValueSize", averageValueSize,
                "0 to maxValueSize (" + maxValueSize + ")");
        require(segments == 0 || (segments >= 1 && segments <= MapLayout.MAX_SEGMENTS), "segments", segments,
                "0 (automatic) or 1 to " + MapLayout.MAX_SEGMENTS);
    }

    /** The defaults: 65,536 entries of 16-byte keys and 128-byte values, values up to 32 KiB. */
    public static SharedMapOptions defaults() {
        return DEFAULTS;
    }

    public static Builder builder() {
        return new Builder();
    }

    private static void require(final boolean ok, final String name, final long value, final String range) {
        if (!ok) {
            throw new IllegalArgumentException(name + " must be " + range + ", was " + value);
        }
    }

    /** log2 of the chunk size: the smallest power of two holding the largest entry, at least 64 KiB. */
    int chunkOrder() {
        return Math.max(16, BlockLayout.orderFor(maxKeySize, maxValueSize));
    }

    /** Builds options; each setting may be given once. */
    public static final class Builder {
        private long expectedEntries = -1;
        private int averageKeySize = -1;
        private int averageValueSize = -1;
        private int maxKeySize = -1;
        private int maxValueSize = -1;
        private int segments = -1;

        private Builder() {}

        public Builder expectedEntries(final long entries) {
            requireUnset(expectedEntries, "expectedEntries");
            expectedEntries = entries;
            return this;
        }

        public Builder averageKeySize(final int bytes) {
            requireUnset(averageKeySize, "averageKeySize");
            averageKeySize = bytes;
            return this;
        }

        public Builder averageValueSize(final int bytes) {
            requireUnset(averageValueSize, "averageValueSize");
            averageValueSize = bytes;
            return this;
        }

        public Builder maxKeySize(final int bytes) {
            requireUnset(maxKeySize, "maxKeySize");
            maxKeySize = bytes;
            return this;
        }

        public Builder maxValueSize(final int bytes) {
            requireUnset(maxValueSize, "maxValueSize");
            maxValueSize = bytes;
            return this;
        }

        /** Lock segments (writers to different segments never wait for each other); 0 = automatic. */
        public Builder segments(final int count) {
            requireUnset(segments, "segments");
            segments = count;
            return this;
        }

        public SharedMapOptions build() {
            final int maxKey = maxKeySize < 0 ? MAX_KEY_SIZE : maxKeySize;
            final int maxValue = maxValueSize < 0 ? 32 << 10 : maxValueSize;
            return new SharedMapOptions(expectedEntries < 0 ? 1 << 16 : expectedEntries,
                    averageKeySize < 0 ? Math.min(16, maxKey) : averageKeySize,
                    averageValueSize < 0 ? Math.min(128, maxValue) : averageValueSize,
                    maxKey, maxValue, segments < 0 ? 0 : segments);
        }

        private static void requireUnset(final long current, final String name) {
            if (current >= 0) {
                throw new IllegalStateException(name + " was already set");
            }
        }
    }
}
