package io.bingfa.serve;

import static org.assertj.core.api.Assertions.assertThat;

import io.bingfa.cache.testing.LocalPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Settings from a real PostgreSQL (--db), reloaded by POST /admin/reload while clients read: no error, every
 * answer is one generation's row exactly (never a mix), and once the reload was answered no client reads the
 * old generation again.
 */
class ReloadUnderLoadTest {

    static final int APPS = 2_000;

    @TempDir
    Path data;

    @Test
    void aReloadUnderLoadServesOneGenerationOrTheNextAndNoErrors() throws Exception {
        Assumptions.assumeTrue(LocalPostgres.available(), "PostgreSQL binaries are not installed");
        try (LocalPostgres pg = LocalPostgres.start()) {
            SampleSettings.create(pg.jdbcUrl(), APPS);
            try (Supervisor serve = Supervisor.start(ServeOptions.defaults(data).withPort(0).withProcesses(2)
                    .withDatabase(pg.jdbcUrl()).withReloadEvery(Duration.ofMinutes(10)));
                 ServeClient client = new ServeClient(serve.url())) {
                assertThat(client.get("/v1/settings/app-000003").body()).isEqualTo(SampleSettings.json(3));
                try (Connection c = DriverManager.getConnection(pg.jdbcUrl()); Statement s = c.createStatement()) {
                    s.executeUpdate("update apps set settings = replace(settings, '\"max_attempts\":1', "
                            + "'\"max_attempts\":2')");
                }
                final AtomicBoolean running = new AtomicBoolean(true);
                final AtomicLong reloadAnsweredAt = new AtomicLong(Long.MAX_VALUE);
                final AtomicLong answers = new AtomicLong();
                final List<String> wrong = java.util.Collections.synchronizedList(new ArrayList<>());
                final List<Thread> readers = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    readers.add(Thread.ofPlatform().start(() -> {
                        try (ServeClient reader = new ServeClient(serve.url())) {
                            while (running.get() && answers.get() < Load.MAX_REQUESTS) {
                                final int n = ThreadLocalRandom.current().nextInt(APPS);
                                final long sent = System.nanoTime();
                                final ServeClient.Answer a = reader.get("/v1/settings/" + SampleSettings.appId(n));
                                answers.incrementAndGet();
                                final String old = SampleSettings.json(n);
                                final String next = old.replace("\"max_attempts\":1", "\"max_attempts\":2");
                                if (a.status() != 200 || !(a.body().equals(old) || a.body().equals(next))) {
                                    wrong.add(a.status() + " " + a.body());
                                } else if (a.body().equals(old) && sent > reloadAnsweredAt.get()) {
                                    wrong.add("old generation after the reload was answered: " + a.body());
                                }
                            }
                        } catch (Exception e) {
                            wrong.add(e.toString());
                        }
                    }));
                }
                ServeClient.eventually(() -> answers.get() > 300, "readers answered");
                final long generation = serve.generation();
                final ServeClient.Answer reload = client.post("/admin/reload", "");
                reloadAnsweredAt.set(System.nanoTime());
                assertThat(reload.status()).isEqualTo(202);
                assertThat(reload.json().get("generation").asLong()).isEqualTo(generation + 1);
                assertThat(reload.json().get("done").asBoolean()).isTrue();
                final long atReload = answers.get();
                ServeClient.eventually(() -> answers.get() > atReload + 300, "readers answered after the reload");
                running.set(false);
                for (final Thread t : readers) {
                    t.join();
                }
                assertThat(wrong).isEmpty();
                assertThat(client.get("/v1/settings/app-000003").body())
                        .isEqualTo(SampleSettings.json(3).replace("\"max_attempts\":1", "\"max_attempts\":2"));
                assertThat(client.get("/health").json().get("generation").asLong()).isEqualTo(generation + 1);
            }
        }
    }
}
