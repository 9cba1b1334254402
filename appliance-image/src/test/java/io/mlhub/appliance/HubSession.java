package io.mlhub.appliance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.CookieManager;
import java.net.CookiePolicy;
import java.net.HttpCookie;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * One user's browser-like HTTP client for a hub on 127.0.0.1: its own cookie jar, the hub's self-signed
 * certificate accepted, redirects followed by hand so that each hop can be checked.
 */
final class HubSession {
    static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;
    private final CookieManager cookies = new CookieManager(null, CookiePolicy.ACCEPT_ALL);
    private final HttpClient client;

    HubSession(URI base) {
        this.base = base;
        this.client = HttpClient.newBuilder()
                .sslContext(trustingContext())
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    URI base() {
        return base;
    }

    URI uri(String path) {
        return base.resolve(path);
    }

    /** Signs up with a password; returns the response status. */
    int signup(String user, String password) throws Exception {
        return send("POST", "/hub/signup", json("username", user, "password", password)).statusCode();
    }

    /** Logs in with a JSON form; returns the response status. */
    int login(String user, String password) throws Exception {
        return send("POST", "/hub/login", json("username", user, "password", password)).statusCode();
    }

    /** Sends a request with the session cookie and, for changes, the hub's XSRF token. */
    HttpResponse<String> send(String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path))
                .timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        // Pages read the hub's XSRF cookie (path /hub/) and send it to the hub's other paths too, like /services/.
        String xsrf = cookie(uri(path), "_xsrf");
        if (xsrf == null) {
            xsrf = cookie(uri("/hub/"), "_xsrf");
        }
        if (xsrf != null) {
            request.header("X-XSRFToken", xsrf);
        }
        return exchange(request);
    }

    /**
     * Sends a request with this session's cookies in one Cookie header, as browsers do (the JDK's cookie handler
     * sends one header per cookie, which some servers join with commas), and keeps the cookies it sets.
     */
    private HttpResponse<String> exchange(HttpRequest.Builder request) throws Exception {
        HttpRequest built = request.copy().build();
        String header = cookieHeader(built.uri());
        if (!header.isEmpty()) {
            request.header("Cookie", header);
        }
        HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        cookies.put(response.uri(), response.headers().map());
        return response;
    }

    HttpResponse<String> get(String path) throws Exception {
        return send("GET", path, null);
    }

    /** Sends a GET as a browser navigating to a page does, asking for HTML. */
    HttpResponse<String> getPage(String path) throws Exception {
        return exchange(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30)).header("Accept",
                "text/html,application/xhtml+xml").GET());
    }

    JsonNode getJson(String path) throws Exception {
        HttpResponse<String> response = get(path);
        if (response.statusCode() != 200) {
            throw new AssertionError("GET " + path + " answered " + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body());
    }

    /**
     * Follows redirects from {@code path} like a browser would (GET on each hop) and returns every response,
     * the last one first-class at the end.
     */
    List<HttpResponse<String>> follow(String path) throws Exception {
        List<HttpResponse<String>> hops = new ArrayList<>();
        URI next = uri(path);
        for (int i = 0; i < 10; i++) {
            HttpResponse<String> response = exchange(HttpRequest.newBuilder(next).timeout(Duration.ofSeconds(30)).GET());
            hops.add(response);
            String location = response.headers().firstValue("Location").orElse(null);
            if (response.statusCode() / 100 != 3 || location == null) {
                return hops;
            }
            next = next.resolve(location);
        }
        throw new AssertionError("more than 10 redirects: " + hops.stream().map(r -> r.uri().toString())
                .collect(Collectors.joining(" -> ")));
    }

    /** Returns the value of the cookie {@code name} this session would send to {@code uri}. */
    String cookie(URI uri, String name) {
        String found = null;
        int longestPath = -1;
        for (HttpCookie cookie : cookies.getCookieStore().get(uri)) {
            String path = cookie.getPath() == null ? "/" : cookie.getPath();
            boolean applies = uri.getPath().startsWith(path.endsWith("/") ? path : path + "/")
                    || uri.getPath().equals(path);
            if (cookie.getName().equals(name) && applies && path.length() > longestPath) {
                found = cookie.getValue();
                longestPath = path.length();
            }
        }
        return found;
    }

    String cookieDebug() {
        return cookies.getCookieStore().getCookies().stream().map(c -> c.getName() + "@" + c.getPath() + "="
                + c.getValue()).collect(Collectors.joining(", "));
    }

    /** Returns the Cookie header this session would send to {@code uri}. */
    String cookieHeader(URI uri) {
        try {
            List<String> values = cookies.get(uri, java.util.Map.of()).getOrDefault("Cookie", List.of());
            return String.join("; ", values);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Opens a websocket to {@code path} with this session's cookies. */
    WebSocket websocket(String path, WebSocket.Listener listener) throws Exception {
        URI http = uri(path);
        URI ws = new URI(http.getScheme().equals("https") ? "wss" : "ws", http.getRawAuthority(),
                http.getRawPath(), http.getRawQuery(), null);
        HttpClient plain = HttpClient.newBuilder().sslContext(trustingContext())
                .connectTimeout(Duration.ofSeconds(5)).build();
        CompletableFuture<WebSocket> open = plain.newWebSocketBuilder()
                .header("Cookie", cookieHeader(http))
                .connectTimeout(Duration.ofSeconds(10))
                .buildAsync(ws, listener);
        return open.get(30, java.util.concurrent.TimeUnit.SECONDS);
    }

    static String json(String... pairs) {
        var node = JSON.createObjectNode();
        for (int i = 0; i < pairs.length; i += 2) {
            node.put(pairs[i], pairs[i + 1]);
        }
        return node.toString();
    }

    /** Sends raw bytes to 127.0.0.1:port and returns what comes back until the peer closes or 5 s pass. */
    static String rawExchange(int port, String request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            return new String(socket.getInputStream().readNBytes(4096), StandardCharsets.ISO_8859_1);
        } catch (java.net.SocketTimeoutException e) {
            return "(timeout)";
        }
    }

    /** Accepts any certificate: the hub's is self-signed and made for this test's data folder. */
    static SSLContext trustingContext() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {new TrustingManager()}, new SecureRandom());
            return context;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static final class TrustingManager extends X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {}

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
