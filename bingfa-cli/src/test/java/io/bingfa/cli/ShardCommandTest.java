package io.bingfa.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ShardCommandTest {

    @Test
    void agentHelpNamesItsOptions() {
        final CliRun run = CliRun.of("shard", "agent", "--help");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).startsWith("Usage: bingfa shard agent").contains("--redis", "--zk", "--path", "--keep-data");
    }

    @Test
    void aBadRedisAddressIsAUsageErrorThatNamesIt() {
        final CliRun run = CliRun.of("shard", "agent", "--redis", "localhost", "--zk", "127.0.0.1:2181", "--path", "/p");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("redis must be HOST:PORT, was 'localhost'");
    }

    @Test
    void aMissingOptionIsAUsageError() {
        final CliRun run = CliRun.of("shard", "agent", "--redis", "127.0.0.1:6379");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--zk", "--path");
    }

    @Test
    void shardAloneAsksForACommand() {
        final CliRun run = CliRun.of("shard");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("Missing command: agent");
    }

    @Test
    void benchShardHelpDescribesTheSuite() {
        final CliRun run = CliRun.of("bench", "shard", "--help");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("redis-cli --cluster create", "--quick");
    }
}
