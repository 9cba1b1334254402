package io.mlhub.benchmarks.harness;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ProductSshTest {
    @Test
    void configWithReplacesOnlyIdentityFile() {
        ProductSsh.Access access = new ProductSsh.Access(8443, "mlhub-admin", """
                Host mlhub-admin
                  HostName admin
                  User root
                  ProxyJump admin@127.0.0.1:8443
                  IdentityFile ~/.ssh/mlhub_ed25519""");

        assertThat(access.configWith(Path.of("/run/key"))).isEqualTo("""
                Host mlhub-admin
                  HostName admin
                  User root
                  ProxyJump admin@127.0.0.1:8443
                  IdentityFile /run/key
                """);
    }
}
