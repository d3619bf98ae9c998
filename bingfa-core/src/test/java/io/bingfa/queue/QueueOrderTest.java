package io.bingfa.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The order each factory promises, with the seed's examples, and the factories' argument checks. */
class QueueOrderTest {

    /** The seed's {@code (priority, name)} tuples. */
    record Job(int priority, String name) implements Comparable<Job> {
        @Override
        public int compareTo(final Job other) {
            return Integer.compare(priority, other.priority);
        }
    }

    private static <E> List<E> drain(final WorkQueue<E> queue) {
        final List<E> out = new ArrayList<>();
        while (!queue.isEmpty()) {
            out.add(queue.get());
        }
        return out;
    }

    @Test
    void fifoReturnsItemsInPutOrder() {
        final WorkQueue<String> q = Queues.fifo();
        q.put("first");
        q.put("second");
        q.put("third");
        assertThat(drain(q)).containsExactly("first", "second", "third");
    }

    @Test
    void lifoReturnsTheLastItemFirst() {
        final WorkQueue<String> q = Queues.lifo();
        q.put("first");
        q.put("second");
        q.put("third");
        assertThat(drain(q)).containsExactly("third", "second", "first");
    }

    @Test
    void priorityReturnsTheSmallestFirst() {
        final WorkQueue<Job> q = Queues.priority();
        q.put(new Job(20, "a"));
        q.put(new Job(10, "b"));
        q.put(new Job(30, "c"));
        assertThat(drain(q)).extracting(Job::name).containsExactly("b", "a", "c");
    }

    @Test
    void priorityWithAComparatorUsesIt() {
        final WorkQueue<Job> q = Queues.priority(Comparator.comparingInt(Job::priority).reversed());
        q.put(new Job(20, "a"));
        q.put(new Job(10, "b"));
        q.put(new Job(30, "c"));
        assertThat(drain(q)).extracting(Job::name).containsExactly("c", "a", "b");
    }

    @Test
    void priorityIsStableAmongEqualPriorities() {
        final WorkQueue<Job> q = Queues.priority(0);
        final List<String> expected = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            q.put(new Job(i % 2, "job" + i)); // interleaved: a heap alone would scramble equal ones
        }
        for (int i = 0; i < 50; i += 2) {
            expected.add("job" + i);
        }
        for (int i = 1; i < 50; i += 2) {
            expected.add("job" + i);
        }
        assertThat(drain(q)).extracting(Job::name).containsExactlyElementsOf(expected);
    }

    @Test
    void joinableIsFifo() {
        final JoinableQueue<String> q = Queues.joinable();
        q.put("first");
        q.put("second");
        q.put("third");
        assertThat(drain(q)).containsExactly("first", "second", "third");
    }

    @Test
    void maxSizeZeroIsUnbounded() {
        final WorkQueue<Integer> q = Queues.fifo(0);
        for (int i = 0; i < 10_000; i++) {
            assertThat(q.tryPut(i)).isTrue();
        }
        assertThat(q.isFull()).isFalse();
        assertThat(q.maxSize()).isZero();
        assertThat(q.size()).isEqualTo(10_000);
    }

    @Test
    void negativeMaxSizeIsRejectedNamingTheArgument() {
        assertThatThrownBy(() -> Queues.fifo(-1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxSize").hasMessageContaining("-1");
        assertThatThrownBy(() -> Queues.lifo(-2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxSize").hasMessageContaining("-2");
        assertThatThrownBy(() -> Queues.<Integer>priority(-3))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxSize").hasMessageContaining("-3");
        assertThatThrownBy(() -> Queues.joinable(-4))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxSize").hasMessageContaining("-4");
    }

    @Test
    void nullComparatorIsRejectedNamingTheArgument() {
        assertThatThrownBy(() -> Queues.priority(1, null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("order");
    }

    @Test
    void aComparatorThatThrowsLeavesTheQueueUnchanged() {
        final WorkQueue<Job> q = Queues.priority(0, (a, b) -> {
            if (a.name().equals("bad") || b.name().equals("bad")) {
                throw new ClassCastException("cannot compare bad");
            }
            return Integer.compare(a.priority(), b.priority());
        });
        q.put(new Job(2, "x"));
        assertThatThrownBy(() -> q.put(new Job(1, "bad"))).isInstanceOf(ClassCastException.class);
        assertThat(q.size()).isEqualTo(1);
        assertThat(((LockedQueue<Job>) q).unfinishedTasks()).isEqualTo(1);
        assertThat(q.get().name()).isEqualTo("x");
    }
}
