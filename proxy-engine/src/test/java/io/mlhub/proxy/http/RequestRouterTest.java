package io.mlhub.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlhub.proxy.route.PathRouteTable;
import io.mlhub.proxy.route.Route;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.net.URI;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RequestRouterTest {
    private final PathRouteTable routes = new PathRouteTable();
    private final RequestRouter router;

    RequestRouterTest() {
        routes.put(new Route("/", URI.create("http://10.0.0.1:8081"), null, null, Map.of()));
        routes.put(new Route("/user/alice", URI.create("http://10.0.0.2:8888"), "alice", "", Map.of()));
        routes.put(new Route("/user/alice/nb1", URI.create("http://10.0.0.3:8888/base/"), "alice", "nb1", Map.of()));
        routes.put(new Route("/svc", URI.create("https://10.0.0.4"), null, null, Map.of()));
        router = new RequestRouter(routes, HttpProxyConfig.builder().toolPorts(Set.of(8080)).build());
    }

    private static HttpRequest get(String uri) {
        return new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "/hub/home?x=1                          | /           | 10.0.0.1 | 8081 | /hub/home?x=1",
        "/user/alice/lab/tree/a%20b?y           | /user/alice | 10.0.0.2 | 8888 | /user/alice/lab/tree/a%20b?y",
        "/user/%61lice/./lab/                   | /user/alice | 10.0.0.2 | 8888 | /user/alice/lab/",
        "/user/alice/nb1/api?z                  | /user/alice/nb1 | 10.0.0.3 | 8888 | /base/user/alice/nb1/api?z",
        "http://hub.test/user/alice/x?q         | /user/alice | 10.0.0.2 | 8888 | /user/alice/x?q",
        "http://hub.test?q                      | /           | 10.0.0.1 | 8081 | /?q",
        "/user/alice/tools/8080/app/?a=1        | /user/alice | 10.0.0.2 | 8080 | /app/?a=1",
        "/user/alice/nb1/tools/8080             | /user/alice/nb1 | 10.0.0.3 | 8080 | /",
        "/user/bob/tools/8080/x                 | /           | 10.0.0.1 | 8081 | /user/bob/tools/8080/x",
    })
    void forwardDecisions(String uri, String prefix, String host, int port, String upstreamUri) {
        RoutingDecision decision = router.route(get(uri));

        assertThat(decision).isInstanceOf(RoutingDecision.Forward.class);
        RoutingDecision.Forward forward = (RoutingDecision.Forward) decision;
        assertThat(forward.route().prefix()).isEqualTo(prefix);
        assertThat(forward.host()).isEqualTo(host);
        assertThat(forward.port()).isEqualTo(port);
        assertThat(forward.uri()).isEqualTo(upstreamUri);
    }

    @Test
    void toolRouteReportsTheRemovedPrefix() {
        RoutingDecision.Forward forward = (RoutingDecision.Forward) router.route(get("/user/alice/tools/8080/x"));

        assertThat(forward.toolPrefix()).isEqualTo("/user/alice/tools/8080");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "/user/alice/tools/22/x     | 403",
        "/user/alice/tools/abc/x    | 403",
        "/user/alice/tools/99999/x  | 403",
        "/svc/x                     | 502",
        "/a/%zz                     | 400",
        "/a#frag                    | 400",
        "*                          | 400",
        "ftp://hub.test/x           | 400",
    })
    void rejections(String uri, int status) {
        RoutingDecision decision = router.route(get(uri));

        assertThat(decision).isInstanceOf(RoutingDecision.Reject.class);
        assertThat(((RoutingDecision.Reject) decision).status()).isEqualTo(HttpResponseStatus.valueOf(status));
    }

    @Test
    void healthCheckIsRecognized() {
        assertThat(router.route(get("/_chp_healthz"))).isInstanceOf(RoutingDecision.HealthCheck.class);
        assertThat(router.route(get("/_chp_healthz/x"))).isInstanceOf(RoutingDecision.Forward.class);
    }

    @Test
    void emptyRouteTableGives404() {
        RequestRouter empty = new RequestRouter(new PathRouteTable(), HttpProxyConfig.defaults());

        RoutingDecision decision = empty.route(get("/x"));

        assertThat(((RoutingDecision.Reject) decision).status()).isEqualTo(HttpResponseStatus.NOT_FOUND);
    }
}
