/**
 * The seeds' service, {@code bingfa serve}: a {@link io.bingfa.serve.Supervisor} JVM and worker JVMs on one
 * port (SO_REUSEPORT, Jetty 12; a plain settings read is answered by {@code SettingsConnection}
 * before Jetty parses anything, a request that may wait runs on a virtual thread, one that never waits on the
 * selector thread that parsed it); app settings in a reloadable SharedMap shared by
 * the workers (no database query on the request path); challenges and counters in a host-local SharedMap or in
 * ShardedRedis; a shared-memory board of per-worker figures behind {@code /metrics} and the dashboard.
 * Design: docs/design-serve.md.
 */
package io.bingfa.serve;
