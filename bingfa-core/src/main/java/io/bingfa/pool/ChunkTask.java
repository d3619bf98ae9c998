package io.bingfa.pool;

import io.bingfa.future.Outcome;
import java.io.Serial;
import java.util.ArrayList;
import java.util.List;

/**
 * One chunk of a {@link Pool#map}: applies {@code fn} to each input in order and stops at the first that
 * throws, so that the consumer gets every result before the failure and then the failure itself, at its
 * place (Python's {@code _process_chunk} loses the whole chunk instead).
 */
record ChunkTask<T, R>(SerializableFunction<? super T, ? extends R> fn, List<T> inputs)
        implements SerializableCallable<List<Outcome<R>>> {
    @Serial
    private static final long serialVersionUID = 1L;

    @Override
    public List<Outcome<R>> call() {
        final List<Outcome<R>> out = new ArrayList<>(inputs.size());
        for (T input : inputs) {
            try {
                out.add(new Outcome.Value<>(fn.apply(input)));
            } catch (Exception e) {
                out.add(new Outcome.Failure<>(e));
                break;
            }
        }
        return out;
    }
}
