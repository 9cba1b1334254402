package io.mlhub.hub.api;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.net.URI;

/**
 * Requests for {@code /user/...} that reach the hub because no workspace route matched, as with JupyterHub, whose
 * route is the catch-all: the path moves under {@code /hub/user/}, which {@link StoppedServerResource} serves.
 */
@Path("")
public final class WorkspaceFallbackResource {
    private final HubServices hub;

    WorkspaceFallbackResource(HubServices hub) {
        this.hub = hub;
    }

    @GET
    @Path("user/{name}{rest: (/.*)?}")
    public Response redirectToHub(@Context UriInfo uri) {
        String query = uri.getRequestUri().getRawQuery();
        String path = uri.getRequestUri().getRawPath().substring(hub.config().baseUrl().length());
        return Response.status(302)
                .location(URI.create(hub.config().hubPrefix() + path + (query == null ? "" : "?" + query)))
                .build();
    }
}
