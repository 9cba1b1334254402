package io.mlhub.hub.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mlhub.hub.HubException;
import io.mlhub.hub.auth.Caller;
import io.mlhub.hub.auth.CredentialService.Issued;
import io.mlhub.hub.auth.NameRules;
import io.mlhub.hub.store.OAuthClientRecord;
import io.mlhub.hub.store.TokenKind;
import io.mlhub.hub.store.TokenRecord;
import io.mlhub.hub.store.UserRecord;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The token part of the JupyterHub REST API. */
@Path("hub/api")
@Produces(MediaType.APPLICATION_JSON)
public final class TokenResource {
    private static final Logger logger = LoggerFactory.getLogger(TokenResource.class);

    private final HubServices hub;

    TokenResource(HubServices hub) {
        this.hub = hub;
    }

    @GET
    @Path("users/{name}/tokens")
    public Map<String, Object> list(@Context ContainerRequestContext request, @PathParam("name") String rawName) {
        String name = NameRules.user(rawName);
        RequestAuth.of(request).require("read:tokens", name, null);
        UserRecord user = hub.findUser(name);
        hub.store().tokens().purgeExpired(Instant.now());
        List<Map<String, Object>> tokens = hub.store().tokens().listTokens(user.id()).stream()
                .map(t -> view(user, t))
                .toList();
        return Map.of("api_tokens", tokens);
    }

    @POST
    @Path("users/{name}/tokens")
    public Response create(@Context ContainerRequestContext request, @PathParam("name") String rawName,
            String body) {
        String name = NameRules.user(rawName);
        ObjectNode json = Json.object(body);
        Json.allowKeys(json, Set.of("note", "expires_in", "scopes", "roles", "auth"));
        String requester = authorizeCreation(request, name, json);
        UserRecord user = hub.store().users().find(name).orElseThrow(() -> HubException.forbidden(
                "User " + name + " not found or no permissions to generate tokens"));

        String note = Optional.ofNullable(Json.text(json, "note")).orElse("Requested via api");
        if (!requester.equals(name)) {
            note += " by user " + requester;
        }
        List<String> scopes = Json.textList(json, "scopes");
        Json.textList(json, "roles");
        Issued issued = hub.credentials().createToken(user, note, scopes, expiresIn(json));
        hub.store().audit().record(requester, "token.create", name, "id=a" + issued.record().id());
        logger.info("token created user={} id=a{} by={}", name, issued.record().id(), requester);

        Map<String, Object> view = new java.util.LinkedHashMap<>(view(user, issued.record()));
        view.put("token", issued.secret());
        return Response.status(201).entity(view).build();
    }

    @GET
    @Path("users/{name}/tokens/{id}")
    public Map<String, Object> get(@Context ContainerRequestContext request, @PathParam("name") String rawName,
            @PathParam("id") String id) {
        String name = NameRules.user(rawName);
        RequestAuth.of(request).require("read:tokens", name, null);
        UserRecord user = hub.findUser(name);
        return view(user, find(user, id));
    }

    @DELETE
    @Path("users/{name}/tokens/{id}")
    public Response revoke(@Context ContainerRequestContext request, @PathParam("name") String rawName,
            @PathParam("id") String id) {
        String name = NameRules.user(rawName);
        Caller caller = RequestAuth.of(request).require("tokens", name, null);
        UserRecord user = hub.findUser(name);
        TokenRecord token = find(user, id);
        hub.credentials().revoke(user, token.id());
        hub.store().audit().record(caller.name(), "token.revoke", name, "id=a" + token.id());
        logger.info("token revoked user={} id=a{} by={}", name, token.id(), caller.name());
        return Response.noContent().build();
    }

    /** Returns the requesting user's name: a caller with {@code tokens} on {@code name}, or a valid {@code auth}. */
    private String authorizeCreation(ContainerRequestContext request, String name, ObjectNode json) {
        Optional<Caller> caller = RequestAuth.of(request).optionalCaller();
        if (caller.isPresent()) {
            if (!caller.get().scopes().allows("tokens", name, null)) {
                throw HubException.forbidden("User " + name + " not found or no permissions to generate tokens");
            }
            return caller.get().name();
        }
        JsonNode auth = json.get("auth");
        if (auth instanceof ObjectNode credentials) {
            String username = Optional.ofNullable(Json.text(credentials, "username")).orElse("");
            String password = Optional.ofNullable(Json.text(credentials, "password")).orElse("");
            UserRecord user = hub.accounts().login(username, password);
            if (!user.name().equals(name)) {
                throw HubException.forbidden("User " + name + " not found or no permissions to generate tokens");
            }
            return user.name();
        }
        return RequestAuth.of(request).authenticated().name();
    }

    private TokenRecord find(UserRecord user, String id) {
        if (id.length() > 1 && id.charAt(0) == 'a') {
            try {
                Optional<TokenRecord> token = hub.store().tokens().find(user.id(), Long.parseLong(id.substring(1)));
                if (token.isPresent() && token.get().kind() != TokenKind.SESSION) {
                    return token.get();
                }
            } catch (NumberFormatException e) {
                // falls through to the 404 below
            }
        }
        throw HubException.notFound("No such token " + id + " for user " + user.name());
    }

    private Map<String, Object> view(UserRecord user, TokenRecord token) {
        String description = token.oauthClient() == null ? null : hub.store().oauth().findClient(token.oauthClient())
                .map(OAuthClientRecord::description)
                .orElse(token.oauthClient());
        return hub.views().token(user.name(), token, hub.credentials().effectiveScopes(user, token), description);
    }

    private static Duration expiresIn(ObjectNode json) {
        JsonNode value = json.get("expires_in");
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.canConvertToLong() || !value.isIntegralNumber() || value.longValue() <= 0) {
            throw HubException.badField("expires_in", "expires_in must be a positive integer number of seconds");
        }
        return Duration.ofSeconds(value.longValue());
    }
}
