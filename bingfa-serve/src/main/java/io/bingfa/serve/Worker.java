package io.bingfa.serve;

import io.bingfa.pool.SerializableRunnable;
import java.io.Serial;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executors;
import org.eclipse.jetty.io.ManagedSelector;
import org.eclipse.jetty.io.SocketChannelEndPoint;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Overview
 * --------
 * One worker JVM of `bingfa serve`, started (and restarted) by the Supervisor through JvmProcess, which
 * serializes this record to the child. run():
 *
 *   1. open the board, the settings cache and the challenge store the supervisor made (or connect to the
 *      Redis shards with --zk); mark slot `index` started
 *   2. start Jetty: one ServerConnector on host:port with SO_REUSEPORT (every worker binds the same port; the
 *      kernel spreads new connections over them), whose sockets start as SettingsConnection (plain settings
 *      reads answered on the selector thread without Jetty's HTTP machinery) and move to Jetty's HTTP/1.1 at
 *      their first other request; ServeHandler answers a request that never waits on the selector thread that
 *      parsed it and gives one that may wait (Redis with --zk, reload, metrics) a virtual thread of its own
 *   3. mark the slot ready (the supervisor prints "serving on" when all are), then heartbeat once a second
 *      until the JVM ends: SIGTERM from the supervisor (Jetty's stop via the shutdown hook), or the supervisor's
 *      death (JvmProcess daemon: the child watches its parent)
 *
 * A worker holds no state of its own that a restart would lose: settings and challenges are in shared memory
 * or Redis, counters in the board.
 */
/** One worker JVM: Jetty on the shared port; requests that may wait on virtual threads. */
record Worker(ServeOptions options, int index, String runDir) implements SerializableRunnable {

    @Serial
    private static final long serialVersionUID = 1L;

    static final Duration HEARTBEAT = Duration.ofSeconds(1);

    private static final Logger LOG = LoggerFactory.getLogger(Worker.class);

    @Override
    public void run() throws Exception {
        final Path dir = Path.of(runDir);
        final WorkerBoard board = WorkerBoard.open(dir.resolve(Supervisor.BOARD));
        board.workerStarted(index, ProcessHandle.current().pid());
        final SettingsStore settings = SharedSettings.open(dir.resolve(Supervisor.SETTINGS));
        final ChallengeStore challenges = options.zk() != null
                ? RedisChallengeStore.connect(options.zk(), options.zkPath())
                : LocalChallengeStore.open(dir.resolve(Supervisor.CHALLENGES));
        final ServeMetrics metrics = new ServeMetrics(index, board, challenges::describe);
        final Api api = new Api(index, settings, challenges, board, metrics);
        final Server server = server(options.host(), options.port(), new ServeHandler(api, metrics, board, index,
                challenges.waitsOnNetwork(),
                Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("serve-request-", 0).factory())), api);
        server.start();
        board.workerReady(index);
        LOG.info("worker {} (pid {}) accepting on {}:{}", index, ProcessHandle.current().pid(), options.host(),
                options.port());
        while (true) {
            Thread.sleep(HEARTBEAT.toMillis());
            board.heartbeat(index);
        }
    }

    /**
     * Jetty on {@code host:port} with SO_REUSEPORT: the settings fast path first (its endpoints can replay
     * bytes to Jetty, ReplayEndPoint), then HTTP/1.1 with {@code handler}; a blocking handler runs on virtual
     * threads.
     */
    static Server server(final String host, final int port, final ServeHandler handler, final Api api) {
        final QueuedThreadPool threads = new QueuedThreadPool();
        threads.setName("serve");
        threads.setVirtualThreadsExecutor(Executors.newVirtualThreadPerTaskExecutor());
        final Server server = new Server(threads);
        final HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendDateHeader(false);
        final HttpConnectionFactory http1 = new HttpConnectionFactory(http);
        // plain settings reads are answered by SettingsConnection, everything else by Jetty's HTTP/1.1
        final ServerConnector connector = new ServerConnector(server, 1, 1,
                new SettingsConnection.Factory(http1, handler, api), http1) {
            @Override
            protected SocketChannelEndPoint newEndPoint(final SocketChannel channel, final ManagedSelector selector,
                                                        final SelectionKey key) {
                final ReplayEndPoint endPoint = new ReplayEndPoint(channel, selector, key, getScheduler(),
                        getExecutor());
                endPoint.setIdleTimeout(getIdleTimeout());
                return endPoint;
            }
        };
        connector.setHost(host);
        connector.setPort(port);
        connector.setReusePort(true);
        connector.setReuseAddress(true);
        connector.setAcceptQueueSize(4096);
        server.addConnector(connector);
        server.setHandler(handler);
        server.setErrorHandler(new JsonErrorHandler());
        server.setStopAtShutdown(true);
        return server;
    }
}
