/** The seeds' service: coroutine HTTP workers on one port, settings in a SharedMap, challenges in ShardedRedis. */
package io.bingfa.serve;
