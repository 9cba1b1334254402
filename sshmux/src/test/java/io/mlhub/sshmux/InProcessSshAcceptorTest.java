package io.mlhub.sshmux;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InProcessSshAcceptorTest {

    @TempDir
    Path dir;

    @Test
    void closedChannelIsReleasedNotAdopted() {
        try (SshMux mux = SshMux.start(SshMuxConfig.builder(dir).build(), new InMemorySshAuthority())) {
            EmbeddedChannel channel = new EmbeddedChannel();
            channel.close();
            ByteBuf received = Unpooled.copiedBuffer("SSH-2.0-test\r\n", StandardCharsets.US_ASCII);

            mux.acceptor().accept(channel, received);

            assertThat(received.refCnt()).isZero();
            assertThat(channel.pipeline().get(InProcessSshAcceptor.HANDLER_NAME)).isNull();
            assertThat(mux.sessionCount()).isZero();
        }
    }
}
