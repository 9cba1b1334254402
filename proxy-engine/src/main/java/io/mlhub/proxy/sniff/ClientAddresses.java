package io.mlhub.proxy.sniff;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * The address of the client behind a connection, which differs from the socket's peer address when a
 * trusted load balancer announced it in a PROXY protocol header.
 */
public final class ClientAddresses {
    /** Channel attribute set by the sniffer when a PROXY protocol header named the client. */
    static final AttributeKey<InetSocketAddress> PROXIED_CLIENT = AttributeKey.valueOf("mlhub.proxiedClient");

    private ClientAddresses() {}

    /** Returns the client's address: the one from a PROXY protocol header if any, else the peer address. */
    public static InetSocketAddress remote(Channel channel) {
        InetSocketAddress proxied = channel.attr(PROXIED_CLIENT).get();
        return proxied != null ? proxied : toInet(channel.remoteAddress());
    }

    /** Returns the address the client connected to. */
    public static InetSocketAddress local(Channel channel) {
        return toInet(channel.localAddress());
    }

    /** Returns the address itself, or loopback port 0 for the local non-IP transports (unix sockets, tests). */
    private static InetSocketAddress toInet(SocketAddress address) {
        if (address instanceof InetSocketAddress inet) {
            return inet;
        }
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    }
}
