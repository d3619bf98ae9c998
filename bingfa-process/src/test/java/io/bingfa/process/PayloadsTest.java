package io.bingfa.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.bingfa.pool.SerializableCallable;
import io.bingfa.pool.SerializableFunction;
import org.junit.jupiter.api.Test;

/** Tagged payloads, and the per-class bytes of stateless lambdas that both sides reuse. */
class PayloadsTest {

    static int inc(final int x) {
        return x + 1;
    }

    @Test
    void aLambdaThatCapturesNothingIsEncodedOnceAndDecodedToOneSharedInstance() throws Exception {
        for (TaskCodec codec : new TaskCodec[] {TaskCodec.fory(), TaskCodec.jdk()}) {
            final SerializableCallable<Integer> task = () -> 41 + 1;
            final byte[] a = Payloads.encode(codec, task, true);
            final byte[] b = Payloads.encode(codec, task, true);
            assertThat(a[0] & Payloads.STATELESS).as("flag with %s", codec).isEqualTo(Payloads.STATELESS);
            assertThat(a).isEqualTo(b);
            assertThat(Payloads.isPool(a)).isTrue();
            final Object first = Payloads.decode(codec, a);
            assertThat(Payloads.decode(codec, b)).isSameAs(first);
            assertThat(((SerializableCallable<?>) first).call()).isEqualTo(42);
        }
    }

    @Test
    void aStaticMethodReferenceIsStatelessToo() {
        final SerializableFunction<Integer, Integer> f = PayloadsTest::inc;
        final byte[] bytes = Payloads.encode(TaskCodec.fory(), f, true);
        assertThat(bytes[0] & Payloads.STATELESS).isEqualTo(Payloads.STATELESS);
    }

    @Test
    @SuppressWarnings("unchecked")
    void aCapturingLambdaIsEncodedEachTimeWithItsOwnValues() throws Exception {
        for (TaskCodec codec : new TaskCodec[] {TaskCodec.fory(), TaskCodec.jdk()}) {
            for (int i = 0; i < 3; i++) {
                final int captured = i;
                final SerializableCallable<Integer> task = () -> captured * 10;
                final byte[] bytes = Payloads.encode(codec, task, true);
                assertThat(bytes[0] & Payloads.STATELESS).isZero();
                assertThat(((SerializableCallable<Integer>) Payloads.decode(codec, bytes)).call()).isEqualTo(i * 10);
            }
        }
    }

    @Test
    void valuesThatAreNotLambdasKeepThePlainTags() {
        final byte[] pool = Payloads.encode(TaskCodec.fory(), "text", true);
        final byte[] jdk = Payloads.encode(TaskCodec.fory(), "text", false);
        assertThat(pool[0]).isEqualTo(Payloads.POOL);
        assertThat(jdk[0]).isEqualTo(Payloads.JDK);
        assertThat(Payloads.decode(TaskCodec.fory(), pool)).isEqualTo("text");
        assertThat(Payloads.decode(TaskCodec.fory(), jdk)).isEqualTo("text");
    }
}
