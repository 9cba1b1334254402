package io.mlhub.proxy.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.util.AsciiString;

/**
 * Header rewriting between the two legs: hop-by-hop headers (RFC 9110 section 7.6.1) are dropped in both
 * directions, together with every header the {@code Connection} header names, and the {@code X-Forwarded-*}
 * headers are set on requests.
 */
final class RelayHeaders {
    private static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");
    private static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("x-forwarded-proto");
    private static final AsciiString X_FORWARDED_HOST = AsciiString.cached("x-forwarded-host");
    private static final AsciiString X_FORWARDED_PORT = AsciiString.cached("x-forwarded-port");
    private static final AsciiString X_FORWARDED_PREFIX = AsciiString.cached("x-forwarded-prefix");
    private static final AsciiString FORWARDED = AsciiString.cached("forwarded");
    private static final AsciiString PROXY_CONNECTION = AsciiString.cached("proxy-connection");
    private static final AsciiString HTTPS = AsciiString.cached("https");
    private static final AsciiString HTTP = AsciiString.cached("http");
    private static final AsciiString PORT_443 = AsciiString.cached("443");
    private static final AsciiString PORT_80 = AsciiString.cached("80");

    private RelayHeaders() {}

    /**
     * Drops the hop-by-hop headers of a message, and those its {@code Connection} header names except
     * {@code Host} and {@code Content-Length}. {@code Transfer-Encoding} goes as well: the relay frames the body
     * again for the other leg.
     */
    static void removeHopByHop(HttpHeaders headers) {
        String connection = headers.get(HttpHeaderNames.CONNECTION);
        // Most messages carry only keep-alive or close, which name no header, so the list is skipped for them.
        if (connection != null && !isKeepAliveOrClose(connection)) {
            for (String value : headers.getAll(HttpHeaderNames.CONNECTION)) {
                removeNamedHeaders(headers, value);
            }
        }
        headers.remove(HttpHeaderNames.CONNECTION)
                .remove(HttpHeaderNames.KEEP_ALIVE)
                .remove(PROXY_CONNECTION)
                .remove(HttpHeaderNames.PROXY_AUTHORIZATION)
                .remove(HttpHeaderNames.TE)
                .remove(HttpHeaderNames.TRAILER)
                .remove(HttpHeaderNames.TRANSFER_ENCODING)
                .remove(HttpHeaderNames.UPGRADE);
    }

    private static boolean isKeepAliveOrClose(String connection) {
        return HttpHeaderValues.KEEP_ALIVE.contentEqualsIgnoreCase(connection)
                || HttpHeaderValues.CLOSE.contentEqualsIgnoreCase(connection);
    }

    private static void removeNamedHeaders(HttpHeaders headers, String connectionValue) {
        int start = 0;
        while (start < connectionValue.length()) {
            int end = connectionValue.indexOf(',', start);
            if (end < 0) {
                end = connectionValue.length();
            }
            String name = connectionValue.substring(start, end).trim();
            if (!name.isEmpty()
                    && !HttpHeaderValues.CLOSE.contentEqualsIgnoreCase(name)
                    && !HttpHeaderValues.KEEP_ALIVE.contentEqualsIgnoreCase(name)
                    && !HttpHeaderValues.UPGRADE.contentEqualsIgnoreCase(name)
                    && !HttpHeaderNames.HOST.contentEqualsIgnoreCase(name)
                    && !HttpHeaderNames.CONTENT_LENGTH.contentEqualsIgnoreCase(name)) {
                headers.remove(name);
            }
            start = end + 1;
        }
    }

    /** Marks a message that carries a body of unknown length as chunked, as it is sent on the other leg. */
    static void frameAsChunked(HttpMessage message) {
        message.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
    }

    /** Restores the headers of a websocket upgrade after {@link #removeHopByHop} removed them. */
    static void addWebsocketUpgrade(HttpHeaders headers) {
        headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE)
                .set(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET);
    }

    /**
     * Sets the {@code X-Forwarded-*} headers of a request. With {@code trusted}, the client's
     * {@code X-Forwarded-For} is extended and its other forwarded headers are kept when present; otherwise every
     * forwarded header the client sent is replaced, so a client cannot pose as someone else.
     */
    static void setForwarded(HttpHeaders headers, ClientConnection connection, boolean trusted) {
        setForwarded(headers, clientIp(connection), connection.secure(), trusted);
    }

    /** Returns the client's IP address as text, as {@code X-Forwarded-For} carries it. */
    static String clientIp(ClientConnection connection) {
        return connection.remoteAddress().getAddress() == null
                ? connection.remoteAddress().getHostString()
                : connection.remoteAddress().getAddress().getHostAddress();
    }

    /** Sets the forwarded headers, with the client address already as text (it is computed once per connection). */
    static void setForwarded(HttpHeaders headers, String clientIp, boolean secure, boolean trusted) {
        String host = headers.get(HttpHeaderNames.HOST);

        String previousFor = trusted ? headers.get(X_FORWARDED_FOR) : null;
        headers.set(X_FORWARDED_FOR, previousFor == null ? clientIp : previousFor + ", " + clientIp);
        if (!trusted) {
            headers.remove(FORWARDED).remove(X_FORWARDED_PROTO).remove(X_FORWARDED_HOST).remove(X_FORWARDED_PORT)
                    .remove(X_FORWARDED_PREFIX);
        }
        if (!headers.contains(X_FORWARDED_PROTO)) {
            headers.set(X_FORWARDED_PROTO, secure ? HTTPS : HTTP);
        }
        if (!headers.contains(X_FORWARDED_HOST) && host != null) {
            headers.set(X_FORWARDED_HOST, host);
        }
        if (!headers.contains(X_FORWARDED_PORT)) {
            headers.set(X_FORWARDED_PORT, portOf(host, secure));
        }
    }

    /** Sets the prefix a tool route removed from the path, so that the tool can build its own links. */
    static void setForwardedPrefix(HttpHeaders headers, String prefix) {
        headers.set(X_FORWARDED_PREFIX, prefix);
    }

    /** Returns the port of a {@code Host} header value, or the default port of the scheme. */
    private static CharSequence portOf(String host, boolean secure) {
        if (host != null) {
            int colon = host.lastIndexOf(':');
            if (colon > 0 && colon > host.lastIndexOf(']') && colon < host.length() - 1) {
                return host.substring(colon + 1);
            }
        }
        return secure ? PORT_443 : PORT_80;
    }

    /**
     * Returns whether a lower-case host is a DNS name, an IPv4 address or a bracketed IPv6 address, so that it is a
     * single route key segment.
     */
    static boolean isValidHost(String host) {
        if (host.isEmpty() || host.length() > 255) {
            return false;
        }
        boolean bracketed = host.charAt(0) == '[';
        if (bracketed && host.charAt(host.length() - 1) != ']') {
            return false;
        }
        for (int i = bracketed ? 1 : 0; i < host.length() - (bracketed ? 1 : 0); i++) {
            char c = host.charAt(i);
            boolean allowed = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.'
                    || (bracketed && c == ':');
            if (!allowed) {
                return false;
            }
        }
        return true;
    }

    /** Returns the host of a {@code Host} header value in lower case, without port, or {@code null}. */
    static String hostWithoutPort(String host) {
        if (host == null || host.isEmpty()) {
            return null;
        }
        int colon = host.lastIndexOf(':');
        String name = colon > host.lastIndexOf(']') && colon >= 0 ? host.substring(0, colon) : host;
        return name.toLowerCase(java.util.Locale.ROOT);
    }
}
