package io.mlhub.hub.server;

import io.mlhub.hub.config.HubConfig;
import io.mlhub.hub.oauth.OAuthProvider;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code JUPYTERHUB_*} environment of a workspace, as JupyterHub 3.0 sets it for {@code jupyterhub-singleuser}.
 * The spawner adds {@code JUPYTERHUB_SERVICE_URL}, because the spawner picks the address the workspace listens on.
 */
public final class SpawnEnvironment {
    private SpawnEnvironment() {}

    /**
     * Returns the environment for one server.
     *
     * @param hubApiUrl how the workspace reaches the hub API, such as {@code http://127.0.0.1:8081/hub/api}
     * @param token the server's API token, also its OAuth client secret
     */
    public static Map<String, String> of(HubConfig config, String hubApiUrl, String user, String server,
            String prefix, String token) {
        String accessScopes = "[\"access:servers!server=" + user + "/" + server + "\", \"access:servers!user="
                + user + "\"]";
        Map<String, String> env = new LinkedHashMap<>();
        env.put("JUPYTERHUB_API_TOKEN", token);
        env.put("JPY_API_TOKEN", token);
        env.put("JUPYTERHUB_CLIENT_ID", OAuthProvider.clientId(user, server));
        env.put("JUPYTERHUB_API_URL", hubApiUrl);
        env.put("JUPYTERHUB_ACTIVITY_URL", hubApiUrl + "/users/" + user + "/activity");
        env.put("JUPYTERHUB_BASE_URL", config.baseUrl());
        env.put("JUPYTERHUB_SERVICE_PREFIX", prefix);
        env.put("JUPYTERHUB_OAUTH_CALLBACK_URL", prefix + "oauth_callback");
        env.put("JUPYTERHUB_OAUTH_SCOPES", accessScopes);
        env.put("JUPYTERHUB_OAUTH_ACCESS_SCOPES", accessScopes);
        env.put("JUPYTERHUB_OAUTH_CLIENT_ALLOWED_SCOPES", "[]");
        env.put("JUPYTERHUB_USER", user);
        env.put("JUPYTERHUB_SERVER_NAME", server);
        env.put("JUPYTERHUB_HOST", config.publicUrl() == null ? "" : config.publicUrl());
        return env;
    }
}
