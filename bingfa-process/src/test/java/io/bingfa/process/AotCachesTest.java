package io.bingfa.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** When the automatic AOT cache is used, and where. */
class AotCachesTest {

    @TempDir
    Path tmp;

    private Path jar(final String name, final String classPath) throws IOException {
        final Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        if (classPath != null) {
            m.getMainAttributes().put(Attributes.Name.CLASS_PATH, classPath);
        }
        final Path jar = tmp.resolve(name);
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), m)) {
            out.flush();
        }
        return jar;
    }

    @Test
    void aClassPathOfPlainJarsGetsACacheNamedAfterItsContent() throws IOException {
        final Path a = jar("a.jar", null);
        final Path b = jar("b.jar", null);
        final Path one = AotCaches.automatic(ProcessPool.builder().classpath(a + java.io.File.pathSeparator + b));
        final Path same = AotCaches.automatic(ProcessPool.builder().classpath(a + java.io.File.pathSeparator + b));
        final Path other = AotCaches.automatic(ProcessPool.builder().classpath(a.toString()));
        assertThat(one).isNotNull().isEqualTo(same).isNotEqualTo(other);
        assertThat(one.getFileName().toString()).endsWith(".aot");
        assertThat(one.getParent()).startsWith(Path.of(System.getProperty("java.io.tmpdir")));
    }

    @Test
    void directoriesManifestClassPathsAndTheUsersOwnSharingOptionsTurnItOff() throws IOException {
        final Path plain = jar("plain.jar", null);
        assertThat(AotCaches.automatic(ProcessPool.builder().classpath(tmp.toString()))).isNull();
        assertThat(AotCaches.automatic(ProcessPool.builder().classpath(jar("booter.jar", "classes/").toString()))).isNull();
        assertThat(AotCaches.automatic(ProcessPool.builder().classpath(plain.toString()).jvmArgs("-Xshare:off"))).isNull();
        assertThat(AotCaches.automatic(ProcessPool.builder().classpath(plain.toString())
                .jvmArgs("-XX:AOTCache=/somewhere/else.aot"))).isNull();
    }
}
