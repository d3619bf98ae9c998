/**
 * A load generator for echo servers: closed-loop clients on virtual threads with a latency histogram
 * ({@link io.bingfa.net.load.EchoLoad}), and idle connections held open for memory measurements
 * ({@link io.bingfa.net.load.IdleConnections}). Loopback only.
 */
package io.bingfa.net.load;
