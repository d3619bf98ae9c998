/**
 * Queues between threads and virtual threads: Python's {@code queue} module ({@code Queue},
 * {@code LifoQueue}, {@code PriorityQueue}, {@code task_done}/{@code join}, 3.13's {@code shutdown}) and
 * gevent's {@code gevent.queue}. Start at {@link io.bingfa.queue.Queues}; the contract is
 * {@link io.bingfa.queue.WorkQueue} and {@link io.bingfa.queue.JoinableQueue}. Timeouts throw
 * {@link io.bingfa.queue.QueueFullException} and {@link io.bingfa.queue.QueueEmptyException}
 * ({@code queue.Full}, {@code queue.Empty}); a shut-down queue throws
 * {@link io.bingfa.queue.QueueShutDownException} ({@code queue.ShutDown}).
 *
 * <p>When shutdown, task counting and bounded LIFO/priority orders are not needed, the JDK's
 * {@code java.util.concurrent} queues ({@code ArrayBlockingQueue}, {@code LinkedBlockingQueue},
 * {@code LinkedBlockingDeque}, {@code PriorityBlockingQueue}, {@code LinkedTransferQueue}) are the better
 * tools; the essay on top of {@code LockedQueue} says why Bingfa has its own.
 */
package io.bingfa.queue;
