package io.bingfa.cache;

/**
 * A reload failed in another process: the failure as that process recorded it in the control file (its
 * {@code toString()}, at most 464 bytes), since a {@link Throwable} cannot cross processes.
 */
public final class ReloadFailedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public ReloadFailedException(final String message) {
        super(message);
    }
}
