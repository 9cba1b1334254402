package io.mlhub.hub.api;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;

/** Adds the headers every hub response carries: the JupyterHub version, and for the API, CORS and CSP. */
final class ResponseHeadersFilter implements ContainerResponseFilter {
    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        response.getHeaders().putSingle("X-JupyterHub-Version", HubApi.JUPYTERHUB_VERSION);
        if (request.getUriInfo().getPath().startsWith("hub/api")) {
            response.getHeaders().putSingle("Access-Control-Allow-Headers", "accept, content-type, authorization");
            response.getHeaders().putSingle("Content-Security-Policy", "frame-ancestors 'self'; default-src 'none'");
        }
    }
}
