package io.mlhub.hub.api;

import io.mlhub.hub.HubException;
import io.mlhub.hub.auth.AccountService.SignupResult;
import io.mlhub.hub.auth.Caller;
import io.mlhub.hub.auth.CredentialService.Issued;
import io.mlhub.hub.store.UserRecord;
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
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Sign-up, login, logout and password change. Forms may be posted as {@code application/x-www-form-urlencoded}
 * or JSON; a form gets a redirect or a page, JSON gets JSON.
 */
@Path("hub")
public final class LoginResource {
    private final HubServices hub;

    LoginResource(HubServices hub) {
        this.hub = hub;
    }

    @POST
    @Path("login")
    public Response login(@HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
            @QueryParam("next") String nextQuery, String body) {
        boolean json = isJson(contentType);
        Map<String, String> form = Json.formOrJson(contentType, body);
        String next = SafeRedirects.next(form.getOrDefault("next", nextQuery), hub.config().baseUrl(), home());
        UserRecord user;
        try {
            user = hub.accounts().login(form.getOrDefault("username", ""), form.getOrDefault("password", ""));
        } catch (HubException e) {
            if (json) {
                throw e;
            }
            return Pages.login(e.status(), hub.config().hubPrefix(), next, e.getMessage());
        }
        Issued session = hub.credentials().createSession(user);
        Response.ResponseBuilder response = json
                ? Response.ok(Map.of("name", user.name(), "next", next), MediaType.APPLICATION_JSON_TYPE)
                : Response.status(302).location(URI.create(next));
        return withSessionCookies(response, session.secret()).build();
    }

    @POST
    @Path("signup")
    public Response signup(@HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType, String body) {
        Map<String, String> form = Json.formOrJson(contentType, body);
        SignupResult result;
        try {
            result = hub.accounts().signup(form.getOrDefault("username", ""), form.getOrDefault("password", ""));
        } catch (HubException | IllegalArgumentException e) {
            if (isJson(contentType)) {
                throw withSignupField(e);
            }
            int status = e instanceof HubException h ? h.status() : 400;
            return Pages.signup(status, hub.config().hubPrefix(), e.getMessage());
        }
        String message = result.authorized()
                ? "The account " + result.name() + " was created; you can sign in now."
                : "The account " + result.name() + " was created and waits for an administrator to authorize it.";
        if (isJson(contentType)) {
            Map<String, Object> view = new LinkedHashMap<>();
            view.put("name", result.name());
            view.put("authorized", result.authorized());
            view.put("admin", result.admin());
            view.put("message", message);
            return Response.status(201).type(MediaType.APPLICATION_JSON_TYPE).entity(view).build();
        }
        return Pages.signup(201, hub.config().hubPrefix(), message);
    }

    @GET
    @Path("logout")
    public Response logoutGet(@Context ContainerRequestContext request) {
        return logout(request);
    }

    @POST
    @Path("logout")
    public Response logout(@Context ContainerRequestContext request) {
        Caller caller = RequestAuth.of(request).caller();
        if (caller == null && request.getCookies().containsKey(Cookies.SESSION)) {
            // A logout without a valid XSRF token still ends the session: logging out cannot harm the user.
            caller = hub.credentials().resolveSession(request.getCookies().get(Cookies.SESSION).getValue())
                    .orElse(null);
        }
        if (caller != null && caller.viaCookie()) {
            hub.credentials().endSession(caller);
        }
        boolean secure = hub.config().sslEnabled();
        return Response.status(302)
                .location(URI.create(hub.config().hubPrefix() + "login"))
                .header(HttpHeaders.SET_COOKIE, Cookies.header(Cookies.SESSION, "", hub.config().baseUrl(), true,
                        secure, 0))
                .header(HttpHeaders.SET_COOKIE, Cookies.header(Cookies.XSRF, "", hub.config().hubPrefix(), false,
                        secure, 0))
                .build();
    }

    @POST
    @Path("change-password")
    public Response changePassword(@Context ContainerRequestContext request,
            @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType, String body) {
        Caller caller = RequestAuth.of(request).authenticated();
        Map<String, String> form = Json.formOrJson(contentType, body);
        try {
            hub.accounts().changePassword(caller.user(), form.getOrDefault("current_password", ""),
                    form.getOrDefault("new_password", ""));
        } catch (HubException e) {
            String field = e.status() == 403 ? "current_password" : "new_password";
            throw new HubException(e.status(), e.getMessage(), field);
        }
        if (isJson(contentType)) {
            return Response.ok(Map.of("message", "Password changed"), MediaType.APPLICATION_JSON_TYPE).build();
        }
        return Pages.message(200, "Password changed", "Your password was changed.");
    }

    @GET
    @Path("health")
    public Response health() {
        return Response.ok().build();
    }

    private Response.ResponseBuilder withSessionCookies(Response.ResponseBuilder response, String sessionSecret) {
        long maxAge = hub.config().sessionMaxAge().toSeconds();
        response.header(HttpHeaders.SET_COOKIE, Cookies.header(Cookies.SESSION, sessionSecret,
                hub.config().baseUrl(), true, hub.config().sslEnabled(), maxAge));
        return withXsrfCookie(response, sessionSecret);
    }

    private Response.ResponseBuilder withXsrfCookie(Response.ResponseBuilder response, String sessionSecret) {
        return response.header(HttpHeaders.SET_COOKIE, Cookies.header(Cookies.XSRF, Cookies.xsrfFor(sessionSecret),
                hub.config().hubPrefix(), false, hub.config().sslEnabled(), hub.config().sessionMaxAge().toSeconds()));
    }

    private String home() {
        return hub.config().hubPrefix() + "home";
    }

    /** Names the form field a sign-up error is about: the password for password rules, else the name. */
    private static HubException withSignupField(RuntimeException error) {
        if (error instanceof HubException e) {
            String field = e.getMessage().startsWith("Password") ? "password" : "username";
            return new HubException(e.status(), e.getMessage(), field);
        }
        return HubException.badField("username", error.getMessage());
    }

    private static boolean isJson(String contentType) {
        return contentType != null && contentType.toLowerCase().startsWith("application/json");
    }
}
