package io.bingfa.net;

import java.io.Serial;
import java.io.Serializable;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * The settings of one server, as {@link ServerBuilder} collected and checked them. Serializable, so that
 * {@link ServerBuilder#startProcesses(int)} can hand them to child JVMs.
 *
 * @param model          thread, virtual or loop
 * @param bindAddress    the local address to listen on
 * @param port           the port; 0 asks the kernel for a free one
 * @param backlog        the listen backlog (connections the kernel queues before accept)
 * @param maxConnections connections open at once; beyond it, new ones are accepted and closed
 * @param idleTimeout    a connection with nothing to read for this long is closed; zero for never
 * @param reusePort      SO_REUSEPORT on the listening socket: several servers (processes) on one port
 * @param bufferSize     bytes of one read: the most a {@link MessageHandler} gets at once
 */
public record ServerOptions(ServerModel model, InetAddress bindAddress, int port, int backlog, int maxConnections,
                            Duration idleTimeout, boolean reusePort, int bufferSize) implements Serializable {

    @Serial
    private static final long serialVersionUID = 1L;

    public ServerOptions {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(bindAddress, "bindAddress");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
    }

    /** A short name for thread names and log lines: {@code virtual:8081}. */
    String label(final int boundPort) {
        return model.word() + ":" + boundPort;
    }
}
