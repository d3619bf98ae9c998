package io.bingfa.pool;

class ThreadPoolContractTest extends PoolContract {
    @Override
    protected Pool newPool(final int concurrency) {
        return Pools.threads(concurrency);
    }
}
