package io.bingfa.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class MainTest {

    @ParameterizedTest
    @ValueSource(strings = {"", "tour", "bench", "bench models", "bench coro", "bench pool", "bench ipc", "bench echo", "echo",
            "echo-load"})
    void helpWorksOnEveryCommand(final String command) {
        final String[] args = (command + " --help").strip().split(" ");
        final CliRun run = CliRun.of(args);
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).startsWith("Usage: bingfa" + (command.isEmpty() ? "" : " " + command));
        assertThat(run.out()).contains("--help", "--version");
    }

    @Test
    void suiteHelpListsTheContractOptions() {
        final CliRun run = CliRun.of("bench", "models", "--help");
        assertThat(run.out()).contains("--quick", "--json=FILE", "--python=PYTHON").doesNotContain("--tiny");
    }

    @Test
    void versionNamesBingfaAndTheJvm() {
        final CliRun run = CliRun.of("--version");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("bingfa ", "java " + Runtime.version().feature());
    }

    @Test
    void unknownSuiteIsAUsageErrorThatListsTheSuites() {
        final CliRun run = CliRun.of("bench", "nosuch");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("Unknown suite 'nosuch'", "models", "coro");
    }

    @Test
    void unknownSuiteWithOptionsStillNamesTheSuite() {
        final CliRun run = CliRun.of("bench", "nosuch", "--quick", "--json", "x.json");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("Unknown suite 'nosuch'", "models", "coro");
    }

    @Test
    void benchWithoutASuiteIsAUsageError() {
        final CliRun run = CliRun.of("bench");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("Missing suite", "models", "coro");
    }

    @Test
    void noCommandIsAUsageError() {
        final CliRun run = CliRun.of();
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("Missing command");
    }

    @Test
    void unknownCommandIsAUsageError() {
        final CliRun run = CliRun.of("nosuch");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("Unmatched argument", "'nosuch'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"bench models --bogus", "bench coro --quick --bogus", "tour --bogus",
            "bench models --json", "tour --report"})
    void badFlagsAndCommandsAreUsageErrors(final String command) {
        final CliRun run = CliRun.of(command.split(" "));
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("Usage:");
        assertThat(run.out()).isEmpty();
    }
}
