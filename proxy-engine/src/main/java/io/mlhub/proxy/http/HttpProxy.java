package io.mlhub.proxy.http;

import io.mlhub.proxy.auth.CredentialResolver;
import io.mlhub.proxy.route.RouteTable;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.ChannelPipeline;

/**
 * The HTTP and websocket reverse proxy behind the public port. One instance serves every connection;
 * the port's sniffer calls {@link #install} once it knows a connection speaks HTTP/1.1.
 */
public final class HttpProxy implements AutoCloseable {

    private HttpProxy() {}

    public static Builder builder(RouteTable routes) {
        return new Builder(routes);
    }

    /** Adds the HTTP handlers to a connection's pipeline, after TLS if there is any. */
    public void install(ChannelPipeline pipeline, ClientConnection connection) {
        throw new UnsupportedOperationException("not built yet");
    }

    /** Closes pooled upstream connections. */
    @Override
    public void close() {}

    /** Builds an {@link HttpProxy}. */
    public static final class Builder {
        private final RouteTable routes;

        private Builder(RouteTable routes) {
            this.routes = routes;
        }

        public Builder config(HttpProxyConfig config) {
            return this;
        }

        public Builder credentialResolver(CredentialResolver resolver) {
            return this;
        }

        public Builder meterRegistry(MeterRegistry registry) {
            return this;
        }

        public HttpProxy build() {
            return new HttpProxy();
        }
    }
}
