package io.mlhub.proxy.server;

import static java.util.Objects.requireNonNull;

import io.mlhub.proxy.http.ClientConnection;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.ReadTimeoutHandler;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * Installs HTTP on a connection: the proxy when the server is ready, else a 503 response with
 * {@code Retry-After}. The readiness is checked once per connection, and the 503 closes the connection,
 * so the client's next attempt sees the current state.
 */
final class HttpStage {
    /** How long a client may take to send a request that gets a fixed response. */
    static final Duration FIXED_RESPONSE_READ_TIMEOUT = Duration.ofSeconds(30);

    private final HttpInstaller installer;
    private final AtomicBoolean ready;
    private final Duration retryAfter;

    HttpStage(HttpInstaller installer, AtomicBoolean ready, Duration retryAfter) {
        this.installer = requireNonNull(installer, "installer");
        this.ready = requireNonNull(ready, "ready");
        this.retryAfter = requireNonNull(retryAfter, "retryAfter");
    }

    void install(ChannelPipeline pipeline, ClientConnection connection) {
        if (ready.get()) {
            installer.install(pipeline, connection);
            return;
        }
        installFixedResponse(pipeline, this::serviceUnavailable);
    }

    /** Installs the redirect of plain HTTP requests to HTTPS. */
    void installHttpsRedirect(ChannelPipeline pipeline) {
        installFixedResponse(pipeline, HttpsRedirects::redirect);
    }

    private static void installFixedResponse(
            ChannelPipeline pipeline, Function<HttpRequest, FullHttpResponse> responder) {
        pipeline.addLast("read-timeout",
                new ReadTimeoutHandler(FIXED_RESPONSE_READ_TIMEOUT.toSeconds(), TimeUnit.SECONDS));
        pipeline.addLast("http-codec", new HttpServerCodec());
        pipeline.addLast("fixed-response", new RespondThenCloseHandler(responder));
    }

    private FullHttpResponse serviceUnavailable(HttpRequest request) {
        FullHttpResponse response = RespondThenCloseHandler.textResponse(
                HttpResponseStatus.SERVICE_UNAVAILABLE, "the hub is starting, retry in a few seconds\n");
        response.headers().set(HttpHeaderNames.RETRY_AFTER, retryAfter.toSeconds());
        return response;
    }
}
