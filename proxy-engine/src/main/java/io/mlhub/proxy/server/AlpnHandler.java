package io.mlhub.proxy.server;

import static java.util.Objects.requireNonNull;

import io.mlhub.proxy.http.ClientConnection;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Waits for the TLS handshake and installs the handlers of the protocol ALPN chose. A client that
 * offers no ALPN gets HTTP/1.1. Only {@code http/1.1} is offered today; an {@code h2} case goes here.
 */
final class AlpnHandler extends ApplicationProtocolNegotiationHandler {
    private static final Logger logger = LoggerFactory.getLogger(AlpnHandler.class);

    private final ClientConnection connection;
    private final HttpStage http;

    AlpnHandler(ClientConnection connection, HttpStage http) {
        super(ApplicationProtocolNames.HTTP_1_1);
        this.connection = requireNonNull(connection, "connection");
        this.http = requireNonNull(http, "http");
    }

    @Override
    protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
        if (ApplicationProtocolNames.HTTP_1_1.equals(protocol)) {
            logger.debug("{} tls handshake done alpn={}", ctx.channel(), protocol);
            http.install(ctx.pipeline(), connection);
            return;
        }
        logger.debug("{} closed: unsupported alpn protocol={}", ctx.channel(), protocol);
        ctx.close();
    }

    @Override
    protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
        NetErrors.logAndClose(ctx.channel(), "tls handshake", cause);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        NetErrors.logAndClose(ctx.channel(), "tls", cause);
    }
}
