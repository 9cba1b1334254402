package io.mlhub.hub.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.mlhub.hub.SshInfo;
import io.mlhub.hub.auth.AccountService;
import io.mlhub.hub.auth.CredentialService;
import io.mlhub.hub.config.HubConfig;
import io.mlhub.hub.oauth.OAuthProvider;
import io.mlhub.hub.server.ServerService;
import io.mlhub.hub.spawn.lifecycle.CleanupService;
import io.mlhub.hub.store.HubStore;
import jakarta.ws.rs.ext.ContextResolver;
import org.glassfish.jersey.jackson.JacksonFeature;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.server.ServerProperties;
import org.jspecify.annotations.Nullable;

/** Builds the Jersey application of the hub: its resources, filters and error mapping. */
public final class HubApi {
    /**
     * The JupyterHub API version the hub implements. {@code jupyterhub-singleuser} parses it as PEP 440 and warns
     * when major and minor differ from its own, so it matches the JupyterHub 3.0 that Debian ships.
     */
    public static final String JUPYTERHUB_VERSION = "3.0.0";
    /** This hub's own version, reported by {@code /hub/api/info}. */
    public static final String HUB_VERSION = "0.1.0";

    private HubApi() {}

    /** Returns the application for the given services. */
    public static ResourceConfig application(HubConfig config, HubStore store, CredentialService credentials,
            AccountService accounts, ServerService servers, OAuthProvider oauth, @Nullable SshInfo sshInfo,
            CleanupService cleanup) {
        HubServices hub = new HubServices(config, store, credentials, accounts, servers, oauth, new Views(config),
                sshInfo, cleanup);
        ResourceConfig app = new ResourceConfig();
        app.property(ServerProperties.LOCATION_HEADER_RELATIVE_URI_RESOLUTION_DISABLED, true);
        app.property(ServerProperties.WADL_FEATURE_DISABLE, true);
        app.register(JacksonFeature.withoutExceptionMappers());
        app.register((ContextResolver<ObjectMapper>) type -> Json.MAPPER);
        app.register(new AuthFilter(credentials));
        app.register(new ResponseHeadersFilter());
        app.register(new ErrorMapper());
        app.register(new HubInfoResource(hub));
        app.register(new UserResource(hub));
        app.register(new TokenResource(hub));
        app.register(new ServerResource(hub));
        app.register(new SshKeyResource(hub));
        app.register(new OAuthResource(hub));
        app.register(new LoginResource(hub));
        app.register(new WorkspaceFallbackResource(hub));
        app.register(new StoppedServerResource(hub));
        app.register(new UiResource(hub));
        app.register(new RootResource(hub));
        app.register(new UiConfigResource(hub));
        app.register(new SshAccessResource(hub));
        app.register(new CleanupResource(hub));
        return app;
    }
}
