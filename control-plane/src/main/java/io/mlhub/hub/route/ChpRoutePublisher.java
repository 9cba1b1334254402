package io.mlhub.hub.route;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes routes through the REST API of configurable-http-proxy, or of a proxy that implements it, for a proxy
 * that runs in its own process. Routes carry {@code "jupyterhub": true} as JupyterHub's own routes do, and
 * {@link #replaceAll} touches only such workspace routes, so the hub's own route and foreign routes stay.
 */
// NOTE: the only test of this class needs a configurable-http-proxy that starts and skips without one, so a build on a
// machine with a broken proxy install leaves this class untested.
public final class ChpRoutePublisher implements RoutePublisher {
    private static final Logger logger = LoggerFactory.getLogger(ChpRoutePublisher.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int ATTEMPTS = 3;

    private final String apiUrl;
    private final String authToken;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

    /**
     * @param apiUrl the proxy's API base, such as {@code http://127.0.0.1:8001}
     * @param authToken the proxy's {@code CONFIGPROXY_AUTH_TOKEN}, or {@code ""} for an API without a token
     */
    public ChpRoutePublisher(URI apiUrl, String authToken) {
        String base = requireNonNull(apiUrl, "apiUrl").toString();
        this.apiUrl = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        this.authToken = requireNonNull(authToken, "authToken");
    }

    @Override
    public void put(String prefix, URI target, String user, String server) {
        ObjectNode body = JSON.createObjectNode()
                .put("user", user)
                .put("server_name", server)
                .put("target", target.toString())
                .put("jupyterhub", true);
        HttpResponse<String> response = send("POST", path(prefix), body.toString());
        if (response.statusCode() != 201) {
            throw failure("POST", prefix, response);
        }
        logger.debug("route added prefix={} target={}", prefix, target);
    }

    @Override
    public void remove(String prefix) {
        HttpResponse<String> response = send("DELETE", path(prefix), null);
        if (response.statusCode() != 204 && response.statusCode() != 404) {
            throw failure("DELETE", prefix, response);
        }
        logger.debug("route removed prefix={} status={}", prefix, response.statusCode());
    }

    @Override
    public void replaceAll(List<PublishedRoute> routes) {
        Set<String> wanted = new HashSet<>();
        for (PublishedRoute route : routes) {
            wanted.add(key(route.prefix()));
        }
        HttpResponse<String> response = send("GET", "", null);
        if (response.statusCode() != 200) {
            throw failure("GET", "/", response);
        }
        int stale = 0;
        for (Map.Entry<String, JsonNode> entry : parse(response.body()).properties()) {
            JsonNode data = entry.getValue();
            boolean workspace = data.path("jupyterhub").asBoolean(false) && data.has("user");
            if (workspace && !wanted.contains(entry.getKey())) {
                remove(entry.getKey());
                stale++;
            }
        }
        for (PublishedRoute route : routes) {
            put(route.prefix(), route.target(), route.user(), route.server());
        }
        logger.info("proxy routes replaced api={} routes={} staleRemoved={}", apiUrl, routes.size(), stale);
    }

    private HttpResponse<String> send(String method, String path, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(apiUrl + "/api/routes" + path))
                .timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (!authToken.isEmpty()) {
            request.header("Authorization", "token " + authToken);
        }
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        IOException last = null;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            try {
                HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() < 500 || attempt == ATTEMPTS) {
                    return response;
                }
            } catch (IOException e) {
                last = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while calling the proxy API at " + apiUrl, e);
            }
            sleep(200L * attempt);
        }
        throw new IllegalStateException("proxy API at " + apiUrl + " is unreachable: " + last, last);
    }

    /** Returns the API path of a route: the prefix without its trailing slash, each segment URL-encoded. */
    private static String path(String prefix) {
        String key = key(prefix);
        StringBuilder path = new StringBuilder();
        for (String segment : key.split("/")) {
            if (!segment.isEmpty()) {
                path.append('/').append(URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20"));
            }
        }
        return path.toString();
    }

    /** Returns the key the proxy stores a prefix under: no trailing slash, except for the root. */
    private static String key(String prefix) {
        return prefix.length() > 1 && prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
    }

    private static JsonNode parse(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new IllegalStateException("proxy API returned invalid JSON for the route list", e);
        }
    }

    private IllegalStateException failure(String method, String prefix, HttpResponse<String> response) {
        return new IllegalStateException("proxy API " + method + " " + prefix + " failed with status "
                + response.statusCode() + " at " + apiUrl);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
