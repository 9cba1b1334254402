package io.mlhub.proxy.server;

import io.mlhub.proxy.http.ClientConnection;
import io.netty.channel.ChannelPipeline;

/**
 * Adds the HTTP/1.1 handlers to a connection once the sniffer has detected HTTP, after TLS if any.
 * {@code HttpProxy::install} is the production one.
 */
@FunctionalInterface
public interface HttpInstaller {

    /** Adds the handlers at the end of {@code pipeline}. Called on the channel's event loop. */
    void install(ChannelPipeline pipeline, ClientConnection connection);
}
