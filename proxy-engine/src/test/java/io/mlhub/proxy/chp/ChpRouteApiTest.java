package io.mlhub.proxy.chp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ChpRouteApiTest {
    @Test
    void tokenFoundAnywhereInHeader() {
        assertThat(ChpRouteApi.presentedToken("token abc")).isEqualTo("abc");
        assertThat(ChpRouteApi.presentedToken("token \t abc def")).isEqualTo("abc");
        assertThat(ChpRouteApi.presentedToken("Bearer x, token abc")).isEqualTo("abc");
        assertThat(ChpRouteApi.presentedToken("tokentoken abc")).isEqualTo("abc");
        assertThat(ChpRouteApi.presentedToken("token   token abc")).isEqualTo("token");
    }

    @Test
    void headerWithoutTokenGivesNull() {
        assertThat(ChpRouteApi.presentedToken("Token abc")).isNull();
        assertThat(ChpRouteApi.presentedToken("tokenabc")).isNull();
        assertThat(ChpRouteApi.presentedToken("token   ")).isNull();
        assertThat(ChpRouteApi.presentedToken("Bearer abc")).isNull();
        assertThat(ChpRouteApi.presentedToken("")).isNull();
    }
}
