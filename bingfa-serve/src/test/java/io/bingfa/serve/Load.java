package io.bingfa.serve;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Background load for the fault tests: {@code threads} clients, each a loop of settings reads and
 * challenge + verify pairs, bounded by {@link #MAX_REQUESTS} and stopped by {@link #close()}. Connection-level
 * failures (the worker holding the connection was killed) are counted apart from HTTP answers.
 */
final class Load implements AutoCloseable {

    static final long MAX_REQUESTS = 2_000_000;

    final LongAdder ok = new LongAdder();
    final LongAdder connectionErrors = new LongAdder();
    final Map<Integer, LongAdder> statuses = new ConcurrentHashMap<>();
    final List<String> unexpected = java.util.Collections.synchronizedList(new ArrayList<>());
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong sent = new AtomicLong();
    private final List<Thread> threads = new ArrayList<>();

    Load(final String url, final int threads, final int apps, final boolean challenges) {
        for (int t = 0; t < threads; t++) {
            this.threads.add(Thread.ofPlatform().daemon().name("load-" + t).start(() -> run(url, apps, challenges)));
        }
    }

    private void run(final String url, final int apps, final boolean challenges) {
        ServeClient client = new ServeClient(url);
        try {
            while (running.get() && sent.incrementAndGet() < MAX_REQUESTS) {
                final String app = SampleSettings.appId(ThreadLocalRandom.current().nextInt(apps));
                try {
                    final ServeClient.Answer a = client.get("/v1/settings/" + app);
                    count(a.status());
                    if (challenges) {
                        final ServeClient.Answer issued = client.post("/v1/challenges", "{\"app\":\"" + app + "\"}");
                        count(issued.status());
                        if (issued.status() == 201) {
                            final var j = issued.json();
                            final ServeClient.Answer v = client.verify(j.get("id").asText(),
                                    new StringBuilder(j.get("question").asText()).reverse().toString());
                            count(v.status());
                            if (v.status() != 200 || !v.json().get("ok").asBoolean()) {
                                unexpected.add("verify: " + v);
                            }
                        } else {
                            unexpected.add("challenge: " + issued);
                        }
                    }
                } catch (IOException e) {
                    connectionErrors.increment();
                    client.close();
                    client = new ServeClient(url); // a fresh connection lands on a live worker
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            client.close();
        }
    }

    private void count(final int status) {
        statuses.computeIfAbsent(status, s -> new LongAdder()).increment();
        if (status < 400) {
            ok.increment();
        }
    }

    long answersWithStatusAtLeast(final int status) {
        return statuses.entrySet().stream().filter(e -> e.getKey() >= status).mapToLong(e -> e.getValue().sum()).sum();
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        for (final Thread t : threads) {
            t.join(30_000);
        }
    }
}
