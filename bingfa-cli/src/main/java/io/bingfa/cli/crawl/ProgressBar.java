package io.bingfa.cli.crawl;

import io.bingfa.net.crawl.CrawlJob;
import io.bingfa.net.crawl.CrawlResult;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * One updating line on standard error: {@code [#####.....] 41,200/100,000 41% 8,240/s ETA 0:07 errors 3}.
 * Redrawn at most every 200 ms with a carriage return; finished with a newline. Listener calls come one at a
 * time (see {@link CrawlJob.Listener}), so the fields need no lock; {@code enabled} false makes it silent.
 */
final class ProgressBar implements CrawlJob.Listener {

    private static final long REDRAW_NANOS = 200_000_000L;
    private static final int WIDTH = 30;

    private final PrintWriter err;
    private final boolean enabled;
    private long total;
    private long done;
    private long errors;
    private long start;
    private long lastDraw;

    ProgressBar(final PrintWriter err, final boolean enabled) {
        this.err = err;
        this.enabled = enabled;
    }

    @Override
    public void started(final long toCrawl, final long skipped) {
        total = toCrawl;
        start = System.nanoTime();
        if (skipped > 0) {
            err.printf(Locale.ROOT, "resuming: %,d URLs already in the output, %,d to crawl%n", skipped, toCrawl);
            err.flush();
        }
    }

    @Override
    public void result(final CrawlResult r) {
        done++;
        if (!r.ok()) {
            errors++;
        }
        final long now = System.nanoTime();
        if (enabled && now - lastDraw >= REDRAW_NANOS) {
            lastDraw = now;
            draw(now);
        }
    }

    void finish() {
        if (enabled) {
            draw(System.nanoTime());
            err.println();
            err.flush();
        }
    }

    private void draw(final long now) {
        final double seconds = Math.max(1e-9, (now - start) / 1e9);
        final double rate = done / seconds;
        final double share = total == 0 ? 1 : Math.min(1, done / (double) total);
        final int filled = (int) Math.round(share * WIDTH);
        final long eta = rate <= 0 ? 0 : Math.round(Math.max(0, total - done) / rate);
        err.printf(Locale.ROOT, "\r[%s%s] %,d/%,d %3d%% %,.0f/s ETA %d:%02d errors %,d ", "#".repeat(filled),
                ".".repeat(WIDTH - filled), done, total, Math.round(share * 100), rate, eta / 60, eta % 60, errors);
        err.flush();
    }
}
