package io.mlhub.proxy.http;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fetches the pages of the errors the proxy makes itself from an error target, as configurable-http-proxy's
 * {@code --error-target} does: {@code GET <target>/<status>?url=<request URI>}. The page keeps the proxy's status
 * and only the target's {@code Content-Type} and {@code Content-Encoding}. When the target fails, times out or
 * sends a page over {@link #MAX_PAGE_BYTES}, the plain-text response is used instead.
 *
 * <p>Error pages are rare and come from the hub, so they use the JDK's HTTP client on its own threads rather than
 * a pooled Netty connection; the caller hands the result back to its event loop.
 */
final class ErrorPages implements AutoCloseable {
    private static final Logger logger = LoggerFactory.getLogger(ErrorPages.class);

    /** Largest page relayed. NOTE: a larger page is still read whole before it is dropped. */
    static final int MAX_PAGE_BYTES = 256 * 1024;

    private final String target;
    private final Duration timeout;
    private final HttpClient client;

    ErrorPages(URI target, Duration timeout) {
        String url = target.toString();
        this.target = url.endsWith("/") ? url : url + "/";
        this.timeout = timeout;
        this.client = HttpClient.newBuilder()
                .connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /** Returns whether the proxy requests the page of {@code status} from the error target. */
    static boolean covers(HttpResponseStatus status) {
        int code = status.code();
        return code == 404 || code == 502 || code == 503 || code == 504;
    }

    /**
     * Fetches the page of {@code status} for a request to {@code requestUri}. The future always completes normally,
     * with the plain-text response when the page cannot be had.
     */
    CompletableFuture<FullHttpResponse> fetch(HttpResponseStatus status, String requestUri) {
        URI uri = URI.create(target + status.code() + "?url=" + encodeComponent(requestUri));
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout).GET().build();
        return client.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray())
                .handle((page, error) -> toResponse(status, uri, page, error));
    }

    private static FullHttpResponse toResponse(HttpResponseStatus status, URI uri, HttpResponse<byte[]> page,
            Throwable error) {
        if (error != null) {
            logger.debug("error page fetch failed url={} error={}", uri, error.toString());
            return ErrorResponses.create(status);
        }
        byte[] body = page.body();
        if (body.length > MAX_PAGE_BYTES) {
            logger.debug("error page too large url={} bytes={} max={}", uri, body.length, MAX_PAGE_BYTES);
            return ErrorResponses.create(status);
        }

        FullHttpResponse response = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
        page.headers().firstValue("content-type")
                .ifPresent(value -> response.headers().set(HttpHeaderNames.CONTENT_TYPE, value));
        page.headers().firstValue("content-encoding")
                .ifPresent(value -> response.headers().set(HttpHeaderNames.CONTENT_ENCODING, value));
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        return response;
    }

    /** Percent-encodes a query value as JavaScript's {@code encodeURIComponent} does for the characters at hand. */
    private static String encodeComponent(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    @Override
    public void close() {
        client.shutdownNow();
    }
}
