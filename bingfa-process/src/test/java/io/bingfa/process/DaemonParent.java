package io.bingfa.process;

import java.time.Duration;

/** The parent JVM of {@link JvmProcessTest}'s daemon test: starts a daemon child, prints its pid, waits. */
public final class DaemonParent {

    private DaemonParent() {}

    public static void main(final String[] args) throws Exception {
        final JvmProcess child = JvmProcess.builder().daemon(true).start(() -> Thread.sleep(Duration.ofMinutes(5)));
        System.out.println("PID " + child.pid());
        System.out.flush();
        Thread.sleep(Duration.ofMinutes(5));
    }
}
