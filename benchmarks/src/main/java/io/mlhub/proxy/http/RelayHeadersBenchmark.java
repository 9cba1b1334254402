package io.mlhub.proxy.http;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Header filtering in the relay, {@code RelayHeaders}: dropping hop-by-hop headers and those named in
 * {@code Connection}, then setting {@code X-Forwarded-*}, on three request heads a hub receives: a browser page load
 * with cookies, a websocket upgrade, and an API call from a client that sends proxy-era headers.
 *
 * <ul>
 *   <li>{@code copyOnly}: copies the head into fresh headers, the part of every other method that is not
 *       filtering. Subtract it to get the filter's own cost.
 *   <li>{@code filterRequest}: copy, {@code removeHopByHop}, {@code setForwarded} (untrusted client).
 *   <li>{@code filterResponse}: copy and {@code removeHopByHop} on a typical upstream response head.
 * </ul>
 *
 * <p>This class sits in the relay's package because {@code RelayHeaders} is package-private there.
 *
 * <p>Run: {@code mvn -B -q -pl benchmarks -am package -DskipTests && java -jar benchmarks/target/benchmarks.jar
 * RelayHeadersBenchmark}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RelayHeadersBenchmark {
    @Param({"browser", "websocket", "api"})
    String request;

    private HttpHeaders requestHead;
    private HttpHeaders responseHead;
    private ClientConnection connection;

    @Setup
    public void setUp() {
        requestHead = switch (request) {
            case "browser" -> new DefaultHttpHeaders()
                    .add("Host", "hub.example.org")
                    .add("User-Agent", "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0")
                    .add("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
                    .add("Accept-Language", "en-US,en;q=0.5")
                    .add("Accept-Encoding", "gzip, deflate, br, zstd")
                    .add("Connection", "keep-alive")
                    .add("Cookie", "jupyterhub-session-id=5c1d3e0f9a8b4c7d; _xsrf=2|a1b2c3d4|e5f6a7b8c9d0|1733300000")
                    .add("Upgrade-Insecure-Requests", "1")
                    .add("Sec-Fetch-Dest", "document")
                    .add("Sec-Fetch-Mode", "navigate")
                    .add("Priority", "u=0, i");
            case "websocket" -> new DefaultHttpHeaders()
                    .add("Host", "hub.example.org")
                    .add("User-Agent", "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0")
                    .add("Sec-WebSocket-Version", "13")
                    .add("Origin", "https://hub.example.org")
                    .add("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
                    .add("Cookie", "jupyterhub-session-id=5c1d3e0f9a8b4c7d; _xsrf=2|a1b2c3d4|e5f6a7b8c9d0|1733300000")
                    .add("Connection", "keep-alive, Upgrade")
                    .add("Upgrade", "websocket");
            case "api" -> new DefaultHttpHeaders()
                    .add("Host", "hub.example.org:8443")
                    .add("User-Agent", "python-requests/2.31.0")
                    .add("Authorization", "token 0123456789abcdef0123456789abcdef")
                    .add("Accept", "application/json")
                    .add("Connection", "keep-alive, X-Trace-Hop")
                    .add("Keep-Alive", "timeout=5")
                    .add("Proxy-Connection", "keep-alive")
                    .add("TE", "trailers")
                    .add("X-Trace-Hop", "edge-1")
                    .add("X-Forwarded-For", "203.0.113.7");
            default -> throw new IllegalArgumentException("request: " + request + " (expected: browser, websocket, api)");
        };
        responseHead = new DefaultHttpHeaders()
                .add("Server", "TornadoServer/6.2")
                .add("Content-Type", "application/json")
                .add("Date", "Fri, 04 Dec 2026 17:00:00 GMT")
                .add("Cache-Control", "no-store")
                .add("X-Content-Type-Options", "nosniff")
                .add("Content-Security-Policy", "frame-ancestors 'self'; report-uri /hub/security/csp-report")
                .add("Transfer-Encoding", "chunked")
                .add("Connection", "keep-alive")
                .add("Keep-Alive", "timeout=5");
        connection = new ClientConnection(new InetSocketAddress("198.51.100.23", 52814),
                new InetSocketAddress("127.0.0.1", 443), true);
    }

    @Benchmark
    public HttpHeaders copyOnly() {
        return new DefaultHttpHeaders().set(requestHead);
    }

    @Benchmark
    public HttpHeaders filterRequest() {
        HttpHeaders headers = new DefaultHttpHeaders().set(requestHead);
        RelayHeaders.removeHopByHop(headers);
        RelayHeaders.setForwarded(headers, connection, false);
        return headers;
    }

    @Benchmark
    public HttpHeaders filterResponse() {
        HttpHeaders headers = new DefaultHttpHeaders().set(responseHead);
        RelayHeaders.removeHopByHop(headers);
        return headers;
    }
}
