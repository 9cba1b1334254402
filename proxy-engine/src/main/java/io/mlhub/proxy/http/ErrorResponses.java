package io.mlhub.proxy.http;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;

/** The short plain-text responses the proxy writes itself. They never contain a stack trace or request data. */
final class ErrorResponses {
    private static final AsciiString TEXT_PLAIN = AsciiString.cached("text/plain; charset=utf-8");
    private static final AsciiString APPLICATION_JSON = AsciiString.cached("application/json");
    private static final byte[] HEALTHY = "{\"status\":\"OK\"}".getBytes(StandardCharsets.US_ASCII);

    private ErrorResponses() {}

    /** Returns a response whose body is the status line, e.g. {@code 404 Not Found}. */
    static FullHttpResponse create(HttpResponseStatus status) {
        byte[] body = (status.code() + " " + status.reasonPhrase() + "\n").getBytes(StandardCharsets.US_ASCII);
        FullHttpResponse response = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, TEXT_PLAIN)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        return response;
    }

    /** Returns the redirect to the login page that browsers without valid credentials get. */
    static FullHttpResponse redirect(String location) {
        FullHttpResponse response = create(HttpResponseStatus.FOUND);
        response.headers().set(HttpHeaderNames.LOCATION, location);
        return response;
    }

    /** Returns the response to configurable-http-proxy's health check, {@code GET /_chp_healthz}. */
    static FullHttpResponse healthy() {
        FullHttpResponse response = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.wrappedBuffer(HEALTHY));
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, APPLICATION_JSON)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, HEALTHY.length);
        return response;
    }
}
