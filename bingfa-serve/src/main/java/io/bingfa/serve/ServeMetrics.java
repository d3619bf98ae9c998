package io.bingfa.serve;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Supplier;

/*
 * Overview
 * --------
 * GET /metrics in Prometheus's text format, from Micrometer's Prometheus registry (one per worker JVM).
 *
 * What a scrape shows, whichever worker answers it:
 *   bingfa_http_requests_seconds{route,status,worker}  this worker's requests: count, sum, histogram buckets
 *   bingfa_worker_requests_total{worker}                 every worker's answered requests, from the board
 *   bingfa_worker_up{worker}, bingfa_worker_restarts_total{worker}
 *   bingfa_cache_generation, bingfa_cache_entries, bingfa_cache_reloads_total, bingfa_cache_reload_failures_total,
 *   bingfa_cache_last_reload_seconds (epoch)             the host's settings cache, from the board
 *   bingfa_shard_node_up{node}                           with --zk: 1 for ring members this worker uses, 0 for
 *                                                        those it marked down
 * The per-worker series come from the shared board (WorkerBoard), so one scrape of the port covers the host;
 * the request histogram is the answering worker's own (labelled with it).
 */
/** The worker's Micrometer registry and its Prometheus text. */
final class ServeMetrics {

    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final String worker;
    /** The request timer of each route and status, made on first use: index route * STATUSES + status - 100. */
    private final AtomicReferenceArray<Timer> timers =
            new AtomicReferenceArray<>(Api.Route.values().length * STATUSES);
    private final MultiGauge shardNodes;
    private final Supplier<Map<String, Object>> store;

    ServeMetrics(final int worker, final WorkerBoard board, final Supplier<Map<String, Object>> store) {
        this.worker = Integer.toString(worker);
        this.store = store;
        Gauge.builder("bingfa.cache.generation", board, WorkerBoard::generation)
                .description("settings generation the workers read").register(registry);
        Gauge.builder("bingfa.cache.entries", board, WorkerBoard::entries)
                .description("apps in the current generation").register(registry);
        Gauge.builder("bingfa.cache.last.reload", board, b -> b.lastReloadMillis() / 1000.0)
                .description("epoch seconds of the last finished reload").baseUnit("seconds").register(registry);
        FunctionCounter.builder("bingfa.cache.reloads", board, WorkerBoard::reloads)
                .description("finished reloads").register(registry);
        FunctionCounter.builder("bingfa.cache.reload.failures", board, WorkerBoard::failedReloads)
                .description("failed reloads").register(registry);
        for (int k = 0; k < board.workers(); k++) {
            final int slot = k;
            final Tags tags = Tags.of("worker", Integer.toString(k));
            FunctionCounter.builder("bingfa.worker.requests", board, b -> b.slot(slot).requests())
                    .tags(tags).description("requests answered by the worker").register(registry);
            Gauge.builder("bingfa.worker.up", board, b -> b.ready(slot) ? 1 : 0)
                    .tags(tags).description("1 while the worker accepts").register(registry);
            FunctionCounter.builder("bingfa.worker.restarts", board, b -> b.slot(slot).restarts())
                    .tags(tags).description("times the supervisor restarted the worker").register(registry);
        }
        shardNodes = MultiGauge.builder("bingfa.shard.node.up")
                .description("1 for a Redis node in use, 0 for one marked down").register(registry);
    }

    /** Statuses 100 to 599. */
    private static final int STATUSES = 500;

    /** Records one answered request (a plain array read finds its timer: this runs once per request). */
    void record(final Api.Route route, final int status, final long nanos) {
        if (status < 100 || status >= 100 + STATUSES) {
            timer(route, status).record(nanos, TimeUnit.NANOSECONDS);
            return;
        }
        final int index = route.ordinal() * STATUSES + status - 100;
        Timer t = timers.getPlain(index); // racy read: a miss asks the registry, which returns the same timer
        if (t == null) {
            t = timer(route, status);
            timers.set(index, t);
        }
        t.record(nanos, TimeUnit.NANOSECONDS);
    }

    private Timer timer(final Api.Route route, final int status) {
        return Timer.builder("bingfa.http.requests")
                .tags("route", route.name().toLowerCase(Locale.ROOT), "status", Integer.toString(status),
                        "worker", worker)
                .publishPercentileHistogram().register(registry);
    }

    /** The Prometheus text of every meter. */
    String scrape() {
        final Map<String, Object> d = store.get();
        final List<MultiGauge.Row<?>> rows = new ArrayList<>();
        if (d.get("nodes") instanceof List<?> nodes) {
            final List<?> down = d.get("down") instanceof List<?> l ? l : List.of();
            for (final Object n : nodes) {
                rows.add(MultiGauge.Row.of(Tags.of("node", n.toString()), 1));
            }
            for (final Object n : down) {
                rows.add(MultiGauge.Row.of(Tags.of("node", n.toString()), 0));
            }
        }
        shardNodes.register(rows, true);
        return registry.scrape();
    }
}
