/**
 * Synchronisation between threads and virtual threads. Bingfa adds only what the JDK lacks: an
 * {@link io.bingfa.sync.Event} (Python's {@code threading.Event}, gevent's {@code gevent.event.Event}).
 * For Python's other {@code threading} primitives use the JDK's, which already park virtual threads
 * without pinning their carriers; Bingfa does not wrap them:
 *
 * <table>
 *   <caption>Python's threading primitives and their JDK equivalents</caption>
 *   <tr><th>Python</th><th>Java</th><th>note</th></tr>
 *   <tr><td>{@code threading.Lock}</td><td>{@link java.util.concurrent.locks.ReentrantLock}</td>
 *       <td>{@code with lock:} is {@code lock.lock(); try { ... } finally { lock.unlock(); }}; Java's lock is
 *       reentrant and owned (only the holder may unlock), Python's {@code Lock} is neither</td></tr>
 *   <tr><td>{@code threading.RLock}</td><td>{@link java.util.concurrent.locks.ReentrantLock}</td><td></td></tr>
 *   <tr><td>{@code threading.Semaphore}</td><td>{@link java.util.concurrent.Semaphore}</td>
 *       <td>{@code acquire()}/{@code release()}</td></tr>
 *   <tr><td>{@code threading.BoundedSemaphore}</td><td>{@link java.util.concurrent.Semaphore}</td>
 *       <td>not bounded: a surplus {@code release()} raises the permit count instead of failing</td></tr>
 *   <tr><td>{@code threading.Condition}</td><td>{@link java.util.concurrent.locks.Condition}</td>
 *       <td>{@code lock.newCondition()}; {@code notify_all} is {@code signalAll}</td></tr>
 *   <tr><td>{@code threading.Event}</td><td>{@link io.bingfa.sync.Event}</td><td>this package</td></tr>
 *   <tr><td>{@code threading.Barrier}</td><td>{@link java.util.concurrent.CyclicBarrier}</td><td></td></tr>
 *   <tr><td>{@code threading.Timer}</td><td>{@code io.bingfa.coro.Coro.spawnLater}</td>
 *       <td>or a {@link java.util.concurrent.ScheduledExecutorService}</td></tr>
 *   <tr><td>{@code threading.local}</td><td>{@link java.lang.ThreadLocal}</td>
 *       <td>per virtual thread too (or {@code ScopedValue} for values bound to a call)</td></tr>
 * </table>
 */
package io.bingfa.sync;
