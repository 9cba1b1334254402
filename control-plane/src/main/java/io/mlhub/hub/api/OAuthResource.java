package io.mlhub.hub.api;

import io.mlhub.hub.auth.Caller;
import io.mlhub.hub.oauth.OAuthProvider.Authorization;
import io.mlhub.hub.oauth.OAuthProvider.TokenResult;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** The OAuth 2 endpoints {@code jupyterhub-singleuser} uses to log users in through the hub. */
@Path("hub/api")
public final class OAuthResource {
    private final HubServices hub;

    OAuthResource(HubServices hub) {
        this.hub = hub;
    }

    @GET
    @Path("oauth2/authorize")
    public Response authorize(@Context ContainerRequestContext request, @Context UriInfo uri,
            @QueryParam("client_id") String clientId, @QueryParam("redirect_uri") String redirectUri,
            @QueryParam("response_type") String responseType, @QueryParam("state") String state) {
        Caller caller = RequestAuth.of(request).caller();
        if (caller == null || !caller.viaCookie()) {
            String self = uri.getRequestUri().getRawPath()
                    + (uri.getRequestUri().getRawQuery() == null ? "" : "?" + uri.getRequestUri().getRawQuery());
            return Response.status(302).location(URI.create(hub.config().hubPrefix() + "login?next="
                    + URLEncoder.encode(self, StandardCharsets.UTF_8))).build();
        }
        Authorization result = hub.oauth().authorize(caller, clientId, redirectUri, responseType, state);
        return switch (result) {
            case Authorization.Redirect redirect -> Response.status(302).location(URI.create(redirect.location()))
                    .build();
            case Authorization.Error error -> Pages.message(error.status(), "Authorization failed", error.message());
        };
    }

    @POST
    @Path("oauth2/token")
    public Response token(@HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType, String body) {
        Map<String, String> form = Json.formOrJson(contentType, body);
        TokenResult result = hub.oauth().exchange(form.get("grant_type"), form.get("code"), form.get("client_id"),
                form.get("client_secret"), form.get("redirect_uri"));
        Map<String, Object> json = new LinkedHashMap<>();
        if (result.status() != 200) {
            json.put("error", result.error());
        } else {
            json.put("access_token", result.accessToken());
            json.put("expires_in", io.mlhub.hub.oauth.OAuthProvider.TOKEN_LIFETIME.toSeconds());
            json.put("token_type", "Bearer");
            json.put("scope", result.scope());
        }
        return Response.status(result.status())
                .type(MediaType.APPLICATION_JSON_TYPE)
                .header("Cache-Control", "no-store")
                .header("Pragma", "no-cache")
                .entity(json)
                .build();
    }
}
