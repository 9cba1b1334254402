package io.mlhub.hub.api;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Renders the errors Jetty raises before a request reaches the API, such as a malformed or ambiguous path, in the
 * hub's JSON error format and with the version header every hub response carries.
 */
public final class JsonErrorHandler extends ErrorHandler {
    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        int status = response.getStatus() >= 400 ? response.getStatus() : 500;
        Object code = request.getAttribute(ERROR_STATUS);
        if (code instanceof Integer value) {
            status = value;
        }
        String message = HttpStatus.getMessage(status);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", status);
        body.put("message", message);
        byte[] bytes = Json.MAPPER.writeValueAsBytes(body);
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json; charset=utf-8");
        response.getHeaders().put("X-JupyterHub-Version", HubApi.JUPYTERHUB_VERSION);
        response.write(true, ByteBuffer.wrap(bytes), callback);
        return true;
    }
}
