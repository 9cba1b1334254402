package io.mlhub.hub.api;

import io.mlhub.hub.SshInfo;
import io.mlhub.hub.auth.NameRules;
import io.mlhub.hub.config.HubConfig;
import io.mlhub.hub.config.WorkspaceLimits;
import io.mlhub.hub.spawn.EngineCapabilities;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * {@code GET /hub/api/ui-config}: the settings the web pages need. Visitors get the branding, sign-up and name
 * rules; signed-in users also get the workspace form's choices and limits and the SSH service's address.
 */
@Path("hub/api")
@Produces(MediaType.APPLICATION_JSON)
public final class UiConfigResource {
    /** The name rule of {@link NameRules}, written so that Java and JavaScript read it the same way. */
    static final String NAME_PATTERN = "^[a-z0-9]([a-z0-9._-]*[a-z0-9])?$";

    private final HubServices hub;

    UiConfigResource(HubServices hub) {
        this.hub = hub;
    }

    @GET
    @Path("ui-config")
    public Map<String, Object> get(@Context ContainerRequestContext request) {
        HubConfig config = hub.config();
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("hubName", config.hubName().equals(HubConfig.DEFAULT_HUB_NAME) ? "ML Hub" : config.hubName());
        view.put("version", HubApi.HUB_VERSION);
        view.put("logoUrl", logoUrl(config));
        view.put("signup", Map.of("enabled", true, "open", config.openSignup()));
        view.put("names", names(config));
        if (RequestAuth.of(request).caller() == null) {
            return view;
        }

        EngineCapabilities engine = hub.servers().capabilities();
        WorkspaceLimits limits = config.limits();
        view.put("allowNamedServers", config.allowNamedServers());
        view.put("namedServerLimitPerUser", config.namedServerLimitPerUser());
        view.put("workspaceImages", config.workspaceImages());
        Map<String, Object> max = new LinkedHashMap<>();
        max.put("maxCpus", limits.maxCpus() > 0 ? limits.maxCpus() : null);
        max.put("maxMemory", size(limits.maxMemoryGb()));
        max.put("maxGpus", limits.maxGpus());
        max.put("maxDaysToLive", limits.maxDaysToLive() > 0 ? limits.maxDaysToLive() : null);
        max.put("maxShmSize", size(limits.maxShmSizeGb()));
        view.put("limits", max);
        Map<String, Object> defaults = new LinkedHashMap<>();
        defaults.put("cpu_limit", null);
        defaults.put("mem_limit", null);
        defaults.put("days_to_live", null);
        defaults.put("shm_size", null);
        defaults.put("volume", engine.volumes());
        view.put("defaults", defaults);
        view.put("gpusAvailable", engine.gpus() && limits.maxGpus() > 0);
        view.put("supportedOptions", engine.supportedOptions());
        view.put("ssh", ssh(hub.sshInfo()));
        return view;
    }

    private static Map<String, Object> names(HubConfig config) {
        Map<String, Object> names = new LinkedHashMap<>();
        String description = "1 to " + NameRules.MAX_LENGTH + " lower-case letters, digits, '.', '_' or '-', "
                + "starting and ending with a letter or digit";
        names.put("user", Map.of("pattern", NAME_PATTERN, "maxLength", NameRules.MAX_LENGTH,
                "description", description));
        names.put("server", Map.of("pattern", NAME_PATTERN, "maxLength", NameRules.MAX_LENGTH,
                "description", description));
        names.put("minPasswordLength", config.minPasswordLength());
        return names;
    }

    private static Map<String, Object> ssh(@Nullable SshInfo info) {
        Map<String, Object> ssh = new LinkedHashMap<>();
        ssh.put("enabled", info != null);
        ssh.put("keyFileName", SshAccessResource.KEY_FILE_NAME);
        if (info != null) {
            ssh.put("host", info.host());
            ssh.put("port", info.port());
            ssh.put("hostKeyFingerprints", info.hostKeys().stream()
                    .map(key -> Map.of("type", key.type(), "fingerprint", key.fingerprint()))
                    .toList());
        } else {
            ssh.put("hostKeyFingerprints", List.of());
        }
        return ssh;
    }

    static @Nullable String logoUrl(HubConfig config) {
        if (config.logoUrl() != null) {
            return config.logoUrl();
        }
        return config.logoFile() != null ? config.hubPrefix() + UiResource.LOGO_PATH : null;
    }

    /** Returns a size in GB as the pages write it ({@code 16G}, {@code 512M}), or {@code null} for no maximum. */
    private static @Nullable String size(double gigabytes) {
        if (gigabytes <= 0) {
            return null;
        }
        if (gigabytes == Math.rint(gigabytes)) {
            return (long) gigabytes + "G";
        }
        return Math.round(gigabytes * 1024) + "M";
    }
}
