package io.mlhub.proxy.sniff;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The public port's protocol decision, {@code ProtocolDetector.detect}, on the first bytes of a connection: a
 * real TLS 1.3 ClientHello (made by the JDK's {@code SSLEngine} in set-up), an OpenSSH client banner, an HTTP/1.1
 * request, and a PROXY protocol v1 line. It is the work the sniffer does per connection before it hands over.
 *
 * <p>This class sits in the sniffer's package because the detector is package-private there.
 *
 * <p>Run: {@code mvn -B -q -pl benchmarks -am package -DskipTests && java -jar benchmarks/target/benchmarks.jar
 * ProtocolDetectorBenchmark}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ProtocolDetectorBenchmark {
    @Param({"tls", "ssh", "http", "proxy"})
    String protocol;

    private ByteBuf firstBytes;
    private Detection expected;

    @Setup
    public void setUp() throws Exception {
        byte[] bytes = switch (protocol) {
            case "tls" -> clientHello();
            case "ssh" -> ascii("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n");
            case "http" -> ascii("GET /user/u17/lab/tree/work HTTP/1.1\r\nHost: hub.example.org\r\n\r\n");
            case "proxy" -> ascii("PROXY TCP4 192.0.2.10 198.51.100.1 51234 443\r\n");
            default -> throw new IllegalArgumentException("protocol: " + protocol + " (expected: tls, ssh, http, proxy)");
        };
        expected = switch (protocol) {
            case "tls" -> Detection.TLS;
            case "ssh" -> Detection.SSH;
            case "http" -> Detection.HTTP;
            default -> Detection.PROXY_HEADER;
        };
        firstBytes = Unpooled.unreleasableBuffer(Unpooled.directBuffer(bytes.length).writeBytes(bytes));
        if (ProtocolDetector.detect(firstBytes, true) != expected) {
            throw new IllegalStateException(protocol + " bytes not detected as " + expected);
        }
    }

    @Benchmark
    public Detection detect() {
        return ProtocolDetector.detect(firstBytes, true);
    }

    /** Returns the first TLS record a JDK client sends: a ClientHello offering TLS 1.3 and 1.2. */
    private static byte[] clientHello() throws Exception {
        SSLEngine engine = SSLContext.getDefault().createSSLEngine("hub.example.org", 443);
        engine.setUseClientMode(true);
        engine.beginHandshake();
        ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        engine.wrap(ByteBuffer.allocate(0), out);
        out.flip();
        byte[] bytes = new byte[out.remaining()];
        out.get(bytes);
        return bytes;
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
