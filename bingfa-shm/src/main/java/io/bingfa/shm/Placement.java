package io.bingfa.shm;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * Argument checks shared by every structure placed at an offset of a {@link SharedMemory}: the memory is
 * open, the offset is aligned and the structure fits. The messages name the argument and its value.
 */
final class Placement {

    private Placement() {}

    /** Validates and returns the slice {@code [offset, offset + bytes)} of {@code shm}'s usable memory. */
    static MemorySegment slice(final SharedMemory shm, final long offset, final long bytes, final int alignment,
                               final String what) {
        Objects.requireNonNull(shm, "shm");
        if (!shm.isOpen()) {
            throw new IllegalStateException(shm + " is closed");
        }
        if (offset < 0 || offset % alignment != 0) {
            throw new IllegalArgumentException("offset must be a non-negative multiple of " + alignment + " for "
                    + what + ", was " + offset);
        }
        if (bytes > shm.size() - offset) {
            throw new IllegalArgumentException(what + " needs " + bytes + " bytes at offset " + offset + " but "
                    + shm.name() + " has " + shm.size() + " usable bytes");
        }
        return shm.segment().asSlice(offset, bytes);
    }

    /** Throws a {@link SegmentFormatException} unless the structure at {@code memory} has the magic and version. */
    static void checkMagic(final MemorySegment memory, final long magicOffset, final int magic,
                           final long versionOffset, final int version, final String what,
                           final SharedMemory shm, final long offset) {
        final int found = ShmAccess.laInt(memory, magicOffset);
        if (found != magic) {
            throw new SegmentFormatException("no " + what + " at offset " + offset + " of " + shm.path()
                    + ": found magic " + describeMagic(found) + " instead of " + describeMagic(magic)
                    + (found == 0 ? " (never created there?)" : ""));
        }
        final int foundVersion = ShmAccess.lpInt(memory, versionOffset);
        if (foundVersion != version) {
            throw new SegmentFormatException(what + " at offset " + offset + " of " + shm.path()
                    + " has layout version " + foundVersion + "; this Bingfa reads version " + version);
        }
    }

    /**
     * Writes a fresh structure header: magic cleared first (a concurrent opener must not accept a half-made
     * structure), the whole block zeroed, the version and then {@code init} written, the magic last with a
     * release store.
     */
    static void initialize(final MemorySegment memory, final long magicOffset, final int magic,
                           final long versionOffset, final int version, final Runnable init) {
        ShmAccess.svInt(memory, magicOffset, 0);
        memory.fill((byte) 0);
        ShmAccess.spInt(memory, versionOffset, version);
        init.run();
        ShmAccess.soInt(memory, magicOffset, magic);
    }

    /** A 4-character magic from its ASCII text, first character in the lowest byte. */
    static int magic(final String fourChars) {
        int m = 0;
        for (int i = 3; i >= 0; i--) {
            m = (m << 8) | (fourChars.charAt(i) & 0xFF);
        }
        return m;
    }

    static String describeMagic(final int magic) {
        final StringBuilder text = new StringBuilder();
        for (int i = 0; i < 4; i++) {
            final int c = (magic >>> (8 * i)) & 0xFF;
            if (c < 0x20 || c > 0x7E) {
                return String.format("0x%08x", magic);
            }
            text.append((char) c);
        }
        return "'" + text + "'";
    }
}
