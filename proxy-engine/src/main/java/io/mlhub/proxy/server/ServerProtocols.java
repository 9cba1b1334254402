package io.mlhub.proxy.server;

import static java.util.Objects.requireNonNull;

import io.mlhub.proxy.http.ClientConnection;
import io.mlhub.proxy.metrics.ProxyMetrics;
import io.mlhub.proxy.sniff.PortProtocols;
import io.mlhub.proxy.ssh.SshAcceptor;
import io.mlhub.proxy.tls.ServerTlsContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.SslHandler;
import org.jspecify.annotations.Nullable;

/** The protocols of the public port as {@link ProxyServer} wires them, with connection counting. */
final class ServerProtocols implements PortProtocols {
    private final @Nullable ServerTlsContext tls;
    private final HttpStage http;
    private final SshAcceptor ssh;
    private final ProxyMetrics metrics;

    ServerProtocols(@Nullable ServerTlsContext tls, HttpStage http, SshAcceptor ssh, ProxyMetrics metrics) {
        this.tls = tls;
        this.http = requireNonNull(http, "http");
        this.metrics = requireNonNull(metrics, "metrics");
        requireNonNull(ssh, "ssh");
        this.ssh = (channel, received) -> {
            metrics.track(channel, ProxyMetrics.Protocol.SSH);
            ssh.accept(channel, received);
        };
    }

    @Override
    public boolean tlsEnabled() {
        return tls != null;
    }

    @Override
    public void installTls(ChannelPipeline pipeline, ClientConnection connection) {
        if (tls == null) {
            throw new IllegalStateException("tls is not enabled on this port");
        }
        metrics.track(pipeline.channel(), ProxyMetrics.Protocol.TLS);
        SslHandler sslHandler = tls.newHandler(pipeline.channel().alloc());
        pipeline.addLast("tls", sslHandler);
        pipeline.addLast("alpn", new AlpnHandler(connection, http));
    }

    @Override
    public void installPlainHttp(ChannelPipeline pipeline, ClientConnection connection) {
        metrics.track(pipeline.channel(), ProxyMetrics.Protocol.HTTP);
        if (tls != null) {
            http.installHttpsRedirect(pipeline);
            return;
        }
        http.install(pipeline, connection);
    }

    @Override
    public SshAcceptor sshAcceptor() {
        return ssh;
    }
}
