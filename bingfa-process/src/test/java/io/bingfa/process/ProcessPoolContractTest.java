package io.bingfa.process;

import io.bingfa.pool.Pool;
import io.bingfa.pool.PoolContract;

/** The pool contract of bingfa-core, unchanged, against worker JVMs. */
class ProcessPoolContractTest extends PoolContract {
    @Override
    protected Pool newPool(final int concurrency) {
        return ProcessPool.builder().workers(concurrency).build();
    }
}
