package io.mlhub.proxy.chp;

import io.mlhub.proxy.route.PathRouteTable;
import io.mlhub.proxy.route.RouteKeys;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Route additions through the route API of configurable-http-proxy, {@code POST /api/routes/user/uN/default} with
 * the body JupyterHub sends, on the API port's pipeline (HTTP codec, aggregator, API handler) in an embedded
 * channel: what one addition costs the API's event loop apart from the socket calls. Each iteration starts from an
 * empty table and adds new routes; run it with {@code -prof gc} to see the bytes allocated per addition, which
 * decide how often the collector runs while JupyterHub adds routes.
 *
 * <p>This class sits in the API's package because {@code ChpApiHandler} is package-private there.
 *
 * <p>Run: {@code mvn -B -q -pl benchmarks -am package -DskipTests && java -jar benchmarks/target/benchmarks.jar
 * RouteApiBenchmark -prof gc}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RouteApiBenchmark {
    /** More requests than one iteration sends at a few microseconds each, so that every addition is a new route. */
    private static final int REQUESTS = 1 << 19;
    private static final String TOKEN = "0123456789abcdef0123456789abcdef";

    private byte[][] requests;
    private EmbeddedChannel channel;
    private int next;

    @Setup(Level.Trial)
    public void prepareRequests() {
        requests = new byte[REQUESTS][];
        for (int i = 0; i < REQUESTS; i++) {
            String body = "{\"target\":\"http://127.0.0.1:" + (20_000 + i % 40_000) + "\",\"user\":\"u" + i
                    + "\",\"server_name\":\"default\",\"jupyterhub\":true}";
            String request = "POST /api/routes/user/u" + i + "/default HTTP/1.1\r\n"
                    + "Host: 127.0.0.1:8001\r\n"
                    + "Authorization: token " + TOKEN + "\r\n"
                    + "Content-Type: application/json\r\n"
                    + "Content-Length: " + body.length() + "\r\n"
                    + "\r\n"
                    + body;
            requests[i] = request.getBytes(StandardCharsets.US_ASCII);
        }
    }

    @Setup(Level.Iteration)
    public void openChannel() {
        ChpRouteApi api = new ChpRouteApi(new PathRouteTable(), TOKEN, RouteKeys::canonicalFromDecoded, false);
        channel = new EmbeddedChannel(
                new HttpServerCodec(),
                new HttpObjectAggregator(ChpApiServer.DEFAULT_MAX_BODY_BYTES),
                new ChpApiHandler(api, null));
        next = 0;
    }

    @TearDown(Level.Iteration)
    public void closeChannel() {
        channel.finishAndReleaseAll();
    }

    @Benchmark
    public int addRoute() {
        byte[] request = requests[next++ & (REQUESTS - 1)];
        ByteBuf in = channel.alloc().directBuffer(request.length).writeBytes(request);
        channel.writeInbound(in);
        int written = 0;
        for (Object out; (out = channel.readOutbound()) != null; ) {
            written += ((ByteBuf) out).readableBytes();
            ((ByteBuf) out).release();
        }
        return written;
    }
}
