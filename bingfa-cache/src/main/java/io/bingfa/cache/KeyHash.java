package io.bingfa.cache;

import io.bingfa.shm.ShmAccess;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The 64-bit hash of a key and key comparison, the same for a {@code byte[]} and for a
 * {@link MemorySegment} holding the same bytes (every process of a host must agree: the table positions
 * live in the file). Eight bytes at a time: each word is multiplied and rotated into the state
 * (xxHash's round), the tail is read byte by byte, and a MurmurHash3 finaliser spreads every input bit
 * over all 64 output bits. The map uses disjoint bit ranges of one hash for the segment (high bits of the
 * upper half), the table slot (high bits of the lower half) and the slot tag (low 24 bits of the upper
 * half).
 */
final class KeyHash {

    private static final long P1 = 0x9E3779B185EBCA87L;
    private static final long P2 = 0xC2B2AE3D27D4EB4FL;
    private static final long SEED = 0x27D4EB2F165667C5L;

    private KeyHash() {}

    static long hash(final byte[] key) {
        final int length = key.length;
        long h = SEED ^ (length * P1);
        int i = 0;
        for (; i + 8 <= length; i += 8) {
            h = round(h, ShmAccess.arrayLong(key, i));
        }
        if (i < length) {
            long tail = 0;
            for (int j = length - 1; j >= i; j--) {
                tail = (tail << 8) | (key[j] & 0xFF);
            }
            h = round(h, tail);
        }
        return finish(h);
    }

    static long hash(final MemorySegment key, final long offset, final int length) {
        long h = SEED ^ (length * P1);
        int i = 0;
        for (; i + 8 <= length; i += 8) {
            h = round(h, ShmAccess.keyLong(key, offset + i));
        }
        if (i < length) {
            long tail = 0;
            for (int j = length - 1; j >= i; j--) {
                tail = (tail << 8) | (key.get(ValueLayout.JAVA_BYTE, offset + j) & 0xFF);
            }
            h = round(h, tail);
        }
        return finish(h);
    }

    /** {@code true} if the {@code key.length} bytes at {@code offset} of {@code memory} equal {@code key}. */
    static boolean equals(final MemorySegment memory, final long offset, final byte[] key) {
        final int length = key.length;
        int i = 0;
        for (; i + 8 <= length; i += 8) {
            if (ShmAccess.keyLong(memory, offset + i) != ShmAccess.arrayLong(key, i)) {
                return false;
            }
        }
        for (; i < length; i++) {
            if (memory.get(ValueLayout.JAVA_BYTE, offset + i) != key[i]) {
                return false;
            }
        }
        return true;
    }

    /** {@code true} if the {@code key.byteSize()} bytes at {@code offset} of {@code memory} equal {@code key}. */
    static boolean equals(final MemorySegment memory, final long offset, final MemorySegment key) {
        final long length = key.byteSize();
        return MemorySegment.mismatch(memory, offset, offset + length, key, 0, length) < 0;
    }

    private static long round(final long h, final long word) {
        return Long.rotateLeft(h ^ Long.rotateLeft(word * P2, 31) * P1, 27) * P1 + P2;
    }

    private static long finish(final long h) {
        long z = h;
        z = (z ^ (z >>> 33)) * 0xFF51AFD7ED558CCDL;
        z = (z ^ (z >>> 33)) * 0xC4CEB9FE1A85EC53L;
        return z ^ (z >>> 33);
    }
}
