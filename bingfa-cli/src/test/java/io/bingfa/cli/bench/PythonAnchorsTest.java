package io.bingfa.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class PythonAnchorsTest {

    private static final String NOWHERE = "/nonexistent/bin/python3";

    @Test
    void aMissingInterpreterSkipsEveryAnchorWithThePackageName() {
        try (PythonAnchors python = PythonAnchors.locate(NOWHERE)) {
            assertThat(python.version()).isNull();
            assertThat(python.run("eat_play.py", "gevent", Duration.ofSeconds(10), "gevent", "0.01", "0.01"))
                    .isEqualTo(new AnchorResult.Skipped("python3-gevent missing"));
            assertThat(python.run("io_bound.py", "sys", Duration.ofSeconds(10), "1", "0.01"))
                    .isEqualTo(new AnchorResult.Skipped("python3 missing"));
        }
    }

    @Test
    void theSystemPropertyNamesTheInterpreterWhenNoOptionDoes() {
        final String before = System.getProperty(PythonAnchors.PROPERTY);
        System.setProperty(PythonAnchors.PROPERTY, NOWHERE);
        try (PythonAnchors python = PythonAnchors.locate(null)) {
            assertThat(python.candidates()).extracting(Object::toString).containsExactly(NOWHERE);
        } finally {
            if (before == null) {
                System.clearProperty(PythonAnchors.PROPERTY);
            } else {
                System.setProperty(PythonAnchors.PROPERTY, before);
            }
        }
    }

    @Test
    void theDefaultTriesUsrBinPython3First() {
        try (PythonAnchors python = PythonAnchors.locate(null)) {
            if (System.getProperty(PythonAnchors.PROPERTY) == null) {
                assertThat(python.candidates().getFirst()).hasToString("/usr/bin/python3");
            }
        }
    }

    @Test
    void aBlankInterpreterIsRejected() {
        assertThatThrownBy(() -> PythonAnchors.locate(" "))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("python must name an interpreter");
    }
}
