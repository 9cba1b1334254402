package io.mlhub.hub.spawn.docker;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PrivateSubnetsTest {
    @ParameterizedTest(name = "{0} private={1}")
    @CsvSource({
        "10.0.0.0/8, true",
        "10.12.0.0/16, true",
        "172.17.0.0/16, true",
        "172.31.255.0/24, true",
        "172.16.0.0/12, true",
        "192.168.0.0/20, true",
        "fd00:1::/64, true",
        "172.32.0.0/16, false",
        "172.15.0.0/16, false",
        "172.0.0.0/8, false",
        "192.169.0.0/16, false",
        "8.8.8.0/24, false",
        "100.64.0.0/10, false",
        "2001:db8::/64, false",
        "10.0.0.0, false",
        "example.org/24, false",
        "10.0.0.0/x, false"})
    void subnetIsClassified(String cidr, boolean expected) {
        assertThat(PrivateSubnets.isPrivate(cidr)).isEqualTo(expected);
    }
}
