/**
 * Coroutines on virtual threads, and the channels they talk through: what gevent, asyncio and Go give
 * Python and Go programmers, in Java's idiom.
 *
 * <h2>Coroutines</h2>
 * <ul>
 *   <li>{@link io.bingfa.coro.Coro}: gevent's module functions. {@code spawn} starts a body in a new
 *       virtual thread and returns its {@link io.bingfa.future.TaskFuture}; {@code spawnLater},
 *       {@code joinAll}, {@code killAll}, {@code sleep}, and {@code withTimeout} (asyncio's
 *       {@code wait_for}).</li>
 *   <li>{@link io.bingfa.coro.TaskGroup}: asyncio's {@code TaskGroup}. Children cannot outlive the
 *       group's {@code close()}, and the first failure cancels the rest.</li>
 *   <li>{@link io.bingfa.coro.Context} and {@link io.bingfa.coro.ContextKey}: Python's
 *       {@code contextvars}, immutable values bound with a {@link java.lang.ScopedValue} and inherited
 *       by every coroutine that {@code Coro} or a {@code TaskGroup} spawns.</li>
 * </ul>
 * A virtual thread parks on any blocking call the JDK makes (sleep, sockets, locks, queues), so unlike
 * gevent nothing is monkey-patched; and unlike greenlets, virtual threads run in parallel on every core,
 * so state they share needs Java's usual care.
 *
 * <h2>Per-coroutine and per-request data</h2>
 * Every coroutine is its own virtual thread, so a {@link java.lang.ThreadLocal} is per coroutine:
 * Python's {@code threading.local}, and werkzeug's {@code Local} (which keys its storage by
 * {@code greenlet.getcurrent()} so that Flask's request object works under gevent), are both a plain
 * {@code ThreadLocal} in Java. What {@code ThreadLocal} lacks is inheritance: a coroutine does not see
 * its spawner's values. {@code Context} adds it. {@code ScopedValue} bindings are inherited automatically
 * only by {@code StructuredTaskScope} subtasks, a preview API in JDK 25, so Bingfa captures
 * {@code Context.current()} at each spawn and binds it again in the child.
 *
 * <h2>Channels and select</h2>
 * {@code Channel} is a Go-style channel (gevent's {@code Queue}/{@code Channel}, asyncio's
 * {@code Queue}): buffered or rendezvous ({@code Channel.rendezvous()}), with blocking send and receive
 * that park only the calling virtual thread, and close for "no more values". {@code Select} waits on
 * several channels at once and takes the first that is ready, optionally with a timeout
 * ({@code Select.on(ch1, ch2).timeout(d)}), as Go's {@code select} does. Blocking operations throw
 * {@link io.bingfa.future.WaitInterruptedException} when interrupted, so a {@code TaskGroup} or
 * {@code Coro.killAll} can cancel a coroutine that is waiting on a channel.
 */
package io.bingfa.coro;
