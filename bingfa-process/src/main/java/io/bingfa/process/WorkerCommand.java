package io.bingfa.process;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The command line of a worker JVM. Bingfa's own options come first, the user's {@code jvmArgs} after them
 * (so the user's win), then the system properties and the main class.
 *
 * <p>Always on: {@code --sun-misc-unsafe-memory-access=allow} (Fory uses {@code sun.misc.Unsafe}; without it
 * JDK 24+ prints a warning), {@code --enable-native-access=ALL-UNNAMED} (the same for native access by
 * user code), {@code -XX:+ExitOnOutOfMemoryError} (a JVM that ran out of memory is in no state to run the
 * next task: it dies, the pool reports it with its stderr and replaces it; {@code -XX:+DisplayVMOutputToStderr}
 * sends the JVM's "Terminating due to ..." line to that stderr), {@code -Xshare:auto} (the JDK's
 * class-data sharing archive; the default, stated) and {@code -XX:+UseSerialGC} (the quickest collector to
 * start, and right for the small heaps of most workers: see {@code docs/bench/process-startup.txt}).
 * Optional: {@code -XX:TieredStopAtLevel=1} with {@code fastStart(true)}.
 */
final class WorkerCommand {

    private WorkerCommand() {}

    static List<String> base(final List<String> jvmArgs, final String classpath, final boolean fastStart) {
        return base(List.of(), jvmArgs, classpath, fastStart);
    }

    /** {@code own}: options of Bingfa's that the user's {@code jvmArgs} may still override (they come later). */
    static List<String> base(final List<String> own, final List<String> jvmArgs, final String classpath,
                             final boolean fastStart) {
        final List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("--sun-misc-unsafe-memory-access=allow");
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.add("-XX:+ExitOnOutOfMemoryError");
        cmd.add("-XX:+DisplayVMOutputToStderr"); // "Terminating due to java.lang.OutOfMemoryError" goes to stderr
        if (jvmArgs.stream().noneMatch(a -> a.matches("-XX:\\+Use\\w+GC"))) {
            cmd.add("-XX:+UseSerialGC"); // only when the user chose no collector: the JVM refuses two
        }
        cmd.add("-XX:-UsePerfData");
        if (fastStart) {
            cmd.add("-XX:TieredStopAtLevel=1");
        }
        cmd.addAll(own);
        cmd.addAll(jvmArgs);
        cmd.add("-cp");
        cmd.add(classpath != null ? classpath : System.getProperty("java.class.path"));
        cmd.add("-D" + WorkerMain.PARENT_PID + "=" + ProcessHandle.current().pid());
        return cmd;
    }

    static List<String> pool(final ProcessPool.Builder config, final TaskCodec codec, final String address,
                             final long workerId, final int logLevel, final List<String> own) {
        final List<String> cmd = base(own, config.jvmArgs, config.classpath, Boolean.TRUE.equals(config.fastStart));
        cmd.add("-Dslf4j.provider=" + WorkerLogProvider.class.getName());
        cmd.add("-D" + WorkerLogProvider.LEVEL + "=" + logLevel);
        cmd.add("-Dslf4j.internal.verbosity=WARN");
        properties(cmd, config.systemProperties);
        cmd.add("-D" + WorkerMain.ADDRESS + "=" + address);
        cmd.add("-D" + WorkerMain.ID + "=" + workerId);
        cmd.add("-D" + WorkerMain.CODEC + "=" + codec.getClass().getName());
        cmd.add(WorkerMain.class.getName());
        return cmd;
    }

    static void properties(final List<String> cmd, final Map<String, String> properties) {
        for (Map.Entry<String, String> e : properties.entrySet()) {
            cmd.add("-D" + e.getKey() + "=" + e.getValue());
        }
    }
}
