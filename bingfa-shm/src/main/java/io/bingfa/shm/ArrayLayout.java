package io.bingfa.shm;

/**
 * The layout of a {@link SharedArray}: a 16-byte header that names the structure and its length, then
 * the elements.
 *
 * <pre>
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +---------------------------------------------------------------+
 *   |                        magic "BFAR"                           |  0
 *   +---------------------------------------------------------------+
 *   |                        layout version                         |  4
 *   +---------------------------------------------------------------+
 *   |                  length (number of elements)                  |  8
 *   |                                                               |
 *   +---------------------------------------------------------------+
 *   |                  element 0 (64-bit, atomic)                   | 16
 *   |                                                               |
 *   +---------------------------------------------------------------+
 *   |                          ...                                  |
 * </pre>
 * The creator writes the length and zeroes the elements, then writes the magic with a release store;
 * {@link SharedArray#open} checks magic and version, so an offset that holds something else fails clearly.
 */
final class ArrayLayout {

    static final int MAGIC = Placement.magic("BFAR");
    static final int VERSION = 1;

    static final long MAGIC_OFFSET = 0;
    static final long VERSION_OFFSET = 4;
    static final long LENGTH_OFFSET = 8;
    static final long HEADER_BYTES = 16;

    private ArrayLayout() {}

    /** Offset of element {@code index} from the start of the array. */
    static long elementOffset(final long index) {
        return HEADER_BYTES + index * Long.BYTES;
    }

    /** Bytes for an array of {@code length} elements. */
    static long bytes(final long length) {
        return HEADER_BYTES + length * Long.BYTES;
    }
}
