package io.mlhub.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class RelayHeadersTest {
    private static final ClientConnection PLAIN = new ClientConnection(
            new InetSocketAddress("192.0.2.7", 50000), new InetSocketAddress("127.0.0.1", 8000), false);
    private static final ClientConnection TLS_V6 = new ClientConnection(
            new InetSocketAddress("2001:db8::1", 50000), new InetSocketAddress("::1", 443), true);

    @Test
    void hopByHopHeadersAndConnectionOptionsAreRemoved() {
        HttpHeaders headers = new DefaultHttpHeaders()
                .add("Connection", "keep-alive, X-Private")
                .add("Connection", "x-other")
                .add("X-Private", "1")
                .add("X-Other", "2")
                .add("Keep-Alive", "timeout=5")
                .add("Proxy-Connection", "keep-alive")
                .add("TE", "trailers")
                .add("Trailer", "X-Checksum")
                .add("Transfer-Encoding", "chunked")
                .add("Upgrade", "h2c")
                .add("Proxy-Authorization", "Basic x")
                .add("X-Kept", "3");

        RelayHeaders.removeHopByHop(headers);

        assertThat(headers.names()).containsExactly("X-Kept");
    }

    @Test
    void connectionCannotRemoveHostOrContentLength() {
        HttpHeaders headers = new DefaultHttpHeaders()
                .add("Connection", "Host, Content-Length, close")
                .add("Host", "h.test")
                .add("Content-Length", "3");

        RelayHeaders.removeHopByHop(headers);

        assertThat(headers.get("Host")).isEqualTo("h.test");
        assertThat(headers.get("Content-Length")).isEqualTo("3");
    }

    @Test
    void untrustedClientsForwardedHeadersAreReplaced() {
        HttpHeaders headers = new DefaultHttpHeaders()
                .add("Host", "hub.test:8443")
                .add("X-Forwarded-For", "10.0.0.1")
                .add("X-Forwarded-Proto", "https")
                .add("X-Forwarded-Host", "evil.test")
                .add("X-Forwarded-Port", "1")
                .add("X-Forwarded-Prefix", "/evil")
                .add("Forwarded", "for=10.0.0.1");

        RelayHeaders.setForwarded(headers, PLAIN, false);

        assertThat(headers.getAll("X-Forwarded-For")).containsExactly("192.0.2.7");
        assertThat(headers.get("X-Forwarded-Proto")).isEqualTo("http");
        assertThat(headers.get("X-Forwarded-Host")).isEqualTo("hub.test:8443");
        assertThat(headers.get("X-Forwarded-Port")).isEqualTo("8443");
        assertThat(headers.contains("X-Forwarded-Prefix")).isFalse();
        assertThat(headers.contains("Forwarded")).isFalse();
    }

    @Test
    void trustedProxysForwardedHeadersAreExtended() {
        HttpHeaders headers = new DefaultHttpHeaders()
                .add("Host", "hub.test")
                .add("X-Forwarded-For", "203.0.113.9")
                .add("X-Forwarded-Proto", "https")
                .add("X-Forwarded-Port", "443");

        RelayHeaders.setForwarded(headers, PLAIN, true);

        assertThat(headers.get("X-Forwarded-For")).isEqualTo("203.0.113.9, 192.0.2.7");
        assertThat(headers.get("X-Forwarded-Proto")).isEqualTo("https");
        assertThat(headers.get("X-Forwarded-Port")).isEqualTo("443");
        assertThat(headers.get("X-Forwarded-Host")).isEqualTo("hub.test");
    }

    @Test
    void defaultPortFollowsTheSchemeAndIpv6HostsKeepTheirBrackets() {
        HttpHeaders plain = new DefaultHttpHeaders().add("Host", "[2001:db8::5]");
        HttpHeaders secure = new DefaultHttpHeaders().add("Host", "[2001:db8::5]:9443");

        RelayHeaders.setForwarded(plain, TLS_V6, false);
        RelayHeaders.setForwarded(secure, TLS_V6, false);

        assertThat(plain.get("X-Forwarded-Port")).isEqualTo("443");
        assertThat(plain.get("X-Forwarded-Proto")).isEqualTo("https");
        assertThat(plain.get("X-Forwarded-For")).isEqualTo("2001:db8:0:0:0:0:0:1");
        assertThat(secure.get("X-Forwarded-Port")).isEqualTo("9443");
        assertThat(RelayHeaders.hostWithoutPort("[2001:db8::5]:9443")).isEqualTo("[2001:db8::5]");
        assertThat(RelayHeaders.hostWithoutPort("Hub.Test:80")).isEqualTo("hub.test");
    }
}
