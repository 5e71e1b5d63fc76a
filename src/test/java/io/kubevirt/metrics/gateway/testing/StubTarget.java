package io.kubevirt.metrics.gateway.testing;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.eclipse.microprofile.config.ConfigProvider;

/** An HTTPS /metrics endpoint on 127.0.0.1 standing in for a KubeVirt pod, with the gateway's test certificate. */
public final class StubTarget implements AutoCloseable {
    private final HttpServer server;
    private volatile Supplier<String> body;
    private volatile String contentType = "text/plain; version=0.0.4; charset=utf-8";
    private volatile int status = 200;
    private volatile long delayMillis;
    private final AtomicInteger requests = new AtomicInteger();
    private volatile MultiMap lastHeaders;

    /** With the certificate of the gateway under test (a Quarkus test's gateway.tls.*). */
    public StubTarget(Vertx vertx, Supplier<String> body) {
        this(vertx, body, ConfigProvider.getConfig().getValue("gateway.tls.cert-file", String.class),
                ConfigProvider.getConfig().getValue("gateway.tls.key-file", String.class));
    }

    public StubTarget(Vertx vertx, Supplier<String> body, String cert, String key) {
        this.body = body;
        HttpServerOptions options = new HttpServerOptions().setHost("127.0.0.1").setPort(0).setSsl(true)
                .setCompressionSupported(true)
                .setKeyCertOptions(new PemKeyCertOptions().setCertPath(cert).setKeyPath(key));
        server = vertx.createHttpServer(options).requestHandler(request -> {
            requests.incrementAndGet();
            lastHeaders = request.headers();
            Runnable answer = () -> request.response().setStatusCode(status).putHeader("Content-Type", contentType)
                    .end(this.body.get());
            if (delayMillis > 0) {
                vertx.setTimer(delayMillis, id -> answer.run());
            } else {
                answer.run();
            }
        });
        server.listen().toCompletionStage().toCompletableFuture().join();
    }

    public static StubTarget serving(Vertx vertx, String body) {
        return new StubTarget(vertx, () -> body);
    }

    public int port() {
        return server.actualPort();
    }

    public String address() {
        return "127.0.0.1:" + port();
    }

    public StubTarget body(Supplier<String> newBody) {
        this.body = newBody;
        return this;
    }

    public StubTarget contentType(String type) {
        this.contentType = type;
        return this;
    }

    public StubTarget status(int code) {
        this.status = code;
        return this;
    }

    public StubTarget delay(java.time.Duration delay) {
        this.delayMillis = delay.toMillis();
        return this;
    }

    /** The headers of the last request. */
    public MultiMap lastHeaders() {
        return lastHeaders;
    }

    public int requests() {
        return requests.get();
    }

    @Override
    public void close() {
        server.close().toCompletionStage().toCompletableFuture().join();
    }
}
