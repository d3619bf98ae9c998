package io.bingfa.shm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class CpuAffinityTest {

    /** The kernel's view of the calling thread's allowed CPUs, e.g. "0" or "0-1". */
    private static String allowedCpus() throws Exception {
        return Files.readAllLines(Path.of("/proc/thread-self/status")).stream()
                .filter(l -> l.startsWith("Cpus_allowed_list:"))
                .map(l -> l.substring(l.indexOf(':') + 1).strip())
                .findFirst().orElseThrow();
    }

    @Test
    void pinsOnlyTheCallingThreadToTheGivenCpu() throws Exception {
        assumeTrue(CpuAffinity.supported(), "sched_setaffinity is not available here");
        final int last = CpuAffinity.cpus() - 1;
        final AtomicReference<String> pinned = new AtomicReference<>();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final Thread t = Thread.ofPlatform().start(() -> {
            try {
                assertThat(CpuAffinity.pin(last)).isTrue();
                pinned.set(allowedCpus());
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        t.join();
        assertThat(failure.get()).isNull();
        assertThat(pinned.get()).isEqualTo(String.valueOf(last));
        if (CpuAffinity.cpus() > 1) {
            assertThat(allowedCpus()).as("this thread was not pinned").isNotEqualTo(String.valueOf(last));
        }
    }

    @Test
    void aVirtualThreadIsNotPinned() throws Exception {
        final AtomicReference<Boolean> result = new AtomicReference<>();
        Thread.ofVirtual().start(() -> result.set(CpuAffinity.pin(0))).join();
        assertThat(result.get()).isFalse();
    }

    @Test
    void rejectsACpuOutsideTheMachineNamingIt() {
        assertThatThrownBy(() -> CpuAffinity.pin(-1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got -1");
        assertThatThrownBy(() -> CpuAffinity.pin(CpuAffinity.cpus()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cpu must be in [0, " + CpuAffinity.cpus() + ")");
    }
}
