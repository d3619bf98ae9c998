package io.bingfa.coro;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.StringJoiner;
import java.util.concurrent.Callable;

/**
 * Request-scoped values that coroutines inherit: Python's {@code contextvars} (and what werkzeug's
 * {@code Local} is used for in Flask), built on {@link ScopedValue}.
 *
 * <h2>Overview</h2>
 * A {@code Context} is an immutable map from {@link ContextKey} to value. {@link #with} returns a new
 * context with one more (or one replaced) binding; nothing ever changes a context in place, so one may be
 * shared by any number of threads without locks. {@link #call} and {@link #run} bind a context to the
 * calling thread for the dynamic extent of a body: inside the body {@link #current()} returns it and
 * {@link ContextKey#get()} reads from it; when the body returns, the previous binding (or none) is back.
 * <pre>{@code
 *   static final ContextKey<String> REQUEST_ID = Context.key("requestId");
 *
 *   Context.current().with(REQUEST_ID, id).run(() -> handle(request));   // REQUEST_ID.get() == id inside
 * }</pre>
 *
 * <h2>Binding and inheritance</h2>
 * The current context lives in one {@code ScopedValue<Context>} (final in JDK 25, JEP 506). A
 * {@code ScopedValue} binding is seen by the thread that made it and, automatically, only by the subtasks
 * of a {@code StructuredTaskScope}; that API is still a preview in JDK 25 and Bingfa uses no preview
 * APIs. So {@link Coro#spawn} and {@link TaskGroup#spawn} do the inheriting by hand: they read
 * {@link #current()} in the spawning thread and bind that same (immutable) object again in the new
 * virtual thread before the body runs. Inheritance therefore costs one pointer per spawn, however many
 * values the context holds, and a child can never change what its parent or its siblings see: it can
 * only bind a new context for its own code, with {@link #with} and {@link #run}.
 *
 * <h2>Compared with the alternatives</h2>
 * <ul>
 *   <li>{@link ThreadLocal} is per thread, and every coroutine is its own virtual thread, so Python's
 *       {@code threading.local} and werkzeug's greenlet-keyed {@code Local} are simply a
 *       {@code ThreadLocal} in Java. It is mutable and is not inherited by spawned coroutines.</li>
 *   <li>{@link InheritableThreadLocal} is inherited, but by copying every value into every new thread,
 *       values stay mutable and shared, and they live as long as the thread unless removed.</li>
 *   <li>{@code Context} is immutable, inherited for the price of a pointer, and scoped: a value is
 *       visible exactly while the body that bound it runs, and nothing has to be cleaned up.</li>
 * </ul>
 * Values may not be {@code null} (as with {@code ScopedValue}): "no value" is an unbound key, which
 * {@link ContextKey#isBound()} and {@link ContextKey#orElse} report.
 */
public final class Context {

    private static final ScopedValue<Context> CURRENT = ScopedValue.newInstance();
    private static final Context EMPTY = new Context(Map.of());

    /** Never modified after construction; the final field publishes it safely. */
    private final Map<ContextKey<?>, Object> values;

    private Context(final Map<ContextKey<?>, Object> values) {
        this.values = values;
    }

    /**
     * A new key named {@code name}, used in error messages (Python's {@code ContextVar(name)}).
     *
     * @throws NullPointerException if {@code name} is null
     * @throws IllegalArgumentException if {@code name} is blank
     */
    public static <T> ContextKey<T> key(final String name) {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("name must not be blank, was '" + name + "'");
        }
        return new ContextKey<>(name);
    }

    /** The context bound to the calling thread, or an empty context if none is. */
    public static Context current() {
        return CURRENT.orElse(EMPTY);
    }

    /**
     * A new context with every binding of this one and {@code key} bound to {@code value} (replacing the
     * value this context may hold for {@code key}). This context is not changed.
     *
     * @throws NullPointerException if {@code key} or {@code value} is null
     */
    public <T> Context with(final ContextKey<T> key, final T value) {
        Objects.requireNonNull(key, "key");
        if (value == null) {
            throw new NullPointerException("value for context key '" + key.name() + "' must not be null");
        }
        final Map<ContextKey<?>, Object> copy = new HashMap<>(values);
        copy.put(key, value);
        return new Context(copy);
    }

    /**
     * Runs {@code body} in the calling thread with this context bound, and returns what it returns.
     * Exceptions from {@code body} propagate unchanged.
     */
    public <R> R call(final Callable<R> body) throws Exception {
        Objects.requireNonNull(body, "body");
        return ScopedValue.where(CURRENT, this).call(body::call);
    }

    /** Runs {@code body} in the calling thread with this context bound. */
    public void run(final Runnable body) {
        Objects.requireNonNull(body, "body");
        ScopedValue.where(CURRENT, this).run(body);
    }

    /**
     * Runs {@code body} with this context bound, in a thread that has nothing bound yet (a coroutine that
     * is just starting): an empty context needs no binding there, which keeps spawning cheap.
     */
    void enter(final Runnable body) {
        if (values.isEmpty()) {
            body.run();
        } else {
            ScopedValue.where(CURRENT, this).run(body);
        }
    }

    /** Whether this context binds {@code key}. */
    boolean binds(final ContextKey<?> key) {
        return values.containsKey(key);
    }

    /**
     * The value bound to {@code key}; only called after {@link #binds} said yes. The unchecked cast is the
     * one place where the key's type parameter meets the untyped map: it is safe because {@link #with}
     * accepts only a {@code T} for a {@code ContextKey<T>}, and keys compare by identity.
     */
    @SuppressWarnings("unchecked")
    <T> T valueOf(final ContextKey<T> key) {
        return (T) values.get(key);
    }

    @Override
    public String toString() {
        final StringJoiner s = new StringJoiner(", ", "Context{", "}");
        values.forEach((k, v) -> s.add(k.name() + "=" + v));
        return s.toString();
    }
}
