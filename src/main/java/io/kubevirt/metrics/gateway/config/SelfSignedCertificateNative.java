package io.kubevirt.metrics.gateway.config;

import com.oracle.svm.core.annotate.Substitute;
import com.oracle.svm.core.annotate.TargetClass;

/**
 * In a native executable, {@code gateway.tls.self-signed} is refused instead of generating: this
 * keeps the certificate generator (and BouncyCastle) out of the image. The demo runs on the JVM.
 */
@TargetClass(SelfSignedCertificate.class)
final class SelfSignedCertificateNative {
    @Substitute
    public static SelfSignedCertificate generate() {
        throw new IllegalStateException("gateway.tls.self-signed is for the JVM demo and tests; "
                + "a native executable needs gateway.tls.cert-file and gateway.tls.key-file");
    }
}
