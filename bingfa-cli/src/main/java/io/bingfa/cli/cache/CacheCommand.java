package io.bingfa.cli.cache;

import io.bingfa.cache.ReloadReport;
import io.bingfa.cache.ReloadableMap;
import io.bingfa.cache.Reloader;
import io.bingfa.cache.SharedMap;
import io.bingfa.cache.SharedMapOptions;
import io.bingfa.cache.SharedMapStats;
import io.bingfa.cache.Source;
import io.bingfa.cache.Sources;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code bingfa cache stats|get|put|dump|load FILE}: a {@link SharedMap} file or a {@link ReloadableMap}
 * control file, from the shell. The kind of FILE is recognised by its magic; a reloadable map's generations
 * are read-only (only {@code load} replaces them), a plain map takes {@code put} and {@code load} adds rows.
 * Keys and values are UTF-8 text unless {@code --hex} is given. Exit codes: 0 ok, 1 absent key or a failed
 * load, 2 bad usage.
 */
@Command(name = "cache", mixinStandardHelpOptions = true, versionProvider = io.bingfa.cli.Main.Version.class,
        description = {"SharedMap and ReloadableMap files (bingfa-cache) from the shell.",
                "FILE is a SharedMap file or a ReloadableMap control file (its generations are FILE.g<N>)."},
        subcommands = {CacheCommand.Stats.class, CacheCommand.Get.class, CacheCommand.Put.class,
                CacheCommand.Dump.class, CacheCommand.Load.class})
public final class CacheCommand implements Runnable {

    // picocli injects the spec after construction, so the field cannot be final.
    @Spec
    private CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing command: stats, get, put, dump or load");
    }

    /** The FILE parameter and the --hex option every subcommand takes. */
    static final class FileArg {
        // picocli injects these after construction, so they cannot be final.
        @Parameters(index = "0", paramLabel = "FILE", description = "a SharedMap file or a ReloadableMap control file")
        Path file;

        @Option(names = "--hex", description = "keys and values as hexadecimal instead of UTF-8 text")
        boolean hex;

        byte[] bytes(final String text) {
            return hex ? HexFormat.of().parseHex(text) : text.getBytes(StandardCharsets.UTF_8);
        }

        String text(final byte[] bytes) {
            return hex ? HexFormat.of().formatHex(bytes) : new String(bytes, StandardCharsets.UTF_8);
        }

        void requireExists(final CommandSpec spec) {
            if (!Files.exists(file)) {
                throw new ParameterException(spec.commandLine(), "no such file: " + file);
            }
        }
    }

    /** Opens FILE as what it is; the caller closes the one that is present. */
    record Opened(SharedMap plain, ReloadableMap reloadable) implements AutoCloseable {
        static Opened open(final Path file) {
            return ReloadableMap.isReloadable(file) ? new Opened(null, ReloadableMap.open(file))
                    : new Opened(SharedMap.open(file), null);
        }

        byte[] get(final byte[] key) {
            return plain != null ? plain.get(key) : reloadable.get(key);
        }

        @Override
        public void close() {
            if (plain != null) {
                plain.close();
            } else {
                reloadable.close();
            }
        }
    }

    @Command(name = "stats", mixinStandardHelpOptions = true, versionProvider = io.bingfa.cli.Main.Version.class,
            description = "Prints the entries, file bytes and allocator state (and, for a reloadable map, its reloads).")
    static final class Stats implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        FileArg arg;

        @Override
        public Integer call() {
            arg.requireExists(spec);
            final PrintWriter out = spec.commandLine().getOut();
            try (Opened m = Opened.open(arg.file)) {
                if (m.plain() != null) {
                    out.println("kind: SharedMap");
                    print(out, m.plain().stats());
                } else {
                    final ReloadableMap r = m.reloadable();
                    out.println("kind: ReloadableMap");
                    try (ReloadableMap.Snapshot s = r.snapshot()) {
                        out.println("generation: " + s.generation() + (s.generation() == 0 ? " (nothing loaded yet)"
                                : " (" + r.generationFile(s.generation()) + ")"));
                        out.println("reloads: " + r.reloads() + " ok, " + r.failedReloads() + " failed");
                        final Optional<ReloadReport> last = r.lastReport();
                        out.println("last reload: " + last.map(ReloadReport::toString).orElse("none"));
                        s.stats().ifPresent(st -> print(out, st));
                    }
                }
            }
            out.flush();
            return 0;
        }

        private static void print(final PrintWriter out, final SharedMapStats s) {
            out.println("entries: " + s.entries());
            out.println("file bytes: " + s.fileBytes() + (s.entries() == 0 ? ""
                    : String.format(Locale.ROOT, " (%.1f per entry)", s.fileBytesPerEntry())));
            out.println("entry bytes: " + s.bytesUsed() + ", table bytes: " + s.tableBytes() + ", free bytes: "
                    + s.freeBytes());
            out.println(String.format(Locale.ROOT, "fragmentation: %.3f", s.fragmentation()));
            out.println("segments: " + s.segments() + ", regions: " + s.regions() + ", chunk bytes: " + s.chunkBytes());
            out.println("tombstones: " + s.tombstones() + ", recoveries: " + s.recoveries());
        }
    }

    @Command(name = "get", mixinStandardHelpOptions = true, versionProvider = io.bingfa.cli.Main.Version.class,
            description = "Prints the value of KEY (exit code 1 when absent).")
    static final class Get implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        FileArg arg;
        @Parameters(index = "1", paramLabel = "KEY")
        String key;

        @Override
        public Integer call() {
            arg.requireExists(spec);
            try (Opened m = Opened.open(arg.file)) {
                final byte[] v = m.get(arg.bytes(key));
                if (v == null) {
                    spec.commandLine().getErr().println("(absent)");
                    spec.commandLine().getErr().flush();
                    return 1;
                }
                spec.commandLine().getOut().println(arg.text(v));
                spec.commandLine().getOut().flush();
                return 0;
            }
        }
    }

    @Command(name = "put", mixinStandardHelpOptions = true, versionProvider = io.bingfa.cli.Main.Version.class,
            description = {"Sets KEY to VALUE in a SharedMap file (created with default options if absent).",
                    "A ReloadableMap's generations are read-only: use load."})
    static final class Put implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        FileArg arg;
        @Parameters(index = "1", paramLabel = "KEY")
        String key;
        @Parameters(index = "2", paramLabel = "VALUE")
        String value;

        @Override
        public Integer call() {
            if (Files.exists(arg.file) && ReloadableMap.isReloadable(arg.file)) {
                throw new ParameterException(spec.commandLine(), arg.file + " is a ReloadableMap: its generations are "
                        + "read-only; replace them with: bingfa cache load " + arg.file + " --from ...");
            }
            try (SharedMap m = SharedMap.openOrCreate(arg.file, SharedMapOptions.defaults())) {
                m.put(arg.bytes(key), arg.bytes(value));
            }
            return 0;
        }
    }

    @Command(name = "dump", mixinStandardHelpOptions = true, versionProvider = io.bingfa.cli.Main.Version.class,
            description = "Prints every entry as KEY<TAB>VALUE, one per line (one generation of a reloadable map).")
    static final class Dump implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        FileArg arg;
        @Option(names = "--limit", paramLabel = "N", description = "print at most N entries")
        long limit = Long.MAX_VALUE;

        @Override
        public Integer call() {
            arg.requireExists(spec);
            if (limit < 0) {
                throw new ParameterException(spec.commandLine(), "--limit must be at least 0, was " + limit);
            }
            final PrintWriter out = spec.commandLine().getOut();
            final long[] printed = {0};
            try (Opened m = Opened.open(arg.file)) {
                final java.util.function.BiConsumer<byte[], byte[]> line = (k, v) -> {
                    if (printed[0]++ < limit) {
                        out.println(arg.text(k) + "\t" + arg.text(v));
                    }
                };
                if (m.plain() != null) {
                    m.plain().forEach(line);
                } else {
                    m.reloadable().forEach(line);
                }
            }
            out.flush();
            return 0;
        }
    }

    @Command(name = "load", mixinStandardHelpOptions = true, versionProvider = io.bingfa.cli.Main.Version.class,
            description = {"Loads a snapshot: into a new generation of a ReloadableMap (created if FILE is absent),",
                    "or, with --plain, into a SharedMap (rows are added to what it holds).",
                    "SOURCE is a .csv file (key,value; or --key-column/--value-column with a header),",
                    "a .jsonl file (each line stored whole under --key-field), or a JDBC URL with --query",
                    "(first column the key, second the value): jdbc:postgresql://..., or jdbc:h2:/path/db",
                    "(H2, embedded, needs no server)."})
    static final class Load implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        FileArg arg;
        @Option(names = "--from", required = true, paramLabel = "SOURCE", description = "CSV or JSONL file, or JDBC URL")
        String from;
        @Option(names = "--query", paramLabel = "SQL", description = "the query, for a JDBC source")
        String query;
        @Option(names = "--key-column", paramLabel = "NAME", description = "CSV header column holding the key")
        String keyColumn;
        @Option(names = "--value-column", paramLabel = "NAME", description = "CSV header column holding the value")
        String valueColumn;
        @Option(names = "--key-field", paramLabel = "NAME", defaultValue = "id",
                description = "JSONL field holding the key (default ${DEFAULT-VALUE})")
        String keyField;
        @Option(names = "--plain", description = "FILE is (or is created as) a plain SharedMap")
        boolean plain;
        @Option(names = "--expected-entries", paramLabel = "N", defaultValue = "65536",
                description = "when creating FILE: entries to size it for (default ${DEFAULT-VALUE})")
        long expectedEntries;
        @Option(names = "--average-value-size", paramLabel = "BYTES", defaultValue = "128",
                description = "when creating FILE: typical value size (default ${DEFAULT-VALUE})")
        int averageValueSize;

        @Override
        public Integer call() {
            final Source source = source();
            final SharedMapOptions options;
            try {
                options = SharedMapOptions.builder().expectedEntries(expectedEntries)
                        .averageValueSize(averageValueSize).build();
            } catch (final IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage(), e);
            }
            final PrintWriter out = spec.commandLine().getOut();
            final boolean exists = Files.exists(arg.file);
            if (plain || (exists && !ReloadableMap.isReloadable(arg.file))) {
                final long t0 = System.nanoTime();
                final long[] rows = {0};
                try (SharedMap m = SharedMap.openOrCreate(arg.file, options)) {
                    source.load((k, v) -> {
                        m.put(k, v);
                        rows[0]++;
                    });
                    out.println("loaded " + rows[0] + " rows into " + arg.file + " in "
                            + (System.nanoTime() - t0) / 1_000_000 + " ms; " + m.size() + " entries");
                } catch (final Exception e) {
                    spec.commandLine().getErr().println("load failed after " + rows[0] + " rows: " + e);
                    spec.commandLine().getErr().flush();
                    return 1;
                }
                out.flush();
                return 0;
            }
            try (ReloadableMap m = ReloadableMap.openOrCreate(arg.file, options)) {
                final ReloadReport r = Reloader.builder(m).source(source).build().reloadNow();
                if (!r.ok()) {
                    spec.commandLine().getErr().println(r);
                    spec.commandLine().getErr().flush();
                    return 1;
                }
                out.println(r);
            }
            out.flush();
            return 0;
        }

        private Source source() {
            if (from.startsWith("jdbc:")) {
                if (query == null || query.isBlank()) {
                    throw new ParameterException(spec.commandLine(), "a JDBC source needs --query");
                }
                return Sources.jdbc(from, query);
            }
            final Path path = Path.of(from);
            if (!Files.isRegularFile(path)) {
                throw new ParameterException(spec.commandLine(), "--from must be a JDBC URL or an existing .csv or "
                        + ".jsonl file, was " + from);
            }
            final String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
            if (name.endsWith(".csv")) {
                if ((keyColumn == null) != (valueColumn == null)) {
                    throw new ParameterException(spec.commandLine(), "--key-column and --value-column go together");
                }
                return keyColumn == null ? Sources.csv(path) : Sources.csv(path, keyColumn, valueColumn);
            }
            if (name.endsWith(".jsonl") || name.endsWith(".ndjson")) {
                return Sources.jsonl(path, keyField);
            }
            throw new ParameterException(spec.commandLine(), "--from file must end in .csv, .jsonl or .ndjson, was "
                    + from);
        }
    }
}
