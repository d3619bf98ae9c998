package io.bingfa.shard;

/** When a ShardedRedis write is acknowledged to its caller. */
public enum AckPolicy {
    /**
     * When every owner of the key (the primary and its replicas, as many as there are live nodes up to the
     * replication factor) has applied it. An acknowledged write survives the loss of any replicationFactor - 1
     * nodes. The default.
     */
    ALL,
    /**
     * When the primary has applied it; the copies are sent at the same time and not awaited. Lower latency;
     * a write acknowledged just before its primary dies can be lost if its copy had not arrived.
     */
    PRIMARY_THEN_ASYNC
}
