package io.bingfa.coro;

import java.util.NoSuchElementException;

/**
 * The name of one value in a {@link Context}: Python's {@code contextvars.ContextVar}, or one attribute
 * of werkzeug's {@code Local}. Made by {@link Context#key(String)}, usually kept in a
 * {@code static final} field. Keys compare by identity: two keys with the same name are two different
 * keys (the name is for messages and {@link Context#toString()} only).
 *
 * <p>A key holds no value itself. {@link #get()} reads the value of this key in the context bound to the
 * calling thread ({@link Context#current()}), which a coroutine inherits from whoever spawned it.
 *
 * @param <T> the type of the value
 */
public final class ContextKey<T> {

    private final String name;

    ContextKey(final String name) {
        this.name = name;
    }

    /**
     * The value of this key in {@link Context#current()}.
     *
     * @throws NoSuchElementException naming the key if the current context does not bind it
     */
    public T get() {
        final Context context = Context.current();
        if (!context.binds(this)) {
            throw new NoSuchElementException("context key '" + name + "' is not bound in the current context");
        }
        return context.valueOf(this);
    }

    /** The value of this key in {@link Context#current()}, or {@code other} (which may be null) if unbound. */
    public T orElse(final T other) {
        final Context context = Context.current();
        return context.binds(this) ? context.valueOf(this) : other;
    }

    /** Whether {@link Context#current()} binds this key. */
    public boolean isBound() {
        return Context.current().binds(this);
    }

    /** The name given to {@link Context#key(String)}. */
    public String name() {
        return name;
    }

    @Override
    public String toString() {
        return "ContextKey[" + name + "]";
    }
}
