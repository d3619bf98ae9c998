package io.bingfa.coro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bingfa.future.TaskFuture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CountDownLatch;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(20)
class ContextTest {

    private static final ContextKey<Integer> REQUEST = Context.key("request");
    private static final ContextKey<String> USER = Context.key("user");
    private static final int REQUESTS = 10;

    @Test
    void unboundKeyIsReportedByName() {
        assertThat(Context.current().toString()).isEqualTo("Context{}");
        assertThat(REQUEST.isBound()).isFalse();
        assertThat(REQUEST.orElse(null)).isNull();
        assertThat(REQUEST.orElse(7)).isEqualTo(7);
        assertThatThrownBy(REQUEST::get).isInstanceOf(NoSuchElementException.class).hasMessageContaining("'request'");
    }

    @Test
    void withReturnsANewContextAndLeavesTheOldOneAlone() throws Exception {
        final Context one = Context.current().with(REQUEST, 1);
        final Context two = one.with(REQUEST, 2).with(USER, "egon");
        assertThat(one.call(REQUEST::get)).isEqualTo(1);
        assertThat(one.call(USER::isBound)).isFalse();
        assertThat(two.call(() -> REQUEST.get() + USER.get())).isEqualTo("2egon");
        assertThat(REQUEST.isBound()).isFalse(); // nothing leaks out of call()
    }

    @Test
    void nestedBindingsRestoreTheOuterContext() {
        final List<Integer> seen = new ArrayList<>();
        Context.current().with(REQUEST, 1).run(() -> {
            seen.add(REQUEST.get());
            Context.current().with(REQUEST, 2).run(() -> seen.add(REQUEST.get()));
            seen.add(REQUEST.get());
        });
        assertThat(seen).containsExactly(1, 2, 1);
    }

    @Test
    void callPropagatesTheBodysCheckedException() {
        final Exception boom = new Exception("boom");
        assertThatThrownBy(() -> Context.current().call(() -> {
            throw boom;
        })).isSameAs(boom);
    }

    @Test
    void keysWithTheSameNameAreDistinct() throws Exception {
        final ContextKey<Integer> other = Context.key("request");
        assertThat(Context.current().with(REQUEST, 1).call(other::isBound)).isFalse();
    }

    @Test
    void spawnedChildInheritsTheSpawnersContext() throws Exception {
        final TaskFuture<String> child = Context.current().with(USER, "egon").call(() -> Coro.spawn(USER::get));
        assertThat(child.result()).isEqualTo("egon");
    }

    @Test
    void grandchildrenInheritToo() throws Exception {
        final TaskFuture<String> child = Context.current().with(USER, "egon")
                .call(() -> Coro.spawn(() -> Coro.spawn(() -> Coro.spawn(USER::get).result()).result()));
        assertThat(child.result()).isEqualTo("egon");
    }

    @Test
    void spawnLaterAndWithTimeoutAndTaskGroupChildrenInherit() throws Exception {
        final Context context = Context.current().with(USER, "egon");
        assertThat(context.call(() -> Coro.spawnLater(Duration.ofMillis(1), USER::get)).result()).isEqualTo("egon");
        assertThat(context.call(() -> Coro.withTimeout(Duration.ofSeconds(10), USER::get))).isEqualTo("egon");
        final TaskFuture<String> child;
        try (TaskGroup g = TaskGroup.open()) {
            child = context.call(() -> g.spawn(USER::get));
        }
        assertThat(child.resultNow()).isEqualTo("egon");
    }

    @Test
    void contextIsCapturedAtSpawnNotAtRun() throws Exception {
        final CountDownLatch go = new CountDownLatch(1);
        final TaskFuture<Integer> child = Context.current().with(REQUEST, 1).call(() -> Coro.spawn(() -> {
            go.await();
            return REQUEST.get();
        }));
        Context.current().with(REQUEST, 2).run(go::countDown);
        assertThat(child.result()).isEqualTo(1);
    }

    @Test
    void siblingsAreIsolated() throws Exception {
        final CountDownLatch allBound = new CountDownLatch(2);
        final Context parent = Context.current().with(USER, "parent");
        final List<TaskFuture<String>> siblings = parent.call(() -> List.of("a", "b").stream()
                .map(name -> Coro.spawn(() -> Context.current().with(USER, name).call(() -> {
                    allBound.countDown();
                    allBound.await(); // both siblings have rebound before either reads
                    return USER.get();
                })))
                .toList());
        assertThat(siblings.get(0).result()).isEqualTo("a");
        assertThat(siblings.get(1).result()).isEqualTo("b");
        assertThat(parent.call(USER::get)).isEqualTo("parent");
    }

    @Test
    void childWithoutBindingsSeesAnEmptyContext() {
        assertThat(Coro.spawn(() -> REQUEST.isBound()).result()).isFalse();
    }

    @Test
    void argumentsAreValidated() {
        assertThatThrownBy(() -> Context.key(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("name");
        assertThatThrownBy(() -> Context.key("  ")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("name must not be blank, was '  '");
        assertThatThrownBy(() -> Context.current().with(null, 1)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("key");
        assertThatThrownBy(() -> Context.current().with(REQUEST, null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("'request'");
        assertThatThrownBy(() -> Context.current().run(null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("body");
    }

    // ---------------------------------------------------------------- the seed's per-request example

    /** The seed's {@code class Foo: name = 0}: one object that every "request" writes. */
    private static final class SharedGlobal {
        volatile int name;
    }

    /**
     * The seed: ten threads set {@code locals_values.name = num}, sleep, and all print 9. Here the sleep
     * is a latch, so that every write surely happens before any read: all ten read the one value that
     * was written last, and nine of the ten lost their own.
     */
    @Test
    void sharedGlobalLosesEachRequestsValue() {
        final SharedGlobal localsValues = new SharedGlobal();
        final CountDownLatch allWritten = new CountDownLatch(REQUESTS);
        final List<TaskFuture<Integer>> requests = IntStream.range(0, REQUESTS)
                .mapToObj(num -> Coro.spawn(() -> {
                    localsValues.name = num;
                    allWritten.countDown();
                    allWritten.await();
                    return localsValues.name;
                }))
                .toList();
        final List<Integer> printed = requests.stream().map(TaskFuture::result).toList();
        assertThat(printed).hasSize(REQUESTS).containsOnly(printed.get(0)); // "9" ten times, or whichever wrote last
        assertThat(IntStream.range(0, REQUESTS).filter(num -> printed.get(num) != num).count())
                .isEqualTo(REQUESTS - 1);
    }

    /** The seed's fix, {@code threading.local()}: in Java a ThreadLocal, one value per coroutine. */
    @Test
    void threadLocalKeepsEachRequestsValue() {
        final ThreadLocal<Integer> localsValues = new ThreadLocal<>();
        final CountDownLatch allWritten = new CountDownLatch(REQUESTS);
        final List<TaskFuture<Integer>> requests = IntStream.range(0, REQUESTS)
                .mapToObj(num -> Coro.spawn(() -> {
                    localsValues.set(num);
                    allWritten.countDown();
                    allWritten.await();
                    Coro.sleep(Duration.ofMillis(10));
                    return localsValues.get();
                }))
                .toList();
        assertThat(requests.stream().map(TaskFuture::result)).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
    }

    /** The same with a Context: each coroutine binds its own request, and what it spawns sees it too. */
    @Test
    void contextKeepsEachRequestsValueAndPassesItToChildren() {
        final CountDownLatch allBound = new CountDownLatch(REQUESTS);
        final List<TaskFuture<List<Integer>>> requests = IntStream.range(0, REQUESTS)
                .mapToObj(num -> Coro.spawn(() -> Context.current().with(REQUEST, num).call(() -> {
                    allBound.countDown();
                    allBound.await();
                    Coro.sleep(Duration.ofMillis(10));
                    return List.of(REQUEST.get(), Coro.spawn(REQUEST::get).result());
                })))
                .toList();
        assertThat(requests.stream().map(TaskFuture::result))
                .containsExactlyElementsOf(IntStream.range(0, REQUESTS).mapToObj(num -> List.of(num, num)).toList());
    }

    /** A ThreadLocal, unlike a Context, is not passed to a spawned child. */
    @Test
    void threadLocalIsNotInheritedButContextIs() throws Exception {
        final ThreadLocal<String> local = new ThreadLocal<>();
        local.set("parent");
        try {
            assertThat(Coro.spawn(local::get).result()).isNull();
            assertThat(Context.current().with(USER, "parent").call(() -> Coro.spawn(USER::get)).result())
                    .isEqualTo("parent");
        } finally {
            local.remove();
        }
    }
}
