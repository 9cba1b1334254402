package io.mlhub.hub.api;

import io.mlhub.hub.HubException;
import io.mlhub.hub.SshInfo;
import io.mlhub.hub.auth.NameRules;
import io.mlhub.hub.auth.SshPublicKey;
import io.mlhub.hub.ssh.HubSshDirectory;
import io.mlhub.hub.store.ServerRecord;
import io.mlhub.hub.store.ServerState;
import io.mlhub.hub.store.UserRecord;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * {@code GET .../server/ssh-access} and {@code .../servers/{server}/ssh-access}: the SSH client settings that reach a
 * workspace through the hub's SSH service as a jump host. The response contains no secret, because the private key
 * stays with the user.
 */
@Path("hub/api")
@Produces(MediaType.APPLICATION_JSON)
public final class SshAccessResource {
    /** The private key file name the pages save and SSH config blocks refer to. */
    static final String KEY_FILE_NAME = "mlhub_ed25519";

    private final HubServices hub;

    SshAccessResource(HubServices hub) {
        this.hub = hub;
    }

    @GET
    @Path("users/{name}/server/ssh-access")
    public Map<String, Object> defaultServer(@Context ContainerRequestContext request, @PathParam("name") String name) {
        return access(request, name, "");
    }

    @GET
    @Path("users/{name}/servers/{server}/ssh-access")
    public Map<String, Object> namedServer(@Context ContainerRequestContext request, @PathParam("name") String name,
            @PathParam("server") String server) {
        return access(request, name, server);
    }

    private Map<String, Object> access(ContainerRequestContext request, String rawName, String rawServer) {
        String owner = NameRules.user(rawName);
        String server = NameRules.server(rawServer);
        RequestAuth.of(request).require("read:servers", owner, server);
        UserRecord user = hub.findUser(owner);
        ServerRecord record = hub.store().servers().find(user.id(), server)
                .orElseThrow(() -> HubException.notFound(server.isEmpty()
                        ? owner + " has not started the default server yet; start it once to get SSH access"
                        : owner + " has no server named '" + server + "'"));
        SshInfo ssh = hub.sshInfo();
        if (ssh == null) {
            throw HubException.notFound("This hub runs no SSH service");
        }

        String target = HubSshDirectory.targetName(owner, server);
        String alias = hub.config().hubName() + "-" + target;
        // The block names the owner even when an admin reads it, because the admin hands it to the owner unchanged.
        String jumpHost = owner + "@" + ssh.host() + (ssh.port() == 22 ? "" : ":" + ssh.port());
        List<String> config = new ArrayList<>(List.of("Host " + alias, "  HostName " + target));
        if (ssh.workspaceUser() != null) {
            config.add("  User " + ssh.workspaceUser());
        }
        config.add("  ProxyJump " + jumpHost);
        config.add("  IdentityFile ~/.ssh/" + KEY_FILE_NAME);
        String hostPattern = ssh.port() == 22 ? ssh.host() : "[" + ssh.host() + "]:" + ssh.port();
        List<String> knownHosts = ssh.hostKeys().stream().map(SshPublicKey::key).map(k -> hostPattern + " " + k)
                .toList();

        Map<String, Object> view = new LinkedHashMap<>();
        view.put("target", target);
        view.put("alias", alias);
        view.put("host", ssh.host());
        view.put("port", ssh.port());
        view.put("running", record.state() == ServerState.RUNNING);
        view.put("sshConfig", String.join("\n", config));
        view.put("knownHosts", String.join("\n", knownHosts));
        view.put("setupCommand", setupCommand(config, knownHosts));
        return view;
    }

    /** Returns one shell line that appends the config block and the known_hosts lines to the user's files. */
    static String setupCommand(List<String> config, List<String> knownHosts) {
        StringBuilder command = new StringBuilder("mkdir -p ~/.ssh && chmod 700 ~/.ssh && printf '%s\\n' '' ")
                .append(quoted(config)).append(" >> ~/.ssh/config");
        if (!knownHosts.isEmpty()) {
            command.append(" && printf '%s\\n' ").append(quoted(knownHosts)).append(" >> ~/.ssh/known_hosts");
        }
        return command.toString();
    }

    private static String quoted(List<String> lines) {
        return lines.stream().map(line -> "'" + line.replace("'", "'\\''") + "'").collect(Collectors.joining(" "));
    }
}
