package io.mlhub.hub.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.mlhub.hub.auth.Caller;
import io.mlhub.hub.auth.Scopes;
import io.mlhub.hub.config.HubConfig;
import io.mlhub.hub.store.ServerRecord;
import io.mlhub.hub.store.ServerState;
import io.mlhub.hub.store.TokenRecord;
import io.mlhub.hub.store.UserRecord;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** Builds the JupyterHub JSON models, with fields limited to what the caller's scopes allow. */
final class Views {
    private final HubConfig config;

    Views(HubConfig config) {
        this.config = config;
    }

    /** Returns the path a server is served under, such as {@code /user/alice/} or {@code /user/alice/lab/}. */
    String serverUrl(String user, String server) {
        return config.baseUrl() + "user/" + user + "/" + (server.isEmpty() ? "" : server + "/");
    }

    Map<String, Object> user(UserRecord user, List<ServerRecord> servers, @Nullable Scopes scopes,
            boolean includeStopped) {
        String name = user.name();
        boolean all = scopes == null || scopes.allows("read:users", name, null);
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("kind", "user");
        view.put("name", name);
        if (all || allows(scopes, "read:users:name", name) || allows(scopes, "read:roles:users", name)) {
            view.put("admin", user.isAdmin());
        }
        if (all || allows(scopes, "read:roles:users", name)) {
            view.put("roles", user.isAdmin() ? List.of("admin", "user") : List.of("user"));
        }
        if (all || allows(scopes, "read:users:groups", name)) {
            view.put("groups", List.of());
        }
        if (all) {
            ServerRecord defaultServer = servers.stream().filter(s -> s.name().isEmpty()).findFirst().orElse(null);
            boolean running = defaultServer != null && defaultServer.state() == ServerState.RUNNING;
            view.put("server", running ? serverUrl(name, "") : null);
            view.put("pending", defaultServer == null ? null : pending(defaultServer));
            view.put("created", Json.time(user.created()));
            view.put("authorized", user.authorized());
        }
        if (all || allows(scopes, "read:users:activity", name)) {
            view.put("last_activity", Json.time(user.lastActivity()));
        }
        if (scopes == null || scopes.allows("read:servers", name, null)) {
            Map<String, Object> serverViews = new LinkedHashMap<>();
            for (ServerRecord server : servers) {
                if (includeStopped || server.state() != ServerState.STOPPED) {
                    serverViews.put(server.name(), server(name, server, scopes));
                }
            }
            view.put("servers", serverViews);
        }
        if (scopes == null || scopes.allows("admin:auth_state", name, null)) {
            view.put("auth_state", null);
        }
        return view;
    }

    Map<String, Object> server(String user, ServerRecord server, @Nullable Scopes scopes) {
        Map<String, Object> view = new LinkedHashMap<>();
        String url = serverUrl(user, server.name());
        view.put("name", server.name());
        view.put("last_activity", Json.time(server.lastActivity()));
        view.put("started", Json.time(server.started()));
        view.put("pending", pending(server));
        view.put("ready", server.state() == ServerState.RUNNING);
        view.put("stopped", server.state() == ServerState.STOPPED);
        view.put("url", url);
        view.put("user_options", userOptions(server.userOptions()));
        view.put("progress_url", config.hubPrefix() + "api/users/" + user + "/"
                + (server.name().isEmpty() ? "server" : "servers/" + server.name()) + "/progress");
        view.put("expires_at", Json.time(server.expiresAt()));
        if (scopes == null || scopes.allows("admin:server_state", user, server.name())) {
            Map<String, Object> state = new LinkedHashMap<>();
            state.put("engine_id", server.engineId());
            view.put("state", state);
        }
        return view;
    }

    Map<String, Object> token(String user, TokenRecord token, Scopes effective, @Nullable String oauthDescription) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("user", user);
        view.put("id", "a" + token.id());
        view.put("kind", "api_token");
        view.put("roles", List.of());
        view.put("scopes", effective.sorted());
        view.put("created", Json.time(token.created()));
        view.put("last_activity", Json.time(token.lastActivity()));
        view.put("expires_at", Json.time(token.expiresAt()));
        view.put("note", token.note());
        view.put("session_id", token.sessionId() == null ? null : "s" + token.sessionId());
        view.put("oauth_client", token.oauthClient() == null ? "JupyterHub" : oauthDescription);
        return view;
    }

    /** Returns the model {@code GET /hub/api/user} returns for the caller. */
    Map<String, Object> self(Caller caller, List<ServerRecord> servers) {
        Map<String, Object> view = user(caller.user(), servers, caller.scopes(), false);
        view.put("admin", caller.user().isAdmin());
        view.putIfAbsent("groups", List.of());
        view.put("session_id", caller.credential().sessionId() == null ? null : "s" + caller.credential().sessionId());
        view.put("scopes", caller.scopes().sorted());
        view.put("token_id", "a" + caller.credential().id());
        return view;
    }

    private static @Nullable String pending(ServerRecord server) {
        return switch (server.state()) {
            case SPAWNING -> "spawn";
            case STOPPING -> "stop";
            case RUNNING, STOPPED -> null;
        };
    }

    private static boolean allows(@Nullable Scopes scopes, String scope, String user) {
        return scopes == null || scopes.allows(scope, user, null);
    }

    private static Object userOptions(String json) {
        try {
            JsonNode node = Json.MAPPER.readTree(json);
            return Json.MAPPER.convertValue(node, Map.class);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            return Map.of();
        }
    }
}
