package io.mlhub.proxy.http;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Settings of the HTTP proxy. {@link #defaults()} works on one machine; {@link #builder()} changes single values.
 *
 * @param baseUrl path under which the hub serves everything, starting and ending with {@code /}
 * @param loginUrl where browsers without valid credentials are redirected, with {@code next=} appended
 * @param sessionCookieName name of the hub's session cookie that the edge check reads
 * @param addForwardedHeaders whether requests get {@code X-Forwarded-For/Proto/Host/Port}; {@code false} relays the
 *     client's own forwarded headers untouched, as configurable-http-proxy's {@code --no-x-forward} does
 * @param trustForwardedHeaders whether the client is a trusted proxy: {@code true} appends to the
 *     {@code X-Forwarded-For} the client sent and keeps its {@code X-Forwarded-Proto/Host/Port} and
 *     {@code Forwarded}; {@code false} replaces all of them with what this proxy saw
 * @param hostRouting whether the first segment of every route key is a host name matched against the
 *     {@code Host} header, as configurable-http-proxy's {@code --host-routing} does
 * @param toolPorts ports that {@code <workspace route>/tools/<port>/...} may reach on the workspace's host; empty
 *     turns tool routes off
 * @param requestHeadTimeout time a client has to send a complete request head, counted from the connection
 *     start or the end of the previous response; also the keep-alive timeout between requests
 * @param upstreamConnectTimeout time allowed to open a connection to an upstream (504 when exceeded)
 * @param upstreamIdleTimeout time without traffic on either leg while a request is in progress (504 before the
 *     response head, otherwise both connections close)
 * @param websocketIdleTimeout time without traffic in either direction after which a websocket tunnel closes
 * @param pooledIdleTimeout time an idle keep-alive upstream connection stays in the pool
 * @param maxPooledConnectionsPerTarget maximum idle connections kept per upstream address and event loop
 * @param maxInitialLineLength maximum length of a request line in bytes (414 when exceeded)
 * @param maxHeaderSize maximum size of all request headers in bytes (431 when exceeded)
 * @param maxChunkSize maximum size of one body piece the decoder passes on; bodies of any size still stream
 * @param credentialCacheExpiry how long a resolved session cookie or token is cached
 * @param credentialCacheSize maximum number of cached session cookies, and of cached tokens
 * @param errorTarget server of the error pages, or {@code null} for plain-text errors: the page of a 404, 502, 503
 *     or 504 the proxy makes itself is {@code GET <errorTarget>/<status>?url=<request URI>}, as with
 *     configurable-http-proxy's {@code --error-target}
 */
public record HttpProxyConfig(
        String baseUrl,
        String loginUrl,
        String sessionCookieName,
        boolean addForwardedHeaders,
        boolean trustForwardedHeaders,
        boolean hostRouting,
        Set<Integer> toolPorts,
        Duration requestHeadTimeout,
        Duration upstreamConnectTimeout,
        Duration upstreamIdleTimeout,
        Duration websocketIdleTimeout,
        Duration pooledIdleTimeout,
        int maxPooledConnectionsPerTarget,
        int maxInitialLineLength,
        int maxHeaderSize,
        int maxChunkSize,
        Duration credentialCacheExpiry,
        long credentialCacheSize,
        @Nullable URI errorTarget) {

    public HttpProxyConfig {
        requireNonNull(baseUrl, "baseUrl");
        requireNonNull(loginUrl, "loginUrl");
        requireNonNull(sessionCookieName, "sessionCookieName");
        toolPorts = Set.copyOf(requireNonNull(toolPorts, "toolPorts"));
        if (!baseUrl.startsWith("/") || !baseUrl.endsWith("/")) {
            throw new IllegalArgumentException("baseUrl: " + baseUrl + " (expected: starts and ends with '/')");
        }
        if (loginUrl.isEmpty()) {
            throw new IllegalArgumentException("loginUrl: empty (expected: a path or absolute URL)");
        }
        if (sessionCookieName.isEmpty()) {
            throw new IllegalArgumentException("sessionCookieName: empty (expected: a cookie name)");
        }
        for (int port : toolPorts) {
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("toolPorts: " + port + " (expected: 1-65535)");
            }
        }
        requirePositive(requestHeadTimeout, "requestHeadTimeout");
        requirePositive(upstreamConnectTimeout, "upstreamConnectTimeout");
        requirePositive(upstreamIdleTimeout, "upstreamIdleTimeout");
        requirePositive(websocketIdleTimeout, "websocketIdleTimeout");
        requirePositive(pooledIdleTimeout, "pooledIdleTimeout");
        requirePositive(credentialCacheExpiry, "credentialCacheExpiry");
        requirePositive(maxPooledConnectionsPerTarget, "maxPooledConnectionsPerTarget");
        requirePositive(maxInitialLineLength, "maxInitialLineLength");
        requirePositive(maxHeaderSize, "maxHeaderSize");
        requirePositive(maxChunkSize, "maxChunkSize");
        requirePositive(credentialCacheSize, "credentialCacheSize");
        if (errorTarget != null && !isHttpUrl(errorTarget)) {
            throw new IllegalArgumentException("errorTarget: " + errorTarget + " (expected: an http:// or https:// URL)");
        }
    }

    private static boolean isHttpUrl(URI uri) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        return (scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null;
    }

    /** Returns the default settings: base URL {@code /}, login at {@code /hub/login}, no tool ports. */
    public static HttpProxyConfig defaults() {
        return builder().build();
    }

    /** Returns a builder that starts from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** Returns a builder that starts from these settings. */
    public Builder toBuilder() {
        Builder builder = new Builder();
        builder.baseUrl = baseUrl;
        builder.loginUrl = loginUrl;
        builder.sessionCookieName = sessionCookieName;
        builder.addForwardedHeaders = addForwardedHeaders;
        builder.trustForwardedHeaders = trustForwardedHeaders;
        builder.hostRouting = hostRouting;
        builder.toolPorts = toolPorts;
        builder.requestHeadTimeout = requestHeadTimeout;
        builder.upstreamConnectTimeout = upstreamConnectTimeout;
        builder.upstreamIdleTimeout = upstreamIdleTimeout;
        builder.websocketIdleTimeout = websocketIdleTimeout;
        builder.pooledIdleTimeout = pooledIdleTimeout;
        builder.maxPooledConnectionsPerTarget = maxPooledConnectionsPerTarget;
        builder.maxInitialLineLength = maxInitialLineLength;
        builder.maxHeaderSize = maxHeaderSize;
        builder.maxChunkSize = maxChunkSize;
        builder.credentialCacheExpiry = credentialCacheExpiry;
        builder.credentialCacheSize = credentialCacheSize;
        builder.errorTarget = errorTarget;
        return builder;
    }

    private static void requirePositive(Duration value, String name) {
        requireNonNull(value, name);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: > 0)");
        }
    }

    private static void requirePositive(long value, String name) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: > 0)");
        }
    }

    /** Builds an {@link HttpProxyConfig}; every setting starts at its default. */
    public static final class Builder {
        private String baseUrl = "/";
        private String loginUrl = "";
        private String sessionCookieName = "mlhub-session";
        private boolean addForwardedHeaders = true;
        private boolean trustForwardedHeaders;
        private boolean hostRouting;
        private Set<Integer> toolPorts = Set.of();
        private Duration requestHeadTimeout = Duration.ofSeconds(60);
        private Duration upstreamConnectTimeout = Duration.ofSeconds(10);
        private Duration upstreamIdleTimeout = Duration.ofMinutes(5);
        private Duration websocketIdleTimeout = Duration.ofHours(1);
        private Duration pooledIdleTimeout = Duration.ofSeconds(30);
        // With 64, wrk at 400 keep-alive connections over TLS on 127.0.0.1 (4 event loops, one target) made the
        // proxy close and reopen an upstream connection for up to one request in five, because more than 64 per
        // event loop sat idle between requests. Idle connections still close after pooledIdleTimeout.
        private int maxPooledConnectionsPerTarget = 256;
        private int maxInitialLineLength = 8192;
        private int maxHeaderSize = 16384;
        private int maxChunkSize = 65536;
        private Duration credentialCacheExpiry = Duration.ofSeconds(30);
        private long credentialCacheSize = 10_000;
        private @Nullable URI errorTarget;

        private Builder() {}

        /** Sets the base URL (default {@code /}); a missing leading or trailing slash is added. */
        public Builder baseUrl(String baseUrl) {
            String url = requireNonNull(baseUrl, "baseUrl");
            url = url.startsWith("/") ? url : "/" + url;
            this.baseUrl = url.endsWith("/") ? url : url + "/";
            return this;
        }

        /** Sets the login URL (default {@code <baseUrl>hub/login}). */
        public Builder loginUrl(String loginUrl) {
            this.loginUrl = requireNonNull(loginUrl, "loginUrl");
            return this;
        }

        /** Sets the session cookie name (default {@code mlhub-session}). */
        public Builder sessionCookieName(String sessionCookieName) {
            this.sessionCookieName = sessionCookieName;
            return this;
        }

        /** Sets whether requests get {@code X-Forwarded-*} headers (default {@code true}). */
        public Builder addForwardedHeaders(boolean addForwardedHeaders) {
            this.addForwardedHeaders = addForwardedHeaders;
            return this;
        }

        /** Sets whether forwarded headers from clients are trusted (default {@code false}). */
        public Builder trustForwardedHeaders(boolean trustForwardedHeaders) {
            this.trustForwardedHeaders = trustForwardedHeaders;
            return this;
        }

        /** Sets whether route keys start with a host name (default {@code false}). */
        public Builder hostRouting(boolean hostRouting) {
            this.hostRouting = hostRouting;
            return this;
        }

        /** Sets the ports tool routes may reach (default none). */
        public Builder toolPorts(Set<Integer> toolPorts) {
            this.toolPorts = toolPorts;
            return this;
        }

        /** Sets the request head timeout (default 60 s). */
        public Builder requestHeadTimeout(Duration timeout) {
            this.requestHeadTimeout = timeout;
            return this;
        }

        /** Sets the upstream connect timeout (default 10 s). */
        public Builder upstreamConnectTimeout(Duration timeout) {
            this.upstreamConnectTimeout = timeout;
            return this;
        }

        /** Sets the idle timeout of a request in progress (default 5 min). */
        public Builder upstreamIdleTimeout(Duration timeout) {
            this.upstreamIdleTimeout = timeout;
            return this;
        }

        /** Sets the websocket idle timeout (default 1 h). */
        public Builder websocketIdleTimeout(Duration timeout) {
            this.websocketIdleTimeout = timeout;
            return this;
        }

        /** Sets how long an idle upstream connection stays pooled (default 30 s). */
        public Builder pooledIdleTimeout(Duration timeout) {
            this.pooledIdleTimeout = timeout;
            return this;
        }

        /** Sets the maximum idle upstream connections per address and event loop (default 256). */
        public Builder maxPooledConnectionsPerTarget(int max) {
            this.maxPooledConnectionsPerTarget = max;
            return this;
        }

        /** Sets the maximum request line length in bytes (default 8192). */
        public Builder maxInitialLineLength(int max) {
            this.maxInitialLineLength = max;
            return this;
        }

        /** Sets the maximum size of the request headers in bytes (default 16384). */
        public Builder maxHeaderSize(int max) {
            this.maxHeaderSize = max;
            return this;
        }

        /** Sets the maximum size of one decoded body piece in bytes (default 65536). */
        public Builder maxChunkSize(int max) {
            this.maxChunkSize = max;
            return this;
        }

        /** Sets how long resolved credentials are cached (default 30 s). */
        public Builder credentialCacheExpiry(Duration expiry) {
            this.credentialCacheExpiry = expiry;
            return this;
        }

        /** Sets the maximum number of cached credentials per kind (default 10,000). */
        public Builder credentialCacheSize(long size) {
            this.credentialCacheSize = size;
            return this;
        }

        /** Sets the server of the error pages (default none: plain-text errors). */
        public Builder errorTarget(@Nullable URI target) {
            this.errorTarget = target;
            return this;
        }

        public HttpProxyConfig build() {
            String login = loginUrl.isEmpty() ? baseUrl + "hub/login" : loginUrl;
            return new HttpProxyConfig(baseUrl, login, sessionCookieName, addForwardedHeaders, trustForwardedHeaders,
                    hostRouting, toolPorts, requestHeadTimeout, upstreamConnectTimeout, upstreamIdleTimeout,
                    websocketIdleTimeout, pooledIdleTimeout, maxPooledConnectionsPerTarget, maxInitialLineLength,
                    maxHeaderSize, maxChunkSize, credentialCacheExpiry, credentialCacheSize, errorTarget);
        }
    }
}
