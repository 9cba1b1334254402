package io.mlhub.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HttpsRedirectsTest {

    @ParameterizedTest(name = "{0} {1} Host: {2}")
    @CsvSource(delimiter = '|', value = {
        "GET    | /hub/?a=b              | hub.example.org      | 301 | https://hub.example.org/hub/?a=b",
        "HEAD   | /                      | 127.0.0.1:8443       | 301 | https://127.0.0.1:8443/",
        "POST   | /hub/api/users         | [::1]:8000           | 308 | https://[::1]:8000/hub/api/users",
        "GET    | http://other/x/y?q=1   | hub.example.org      | 301 | https://hub.example.org/x/y?q=1",
        "OPTIONS| *                      | hub.example.org      | 308 | https://hub.example.org/",
        "GET    | /                      | evil.test/path       | 400 | ''",
        "GET    | /                      | a@b                  | 400 | ''",
        "GET    | /                      | ''                   | 400 | ''"
    })
    void redirectKeepsHostAndPath(String method, String uri, String host, int status, String location) {
        HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(method.strip()), uri);
        if (!host.isEmpty()) {
            request.headers().set("Host", host);
        }

        FullHttpResponse response = HttpsRedirects.redirect(request);

        try {
            assertThat(response.status().code()).isEqualTo(status);
            assertThat(response.headers().get("Location", "")).isEqualTo(location);
        } finally {
            response.release();
        }
    }
}
