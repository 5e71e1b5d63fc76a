package io.kubevirt.metrics.gateway.expose;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** {@link FileTargetsGatewayTest} against the packaged artifact: the jar, or the native executable with -Dnative. */
@QuarkusIntegrationTest
class FileTargetsGatewayIT extends FileTargetsGatewayTest {
}
