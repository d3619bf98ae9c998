package io.bingfa.pool;

/** {@link Pools#virtual()}: every task gets its virtual thread at once, so nothing is ever queued. */
class UnboundedVirtualPoolContractTest extends PoolContract {
    @Override
    protected Pool newPool(final int concurrency) {
        return Pools.virtual();
    }

    @Override
    protected boolean queuesTasks() {
        return false;
    }
}
