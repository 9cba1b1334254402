package io.mlhub.proxy.http;

import io.mlhub.proxy.route.Route;
import io.mlhub.proxy.route.RouteKeys;
import io.mlhub.proxy.route.RouteTable;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.net.URI;
import org.jspecify.annotations.Nullable;

/**
 * Turns a request head into a {@link RoutingDecision}: checks the framing, normalizes the path, matches the route
 * (with the host as first key segment under host routing) and computes the upstream address and request target,
 * including tool routes ({@code <workspace route>/tools/<port>/...}). It has no state of its own.
 */
final class RequestRouter {
    private static final String HEALTH_CHECK_PATH = "/_chp_healthz";
    private static final String TOOLS_SEGMENT = "/tools/";
    private static final RoutingDecision.HealthCheck HEALTH_CHECK = new RoutingDecision.HealthCheck();

    private final RouteTable routes;
    private final HttpProxyConfig config;

    RequestRouter(RouteTable routes, HttpProxyConfig config) {
        this.routes = routes;
        this.config = config;
    }

    RoutingDecision route(HttpRequest head) {
        String framingProblem = framingProblem(head.headers());
        if (framingProblem != null) {
            return new RoutingDecision.Reject(HttpResponseStatus.BAD_REQUEST, framingProblem);
        }
        try {
            return routePath(head);
        } catch (IllegalArgumentException e) {
            return new RoutingDecision.Reject(HttpResponseStatus.BAD_REQUEST, "invalid request: " + e.getMessage());
        }
    }

    /**
     * Returns why the request's body framing is ambiguous, or {@code null} when it is clear. The decoder already
     * rejects differing Content-Length values and Content-Length next to Transfer-Encoding.
     */
    private static @Nullable String framingProblem(HttpHeaders headers) {
        int transferEncodings = 0;
        for (String value : headers.getAll(HttpHeaderNames.TRANSFER_ENCODING)) {
            transferEncodings++;
            if (!HttpHeaderValues.CHUNKED.contentEqualsIgnoreCase(value.trim())) {
                return "unsupported Transfer-Encoding: " + value;
            }
        }
        if (transferEncodings > 1) {
            return "repeated Transfer-Encoding header";
        }
        return null;
    }

    private RoutingDecision routePath(HttpRequest head) {
        String uri = originFormUri(head.uri());
        int queryStart = uri.indexOf('?');
        String rawPath = queryStart < 0 ? uri : uri.substring(0, queryStart);
        String query = queryStart < 0 ? "" : uri.substring(queryStart);
        if (rawPath.indexOf('#') >= 0) {
            throw new IllegalArgumentException("fragment in request target");
        }
        if (rawPath.equals(HEALTH_CHECK_PATH) && head.method() == HttpMethod.GET) {
            return HEALTH_CHECK;
        }

        String normalized = RouteKeys.normalize(rawPath);
        String key = RouteKeys.stripTrailingSlash(normalized);
        int hostPartLength = 0;
        if (config.hostRouting()) {
            String host = RelayHeaders.hostWithoutPort(head.headers().get(HttpHeaderNames.HOST));
            if (host != null) {
                if (!RelayHeaders.isValidHost(host)) {
                    throw new IllegalArgumentException("invalid Host header");
                }
                key = "/" + host + (key.length() == 1 ? "" : key);
                hostPartLength = host.length() + 1;
            }
        }

        Route route = routes.match(key);
        if (route == null) {
            return new RoutingDecision.Reject(HttpResponseStatus.NOT_FOUND, "no route");
        }
        return forward(route, normalized, query, hostPartLength);
    }

    /** Returns the path and query of a request target, turning the absolute form into the origin form. */
    private static String originFormUri(String uri) {
        if (uri.startsWith("/")) {
            return uri;
        }
        int scheme = uri.indexOf("://");
        if (scheme > 0 && (uri.startsWith("http://") || uri.startsWith("https://"))) {
            int pathStart = uri.indexOf('/', scheme + 3);
            int queryStart = uri.indexOf('?', scheme + 3);
            if (pathStart < 0 || (queryStart >= 0 && queryStart < pathStart)) {
                return queryStart < 0 ? "/" : "/" + uri.substring(queryStart);
            }
            return uri.substring(pathStart);
        }
        throw new IllegalArgumentException("request target is neither a path nor an http URL");
    }

    private RoutingDecision forward(Route route, String normalized, String query, int hostPartLength) {
        URI target = route.target();
        if (!"http".equals(target.getScheme()) || target.getHost() == null) {
            // TODO: https:// and unix-socket targets are not relayed yet; requests on such routes get 502.
            return new RoutingDecision.Reject(HttpResponseStatus.BAD_GATEWAY, "unsupported target " + target);
        }

        // The part of the normalized path below the route prefix; a host route's prefix starts with the host.
        int prefixLength = route.prefix().length() == 1 ? 0 : Math.max(0, route.prefix().length() - hostPartLength);
        String remainder = normalized.substring(Math.min(prefixLength, normalized.length()));
        String targetPath = target.getRawPath() == null ? "" : target.getRawPath();
        int port = target.getPort() < 0 ? 80 : target.getPort();
        if (route.user() == null || config.toolPorts().isEmpty() || !remainder.startsWith(TOOLS_SEGMENT)) {
            String uri = withQuery(joinPath(targetPath, normalized), query);
            return new RoutingDecision.Forward(route, target.getHost(), port, uri, null);
        }

        int portEnd = remainder.indexOf('/', TOOLS_SEGMENT.length());
        portEnd = portEnd < 0 ? remainder.length() : portEnd;
        int toolPort = parsePort(remainder, TOOLS_SEGMENT.length(), portEnd);
        if (toolPort < 0 || !config.toolPorts().contains(toolPort)) {
            return new RoutingDecision.Reject(HttpResponseStatus.FORBIDDEN, "tool port not allowed");
        }
        String toolPath = portEnd < remainder.length() ? remainder.substring(portEnd) : "/";
        String toolPrefix = normalized.substring(0, prefixLength) + remainder.substring(0, portEnd);
        return new RoutingDecision.Forward(route, target.getHost(), toolPort, withQuery(toolPath, query), toolPrefix);
    }

    private static int parsePort(String text, int start, int end) {
        if (end - start < 1 || end - start > 5) {
            return -1;
        }
        int port = 0;
        for (int i = start; i < end; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            port = port * 10 + (c - '0');
        }
        return port >= 1 && port <= 65535 ? port : -1;
    }

    /** Appends a query (with its '?') to a path; without a query the path is returned as it is, uncopied. */
    private static String withQuery(String path, String query) {
        return query.isEmpty() ? path : path + query;
    }

    private static String joinPath(String targetPath, String path) {
        if (targetPath.isEmpty() || targetPath.equals("/")) {
            return path;
        }
        String base = targetPath.endsWith("/") ? targetPath.substring(0, targetPath.length() - 1) : targetPath;
        return base + path;
    }
}
