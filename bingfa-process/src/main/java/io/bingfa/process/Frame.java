package io.bingfa.process;

/**
 * One message of the {@link WorkerProtocol}: a type, a 64-bit id (a task id, a worker id, or 0) and an
 * opaque payload. The wire format is drawn in {@link WorkerProtocol}.
 *
 * @param type    one of the {@code WorkerProtocol} message types
 * @param id      the task or worker the message is about; 0 when it is about neither
 * @param payload the body, never null (an empty array for none); not copied, so never changed after sending
 */
record Frame(byte type, long id, byte[] payload) {

    static final byte[] EMPTY = new byte[0];

    Frame {
        if (payload == null) {
            throw new NullPointerException("payload");
        }
    }

    static Frame of(final byte type, final long id) {
        return new Frame(type, id, EMPTY);
    }

    @Override
    public String toString() {
        return "Frame[" + WorkerProtocol.typeName(type) + ", id=" + id + ", " + payload.length + " byte(s)]";
    }
}
