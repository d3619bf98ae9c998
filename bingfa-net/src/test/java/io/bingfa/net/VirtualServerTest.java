package io.bingfa.net;

/** The contract on virtual threads: gevent's StreamServer. */
class VirtualServerTest extends BlockingServerContract {
    @Override
    ServerModel model() {
        return ServerModel.VIRTUAL;
    }
}
