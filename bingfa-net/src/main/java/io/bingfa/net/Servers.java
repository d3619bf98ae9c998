package io.bingfa.net;

/**
 * Where servers come from: one builder per {@link ServerModel}, the same settings for all three.
 *
 * <pre>{@code
 * try (TcpServer s = Servers.virtual(Handlers.upperCaseEcho()).port(8081).start()) {  // gevent's StreamServer
 *     s.awaitTermination();
 * }
 * Servers.threaded().connectionHandler(conn -> { ... }).start();  // the seed's Thread(target=talk)
 * Servers.loop(msg -> msg).idleTimeout(Duration.ofSeconds(30)).start();  // Tornado's IOLoop
 * }</pre>
 */
public final class Servers {

    private Servers() {}

    /** A builder for {@code model}. */
    public static ServerBuilder builder(final ServerModel model) {
        return new ServerBuilder(model);
    }

    /** Thread per connection (platform threads): the seed's threaded server. */
    public static ServerBuilder threaded() {
        return builder(ServerModel.THREAD);
    }

    /** {@link #threaded()} with {@code handler}. */
    public static ServerBuilder threaded(final MessageHandler handler) {
        return threaded().handler(handler);
    }

    /** Virtual thread per connection: gevent's {@code StreamServer}, a coroutine per connection. */
    public static ServerBuilder virtual() {
        return builder(ServerModel.VIRTUAL);
    }

    /** {@link #virtual()} with {@code handler}. */
    public static ServerBuilder virtual(final MessageHandler handler) {
        return virtual().handler(handler);
    }

    /** One selector loop on one thread: Tornado's {@code IOLoop}. Takes a {@link MessageHandler} only. */
    public static ServerBuilder loop() {
        return builder(ServerModel.LOOP);
    }

    /** {@link #loop()} with {@code handler}. */
    public static ServerBuilder loop(final MessageHandler handler) {
        return loop().handler(handler);
    }
}
