package io.mlhub.hub.api;

import io.mlhub.hub.auth.Caller;
import io.mlhub.hub.auth.NameRules;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * {@code /hub/user/...}: a workspace path whose server has no route. A stopped server gets 424, as JSON for API
 * clients and as a page for browsers. An anonymous browser is sent to the login page first.
 */
@Path("hub/user")
public final class StoppedServerResource {
    private final HubServices hub;

    StoppedServerResource(HubServices hub) {
        this.hub = hub;
    }

    @GET
    @Path("{name}{rest: (/.*)?}")
    public Response notRunning(@Context ContainerRequestContext request, @Context UriInfo uri,
            @PathParam("name") String rawName, @HeaderParam("Accept") String accept) {
        String name = NameRules.user(rawName);
        String workspacePath = hub.config().baseUrl()
                + uri.getRequestUri().getRawPath().substring(hub.config().hubPrefix().length());
        Caller caller = RequestAuth.of(request).caller();
        boolean browser = accept != null && accept.contains("text/html");
        if (caller == null && browser) {
            return Response.status(302).location(URI.create(hub.config().hubPrefix() + "login?next="
                    + URLEncoder.encode(workspacePath, StandardCharsets.UTF_8))).build();
        }
        String message = "Server at " + workspacePath + " is not running; start it from "
                + hub.config().hubPrefix() + "home";
        if (browser) {
            return Pages.message(424, "Server not running", message);
        }
        return ErrorMapper.body(424, "The server for " + name + " is not running");
    }
}
