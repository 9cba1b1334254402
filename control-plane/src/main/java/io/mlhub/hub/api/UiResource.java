package io.mlhub.hub.api;

import io.mlhub.hub.HubException;
import io.mlhub.hub.auth.Caller;
import io.mlhub.hub.auth.Secrets;
import io.mlhub.ui.UiAssets;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Cookie;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import org.jspecify.annotations.Nullable;

/**
 * Serves the web pages of {@link UiAssets} at {@code <base>hub/<page>}, their files at {@code <base>hub/static/},
 * and the operator's logo at {@code <base>hub/logo}. Pages contain no data, so anyone may load them, and each page
 * requests the signed-in user from the API.
 */
@Path("hub")
public final class UiResource {
    /** The fixed path, below the hub prefix, of the operator's logo file. */
    static final String LOGO_PATH = "logo";

    private static final String PAGES = "login|signup|home|token|admin|ssh|change-password";
    private static final String PAGE_CSP = "default-src 'self'; img-src 'self' data:%s; object-src 'none'; "
            + "frame-ancestors 'none'";

    private final HubServices hub;

    UiResource(HubServices hub) {
        this.hub = hub;
    }

    /** Sends {@code <base>hub} and {@code <base>hub/} on as {@link RootResource} does. */
    @GET
    public Response hubRoot(@Context ContainerRequestContext request) {
        return RootResource.toHome(hub, request);
    }

    @GET
    @Path("{page: " + PAGES + "}")
    public Response page(@Context ContainerRequestContext request, @PathParam("page") String page,
            @QueryParam("next") String next) {
        if (request.getUriInfo().getRequestUri().getRawPath().endsWith("/")) {
            // Pages load their files by relative paths, which a trailing slash would break.
            return Response.status(302).location(URI.create(hub.config().hubPrefix() + page)).build();
        }
        Caller caller = RequestAuth.of(request).caller();
        if (page.equals("login") && caller != null && caller.viaCookie()) {
            String target = SafeRedirects.next(next, hub.config().baseUrl(), hub.config().hubPrefix() + "home");
            return Response.status(302).location(URI.create(target)).build();
        }
        InputStream html = UiResource.class.getClassLoader().getResourceAsStream(UiAssets.pageResource(page));
        if (html == null) {
            throw HubException.notFound("The page " + page + " is missing from this build");
        }
        Response.ResponseBuilder response = Response.ok(html, UiAssets.contentType("page.html"))
                .header(HttpHeaders.CACHE_CONTROL, "no-cache")
                .header("Content-Security-Policy", PAGE_CSP.formatted(logoOrigin()));
        String xsrf = xsrfValue(request, caller);
        if (xsrf != null) {
            response.header(HttpHeaders.SET_COOKIE, Cookies.header(Cookies.XSRF, xsrf, hub.config().hubPrefix(),
                    false, hub.config().sslEnabled(), hub.config().sessionMaxAge().toSeconds()));
        }
        return response.build();
    }

    @GET
    @Path("static/{path: .+}")
    public Response staticFile(@PathParam("path") String path) {
        String resource = UiAssets.staticResource(path)
                .orElseThrow(() -> HubException.notFound("No such file: " + path));
        InputStream content = UiResource.class.getClassLoader().getResourceAsStream(resource);
        if (content == null) {
            throw HubException.notFound("No such file: " + path);
        }
        return Response.ok(content, UiAssets.contentType(path))
                .header(HttpHeaders.CACHE_CONTROL, "max-age=300")
                .build();
    }

    @GET
    @Path(LOGO_PATH)
    public Response logo() {
        java.nio.file.Path file = hub.config().logoFile();
        if (file == null) {
            return Response.status(302).location(URI.create(hub.config().hubPrefix() + "static/img/logo.svg"))
                    .build();
        }
        try {
            return Response.ok(Files.readAllBytes(file), UiAssets.contentType(file.getFileName().toString()))
                    .header(HttpHeaders.CACHE_CONTROL, "max-age=300")
                    .build();
        } catch (IOException e) {
            throw new HubException(500, "The configured logo file cannot be read; the hub log has the path");
        }
    }

    /**
     * Returns the XSRF token to set with a page: the session's own token when it differs from the cookie, a random
     * one for a visitor with no cookie, or {@code null} when the cookie is already right.
     */
    private @Nullable String xsrfValue(ContainerRequestContext request, @Nullable Caller caller) {
        Cookie current = request.getCookies().get(Cookies.XSRF);
        if (caller != null && caller.viaCookie()) {
            String expected = Cookies.xsrfFor(caller.sessionSecret());
            return current != null && current.getValue().equals(expected) ? null : expected;
        }
        return current == null ? Secrets.newToken().substring(0, 32) : null;
    }

    private String logoOrigin() {
        String url = hub.config().logoUrl();
        if (url == null || !url.matches("(?i)https?://.*")) {
            return "";
        }
        URI uri = URI.create(url);
        return " " + uri.getScheme() + "://" + uri.getRawAuthority();
    }
}
