package io.mlhub.hub.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class SshPublicKeyTest {

    @Test
    void ed25519KeyIsParsedWithComment() {
        String line = "ssh-ed25519 " + blob("ssh-ed25519", new byte[32]) + " me@host";

        SshPublicKey key = SshPublicKey.parse(line);

        assertThat(key.type()).isEqualTo("ssh-ed25519");
        assertThat(key.comment()).isEqualTo("me@host");
        assertThat(key.fingerprint()).startsWith("SHA256:").doesNotEndWith("=");
    }

    @Test
    void mismatchedTruncatedOrWeakKeysAreRejected() {
        assertThatThrownBy(() -> SshPublicKey.parse("ssh-rsa " + blob("ssh-ed25519", new byte[32])))
                .hasMessageContaining("of type ssh-ed25519, not ssh-rsa");
        assertThatThrownBy(() -> SshPublicKey.parse("ssh-ed25519 AAAAC3Nz"))
                .hasMessageStartingWith("key:");
        assertThatThrownBy(() -> SshPublicKey.parse("ssh-ed25519 " + blob("ssh-ed25519", new byte[5])))
                .hasMessageContaining("wrong length");
        assertThatThrownBy(() -> SshPublicKey.parse("ssh-rsa " + rsaBlob(1024)))
                .hasMessageContaining("1024 bits");
        assertThatThrownBy(() -> SshPublicKey.parse("ssh-ed25519 " + blob("ssh-ed25519", new byte[32]) + "\nx"))
                .hasMessageContaining("one line");
        assertThatThrownBy(() -> SshPublicKey.parse(""))
                .hasMessageContaining("missing");
    }

    private static String blob(String type, byte[] key) {
        byte[] name = type.getBytes(StandardCharsets.US_ASCII);
        ByteBuffer buffer = ByteBuffer.allocate(8 + name.length + key.length);
        buffer.putInt(name.length).put(name).putInt(key.length).put(key);
        return Base64.getEncoder().encodeToString(buffer.array());
    }

    private static String rsaBlob(int bits) {
        byte[] name = "ssh-rsa".getBytes(StandardCharsets.US_ASCII);
        byte[] exponent = {1, 0, 1};
        byte[] modulus = new byte[bits / 8];
        modulus[0] = (byte) 0x80;
        ByteBuffer buffer = ByteBuffer.allocate(12 + name.length + exponent.length + modulus.length + 1);
        buffer.putInt(name.length).put(name).putInt(exponent.length).put(exponent)
                .putInt(modulus.length + 1).put((byte) 0).put(modulus);
        return Base64.getEncoder().encodeToString(buffer.array());
    }
}
