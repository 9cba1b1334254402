package io.mlhub.proxy.http;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;

/** Tells the network errors that happen in normal operation (a peer resets or goes away) from real faults. */
final class NetErrors {
    private NetErrors() {}

    /** Returns whether an error is expected network noise, logged at DEBUG only. */
    static boolean isExpected(Throwable cause) {
        // Resets, broken pipes and closed channels all surface as IOExceptions, both from NIO and from epoll.
        return cause instanceof ClosedChannelException || cause instanceof IOException;
    }
}
