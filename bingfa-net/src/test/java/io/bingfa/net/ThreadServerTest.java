package io.bingfa.net;

/** The contract on platform threads: the seed's threaded server. */
class ThreadServerTest extends BlockingServerContract {
    @Override
    ServerModel model() {
        return ServerModel.THREAD;
    }
}
