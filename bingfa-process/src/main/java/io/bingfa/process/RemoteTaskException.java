package io.bingfa.process;

import java.io.Serial;

/**
 * An exception thrown in a worker JVM that could not be re-created in the caller's JVM as itself (its class
 * is missing here, or it would not serialize): it carries the remote class name and message, and its stack
 * trace is the remote one. The cause chain is made of {@code RemoteTaskException}s in the same way. When
 * the original exception can be re-created, the caller gets that instead, with its remote stack trace.
 */
public final class RemoteTaskException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    private final String remoteClassName;
    private final String remoteMessage;

    public RemoteTaskException(final String remoteClassName, final String remoteMessage, final Throwable cause) {
        super(remoteMessage == null ? remoteClassName : remoteClassName + ": " + remoteMessage, cause);
        this.remoteClassName = remoteClassName;
        this.remoteMessage = remoteMessage;
    }

    /** The class of the exception the task threw, e.g. {@code com.example.ParseException}. */
    public String remoteClassName() {
        return remoteClassName;
    }

    /** The message of the exception the task threw; may be null. */
    public String remoteMessage() {
        return remoteMessage;
    }
}
