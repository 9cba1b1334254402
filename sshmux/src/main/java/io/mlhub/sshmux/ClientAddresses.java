package io.mlhub.sshmux;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.sshd.server.session.ServerSession;

/**
 * The real client address of each SSH session. A session handed over in-process has the client's own address as
 * its remote address. A session relayed over loopback has the relay's local address instead, so the relay
 * registers the client behind it here under that address, for logs and login rate limits.
 */
final class ClientAddresses {

    private final Map<SocketAddress, SocketAddress> relayed = new ConcurrentHashMap<>();

    void register(SocketAddress relayAddress, SocketAddress client) {
        relayed.put(relayAddress, client);
    }

    void unregister(SocketAddress relayAddress) {
        relayed.remove(relayAddress);
    }

    /** Returns the address of the client behind {@code session}. */
    SocketAddress clientAddress(ServerSession session) {
        SocketAddress seen = session.getClientAddress();
        return seen == null ? null : relayed.getOrDefault(seen, seen);
    }

    /** Returns the client's IP address as text, the key of per-address rate limits. */
    String clientHost(ServerSession session) {
        SocketAddress address = clientAddress(session);
        if (address instanceof InetSocketAddress inet && inet.getAddress() != null) {
            return inet.getAddress().getHostAddress();
        }
        return String.valueOf(address);
    }

    int relayedCount() {
        return relayed.size();
    }
}
