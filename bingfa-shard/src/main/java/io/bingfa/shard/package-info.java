/** Many hosts: Redis sharded on the client, membership in ZooKeeper, a replica on the ring's next node. */
package io.bingfa.shard;
