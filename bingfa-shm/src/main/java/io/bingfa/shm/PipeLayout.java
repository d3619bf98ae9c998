package io.bingfa.shm;

/**
 * The layout of a {@link Pipe} after the segment header ({@link SegmentLayout}, kind 3): two ends, two
 * one-way channels (end 0 to end 1, end 1 to end 0), each a single-producer, single-consumer ring.
 *
 * <pre>
 *   offset  size   field
 *   ------  -----  -----------------------------------------------------------------
 *        0      4  magic "BFPI"
 *        4      4  layout version
 *        8      8  capacity of each ring in bytes (a power of two)
 *       64      8  end 0: process token of the attached process, 0 = none     [own line]
 *       72      4  end 0: ever attached (1 once any process attached it)
 *      128      8  end 1: token                                                [own line]
 *      136      4  end 1: ever attached
 *      192    192  channel 0 (written by end 0, read by end 1), see below
 *      384    192  channel 1 (written by end 1, read by end 0)
 *      576    cap  ring of channel 0
 *  576+cap    cap  ring of channel 1
 *
 *   channel block:
 *        0      8  tail: bytes written (producer only)                        [own line]
 *       64      8  head: bytes read (consumer only)                           [own line]
 *      128      4  data eventcount (futex word: the consumer sleeps on it, see EventCount)
 *      136      4  space eventcount (futex word: the producer sleeps on it)
 * </pre>
 *
 * <h2>Frames</h2>
 * <pre>
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +---------------------------------------------------------------+
 *   |      payload length in bytes; -1: padding to the ring's end   |  0
 *   +---------------------------------------------------------------+
 *   |                 type (the codec's id)                         |  4
 *   +---------------------------------------------------------------+
 *   |                 payload ... (padded to 8)                     |  8
 *   +---------------------------------------------------------------+
 * </pre>
 * A frame is visible once the tail has moved past it and free once the head has; with one writer and one
 * reader per ring, nothing else needs a state.
 */
final class PipeLayout {

    static final int MAGIC = Placement.magic("BFPI");
    static final int VERSION = 1;

    static final long MAGIC_OFFSET = 0;
    static final long VERSION_OFFSET = 4;
    static final long CAPACITY_OFFSET = 8;
    static final long END_OFFSET = 64;
    static final long END_BYTES = 64;
    static final long END_TOKEN = 0;
    static final long END_EVER_ATTACHED = 8;

    static final long CHANNEL_OFFSET = 192;
    static final long CHANNEL_BYTES = 192;
    static final long TAIL = 0;
    static final long HEAD = 64;
    static final long DATA_EVENTS = 128;
    static final long SPACE_EVENTS = 136;

    static final long RING_OFFSET = 576;

    static final int FRAME_HEADER = 8;
    static final int ALIGNMENT = 8;
    static final int PADDING = -1;

    static final long MIN_CAPACITY = 4096;
    static final long MAX_CAPACITY = 1L << 30;

    private PipeLayout() {}

    static long endOffset(final int end) {
        return END_OFFSET + end * END_BYTES;
    }

    static long channelOffset(final int channel) {
        return CHANNEL_OFFSET + channel * CHANNEL_BYTES;
    }

    static long ringOffset(final int channel, final long capacity) {
        return RING_OFFSET + channel * capacity;
    }

    static long bytes(final long capacity) {
        return RING_OFFSET + 2 * capacity;
    }

    static long frameBytes(final int payloadLength) {
        return (FRAME_HEADER + (long) payloadLength + ALIGNMENT - 1) & -ALIGNMENT;
    }
}
