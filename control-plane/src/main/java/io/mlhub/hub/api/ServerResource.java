package io.mlhub.hub.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mlhub.hub.HubException;
import io.mlhub.hub.auth.Caller;
import io.mlhub.hub.auth.NameRules;
import io.mlhub.hub.server.ProgressLog;
import io.mlhub.hub.server.ServerService.Outcome;
import io.mlhub.hub.store.ServerRecord;
import io.mlhub.hub.store.ServerState;
import io.mlhub.hub.store.UserRecord;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** Server start, stop, progress and activity endpoints of the JupyterHub REST API. */
@Path("hub/api")
public final class ServerResource {
    private static final Duration KEEPALIVE = Duration.ofSeconds(8);

    private final HubServices hub;

    ServerResource(HubServices hub) {
        this.hub = hub;
    }

    @POST
    @Path("users/{name}/{path: server|servers/}")
    public Response startDefault(@Context ContainerRequestContext request, @PathParam("name") String name,
            String body) {
        return start(request, name, "", body);
    }

    @POST
    @Path("users/{name}/servers/{server}")
    public Response startNamed(@Context ContainerRequestContext request, @PathParam("name") String name,
            @PathParam("server") String server, String body) {
        return start(request, name, server, body);
    }

    @DELETE
    @Path("users/{name}/{path: server|servers/}")
    public Response stopDefault(@Context ContainerRequestContext request, @PathParam("name") String name,
            String body) {
        return stop(request, name, "", body);
    }

    @DELETE
    @Path("users/{name}/servers/{server}")
    public Response stopNamed(@Context ContainerRequestContext request, @PathParam("name") String name,
            @PathParam("server") String server, String body) {
        return stop(request, name, server, body);
    }

    @GET
    @Path("users/{name}/server/progress")
    public Response progressDefault(@Context ContainerRequestContext request, @PathParam("name") String name) {
        return progress(request, name, "");
    }

    @GET
    @Path("users/{name}/servers/{server}/progress")
    public Response progressNamed(@Context ContainerRequestContext request, @PathParam("name") String name,
            @PathParam("server") String server) {
        return progress(request, name, server);
    }

    @POST
    @Path("users/{name}/activity")
    public Response activity(@Context ContainerRequestContext request, @PathParam("name") String rawName,
            String body) {
        String name = NameRules.user(rawName);
        RequestAuth.of(request).require("users:activity", name, null);
        UserRecord user = hub.findUser(name);
        ObjectNode json = Json.object(body);
        Instant userActivity = timestamp(json.get("last_activity"), "last_activity");
        JsonNode servers = json.get("servers");
        if (userActivity == null && (servers == null || servers.isNull())) {
            throw HubException.badRequest("body has no activity: expected last_activity or servers");
        }
        Map<Long, Instant> serverActivity = new LinkedHashMap<>();
        if (servers != null && !servers.isNull()) {
            if (!servers.isObject()) {
                throw HubException.badRequest("servers must be an object of server name to activity");
            }
            for (var entry : servers.properties()) {
                String serverName = NameRules.server(entry.getKey());
                ServerRecord server = hub.store().servers().find(user.id(), serverName)
                        .orElseThrow(() -> HubException.badRequest("No such server '" + serverName + "' for user "
                                + name));
                Instant at = entry.getValue().isObject()
                        ? timestamp(entry.getValue().get("last_activity"), "servers." + serverName + ".last_activity")
                        : null;
                if (at == null) {
                    throw HubException.badRequest("servers." + serverName + ".last_activity is missing");
                }
                serverActivity.put(server.id(), at);
            }
        }
        if (userActivity != null) {
            hub.store().users().touch(user.id(), userActivity);
        }
        serverActivity.forEach((id, at) -> {
            hub.store().servers().touch(id, at);
            hub.store().users().touch(user.id(), at);
        });
        return Response.ok().build();
    }

    private Response start(ContainerRequestContext request, String rawName, String rawServer, String body) {
        String name = NameRules.user(rawName);
        String server = NameRules.server(rawServer);
        RequestAuth.of(request).require("servers", name, server);
        UserRecord user = hub.findUser(name);
        ObjectNode options = Json.object(body);
        @SuppressWarnings("unchecked")
        Map<String, Object> userOptions = Json.MAPPER.convertValue(options, Map.class);
        Outcome outcome = hub.servers().start(user, server, userOptions);
        return Response.status(outcome == Outcome.DONE ? 201 : 202).type(MediaType.TEXT_PLAIN_TYPE).build();
    }

    private Response stop(ContainerRequestContext request, String rawName, String rawServer, String body) {
        String name = NameRules.user(rawName);
        String server = NameRules.server(rawServer);
        RequestAuth.of(request).require("delete:servers", name, server);
        UserRecord user = hub.findUser(name);
        ObjectNode json = Json.object(body);
        boolean remove = Boolean.TRUE.equals(Json.bool(json, "remove"));
        Outcome outcome = hub.servers().stop(user, server, remove);
        return Response.status(outcome == Outcome.DONE ? 204 : 202).build();
    }

    private Response progress(ContainerRequestContext request, String rawName, String rawServer) {
        String name = NameRules.user(rawName);
        String server = NameRules.server(rawServer);
        RequestAuth.of(request).require("read:servers", name, server);
        UserRecord user = hub.findUser(name);
        Optional<ServerRecord> record = hub.store().servers().find(user.id(), server);
        if (record.isEmpty()) {
            throw HubException.notFound(name + " has no server named '" + server + "'");
        }
        Optional<ProgressLog> log = hub.servers().progress(name, server);
        String url = hub.views().serverUrl(name, server);
        if (log.isEmpty() && record.get().state() != ServerState.RUNNING) {
            throw HubException.badRequest("Server " + url + " is not starting");
        }
        StreamingOutput stream = out -> {
            if (log.isEmpty()) {
                Map<String, Object> ready = new LinkedHashMap<>();
                ready.put("progress", 100);
                ready.put("ready", true);
                ready.put("message", "Server ready at " + url);
                ready.put("url", url);
                send(out, ready);
                return;
            }
            stream(out, log.get());
        };
        return Response.ok(stream, "text/event-stream").header("Cache-Control", "no-cache").build();
    }

    private static void stream(OutputStream out, ProgressLog log) throws IOException {
        int index = 0;
        try {
            while (true) {
                Map<String, Object> event = log.await(index, KEEPALIVE);
                if (event != null) {
                    send(out, event);
                    index++;
                    continue;
                }
                if (log.finished() && index >= log.size()) {
                    return;
                }
                out.write("\n\n".getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void send(OutputStream out, Map<String, Object> event) throws IOException {
        out.write(("data: " + Json.MAPPER.writeValueAsString(event) + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static Instant timestamp(JsonNode value, String field) {
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw HubException.badRequest(field + " must be an ISO-8601 timestamp");
        }
        Instant at;
        try {
            at = OffsetDateTime.parse(value.textValue()).toInstant();
        } catch (DateTimeParseException e) {
            try {
                at = java.time.LocalDateTime.parse(value.textValue()).toInstant(java.time.ZoneOffset.UTC);
            } catch (DateTimeParseException e2) {
                throw HubException.badRequest(field + ": invalid timestamp " + value.textValue());
            }
        }
        if (at.isAfter(Instant.now().plus(Duration.ofMinutes(59)))) {
            throw HubException.badRequest(field + " is more than 59 minutes in the future");
        }
        return at;
    }
}
