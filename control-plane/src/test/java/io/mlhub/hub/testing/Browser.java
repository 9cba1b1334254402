package io.mlhub.hub.testing;

import io.mlhub.hub.route.PublishedRoute;
import java.io.IOException;
import java.net.CookieManager;
import java.net.CookiePolicy;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A browser-like client: a cookie jar, redirects followed one hop at a time and recorded, and the routing a proxy
 * would do. A request to the hub origin whose path falls under a published route goes to that route's target
 * instead, the way the public port sends {@code /user/...} to workspaces.
 */
public final class Browser {
    private final URI hub;
    private final RecordingRoutes routes;
    private final HttpClient http;
    private final List<String> hops = new ArrayList<>();

    public Browser(URI hub, RecordingRoutes routes) {
        this.hub = hub;
        this.routes = routes;
        CookieManager cookies = new CookieManager(null, CookiePolicy.ACCEPT_ALL);
        this.http = HttpClient.newBuilder()
                .cookieHandler(cookies)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    /** Returns each request of the last navigation as {@code status method url}. */
    public List<String> hops() {
        return List.copyOf(hops);
    }

    /** Opens {@code url} (relative to the hub), follows up to 10 redirects and returns the last response. */
    public HttpResponse<String> open(String url) throws IOException, InterruptedException {
        return navigate("GET", hub.resolve(url), null);
    }

    /** Posts a form to {@code url} and follows the redirects that come back. */
    public HttpResponse<String> postForm(String url, String form) throws IOException, InterruptedException {
        return navigate("POST", hub.resolve(url), form);
    }

    private HttpResponse<String> navigate(String method, URI url, String form)
            throws IOException, InterruptedException {
        hops.clear();
        URI current = url;
        String currentMethod = method;
        String body = form;
        for (int i = 0; i < 10; i++) {
            HttpResponse<String> response = send(currentMethod, current, body);
            hops.add(response.statusCode() + " " + currentMethod + " " + current);
            Optional<String> location = response.headers().firstValue("Location");
            if (response.statusCode() / 100 != 3 || location.isEmpty()) {
                return response;
            }
            current = current.resolve(location.get());
            currentMethod = "GET";
            body = null;
        }
        throw new IOException("too many redirects: " + hops);
    }

    private HttpResponse<String> send(String method, URI url, String form) throws IOException, InterruptedException {
        URI target = route(url);
        HttpRequest.Builder request = HttpRequest.newBuilder(target).timeout(Duration.ofSeconds(30));
        if (form != null) {
            request.header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(form));
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI route(URI url) {
        if (!url.getAuthority().equals(hub.getAuthority())) {
            return url;
        }
        Optional<PublishedRoute> route = routes.match(url.getRawPath());
        if (route.isEmpty()) {
            return url;
        }
        String query = url.getRawQuery() == null ? "" : "?" + url.getRawQuery();
        return URI.create(route.get().target() + url.getRawPath() + query);
    }
}
