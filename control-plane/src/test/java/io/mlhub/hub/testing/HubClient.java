package io.mlhub.hub.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A small HTTP client for the hub API over a real socket. */
public final class HubClient {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String origin;
    private final HttpClient http = HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    public HubClient(int port) {
        this.origin = "http://127.0.0.1:" + port;
    }

    public String origin() {
        return origin;
    }

    /** Sends a request; {@code headers} are name, value pairs. */
    public HttpResponse<String> send(String method, String path, String body, String... headers) {
        List<String> all = new ArrayList<>(List.of(headers));
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(origin + path))
                .timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i + 1 < all.size(); i += 2) {
            request.header(all.get(i), all.get(i + 1));
        }
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public HttpResponse<String> get(String path, String token) {
        return send("GET", path, null, "Authorization", "token " + token);
    }

    public HttpResponse<String> post(String path, String token, String json) {
        return send("POST", path, json, "Authorization", "token " + token, "Content-Type", "application/json");
    }

    public HttpResponse<String> patch(String path, String token, String json) {
        return send("PATCH", path, json, "Authorization", "token " + token, "Content-Type", "application/json");
    }

    public HttpResponse<String> delete(String path, String token, String json) {
        return send("DELETE", path, json, "Authorization", "token " + token, "Content-Type", "application/json");
    }

    public static JsonNode json(HttpResponse<String> response) {
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + response.statusCode() + " " + response.body(), e);
        }
    }

    /** Signs up {@code name} and returns a token of theirs made through the password flow of the token API. */
    public String signupAndToken(String name, String password) {
        HttpResponse<String> signup = send("POST", "/hub/signup", "{\"username\":\"" + name + "\",\"password\":\""
                + password + "\"}", "Content-Type", "application/json");
        if (signup.statusCode() != 201) {
            throw new AssertionError("signup failed: " + signup.statusCode() + " " + signup.body());
        }
        return passwordToken(name, password);
    }

    /** Returns a new token of {@code name} made by posting the password to the token API. */
    public String passwordToken(String name, String password) {
        HttpResponse<String> token = send("POST", "/hub/api/users/" + name + "/tokens",
                "{\"auth\":{\"username\":\"" + name + "\",\"password\":\"" + password + "\"}}",
                "Content-Type", "application/json");
        if (token.statusCode() != 201) {
            throw new AssertionError("token failed: " + token.statusCode() + " " + token.body());
        }
        return json(token).get("token").asText();
    }
}
