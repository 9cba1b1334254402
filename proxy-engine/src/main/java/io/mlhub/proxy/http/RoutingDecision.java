package io.mlhub.proxy.http;

import io.mlhub.proxy.route.Route;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.jspecify.annotations.Nullable;

/** What {@link RequestRouter} decided for a request head. */
sealed interface RoutingDecision {

    /**
     * Relay the request to {@code host:port} with request target {@code uri}.
     *
     * @param toolPrefix the path prefix a tool route removed, for {@code X-Forwarded-Prefix}, or {@code null}
     */
    record Forward(Route route, String host, int port, String uri, @Nullable String toolPrefix)
            implements RoutingDecision {}

    /** Respond with {@code status}; {@code reason} is for the DEBUG log only. */
    record Reject(HttpResponseStatus status, String reason) implements RoutingDecision {}

    /** Respond to configurable-http-proxy's health check, {@code GET /_chp_healthz}. */
    record HealthCheck() implements RoutingDecision {}
}
