package io.mlhub.hub.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.mlhub.hub.HubException;
import io.mlhub.hub.auth.InvalidNameException;
import io.mlhub.hub.store.DuplicateException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Turns every error into a status and the JSON body {@code {"status": ..., "message": ...}}. */
final class ErrorMapper implements ExceptionMapper<Throwable> {
    private static final Logger logger = LoggerFactory.getLogger(ErrorMapper.class);

    @Override
    public Response toResponse(Throwable error) {
        return switch (error) {
            case HubException e -> body(e.status(), e.getMessage(), e.field());
            case InvalidNameException e -> body(400, e.getMessage());
            case DuplicateException e -> body(409, e.getMessage());
            case JsonProcessingException e -> body(400, "Invalid JSON in body of request");
            case WebApplicationException e -> body(e.getResponse().getStatus(),
                    e.getResponse().getStatusInfo().getReasonPhrase());
            default -> {
                logger.error("request failed with an unexpected error", error);
                yield body(500, "Internal server error; the hub log has the details");
            }
        };
    }

    static Response body(int status, String message) {
        return body(status, message, null);
    }

    static Response body(int status, String message, @Nullable String field) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("status", status);
        json.put("message", message);
        if (field != null) {
            json.put("field", field);
        }
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(json).build();
    }
}
