package io.mlhub.hub.api;

import io.mlhub.hub.auth.Caller;
import io.mlhub.hub.auth.CredentialService;
import io.mlhub.hub.auth.Secrets;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.Cookie;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Authenticates every request from the {@code Authorization: token|bearer} header or, failing that, the session
 * cookie. A cookie on a state-changing request counts only with the matching XSRF token; otherwise the request is
 * anonymous, as in JupyterHub 4. Unknown or expired credentials make a request anonymous; resources then return
 * 403, never 401.
 */
@PreMatching
@Priority(Priorities.AUTHENTICATION)
final class AuthFilter implements ContainerRequestFilter {
    private static final Pattern AUTHORIZATION = Pattern.compile("(?i)^(token|bearer)\\s+(\\S+)$");
    private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS");
    private static final int MAX_FORM_BYTES = 1 << 20;

    private final CredentialService credentials;

    AuthFilter(CredentialService credentials) {
        this.credentials = credentials;
    }

    @Override
    public void filter(ContainerRequestContext request) throws IOException {
        if (request.getMethod().equals("OPTIONS") && request.getUriInfo().getPath().startsWith("hub/api")) {
            // CORS preflight: JupyterHub returns 200 for OPTIONS on every API path, without authentication.
            request.abortWith(Response.ok().build());
            return;
        }
        String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        if (header != null) {
            Matcher m = AUTHORIZATION.matcher(header.trim());
            Optional<Caller> caller = m.matches() ? credentials.resolveToken(m.group(2)) : Optional.empty();
            request.setProperty(RequestAuth.PROPERTY, new RequestAuth(caller.orElse(null), false));
            return;
        }
        Cookie cookie = request.getCookies().get(Cookies.SESSION);
        if (cookie == null) {
            return;
        }
        Optional<Caller> caller = credentials.resolveSession(cookie.getValue());
        if (caller.isEmpty()) {
            return;
        }
        if (SAFE_METHODS.contains(request.getMethod()) || xsrfMatches(request, cookie.getValue())) {
            request.setProperty(RequestAuth.PROPERTY, new RequestAuth(caller.get(), false));
        } else {
            request.setProperty(RequestAuth.PROPERTY, new RequestAuth(null, true));
        }
    }

    private static boolean xsrfMatches(ContainerRequestContext request, String sessionSecret) throws IOException {
        String expected = Cookies.xsrfFor(sessionSecret);
        String sent = request.getHeaderString(Cookies.XSRF_HEADER);
        if (sent == null) {
            sent = request.getHeaderString("X-CSRFToken");
        }
        if (sent == null) {
            sent = request.getUriInfo().getQueryParameters().getFirst("_xsrf");
        }
        if (sent == null && isForm(request)) {
            sent = formField(request, "_xsrf");
        }
        return sent != null && Secrets.constantTimeEquals(sent, expected);
    }

    private static boolean isForm(ContainerRequestContext request) {
        String type = request.getHeaderString(HttpHeaders.CONTENT_TYPE);
        return type != null && type.toLowerCase().startsWith("application/x-www-form-urlencoded");
    }

    /** Reads one field of a form body and puts the body back for the resource. */
    private static String formField(ContainerRequestContext request, String name) throws IOException {
        byte[] body = request.getEntityStream().readNBytes(MAX_FORM_BYTES + 1);
        request.setEntityStream(new ByteArrayInputStream(body));
        if (body.length > MAX_FORM_BYTES) {
            return null;
        }
        return Json.form(new String(body, java.nio.charset.StandardCharsets.UTF_8)).get(name);
    }
}
