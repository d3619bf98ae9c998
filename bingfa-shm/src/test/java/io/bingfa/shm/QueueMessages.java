package io.bingfa.shm;

import java.nio.ByteBuffer;
import java.util.zip.CRC32;

/** Test messages that prove their own integrity: producer, sequence, filler, CRC32 of all that. */
final class QueueMessages {

    private QueueMessages() {}

    static byte[] encode(final int producer, final int sequence, final int fillerBytes) {
        final ByteBuffer b = ByteBuffer.allocate(8 + fillerBytes + 8);
        b.putInt(producer).putInt(sequence);
        for (int i = 0; i < fillerBytes; i++) {
            b.put((byte) (producer * 31 + sequence + i));
        }
        final CRC32 crc = new CRC32();
        crc.update(b.array(), 0, b.position());
        b.putLong(crc.getValue());
        return b.array();
    }

    /** Checks the CRC and returns {@code producer * perProducer + sequence}; throws on a corrupt message. */
    static int decode(final byte[] bytes, final int perProducer) {
        final ByteBuffer b = ByteBuffer.wrap(bytes);
        final CRC32 crc = new CRC32();
        crc.update(bytes, 0, bytes.length - 8);
        if (bytes.length < 16 || b.getLong(bytes.length - 8) != crc.getValue()) {
            throw new AssertionError("corrupt message of " + bytes.length + " bytes");
        }
        return b.getInt(0) * perProducer + b.getInt(4);
    }
}
