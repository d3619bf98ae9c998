package io.bingfa.shard;

import io.lettuce.core.metrics.CommandLatencyRecorder;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.NettyCustomizer;
import io.netty.channel.Channel;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.util.concurrent.DefaultThreadFactory;

/*
 * Overview
 * --------
 * The Lettuce resources (event loops, timers) one ShardedRedis owns, set up for the way it talks to Redis:
 * many small commands, each write sent to two nodes, issued asynchronously by many callers at once.
 *
 * Coalesced flushes. With Lettuce's defaults every command is its own write-and-flush: a task on the
 * connection's event loop, a write(2) on the socket, and on the Redis side a read(2) and a reply write(2)
 * per command. Under pipelining that per-command system-call cost dominates on both ends, and client-side
 * replication doubles it for writes (Redis Cluster replicates on the server, where the replication stream
 * is already written in bulk). Netty's FlushConsolidationHandler, first in every channel's pipeline, turns
 * the flushes of one burst into one: a flush that arrives while no read is in progress schedules a single
 * flush task behind the write tasks already queued on the event loop, so everything issued before it
 * runs goes out in one write(2); a flush issued while replies are being read (a completion callback that
 * sends the next command) waits for the end of that read. At most EXPLICIT_FLUSH_AFTER flushes are held
 * back before the buffer is flushed anyway. Nothing is delayed by a timer: at low load the flush task
 * runs at once, so a lone command costs one event-loop task more, not a round trip.
 * What it does not change: per-connection command order, timeouts (they start when the command is
 * written), REJECT_COMMANDS on a disconnected connection, and any acknowledgement: a command's future
 * completes only on its reply, so AckPolicy.ALL still means "both nodes answered".
 *
 * Latency histograms off. Lettuce records a latency histogram per command type and node by default (when
 * HdrHistogram is on the class path, as it is for JMH); ShardedRedis never publishes them, so recording
 * them was pure per-command cost (a ConcurrentHashMap lookup and a histogram update on the event loop).
 *
 * Threads. Lettuce's default pool sizes (event loops: the number of CPUs, at least 2), named
 * "bingfa-shard-..." so that a leak is visible; ShardedRedis.close() shuts them down.
 *
 * Written by hand? No: both mechanisms are Netty's and Lettuce's; this class only chooses them.
 */
/** Builds the Lettuce resources of one ShardedRedis: coalesced flushes, no latency recording. */
final class LettuceResources {

    /** Thread names start with this (event loops, computation threads, timers). */
    static final String THREAD_PREFIX = "bingfa-shard-";

    /** Flushes held back at most before the buffered commands are flushed anyway. */
    static final int EXPLICIT_FLUSH_AFTER = 256;

    private LettuceResources() {
    }

    /** New resources; the caller shuts them down. */
    static ClientResources create() {
        return DefaultClientResources.builder()
                .commandLatencyRecorder(CommandLatencyRecorder.disabled())
                .nettyCustomizer(new CoalescedFlushes())
                .threadFactoryProvider(poolName -> new DefaultThreadFactory(THREAD_PREFIX + poolName, true))
                .build();
    }

    /** Puts a FlushConsolidationHandler first in every channel's pipeline (see the overview). */
    private static final class CoalescedFlushes implements NettyCustomizer {
        @Override
        public void afterChannelInitialized(final Channel channel) {
            channel.pipeline().addFirst("bingfa-coalesced-flushes",
                    new FlushConsolidationHandler(EXPLICIT_FLUSH_AFTER, true));
        }
    }
}
