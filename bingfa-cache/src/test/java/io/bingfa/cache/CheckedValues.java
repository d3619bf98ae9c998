package io.bingfa.cache;

import java.nio.ByteBuffer;
import java.util.Random;
import java.util.zip.CRC32C;

/** Values that carry their own checksum (over the key and the payload), so a torn read is detectable. */
final class CheckedValues {

    private CheckedValues() {}

    static byte[] make(final byte[] key, final Random random, final int maxPayload) {
        final byte[] value = new byte[8 + random.nextInt(maxPayload + 1)];
        for (int i = 8; i < value.length; i++) {
            value[i] = (byte) random.nextInt();
        }
        ByteBuffer.wrap(value).putLong(0, checksum(key, value));
        return value;
    }

    static boolean isIntact(final byte[] key, final byte[] value) {
        return value.length >= 8 && ByteBuffer.wrap(value).getLong(0) == checksum(key, value);
    }

    private static long checksum(final byte[] key, final byte[] value) {
        final CRC32C crc = new CRC32C();
        crc.update(key);
        crc.update(value, 8, value.length - 8);
        return crc.getValue() | ((long) value.length << 32);
    }
}
