package io.kubevirt.metrics.gateway.expose;

import io.quarkus.vertx.http.HttpServerOptionsCustomizer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.JdkSSLEngineOptions;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The HTTPS endpoint encrypts answers with pooled buffers. With the JDK's TLS engine, Vert.x
 * otherwise gives every TLS record a new heap buffer (and a copy of the start of each chunk):
 * an answer's size in garbage per answer, tens of megabytes for a large cluster.
 */
@ApplicationScoped
public class PooledTlsBuffers implements HttpServerOptionsCustomizer {
    @Override
    public void customizeHttpsServer(HttpServerOptions options) {
        if (options.getSslEngineOptions() == null || options.getSslEngineOptions() instanceof JdkSSLEngineOptions) {
            options.setSslEngineOptions(new JdkSSLEngineOptions().setPooledHeapBuffers(true));
        }
    }
}
