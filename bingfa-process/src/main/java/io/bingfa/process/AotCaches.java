package io.bingfa.process;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.jar.JarFile;

/**
 * Where the automatic AOT cache of a pool's workers lives, and whether one may be used at all
 * ({@link ProcessPool.Builder#aotCache(boolean)}). A JDK 25 AOT cache holds the classes a worker loaded and
 * linked and their method profiles; it needs a class path of plain jars, and the JVM checks on load that
 * it still matches (a stale cache is ignored: the workers' AOT logging is off, so silently).
 */
final class AotCaches {

    private AotCaches() {}

    /** The cache file for workers made by {@code config}, or null when no cache should be used. */
    static Path automatic(final ProcessPool.Builder config) {
        for (String a : config.jvmArgs) {
            if (a.startsWith("-XX:AOT") || a.startsWith("-Xshare") || a.startsWith("-XX:SharedArchiveFile")
                    || a.startsWith("-XX:+AutoCreateSharedArchive") || a.startsWith("-XX:ArchiveClassesAtExit")) {
                return null; // the user manages class-data sharing
            }
        }
        final String classpath = config.classpath != null ? config.classpath : System.getProperty("java.class.path");
        try {
            final MessageDigest key = MessageDigest.getInstance("SHA-256");
            update(key, System.getProperty("java.home"));
            update(key, System.getProperty("java.vm.version"));
            update(key, String.valueOf(config.jvmArgs));
            update(key, String.valueOf(config.fastStart));
            for (String entry : classpath.split(File.pathSeparator)) {
                final Path jar = Path.of(entry);
                if (!entry.endsWith(".jar") || !Files.isRegularFile(jar) || hasClassPathManifest(jar)) {
                    return null; // directories, or jars that pull in more entries: an AOT cache cannot cover them
                }
                update(key, jar.toAbsolutePath() + ":" + Files.size(jar) + ":" + Files.getLastModifiedTime(jar).toMillis());
            }
            final Path dir = Path.of(System.getProperty("java.io.tmpdir"), "bingfa-aot-" + System.getProperty("user.name"));
            if (!Files.isDirectory(dir)) {
                try {
                    Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                } catch (UnsupportedOperationException e) {
                    Files.createDirectories(dir);
                }
            }
            return dir.resolve(HexFormat.of().formatHex(key.digest(), 0, 12) + ".aot");
        } catch (IOException | NoSuchAlgorithmException | RuntimeException e) {
            return null; // no cache is always a correct answer
        }
    }

    private static void update(final MessageDigest key, final String s) {
        key.update(String.valueOf(s).getBytes(StandardCharsets.UTF_8));
        key.update((byte) 0);
    }

    private static boolean hasClassPathManifest(final Path jar) throws IOException {
        try (JarFile f = new JarFile(jar.toFile())) {
            return f.getManifest() != null && f.getManifest().getMainAttributes().getValue("Class-Path") != null;
        }
    }
}
