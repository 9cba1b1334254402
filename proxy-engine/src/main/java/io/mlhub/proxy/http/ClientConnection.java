package io.mlhub.proxy.http;

import static java.util.Objects.requireNonNull;

import java.net.InetSocketAddress;

/**
 * What the public port learned about a client connection before HTTP starts.
 *
 * @param remoteAddress the client's address, taken from a trusted PROXY protocol header when there was one
 * @param localAddress the address the client connected to
 * @param secure whether the connection is TLS
 */
public record ClientConnection(InetSocketAddress remoteAddress, InetSocketAddress localAddress, boolean secure) {
    public ClientConnection {
        requireNonNull(remoteAddress, "remoteAddress");
        requireNonNull(localAddress, "localAddress");
    }
}
