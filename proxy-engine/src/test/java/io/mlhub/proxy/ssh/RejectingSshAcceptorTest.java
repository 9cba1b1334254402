package io.mlhub.proxy.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RejectingSshAcceptorTest {

    @Test
    void closesAndReleasesBytes() {
        EmbeddedChannel channel = new EmbeddedChannel();
        ByteBuf banner = Unpooled.copiedBuffer("SSH-2.0-OpenSSH_9.2\r\n", StandardCharsets.US_ASCII);

        RejectingSshAcceptor.INSTANCE.accept(channel, banner);

        assertThat(channel.isOpen()).isFalse();
        assertThat(banner.refCnt()).as("the acceptor owns and releases the bytes").isZero();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }
}
