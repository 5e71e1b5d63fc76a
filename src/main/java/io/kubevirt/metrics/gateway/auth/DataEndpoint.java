package io.kubevirt.metrics.gateway.auth;

import jakarta.ws.rs.NameBinding;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a resource that serves data: {@link DataEndpointGate} runs before each of its methods,
 * whatever the form of the path that matched it (bound at build time, not by comparing paths).
 */
@NameBinding
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface DataEndpoint {
}
