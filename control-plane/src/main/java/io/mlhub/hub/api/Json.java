package io.mlhub.hub.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mlhub.hub.HubException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/** Request-body parsing and the timestamp format of the JupyterHub API. */
public final class Json {
    /** The mapper for every body the hub reads or writes. */
    public static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);

    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

    private Json() {}

    /** Formats a time as ISO-8601 UTC with microseconds, or returns {@code null}. */
    public static @Nullable String time(@Nullable Instant instant) {
        return instant == null ? null : TIME.format(instant);
    }

    /**
     * Parses a body that must be a JSON object; an empty body is an empty object.
     *
     * @throws HubException 400 for anything else
     */
    public static ObjectNode object(@Nullable String body) {
        if (body == null || body.isBlank()) {
            return MAPPER.createObjectNode();
        }
        JsonNode node;
        try {
            node = MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            throw HubException.badRequest("Invalid JSON in body of request");
        }
        if (!(node instanceof ObjectNode object)) {
            throw HubException.badRequest("Invalid JSON in body of request: expected an object");
        }
        return object;
    }

    /** Rejects keys outside {@code allowed}, as JupyterHub does for its models. */
    public static void allowKeys(ObjectNode body, Set<String> allowed) {
        Set<String> unknown = new TreeSet<>();
        body.fieldNames().forEachRemaining(name -> {
            if (!allowed.contains(name)) {
                unknown.add(name);
            }
        });
        if (!unknown.isEmpty()) {
            throw HubException.badRequest("Invalid JSON keys: " + unknown);
        }
    }

    /** Reads an optional boolean field. */
    public static @Nullable Boolean bool(ObjectNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isBoolean()) {
            throw HubException.badRequest("Invalid JSON: " + field + " must be true or false");
        }
        return value.booleanValue();
    }

    /** Reads an optional string field. */
    public static @Nullable String text(ObjectNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw HubException.badRequest("Invalid JSON: " + field + " must be a string");
        }
        return value.textValue();
    }

    /** Reads an optional list of strings. */
    public static @Nullable List<String> textList(ObjectNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isArray()) {
            throw HubException.badRequest("Invalid JSON: " + field + " must be a list of strings");
        }
        List<String> result = new ArrayList<>();
        for (JsonNode item : value) {
            if (!item.isTextual()) {
                throw HubException.badRequest("Invalid JSON: " + field + " must be a list of strings");
            }
            result.add(item.textValue());
        }
        return result;
    }

    /** Returns the body as a string map, whether it was sent as a form or as a JSON object of strings. */
    public static Map<String, String> formOrJson(@Nullable String contentType, @Nullable String body) {
        if (contentType != null && contentType.toLowerCase().startsWith("application/json")) {
            Map<String, String> result = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> e : object(body).properties()) {
                result.put(e.getKey(), e.getValue().isValueNode() ? e.getValue().asText() : e.getValue().toString());
            }
            return result;
        }
        return form(body);
    }

    /** Parses an {@code application/x-www-form-urlencoded} body; the first value of a repeated field wins. */
    public static Map<String, String> form(@Nullable String body) {
        Map<String, String> result = new LinkedHashMap<>();
        if (body == null || body.isEmpty()) {
            return result;
        }
        for (String pair : body.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            result.putIfAbsent(key, value);
        }
        return result;
    }

    private static String decode(String text) {
        try {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw HubException.badRequest("Invalid form encoding in body of request");
        }
    }
}
