package probe;

import io.bingfa.process.ProcessPool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Cold start of a pool of 2 to its first result, and the bare-JVM floor, for given worker class paths
 * (session 4 probe; see docs/bench/process-startup.txt for the commands). Each argument is label=classpath.
 * The "lazyFory" columns set a system property that only the session-4 work in progress read (an A/B
 * switch, since removed: lazy is the default), so with today's code they repeat the plain columns.
 */
public final class ColdProbe {
    static double bare(String cp, Path aot) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--sun-misc-unsafe-memory-access=allow", "--enable-native-access=ALL-UNNAMED", "-XX:+ExitOnOutOfMemoryError",
                "-XX:+DisplayVMOutputToStderr", "-XX:+UseSerialGC", "-XX:-UsePerfData"));
        if (aot != null) cmd.addAll(List.of("-Xlog:aot=off", "-Xlog:cds=off", "-XX:AOTCache=" + aot));
        cmd.addAll(List.of("-cp", cp, "io.bingfa.process.WorkerMain"));
        long t0 = System.nanoTime();
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
        return (System.nanoTime() - t0) / 1e6;
    }
    static boolean lazy;
    static double pool(String cp, Path aot) {
        long t0 = System.nanoTime();
        ProcessPool.Builder b = ProcessPool.builder().workers(2).classpath(cp);
        if (lazy) b.systemProperty("bingfa.worker.lazyFory", "true");
        if (aot != null) b.aotCache(aot); else b.aotCache(false);
        try (ProcessPool p = b.build()) {
            p.submit(() -> null).result(Duration.ofSeconds(60));
            return (System.nanoTime() - t0) / 1e6;
        }
    }
    static double median(double[] d) { double[] c = d.clone(); Arrays.sort(c); return c[c.length / 2]; }
    public static void main(String[] a) throws Exception {
        int n = Integer.parseInt(a[0]);
        for (int k = 1; k < a.length; k++) {
            String label = a[k].substring(0, a[k].indexOf('='));
            String cp = a[k].substring(a[k].indexOf('=') + 1);
            Path dir = Files.createTempDirectory("coldprobe");
            Path aot = dir.resolve("w.aot");
            pool(cp, aot); // records
            Thread.sleep(300);
            double[] bp = new double[n], ba = new double[n], pp = new double[n], pa = new double[n], lp = new double[n], la = new double[n];
            for (int i = 0; i < n; i++) {
                bp[i] = bare(cp, null); ba[i] = bare(cp, aot);
                lazy = false; pp[i] = pool(cp, null); pa[i] = pool(cp, aot);
                lazy = true; lp[i] = pool(cp, null); la[i] = pool(cp, aot);
            }
            System.out.printf("%-9s bare %6.1f  bare+aot %6.1f  pool %6.1f  pool+aot %6.1f  lazyFory: pool %6.1f  pool+aot %6.1f ms (medians of %d; aot %d MB)%n",
                    label, median(bp), median(ba), median(pp), median(pa), median(lp), median(la), n, Files.exists(aot) ? Files.size(aot) >> 20 : 0);
        }
    }
}
