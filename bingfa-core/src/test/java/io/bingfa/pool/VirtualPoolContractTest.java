package io.bingfa.pool;

/** {@link Pools#virtual(int)}, the gevent {@code Pool(size)} flavour. */
class VirtualPoolContractTest extends PoolContract {
    @Override
    protected Pool newPool(final int concurrency) {
        return Pools.virtual(concurrency);
    }
}
