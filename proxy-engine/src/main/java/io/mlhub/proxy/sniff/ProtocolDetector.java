package io.mlhub.proxy.sniff;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Decides from the first bytes of a connection which protocol it speaks. Every signature is at most
 * {@link #MAX_SIGNATURE_LENGTH} bytes long, so a connection that has sent that many bytes without a
 * match speaks none of them.
 */
final class ProtocolDetector {
    private static final byte TLS_HANDSHAKE = 0x16;
    private static final byte TLS_MAJOR_VERSION = 0x03;
    private static final int TLS_MAX_MINOR_VERSION = 0x04;

    private static final byte[] SSH = ascii("SSH-");

    /** Request methods of RFC 9110 section 9 and RFC 5789 (PATCH), each with the space that follows. */
    private static final List<byte[]> HTTP_METHODS = List.of(
            ascii("GET "), ascii("HEAD "), ascii("POST "), ascii("PUT "), ascii("DELETE "),
            ascii("OPTIONS "), ascii("PATCH "), ascii("TRACE "), ascii("CONNECT "));

    private static final byte[] PROXY_V1 = ascii("PROXY ");

    /** The 12-byte signature of a PROXY protocol v2 header. */
    private static final byte[] PROXY_V2 = {
        0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A
    };

    static final int MAX_SIGNATURE_LENGTH = PROXY_V2.length;

    private ProtocolDetector() {}

    /**
     * Returns what the readable bytes of {@code in} show, without moving its reader index.
     *
     * @param proxyHeaderAllowed whether a PROXY protocol header counts as a match or as unknown bytes
     */
    static Detection detect(ByteBuf in, boolean proxyHeaderAllowed) {
        if (!in.isReadable()) {
            return Detection.NEED_MORE_BYTES;
        }

        Match tls = matchTls(in);
        if (tls == Match.FULL) {
            return Detection.TLS;
        }
        boolean undecided = tls == Match.PREFIX;

        Match ssh = matchSignature(in, SSH);
        if (ssh == Match.FULL) {
            return Detection.SSH;
        }
        undecided |= ssh == Match.PREFIX;

        for (byte[] method : HTTP_METHODS) {
            Match http = matchSignature(in, method);
            if (http == Match.FULL) {
                return Detection.HTTP;
            }
            undecided |= http == Match.PREFIX;
        }

        if (proxyHeaderAllowed) {
            Match proxy = matchSignature(in, PROXY_V1).or(matchSignature(in, PROXY_V2));
            if (proxy == Match.FULL) {
                return Detection.PROXY_HEADER;
            }
            undecided |= proxy == Match.PREFIX;
        }
        return undecided ? Detection.NEED_MORE_BYTES : Detection.UNKNOWN;
    }

    /** Matches a TLS record header: content type handshake, then protocol version 3.0 to 3.4. */
    private static Match matchTls(ByteBuf in) {
        int start = in.readerIndex();
        if (in.getByte(start) != TLS_HANDSHAKE) {
            return Match.NONE;
        }
        if (in.readableBytes() < 2) {
            return Match.PREFIX;
        }
        if (in.getByte(start + 1) != TLS_MAJOR_VERSION) {
            return Match.NONE;
        }
        if (in.readableBytes() < 3) {
            return Match.PREFIX;
        }
        int minor = in.getUnsignedByte(start + 2);
        return minor <= TLS_MAX_MINOR_VERSION ? Match.FULL : Match.NONE;
    }

    private static Match matchSignature(ByteBuf in, byte[] signature) {
        int start = in.readerIndex();
        int length = Math.min(in.readableBytes(), signature.length);
        for (int i = 0; i < length; i++) {
            if (in.getByte(start + i) != signature[i]) {
                return Match.NONE;
            }
        }
        return length == signature.length ? Match.FULL : Match.PREFIX;
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    private enum Match {
        NONE,
        PREFIX,
        FULL;

        Match or(Match other) {
            return compareTo(other) >= 0 ? this : other;
        }
    }
}
