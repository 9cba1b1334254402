package io.mlhub.proxy.chp;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * One response of the route API.
 *
 * @param status HTTP status code
 * @param contentType media type of {@code body}, or {@code null} for an empty body without one
 * @param body response body, possibly empty
 */
record ApiResponse(int status, @Nullable String contentType, byte[] body) {
    static final String TEXT = "text/plain; charset=utf-8";
    static final String JSON = "application/json";

    ApiResponse {
        requireNonNull(body, "body");
    }

    static ApiResponse empty(int status) {
        return new ApiResponse(status, null, new byte[0]);
    }

    static ApiResponse text(int status, String text) {
        return new ApiResponse(status, TEXT, text.getBytes(StandardCharsets.UTF_8));
    }

    static ApiResponse json(byte[] json) {
        return new ApiResponse(200, JSON, json);
    }
}
