package io.bingfa.net;

import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * How a {@link TcpServer} runs its connections: the three styles of seed 001's socket servers.
 *
 * <table>
 *   <caption>The models and the Python servers they answer</caption>
 *   <tr><th>model</th><th>one connection is</th><th>handlers it takes</th><th>Python</th></tr>
 *   <tr><td>{@link #THREAD}</td><td>a platform thread</td><td>{@link ConnectionHandler}, {@link MessageHandler}</td>
 *       <td>the seed's {@code Thread(target=talk)} server</td></tr>
 *   <tr><td>{@link #VIRTUAL}</td><td>a virtual thread (a coroutine: a blocking read parks it)</td>
 *       <td>{@link ConnectionHandler}, {@link MessageHandler}</td><td>gevent's {@code StreamServer}</td></tr>
 *   <tr><td>{@link #LOOP}</td><td>a key in one selector loop on one thread</td><td>{@link MessageHandler} only</td>
 *       <td>Tornado's {@code IOLoop} / asyncio's {@code Protocol}</td></tr>
 * </table>
 */
public enum ServerModel {
    THREAD("thread"),
    VIRTUAL("virtual"),
    LOOP("loop");

    private final String word;

    ServerModel(final String word) {
        this.word = word;
    }

    /** The model's name on the command line: {@code thread}, {@code virtual} or {@code loop}. */
    public String word() {
        return word;
    }

    /** True for the models that run a blocking {@link ConnectionHandler} (one thread per connection). */
    public boolean blocking() {
        return this != LOOP;
    }

    /** The model called {@code word} (case-insensitive). */
    public static ServerModel of(final String word) {
        Objects.requireNonNull(word, "word");
        for (final ServerModel m : values()) {
            if (m.word.equals(word.toLowerCase(Locale.ROOT))) {
                return m;
            }
        }
        throw new IllegalArgumentException("model must be one of "
                + Arrays.stream(values()).map(ServerModel::word).collect(Collectors.joining(", ")) + ", was '" + word + "'");
    }

    @Override
    public String toString() {
        return word;
    }
}
