package io.bingfa.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bingfa.future.TaskFailedException;
import io.bingfa.future.TaskFuture;
import io.bingfa.pool.FileSignals;
import java.io.IOException;
import java.io.NotSerializableException;
import java.io.ObjectOutputStream;
import java.io.Serial;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults inside worker JVMs, on one shared pool that must survive them all: every test ends with the pool
 * still serving (that is the point), so sharing it is part of the test.
 */
@Timeout(60)
class ProcessPoolFaultTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static ProcessPool pool;

    @TempDir
    Path tmp;

    @BeforeAll
    static void startPool() {
        pool = ProcessPool.builder().workers(2).eagerStart(true)
                .jvmArgs("-Xmx64m")
                .taskTimeout(Duration.ofSeconds(4))
                .cancelGrace(Duration.ofMillis(300))
                .build();
    }

    @AfterAll
    static void closePool() {
        pool.close();
        assertThat(pool.isTerminated()).isTrue();
        assertThat(pool.workerPids()).isEmpty();
    }

    private static void poolStillServes() {
        assertThat(pool.submit(() -> 6 * 7).result(WAIT)).isEqualTo(42);
    }

    /** The pid that a task wrote as marker "pid-N" in {@code dir}. */
    static long awaitPid(final String dir) {
        final long[] pid = {-1};
        FileSignals.awaitTrue(() -> {
            try (Stream<Path> files = Files.list(Path.of(dir))) {
                files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("pid-")).findFirst()
                        .ifPresent(n -> pid[0] = Long.parseLong(n.substring(4)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return pid[0] > 0;
        }, WAIT, "a task's pid marker");
        return pid[0];
    }

    static void raisePidAndSleep(final String dir) throws InterruptedException {
        FileSignals.raise(dir, "pid-" + ProcessHandle.current().pid());
        Thread.sleep(Duration.ofMinutes(5));
    }

    // ---------------------------------------------------------------- dying workers

    @Test
    void killNineOfAWorkerMidTaskFailsOnlyThatTask() {
        final String dir = tmp.toString();
        final TaskFuture<String> victim = pool.submit(() -> {
            raisePidAndSleep(dir);
            return "unreachable";
        });
        final long pid = awaitPid(dir);
        ProcessHandle.of(pid).orElseThrow().destroyForcibly();
        final Throwable e = victim.exception(WAIT);
        assertThat(e).isInstanceOf(WorkerDiedException.class).hasMessageContaining("pid " + pid)
                .hasMessageContaining("SIGKILL");
        assertThat(((WorkerDiedException) e).exitCode()).isEqualTo(137);
        poolStillServes();
    }

    @Test
    void systemExitInsideATaskReportsTheExitCodeAndTheLastStderrLines() {
        final TaskFuture<Object> f = pool.submit(() -> {
            System.err.println("about to leave with status 7");
            System.exit(7);
            return null;
        });
        final Throwable e = f.exception(WAIT);
        assertThat(e).isInstanceOf(WorkerDiedException.class).hasMessageContaining("exit code 7")
                .hasMessageContaining("about to leave with status 7");
        assertThat(((WorkerDiedException) e).lastStderrLines()).contains("about to leave with status 7");
        poolStillServes();
    }

    @Test
    void outOfMemoryErrorKillsTheWorkerAndSaysSo() {
        final TaskFuture<Integer> f = pool.submit(() -> {
            final List<long[]> hog = new ArrayList<>();
            while (true) {
                hog.add(new long[1 << 20]);
            }
        });
        final Throwable e = f.exception(WAIT);
        assertThat(e).isInstanceOf(WorkerDiedException.class).hasMessageContaining("OutOfMemoryError");
        poolStillServes();
    }

    // ---------------------------------------------------------------- stuck tasks

    @Test
    void anEndlessLoopIsKilledByTheTaskTimeout() {
        final TaskFuture<Integer> f = pool.submit(() -> {
            long x = 0;
            while (x >= 0) {
                x = (x + 1) % 1_000_000;
            }
            return 1;
        });
        assertThat(f.exception(WAIT)).isInstanceOf(TaskTimeoutException.class).hasMessageContaining("PT4S");
        poolStillServes();
    }

    @Test
    void cancelWithInterruptKillsAWorkerThatIgnoresTheInterrupt() {
        final String dir = tmp.toString();
        final TaskFuture<Integer> f = pool.submit(() -> {
            FileSignals.raise(dir, "pid-" + ProcessHandle.current().pid());
            long x = 0;
            while (x >= 0) { // deaf to interrupts
                x = (x + 1) % 1_000_000;
            }
            return 1;
        });
        final long pid = awaitPid(dir);
        FileSignals.awaitTrue(f::isRunning, WAIT, "running state");
        assertThat(f.cancel(true)).isTrue();
        assertThatThrownBy(f::result).isInstanceOf(CancellationException.class);
        FileSignals.awaitTrue(() -> ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true), WAIT, "worker killed");
        poolStillServes();
    }

    // ---------------------------------------------------------------- serialization

    /** Serializable in name only: both codecs call writeObject, which refuses. */
    static final class Unshippable implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;

        @Serial
        private void writeObject(final ObjectOutputStream out) throws IOException {
            throw new NotSerializableException(Unshippable.class.getName());
        }
    }

    @Test
    void anUnserializableTaskFailsOnlyItsFutureNamingTheClass() {
        final Thread notShippable = new Thread(() -> { });
        final TaskFuture<String> f = pool.submit(() -> notShippable.getName());
        assertThat(f.exception(WAIT)).isInstanceOf(TaskSerializationException.class)
                .hasMessageContaining("the task could not be serialized").hasMessageContaining("java.lang.Thread");
        poolStillServes();
    }

    @Test
    void anUnserializableResultFailsOnlyItsFutureAndTheWorkerLivesOn() {
        final long before = pool.submit(() -> ProcessHandle.current().pid()).result(WAIT);
        final TaskFuture<Unshippable> f = pool.submit(Unshippable::new);
        assertThat(f.exception(WAIT)).isInstanceOf(TaskSerializationException.class)
                .hasMessageContaining("result could not be serialized").hasMessageContaining(Unshippable.class.getName());
        assertThat(pool.workerPids()).contains(before);
        poolStillServes();
    }

    // ---------------------------------------------------------------- remote exceptions

    static int parse(final String s) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new IllegalStateException("bad input '" + s + "'", new IOException("while reading line 3", e));
        }
    }

    @Test
    void anExceptionArrivesWithItsRemoteStackTraceAndCauseChain() {
        final TaskFuture<Integer> f = pool.submit(() -> parse("x1"));
        final Throwable e = f.exception(WAIT);
        assertThat(e).isInstanceOf(IllegalStateException.class).hasMessage("bad input 'x1'");
        assertThat(e.getStackTrace()).anyMatch(el -> el.getMethodName().equals("parse"));
        assertThat(e.getStackTrace()).anyMatch(el -> el.getClassName().equals(WorkerMain.class.getName() + "$TaskRunner"));
        assertThat(e.getCause()).isInstanceOf(IOException.class).hasMessage("while reading line 3");
        assertThat(e.getCause().getCause()).isInstanceOf(NumberFormatException.class).hasMessageContaining("x1");
        assertThatThrownBy(f::result).isInstanceOf(TaskFailedException.class).cause().isSameAs(e);
    }

    /** An exception that will not serialize (it holds a thread): the caller gets a RemoteTaskException chain. */
    static final class UnshippableException extends RuntimeException {
        @Serial
        private static final long serialVersionUID = 1L;
        private final Thread thrower = Thread.currentThread();

        UnshippableException(final String message, final Throwable cause) {
            super(message, cause);
        }

        @Override
        public String toString() {
            return super.toString() + " in " + thrower.getName();
        }
    }

    static int throwUnshippable() {
        throw new UnshippableException("cannot travel", new IllegalArgumentException("root cause"));
    }

    @Test
    void anExceptionThatCannotTravelArrivesAsARemoteTaskExceptionWithTheSameFacts() {
        final Throwable e = pool.submit(ProcessPoolFaultTest::throwUnshippable).exception(WAIT);
        assertThat(e).isInstanceOf(RemoteTaskException.class)
                .hasMessage(UnshippableException.class.getName() + ": cannot travel");
        final RemoteTaskException r = (RemoteTaskException) e;
        assertThat(r.remoteClassName()).isEqualTo(UnshippableException.class.getName());
        assertThat(r.remoteMessage()).isEqualTo("cannot travel");
        assertThat(r.getStackTrace()).anyMatch(el -> el.getMethodName().equals("throwUnshippable"));
        assertThat(r.getCause()).isInstanceOf(RemoteTaskException.class)
                .hasMessage("java.lang.IllegalArgumentException: root cause");
    }

    // ---------------------------------------------------------------- output

    @Test
    void workerStdoutAndLogsReachTheParent() throws Exception {
        final java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        final java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        final java.io.PrintStream oldOut = System.out;
        final java.io.PrintStream oldErr = System.err;
        System.setOut(new java.io.PrintStream(out, true));
        System.setErr(new java.io.PrintStream(err, true));
        try {
            pool.submit(() -> {
                System.out.println("printed by the task");
                org.slf4j.LoggerFactory.getLogger("worker.test").warn("logged by the task {}", 42);
            }).result(WAIT);
            FileSignals.awaitTrue(() -> out.toString().contains("printed by the task")
                    && err.toString().contains("logged by the task 42"), WAIT, "forwarded output");
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
        assertThat(out.toString()).containsPattern("\\[worker-\\d+\\.\\d+\\] printed by the task");
        assertThat(err.toString()).contains("WARN worker.test - logged by the task 42");
    }
}
