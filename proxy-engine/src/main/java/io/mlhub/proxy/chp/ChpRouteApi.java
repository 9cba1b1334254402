package io.mlhub.proxy.chp;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import io.mlhub.proxy.route.Route;
import io.mlhub.proxy.route.RouteTable;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The REST API of configurable-http-proxy (CHP) 4.5 to 5.3 over a {@link RouteTable}, free of any
 * transport: status codes, bodies and the token check behave as CHP's do, because JupyterHub's
 * {@code ConfigurableHTTPProxy} reads them.
 */
final class ChpRouteApi {
    private static final Logger logger = LoggerFactory.getLogger(ChpRouteApi.class);

    private static final String PREFIX = "/api/routes";

    /** {@code Date.toJSON()} form: UTC with exactly three fraction digits. */
    static final DateTimeFormatter LAST_ACTIVITY =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private final RouteTable routes;
    private final byte @Nullable [] token;
    private final UnaryOperator<String> routeKeys;
    private final boolean ownersFromData;
    private final ObjectMapper json = new ObjectMapper();
    /** Reads JSON into maps, lists, strings, numbers and booleans, as JavaScript's {@code JSON.parse} does. */
    private final ObjectReader untyped = json.readerFor(Object.class);

    ChpRouteApi(RouteTable routes, @Nullable String token, UnaryOperator<String> routeKeys, boolean ownersFromData) {
        this.routes = requireNonNull(routes, "routes");
        this.token = token == null || token.isEmpty() ? null : token.getBytes(StandardCharsets.UTF_8);
        this.routeKeys = requireNonNull(routeKeys, "routeKeys");
        this.ownersFromData = ownersFromData;
    }

    /**
     * Handles one request.
     *
     * @param rawPath the request path, still percent-encoded, without the query
     * @param query decoded query parameters
     */
    ApiResponse handle(
            String method,
            String rawPath,
            Map<String, List<String>> query,
            @Nullable String authorization,
            byte[] body) {
        if (!rawPath.equals(PREFIX) && !rawPath.startsWith(PREFIX + "/")) {
            return ApiResponse.text(404, "Not Found");
        }
        if (!isAuthorized(authorization)) {
            return ApiResponse.empty(403);
        }

        String routePath = rawPath.substring(PREFIX.length());
        return switch (method) {
            case "GET" -> get(routePath, query);
            case "POST" -> post(routePath, body);
            case "DELETE" -> delete(routePath);
            default -> ApiResponse.text(405, "Method not supported");
        };
    }

    private boolean isAuthorized(@Nullable String authorization) {
        if (token == null) {
            return true;
        }
        if (authorization == null) {
            return false;
        }
        String presented = presentedToken(authorization);
        return presented != null && MessageDigest.isEqual(token, presented.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Returns the token in an {@code Authorization} header as CHP finds it, the first match of
     * {@code /token\s+(\S+)/} anywhere in the header, or {@code null}. A scan instead of a regular expression,
     * because the route API checks the header on every request.
     */
    static @Nullable String presentedToken(String authorization) {
        for (int at = authorization.indexOf("token"); at >= 0; at = authorization.indexOf("token", at + 1)) {
            int start = at + "token".length();
            while (start < authorization.length() && isSpace(authorization.charAt(start))) {
                start++;
            }
            int end = start;
            while (end < authorization.length() && !isSpace(authorization.charAt(end))) {
                end++;
            }
            if (start > at + "token".length() && end > start) {
                return authorization.substring(start, end);
            }
        }
        return null;
    }

    /** The characters of {@code \s} in a Java pattern: space, tab, line feed, vertical tab, form feed, return. */
    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\u000B' || c == '\f' || c == '\r';
    }

    private ApiResponse get(String routePath, Map<String, List<String>> query) {
        if (!routePath.isEmpty() && !routePath.equals("/")) {
            return getOne(routePath);
        }

        String since = first(query, "inactiveSince");
        if (since == null) {
            since = first(query, "inactive_since");
        }
        Instant cutoff = null;
        if (since != null) {
            cutoff = parseDate(since);
            if (cutoff == null) {
                return ApiResponse.text(400, "Invalid datestamp '" + since + "' must be ISO8601.");
            }
        }

        Map<String, Object> all = new LinkedHashMap<>();
        for (Route route : routes.all()) {
            Instant lastActivity = lastActivity(route);
            if (cutoff == null || lastActivity.isBefore(cutoff)) {
                all.put(displayKey(route.prefix()), view(route, lastActivity));
            }
        }
        return ApiResponse.json(write(all));
    }

    private ApiResponse getOne(String routePath) {
        Route route;
        try {
            route = routes.get(key(routePath));
        } catch (IllegalArgumentException e) {
            return ApiResponse.empty(404);
        }
        return route == null ? ApiResponse.empty(404) : ApiResponse.json(write(view(route)));
    }

    private ApiResponse post(String routePath, byte[] body) {
        if (isBlank(body)) {
            return ApiResponse.text(400, "Body not valid JSON: SyntaxError: Unexpected end of JSON input");
        }
        Object parsed;
        try {
            // One pass into plain maps and lists: the stored route data needs them, and a tree first would
            // double the work and the garbage of each addition.
            parsed = untyped.readValue(body);
        } catch (IOException e) {
            return ApiResponse.text(400, "Body not valid JSON: " + firstLine(e.getMessage()));
        }
        if (!(parsed instanceof Map<?, ?> fields) || !(fields.get("target") instanceof String target)) {
            return ApiResponse.text(400, "Must specify 'target' as string");
        }

        URI targetUri = parseTarget(target);
        if (targetUri == null) {
            return ApiResponse.text(400, "Invalid target '" + target + "': expected an http:// or https:// URL");
        }
        String key;
        try {
            key = key(routePath);
        } catch (IllegalArgumentException e) {
            return ApiResponse.text(400, "Invalid route path '" + routePath + "': " + e.getMessage());
        }

        @SuppressWarnings("unchecked")
        Map<String, Object> data = routeData((Map<String, Object>) fields);
        routes.put(new Route(key, targetUri, owner(data, "user"), owner(data, "server_name"), data));
        logger.info("route added path={} target={}", displayKey(key), target);
        return ApiResponse.empty(201);
    }

    private ApiResponse delete(String routePath) {
        String key;
        try {
            key = key(routePath);
        } catch (IllegalArgumentException e) {
            return ApiResponse.empty(404);
        }
        if (!routes.remove(key)) {
            return ApiResponse.empty(404);
        }
        logger.info("route deleted path={}", displayKey(key));
        return ApiResponse.empty(204);
    }

    /**
     * Returns the route key of an API path suffix. As in CHP, the suffix is percent-decoded first, so
     * {@code %2F} in it is a separator, and the key function then receives a decoded path.
     *
     * @throws IllegalArgumentException if the suffix does not decode or the key function rejects it
     */
    private String key(String routePath) {
        String decoded = percentDecode(routePath);
        return routeKeys.apply(decoded.startsWith("/") ? decoded : "/" + decoded);
    }

    /** Returns the stored data: the whole body except {@code target} and {@code last_activity}. */
    private static Map<String, Object> routeData(Map<String, Object> body) {
        body.remove("target");
        body.remove("last_activity");
        // NOTE: Route data cannot hold null values, so top-level fields set to JSON null are not stored.
        body.values().removeIf(value -> value == null);
        return body;
    }

    private static boolean isBlank(byte[] body) {
        for (byte b : body) {
            if (b != ' ' && b != '\t' && b != '\n' && b != '\r') {
                return false;
            }
        }
        return true;
    }

    private @Nullable String owner(Map<String, Object> data, String field) {
        return ownersFromData && data.get(field) instanceof String value ? value : null;
    }

    private Map<String, Object> view(Route route) {
        return view(route, lastActivity(route));
    }

    private static Map<String, Object> view(Route route, Instant lastActivity) {
        Map<String, Object> view = new LinkedHashMap<>(route.data());
        view.put("target", route.target().toString());
        view.put("last_activity", LAST_ACTIVITY.format(lastActivity));
        return view;
    }

    private Instant lastActivity(Route route) {
        Instant lastActivity = routes.lastActivity(route.prefix());
        return lastActivity != null ? lastActivity : Instant.EPOCH;
    }

    private byte[] write(Object value) {
        try {
            return json.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("writing route JSON failed", e);
        }
    }

    private static @Nullable URI parseTarget(String target) {
        try {
            URI uri = new URI(target);
            String scheme = uri.getScheme();
            boolean http = "http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme);
            return http && uri.getHost() != null ? uri : null;
        } catch (URISyntaxException e) {
            return null;
        }
    }

    /**
     * Parses the ISO 8601 forms that JavaScript's {@code Date.parse} accepts: an instant with {@code Z} or
     * an offset, a local date-time (read in the server's zone, as JavaScript does), or a date (UTC).
     */
    static @Nullable Instant parseDate(String text) {
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException ignored) {
            // Try the next form.
        }
        try {
            return LocalDateTime.parse(text).atZone(ZoneId.systemDefault()).toInstant();
        } catch (DateTimeParseException ignored) {
            // Try the next form.
        }
        try {
            return LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /**
     * Returns a route key as CHP shows it: percent-decoded as UTF-8. JupyterHub quotes the keys it reads
     * again, so a key returned still encoded would not match the route it wrote. A key that does not decode
     * is returned as it is.
     */
    static String displayKey(String key) {
        try {
            return percentDecode(key);
        } catch (IllegalArgumentException e) {
            return key;
        }
    }

    /**
     * Decodes {@code %XX} sequences as UTF-8, as JavaScript's {@code decodeURIComponent} does for CHP; unlike
     * form decoding, {@code +} stays a plus sign.
     *
     * @throws IllegalArgumentException if a sequence is incomplete or the bytes are not UTF-8
     */
    static String percentDecode(String text) {
        if (text.indexOf('%') < 0) {
            return text;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c != '%') {
                bytes.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
                continue;
            }
            int high = i + 2 < text.length() ? Character.digit(text.charAt(i + 1), 16) : -1;
            int low = i + 2 < text.length() ? Character.digit(text.charAt(i + 2), 16) : -1;
            if (high < 0 || low < 0) {
                throw new IllegalArgumentException("incomplete percent-encoding at index " + i);
            }
            bytes.write(high * 16 + low);
            i += 2;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("percent-encoded bytes are not UTF-8", e);
        }
    }

    private static @Nullable String first(Map<String, List<String>> query, String name) {
        List<String> values = query.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    private static String firstLine(@Nullable String message) {
        if (message == null) {
            return "SyntaxError";
        }
        int end = message.indexOf('\n');
        return "SyntaxError: " + (end < 0 ? message : message.substring(0, end));
    }
}
