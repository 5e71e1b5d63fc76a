package io.kubevirt.metrics.gateway.expose;

import io.vertx.ext.web.RoutingContext;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.ext.Provider;
import java.io.OutputStream;
import java.lang.annotation.Annotation;
import java.lang.reflect.Type;
import org.jboss.resteasy.reactive.server.core.ResteasyReactiveRequestContext;
import org.jboss.resteasy.reactive.server.spi.ResteasyReactiveResourceInfo;
import org.jboss.resteasy.reactive.server.spi.ServerMessageBodyWriter;
import org.jboss.resteasy.reactive.server.spi.ServerRequestContext;

/**
 * Sends a {@link StreamedAnswer} the way Quarkus REST sends files: the request is suspended while
 * the answer writes itself into the Vert.x response, and resumed when it is done. Quarkus REST's
 * own streaming of a {@code Multi} copies every chunk three times on its way to the connection
 * (into a stream, out to an array, into a buffer), a gigabyte a minute under a large cluster.
 */
@Provider
@Produces(MediaType.WILDCARD)
public class StreamedAnswerWriter implements ServerMessageBodyWriter<StreamedAnswer> {
    @Override
    public boolean isWriteable(Class<?> type, Type genericType, ResteasyReactiveResourceInfo target,
            MediaType mediaType) {
        return StreamedAnswer.class.isAssignableFrom(type);
    }

    @Override
    public void writeResponse(StreamedAnswer answer, Type genericType, ServerRequestContext context) {
        ResteasyReactiveRequestContext request = (ResteasyReactiveRequestContext) context;
        request.suspend();
        RoutingContext routing = request.serverRequest().unwrap(RoutingContext.class);
        answer.sendTo(routing.response(), request::resume);
        routing.addEndHandler(ended -> answer.ended());
    }

    @Override
    public boolean isWriteable(Class<?> type, Type genericType, Annotation[] annotations, MediaType mediaType) {
        return StreamedAnswer.class.isAssignableFrom(type);
    }

    /** Only for writer interceptors, which the gateway has none of (as Quarkus REST's own file writers). */
    @Override
    public void writeTo(StreamedAnswer answer, Class<?> type, Type genericType, Annotation[] annotations,
            MediaType mediaType, MultivaluedMap<String, Object> headers, OutputStream out) {
        throw new UnsupportedOperationException("A streamed answer is written by writeResponse only");
    }
}
