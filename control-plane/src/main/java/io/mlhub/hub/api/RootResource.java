package io.mlhub.hub.api;

import io.mlhub.hub.auth.Caller;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** Sends {@code <base>} to the home page, or to the login page for a visitor. */
@Path("")
public final class RootResource {
    private final HubServices hub;

    RootResource(HubServices hub) {
        this.hub = hub;
    }

    @GET
    public Response base(@Context ContainerRequestContext request) {
        return toHome(hub, request);
    }

    /** Returns a redirect to the home page, or to the login page that leads there for a visitor. */
    static Response toHome(HubServices hub, ContainerRequestContext request) {
        String home = hub.config().hubPrefix() + "home";
        Caller caller = RequestAuth.of(request).caller();
        if (caller != null && caller.viaCookie()) {
            return Response.status(302).location(URI.create(home)).build();
        }
        return Response.status(302).location(URI.create(hub.config().hubPrefix() + "login?next="
                + URLEncoder.encode(home, StandardCharsets.UTF_8))).build();
    }
}
