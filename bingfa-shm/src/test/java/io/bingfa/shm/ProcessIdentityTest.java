package io.bingfa.shm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ProcessIdentityTest {

    @Test
    void onLinuxTheOneReadRouteAgreesWithTheJdkAboutThisJvm() {
        assumeTrue(System.getProperty("os.name").toLowerCase().contains("linux"), "/proc is Linux's");
        assertThat(ProcessIdentity.fastChecks()).as("the one-read route computed this JVM's start as the JDK does").isTrue();
        assertThat(ProcessIdentity.isAlive(ProcessIdentity.CURRENT)).isTrue();
    }

    @Test
    void aLiveChildIsAliveAndAReapedOneIsNot() throws Exception {
        final Process child = new ProcessBuilder("sleep", "60").start();
        try {
            final long token = ProcessIdentity.token(child.pid(), child.info().startInstant());
            assertThat(ProcessIdentity.isAlive(token)).isTrue();
            assertThat(ProcessIdentity.isAlive(ProcessIdentity.token(child.pid(), Optional.empty())))
                    .as("no start time recorded: the pid decides").isTrue();
            child.destroyForcibly();
            assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(ProcessIdentity.isAlive(token)).isFalse();
        } finally {
            child.destroyForcibly();
        }
    }

    @Test
    void aLivePidWithAnotherStartTimeIsAnotherProcessSoTheRecordedOneIsDead() throws Exception {
        final Process child = new ProcessBuilder("sleep", "60").start();
        try {
            final long real = ProcessIdentity.token(child.pid(), child.info().startInstant());
            final long reused = ProcessIdentity.token(child.pid(),
                    child.info().startInstant().map(i -> i.minus(Duration.ofHours(1))));
            assertThat(ProcessIdentity.isAlive(real)).isTrue();
            assertThat(ProcessIdentity.isAlive(reused)).as("the pid now belongs to a later process").isFalse();
        } finally {
            child.destroyForcibly();
        }
    }

    @Test
    void nobodyIsNeverAlive() {
        assertThat(ProcessIdentity.isAlive(0L)).isFalse();
    }
}
