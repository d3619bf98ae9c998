package io.bingfa.shard;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What a Redis node's ephemeral znode holds: its address, its weight on the ring and its health. Stored as
 * simple text, one {@code name=value} per line, so that {@code zkCli.sh get} shows it plainly:
 *
 * <pre>
 * address=127.0.0.1:6379
 * weight=1
 * health=ok
 * </pre>
 *
 * @param address host:port of the Redis node
 * @param weight  its weight on the ring, at least 1
 * @param health  "ok" when its agent last pinged it successfully
 */
public record NodeInfo(String address, int weight, String health) {

    /** The health an agent writes for a Redis that answers its pings. */
    public static final String HEALTH_OK = "ok";

    /** Validates the fields. */
    public NodeInfo {
        parseAddress(address, "address");
        if (weight < 1) {
            throw new IllegalArgumentException("weight must be at least 1, was " + weight);
        }
        Objects.requireNonNull(health, "health");
    }

    /** The znode bytes. */
    public byte[] encode() {
        return ("address=" + address + "\nweight=" + weight + "\nhealth=" + health + "\n")
                .getBytes(StandardCharsets.UTF_8);
    }

    /** Parses znode bytes; {@code name} (the znode's name) is the address when the data has none. */
    public static NodeInfo decode(final String name, final byte[] data) {
        final Map<String, String> fields = new HashMap<>();
        if (data != null) {
            for (final String line : new String(data, StandardCharsets.UTF_8).split("\n")) {
                final int eq = line.indexOf('=');
                if (eq > 0) {
                    fields.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
                }
            }
        }
        final String weight = fields.getOrDefault("weight", "1");
        try {
            return new NodeInfo(fields.getOrDefault("address", name), Integer.parseInt(weight),
                    fields.getOrDefault("health", HEALTH_OK));
        } catch (final NumberFormatException e) {
            throw new IllegalArgumentException("znode '" + name + "': weight is not a number: '" + weight + "'", e);
        }
    }

    /** Checks "host:port" and returns the port; the message names {@code what} and the bad value. */
    static int parseAddress(final String address, final String what) {
        Objects.requireNonNull(address, what);
        final int colon = address.lastIndexOf(':');
        if (colon <= 0 || colon == address.length() - 1) {
            throw new IllegalArgumentException(what + " must be HOST:PORT, was '" + address + "'");
        }
        final int port;
        try {
            port = Integer.parseInt(address.substring(colon + 1));
        } catch (final NumberFormatException e) {
            throw new IllegalArgumentException(what + " must be HOST:PORT, was '" + address + "'", e);
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException(what + ": port must be 1-65535, was " + port + " in '" + address + "'");
        }
        return port;
    }

    /** The host part of "host:port". */
    static String host(final String address) {
        return address.substring(0, address.lastIndexOf(':'));
    }
}
