package io.mlhub.proxy.server;

import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.util.regex.Pattern;

/**
 * The response to a plain HTTP request on a port that serves TLS: a redirect to the same host and port
 * with {@code https}, since TLS and HTTP share the port. GET and HEAD get 301; other methods get 308,
 * which tells the client to repeat the same method and body (RFC 9110 section 15.4.9).
 */
final class HttpsRedirects {
    /** A host name, IPv4 address or bracketed IPv6 address, with an optional port. */
    private static final Pattern HOST = Pattern.compile("(?:[A-Za-z0-9.-]+|\\[[0-9A-Fa-f:.]+\\])(?::[0-9]{1,5})?");

    private HttpsRedirects() {}

    static FullHttpResponse redirect(HttpRequest request) {
        String host = request.headers().get(HttpHeaderNames.HOST);
        if (host == null || !HOST.matcher(host).matches()) {
            return RespondThenCloseHandler.textResponse(
                    HttpResponseStatus.BAD_REQUEST, "missing or invalid Host header\n");
        }

        boolean safe = request.method().equals(HttpMethod.GET) || request.method().equals(HttpMethod.HEAD);
        HttpResponseStatus status = safe ? HttpResponseStatus.MOVED_PERMANENTLY : HttpResponseStatus.PERMANENT_REDIRECT;
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status);
        response.headers().set(HttpHeaderNames.LOCATION, "https://" + host + originForm(request.uri()));
        return response;
    }

    /** Returns the path and query of a request target, which may be in absolute form (RFC 9112 3.2). */
    private static String originForm(String target) {
        if (target.startsWith("/")) {
            return target;
        }
        int scheme = target.indexOf("://");
        if (scheme > 0) {
            int path = target.indexOf('/', scheme + 3);
            return path < 0 ? "/" : target.substring(path);
        }
        return "/";
    }
}
